/*
 * hybrid.c: the served item lists, and the hybrid as a top-N model for
 * `marquee recs eval` (hybrid.h); the request-time scorer is scorer.c's.
 */
#include "recs/hybrid.h"

#include <math.h>

#include "recs/ease.h"
#include "recs/metrics.h"
#include "recs/model.h"
#include "recs/parallel.h"
#include "recs/signals.h"

/* ---- the lists ---- */

float *mq_recs_discounts(const struct mq_recs_set *s, const float *weight)
{
	float *d = mq_xcalloc(s->nitems + 1, sizeof(*d));

	for (size_t e = 0; e < s->n; e++)
		if (weight[e] > 0)
			d[s->r[e].item] += 1;
	for (uint32_t i = 0; i < s->nitems; i++)
		d[i] = (float)pow(d[i] > 1 ? d[i] : 1, -MQ_RECS_POP_BETA);
	return d;
}

struct lists_job {
	const struct mq_recs_ease *e;
	const struct mq_recs_neighbors *knn;
	const float *disc;
	uint32_t k;
	float **row;
	uint32_t **top;
};

/* Item j's list: EASE's row when EASE kept j, else its cosine neighbours. */
static size_t list_fill(void *arg, int thread, uint32_t j, uint32_t *items, float *scores)
{
	struct lists_job *l = arg;
	const struct mq_recs_ease *e = l->e;
	float *row = l->row[thread];
	uint32_t *top = l->top[thread];
	size_t n, kept = 0;

	if (e->row[j] < 0) {
		for (size_t t = l->knn->ptr[j]; t < l->knn->ptr[j + 1]; t++) {
			items[kept] = l->knn->item[t];
			scores[kept++] = l->knn->score[t] * MQ_RECS_COSINE_SCALE * l->disc[l->knn->item[t]];
		}
		return kept;
	}
	const float *b = e->b + (size_t)e->row[j] * e->n;
	for (uint32_t i = 0; i < e->n; i++)
		row[i] = b[i] * l->disc[e->item[i]];
	n = mq_recs_top_k(row, e->n, NULL, l->k, top);
	for (size_t t = 0; t < n && row[top[t]] > 0; t++) {
		items[kept] = e->item[top[t]];
		scores[kept++] = row[top[t]];
	}
	return kept;
}

int mq_recs_hybrid_lists(const struct mq_recs_set *s, const float *weight,
			 const struct mq_recs_neighbors *knn, uint32_t k, int threads,
			 struct mq_recs_neighbors *out)
{
	struct mq_recs_ease e;
	struct lists_job l = { .e = &e, .knn = knn, .k = k };
	int rc = mq_recs_ease_train(&e, s, weight, MQ_RECS_EASE_LAMBDA, MQ_RECS_EASE_MAX_ITEMS);

	if (threads < 1)
		threads = 1;
	if (rc < 0)
		e.n = 0, memset(e.row, 0xff, s->nitems * sizeof(*e.row));	/* none kept */
	l.disc = mq_recs_discounts(s, weight);
	l.row = mq_xcalloc((size_t)threads, sizeof(*l.row));
	l.top = mq_xcalloc((size_t)threads, sizeof(*l.top));
	for (int t = 0; t < threads; t++) {
		l.row[t] = mq_xmalloc(((size_t)e.n + 1) * sizeof(float));
		l.top[t] = mq_xmalloc(((size_t)k + 1) * sizeof(uint32_t));
	}
	mq_recs_neighbors_build(out, s->nitems, k > MQ_RECS_KNN_LIST_K ? k : MQ_RECS_KNN_LIST_K,
				threads, list_fill, &l);
	for (int t = 0; t < threads; t++) {
		free(l.row[t]);
		free(l.top[t]);
	}
	free(l.row);
	free(l.top);
	free((void *)l.disc);
	mq_recs_ease_free(&e);
	return rc;
}

/* ---- as a model ---- */

struct hybrid {
	struct mq_recs_model base;
	const struct mq_recs_set *train;
	float *weight;
	struct mq_recs_neighbors nb;
	int64_t *ids;		/* list items as ids: index + 1 */
};

static struct mq_recs_model *hybrid_fit(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	struct hybrid *m = mq_xcalloc(1, sizeof(*m));
	uint32_t k = o->neighbors > 0 ? (uint32_t)o->neighbors : MQ_RECS_LIST_K;
	int threads = o->threads > 0 ? o->threads : mq_recs_default_threads();
	struct mq_recs_neighbors knn;

	m->train = s;
	m->weight = mq_recs_rating_weights(s);
	mq_recs_neighbors_cosine(s, m->weight, MQ_RECS_KNN_LIST_K, threads, &knn);
	mq_recs_hybrid_lists(s, m->weight, &knn, k, threads, &m->nb);
	mq_recs_neighbors_free(&knn);
	m->ids = mq_xmalloc((m->nb.ptr[s->nitems] + 1) * sizeof(*m->ids));
	for (size_t x = 0; x < m->nb.ptr[s->nitems]; x++)
		m->ids[x] = (int64_t)m->nb.item[x] + 1;
	return &m->base;
}

static void hybrid_score(const struct mq_recs_model *mm, uint32_t u, float *out)
{
	const struct hybrid *m = (const struct hybrid *)mm;
	const struct mq_recs_set *s = m->train;
	struct mq_recs_scorer sc;

	mq_recs_scorer_init(&sc, 4096);
	for (size_t a = s->uptr[u]; a < s->uptr[u + 1]; a++) {
		uint32_t e = s->by_user[a], j = s->r[e].item;
		size_t off = m->nb.ptr[j];

		mq_recs_scorer_add(&sc, (int64_t)j + 1, m->weight[e], m->ids + off, m->nb.score + off,
				   m->nb.ptr[j + 1] - off);
	}
	for (uint32_t i = 0; i < mm->nitems; i++)
		out[i] = -INFINITY;
	for (size_t x = 0; x < sc.nslots; x++)
		if (sc.slot[x].item)
			out[sc.slot[x].item - 1] = sc.slot[x].score;
	mq_recs_scorer_free(&sc);
}

static void hybrid_free(struct mq_recs_model *mm)
{
	struct hybrid *m = (struct hybrid *)mm;

	mq_recs_neighbors_free(&m->nb);
	free(m->weight);
	free(m->ids);
	free(m);
}

const struct mq_recs_algo mq_recs_hybrid = {
	.name = "hybrid", .rates = false, .fit = hybrid_fit, .score = hybrid_score,
	.free = hybrid_free,
};

/*
 * ease.c: EASE's closed form (ease.h), and EASE as a top-N model.
 */
#include "recs/ease.h"

#include <math.h>

#include "recs/linalg.h"
#include "recs/model.h"
#include "recs/hybrid.h"
#include "recs/signals.h"

static int by_support_desc(const void *a, const void *b, void *arg)
{
	const struct mq_recs_set *s = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t cx = mq_recs_item_count(s, x), cy = mq_recs_item_count(s, y);

	return cx != cy ? (cx < cy) - (cx > cy) : (x > y) - (x < y);
}

/* G = X'X over the kept items, from each user's weighted events. */
static void gram(const struct mq_recs_ease *e, const struct mq_recs_set *s, const float *weight,
		 float *g)
{
	const size_t n = e->n;

	for (uint32_t u = 0; u < s->nusers; u++)
		for (size_t a = s->uptr[u]; a < s->uptr[u + 1]; a++) {
			uint32_t ea = s->by_user[a];
			int32_t p = e->row[s->r[ea].item];

			if (p < 0 || weight[ea] == 0)
				continue;
			for (size_t b = s->uptr[u]; b < s->uptr[u + 1]; b++) {
				uint32_t eb = s->by_user[b];
				int32_t q = e->row[s->r[eb].item];

				if (q >= 0)
					g[(size_t)p * n + (size_t)q] += weight[ea] * weight[eb];
			}
		}
}

int mq_recs_ease_train(struct mq_recs_ease *e, const struct mq_recs_set *s, const float *weight,
		       float lambda, uint32_t max_items)
{
	uint32_t *order = mq_xmalloc((s->nitems + 1) * sizeof(*order));
	uint32_t n = 0;
	float *g;

	memset(e, 0, sizeof(*e));
	for (uint32_t i = 0; i < s->nitems; i++)
		order[i] = i;
	qsort_r(order, s->nitems, sizeof(*order), by_support_desc, (void *)s);
	while (n < s->nitems && n < max_items && mq_recs_item_count(s, order[n]) >= MQ_RECS_EASE_MIN)
		n++;
	e->n = n;
	e->item = order;
	e->row = mq_xmalloc((s->nitems + 1) * sizeof(*e->row));
	for (uint32_t i = 0; i < s->nitems; i++)
		e->row[i] = -1;
	for (uint32_t r = 0; r < n; r++)
		e->row[order[r]] = (int32_t)r;
	g = mq_xcalloc((size_t)n * n + 1, sizeof(*g));
	gram(e, s, weight, g);
	for (uint32_t r = 0; r < n; r++)
		g[(size_t)r * n + r] += lambda + MQ_RECS_EASE_EMPHASIS * g[(size_t)r * n + r];
	e->b = g;
	if (n && mq_recs_invert_spd_f((int)n, g) < 0) {
		memset(g, 0, (size_t)n * n * sizeof(*g));
		return -1;
	}
	/* B_ji = -P_ji / P_ii: column i divided by its diagonal (P is
	 * symmetric, so row j of B is j's weights towards every item) */
	float *diag = mq_xmalloc(((size_t)n + 1) * sizeof(*diag));
	for (uint32_t i = 0; i < n; i++)
		diag[i] = g[(size_t)i * n + i];
	for (uint32_t j = 0; j < n; j++)
		for (uint32_t i = 0; i < n; i++)
			g[(size_t)j * n + i] = i == j || diag[i] == 0 ? 0 : -g[(size_t)j * n + i] / diag[i];
	free(diag);
	return 0;
}

void mq_recs_ease_free(struct mq_recs_ease *e)
{
	free(e->item);
	free(e->row);
	free(e->b);
	memset(e, 0, sizeof(*e));
}

/* ---- the top-N model ---- */

struct ease {
	struct mq_recs_model base;
	const struct mq_recs_set *train;
	struct mq_recs_ease e;
	float *weight;
	float *disc;
};

static struct mq_recs_model *ease_fit(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	struct ease *m = mq_xcalloc(1, sizeof(*m));

	m->train = s;
	m->weight = mq_recs_rating_weights(s);
	m->disc = mq_recs_discounts(s, m->weight);
	mq_recs_ease_train(&m->e, s, m->weight, MQ_RECS_EASE_LAMBDA, MQ_RECS_EASE_MAX_ITEMS);
	return &m->base;
}

static void ease_score(const struct mq_recs_model *mm, uint32_t u, float *out)
{
	const struct ease *m = (const struct ease *)mm;
	const struct mq_recs_set *s = m->train;
	float *acc = mq_xcalloc(m->e.n + 1, sizeof(*acc));

	for (size_t a = s->uptr[u]; a < s->uptr[u + 1]; a++) {
		uint32_t ev = s->by_user[a];
		int32_t j = m->e.row[s->r[ev].item];

		if (j >= 0)
			mq_recs_axpy((int)m->e.n, m->weight[ev], m->e.b + (size_t)j * m->e.n, acc);
	}
	for (uint32_t i = 0; i < mm->nitems; i++)
		out[i] = m->e.row[i] >= 0 ? acc[m->e.row[i]] * m->disc[i] : -INFINITY;
	free(acc);
}

static void ease_free(struct mq_recs_model *mm)
{
	struct ease *m = (struct ease *)mm;

	mq_recs_ease_free(&m->e);
	free(m->weight);
	free(m->disc);
	free(m);
}

const struct mq_recs_algo mq_recs_ease = {
	.name = "ease", .rates = false, .fit = ease_fit, .score = ease_score, .free = ease_free,
};

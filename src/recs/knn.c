/*
 * knn.c: item-item similarities, neighbour lists, and the two
 * neighbourhood models (knn.h).
 */
#include "recs/knn.h"

#include <math.h>

#include "recs/metrics.h"
#include "recs/model.h"
#include "recs/parallel.h"
#include "recs/signals.h"

#define PEARSON_SHRINK 100.0
#define COSINE_SHRINK 10.0
#define KNN_K 40		/* neighbours of a rating prediction */
#define KNN_MIN_SUPPORT 5	/* items with fewer ratings predict by baseline */
#define MAX_USER 5000		/* users with more events are left out of similarities */
#define RANK_NEIGHBORS 100	/* kept per item by the ranking model */

void mq_recs_knn_work_init(struct mq_recs_knn_work *w, uint32_t nitems)
{
	w->sxy = mq_xcalloc(nitems + 1, sizeof(*w->sxy));
	w->sxx = mq_xcalloc(nitems + 1, sizeof(*w->sxx));
	w->syy = mq_xcalloc(nitems + 1, sizeof(*w->syy));
	w->n = mq_xcalloc(nitems + 1, sizeof(*w->n));
	w->touched = mq_xmalloc((nitems + 1) * sizeof(*w->touched));
	w->ntouched = 0;
}

void mq_recs_knn_work_free(struct mq_recs_knn_work *w)
{
	free(w->sxy);
	free(w->sxx);
	free(w->syy);
	free(w->n);
	free(w->touched);
	memset(w, 0, sizeof(*w));
}

void mq_recs_knn_row(const struct mq_recs_set *s, const float *residual, enum mq_recs_sim kind,
		     uint32_t i, size_t max_user, struct mq_recs_knn_work *w, float *sim)
{
	w->ntouched = 0;
	for (size_t a = s->iptr[i]; a < s->iptr[i + 1]; a++) {
		uint32_t e = s->by_item[a], u = s->r[e].user;
		double x = residual[e];

		if (mq_recs_user_count(s, u) > max_user || (kind == MQ_RECS_SIM_COSINE && x <= 0))
			continue;
		for (size_t b = s->uptr[u]; b < s->uptr[u + 1]; b++) {
			uint32_t f = s->by_user[b], j = s->r[f].item;
			double y = residual[f];

			if (j == i || (kind == MQ_RECS_SIM_COSINE && y <= 0))
				continue;
			if (w->n[j] == 0)
				w->touched[w->ntouched++] = j;
			w->n[j]++;
			w->sxy[j] += x * y;
			w->sxx[j] += x * x;
			w->syy[j] += y * y;
		}
	}
	for (size_t t = 0; t < w->ntouched; t++) {
		uint32_t j = w->touched[t];
		double n = w->n[j], v = 0;

		if (kind == MQ_RECS_SIM_PEARSON) {
			double d = sqrt(w->sxx[j] * w->syy[j]);

			v = d > 0 ? w->sxy[j] / d * (n - 1) / (n - 1 + PEARSON_SHRINK) : 0;
		} else {
			/* the caller divides by the items' norms */
			v = w->sxy[j] * n / (n + COSINE_SHRINK);
		}
		sim[t] = (float)v;
		w->n[j] = 0;
		w->sxy[j] = w->sxx[j] = w->syy[j] = 0;
	}
}

/* ---- neighbour lists ---- */

struct build_job {
	uint32_t k;
	size_t (*fill)(void *arg, int thread, uint32_t j, uint32_t *items, float *scores);
	void *arg;
	uint32_t *count, *item;
	float *score;
};

static void build_rows(void *arg, int thread, size_t from, size_t to)
{
	struct build_job *b = arg;

	for (size_t j = from; j < to; j++)
		b->count[j] = (uint32_t)b->fill(b->arg, thread, (uint32_t)j, b->item + j * b->k,
						b->score + j * b->k);
}

void mq_recs_neighbors_build(struct mq_recs_neighbors *out, uint32_t nitems, uint32_t k,
			     int threads,
			     size_t (*fill)(void *arg, int thread, uint32_t j, uint32_t *items,
					    float *scores),
			     void *arg)
{
	struct build_job b = { .k = k, .fill = fill, .arg = arg };
	size_t n = 0;

	b.count = mq_xcalloc(nitems + 1, sizeof(*b.count));
	b.item = mq_xmalloc(((size_t)nitems * k + 1) * sizeof(*b.item));
	b.score = mq_xmalloc(((size_t)nitems * k + 1) * sizeof(*b.score));
	mq_recs_parallel(threads < 1 ? 1 : threads, nitems, 64, build_rows, &b);
	/* compact into rows of their own lengths */
	out->nitems = nitems;
	out->ptr = mq_xmalloc((nitems + 1) * sizeof(*out->ptr));
	for (uint32_t j = 0; j < nitems; j++) {
		out->ptr[j] = n;
		memmove(b.item + n, b.item + (size_t)j * k, b.count[j] * sizeof(*b.item));
		memmove(b.score + n, b.score + (size_t)j * k, b.count[j] * sizeof(*b.score));
		n += b.count[j];
	}
	out->ptr[nitems] = n;
	out->item = mq_xrealloc(b.item, (n + 1) * sizeof(*out->item));
	out->score = mq_xrealloc(b.score, (n + 1) * sizeof(*out->score));
	free(b.count);
}

struct cosine_job {
	const struct mq_recs_set *s;
	const float *weight;
	double *norm;
	uint32_t k;
	struct mq_recs_knn_work *work;
	float **sim;
	uint32_t **top;
};

static size_t cosine_fill(void *arg, int thread, uint32_t i, uint32_t *items, float *scores)
{
	struct cosine_job *j = arg;
	struct mq_recs_knn_work *w = &j->work[thread];
	float *sim = j->sim[thread];
	uint32_t *top = j->top[thread];
	size_t n;

	mq_recs_knn_row(j->s, j->weight, MQ_RECS_SIM_COSINE, i, MAX_USER, w, sim);
	for (size_t t = 0; t < w->ntouched; t++) {
		double d = j->norm[i] * j->norm[w->touched[t]];

		sim[t] = d > 0 ? (float)(sim[t] / d) : 0;
	}
	n = mq_recs_top_k(sim, w->ntouched, NULL, j->k, top);
	for (size_t t = 0; t < n; t++) {
		items[t] = w->touched[top[t]];
		scores[t] = sim[top[t]];
	}
	return n;
}

void mq_recs_neighbors_cosine(const struct mq_recs_set *s, const float *weight, uint32_t k,
			      int threads, struct mq_recs_neighbors *out)
{
	struct cosine_job j = { .s = s, .weight = weight, .k = k };

	if (threads < 1)
		threads = 1;
	j.norm = mq_xcalloc(s->nitems + 1, sizeof(*j.norm));
	for (size_t e = 0; e < s->n; e++)
		if (weight[e] > 0 && mq_recs_user_count(s, s->r[e].user) <= MAX_USER)
			j.norm[s->r[e].item] += (double)weight[e] * weight[e];
	for (uint32_t i = 0; i < s->nitems; i++)
		j.norm[i] = sqrt(j.norm[i]);
	j.work = mq_xcalloc((size_t)threads, sizeof(*j.work));
	j.sim = mq_xcalloc((size_t)threads, sizeof(*j.sim));
	j.top = mq_xcalloc((size_t)threads, sizeof(*j.top));
	for (int t = 0; t < threads; t++) {
		mq_recs_knn_work_init(&j.work[t], s->nitems);
		j.sim[t] = mq_xmalloc((s->nitems + 1) * sizeof(float));
		j.top[t] = mq_xmalloc((k + 1) * sizeof(uint32_t));
	}
	mq_recs_neighbors_build(out, s->nitems, k, threads, cosine_fill, &j);
	for (int t = 0; t < threads; t++) {
		mq_recs_knn_work_free(&j.work[t]);
		free(j.sim[t]);
		free(j.top[t]);
	}
	free(j.work);
	free(j.sim);
	free(j.top);
	free(j.norm);
}

void mq_recs_neighbors_free(struct mq_recs_neighbors *nb)
{
	free(nb->ptr);
	free(nb->item);
	free(nb->score);
	memset(nb, 0, sizeof(*nb));
}

/* ---- knn-baseline: ratings ---- */

struct knn_rating {
	struct mq_recs_model base;
	struct mq_recs_biases b;
	const struct mq_recs_set *train;	/* the user's ratings, at prediction */
	int32_t *dense;		/* by item: row of the similarity matrix, or -1 */
	uint32_t nf;
	float *sim;		/* nf x nf */
	float *residual;	/* by event of train */
};

struct pearson_job {
	struct knn_rating *m;
	struct mq_recs_knn_work *work;
	float **row;
};

static void pearson_rows(void *arg, int thread, size_t from, size_t to)
{
	struct pearson_job *j = arg;
	struct knn_rating *m = j->m;
	const struct mq_recs_set *s = m->train;
	struct mq_recs_knn_work *w = &j->work[thread];

	for (size_t i = from; i < to; i++) {
		float *out;

		if (m->dense[i] < 0)
			continue;
		out = m->sim + (size_t)m->dense[i] * m->nf;
		mq_recs_knn_row(s, m->residual, MQ_RECS_SIM_PEARSON, (uint32_t)i, MAX_USER, w,
				j->row[thread]);
		for (size_t t = 0; t < w->ntouched; t++)
			if (m->dense[w->touched[t]] >= 0)
				out[m->dense[w->touched[t]]] = j->row[thread][t];
	}
}

static struct mq_recs_model *knn_rating_fit(const struct mq_recs_set *s,
					    const struct mq_recs_opts *o)
{
	struct knn_rating *m = mq_xcalloc(1, sizeof(*m));
	int threads = o->threads > 0 ? o->threads : mq_recs_default_threads();
	struct pearson_job j = { .m = m };

	mq_recs_biases_fit(&m->b, s, MQ_RECS_BIAS_LAMBDA_ITEM, MQ_RECS_BIAS_LAMBDA_USER,
			   MQ_RECS_BIAS_SWEEPS);
	m->train = s;
	m->residual = mq_xmalloc((s->n + 1) * sizeof(*m->residual));
	for (size_t e = 0; e < s->n; e++)
		m->residual[e] = (float)(s->r[e].value - mq_recs_bias(&m->b, s->r[e].user, s->r[e].item));
	m->dense = mq_xmalloc((s->nitems + 1) * sizeof(*m->dense));
	for (uint32_t i = 0; i < s->nitems; i++)
		m->dense[i] = mq_recs_item_count(s, i) >= KNN_MIN_SUPPORT ? (int32_t)m->nf++ : -1;
	m->sim = mq_xcalloc((size_t)m->nf * m->nf + 1, sizeof(*m->sim));
	j.work = mq_xcalloc((size_t)threads, sizeof(*j.work));
	j.row = mq_xcalloc((size_t)threads, sizeof(*j.row));
	for (int t = 0; t < threads; t++) {
		mq_recs_knn_work_init(&j.work[t], s->nitems);
		j.row[t] = mq_xmalloc((s->nitems + 1) * sizeof(float));
	}
	mq_recs_parallel(threads, s->nitems, 64, pearson_rows, &j);
	for (int t = 0; t < threads; t++) {
		mq_recs_knn_work_free(&j.work[t]);
		free(j.row[t]);
	}
	free(j.work);
	free(j.row);
	return &m->base;
}

/* The sum of sims[t] * res[t] and of sims[t] over the k largest sims
 * (a min-heap of the best k so far; k at most KNN_K). */
static void top_weighted(const float *sims, const float *res, size_t n, size_t k, double *num,
			 double *den)
{
	float hs[KNN_K], hr[KNN_K];
	size_t m = 0;

	for (size_t t = 0; t < n; t++) {
		size_t at;

		if (m < k) {
			for (at = m++; at > 0 && hs[(at - 1) / 2] > sims[t]; at = (at - 1) / 2) {
				hs[at] = hs[(at - 1) / 2];
				hr[at] = hr[(at - 1) / 2];
			}
		} else if (sims[t] > hs[0]) {
			/* replace the root, sift the hole down */
			for (at = 0;;) {
				size_t c = 2 * at + 1;

				if (c >= m)
					break;
				if (c + 1 < m && hs[c + 1] < hs[c])
					c++;
				if (hs[c] >= sims[t])
					break;
				hs[at] = hs[c];
				hr[at] = hr[c];
				at = c;
			}
		} else {
			continue;
		}
		hs[at] = sims[t];
		hr[at] = res[t];
	}
	*num = *den = 0;
	for (size_t t = 0; t < m; t++) {
		*num += hs[t] * hr[t];
		*den += hs[t];
	}
}

static float knn_rating_predict(const struct mq_recs_model *mm, uint32_t u, uint32_t i,
				int32_t day)
{
	const struct knn_rating *m = (const struct knn_rating *)mm;
	const struct mq_recs_set *s = m->train;
	double base = mq_recs_bias(&m->b, u, i), num = 0, den = 0;
	float sims[4096], res[4096];
	size_t n = 0;

	if (u >= s->nusers || i >= s->nitems || m->dense[i] < 0)
		return mq_recs_clamp(base);
	const float *row = m->sim + (size_t)m->dense[i] * m->nf;
	for (size_t a = s->uptr[u]; a < s->uptr[u + 1] && n < MQ_ARRAY_LEN(sims); a++) {
		uint32_t e = s->by_user[a], j = s->r[e].item;

		if (m->dense[j] >= 0 && row[m->dense[j]] > 0) {
			sims[n] = row[m->dense[j]];
			res[n++] = m->residual[e];
		}
	}
	top_weighted(sims, res, n, KNN_K, &num, &den);
	return mq_recs_clamp(den > 0 ? base + num / den : base);
}

static void knn_rating_free(struct mq_recs_model *mm)
{
	struct knn_rating *m = (struct knn_rating *)mm;

	mq_recs_biases_free(&m->b);
	free(m->dense);
	free(m->sim);
	free(m->residual);
	free(m);
}

const struct mq_recs_algo mq_recs_knn_baseline = {
	.name = "knn-baseline", .rates = true, .fit = knn_rating_fit,
	.predict = knn_rating_predict, .score = mq_recs_score_by_prediction,
	.free = knn_rating_free,
};

/* ---- item-knn: top-N ---- */

struct knn_rank {
	struct mq_recs_model base;
	const struct mq_recs_set *train;
	float *weight;
	struct mq_recs_neighbors nb;
};

static struct mq_recs_model *knn_rank_fit(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	struct knn_rank *m = mq_xcalloc(1, sizeof(*m));

	m->train = s;
	m->weight = mq_recs_rating_weights(s);
	mq_recs_neighbors_cosine(s, m->weight, o->neighbors ? (uint32_t)o->neighbors : RANK_NEIGHBORS,
				 o->threads > 0 ? o->threads : mq_recs_default_threads(), &m->nb);
	return &m->base;
}

static void knn_rank_score(const struct mq_recs_model *mm, uint32_t u, float *out)
{
	const struct knn_rank *m = (const struct knn_rank *)mm;
	const struct mq_recs_set *s = m->train;

	memset(out, 0, mm->nitems * sizeof(*out));
	for (size_t a = s->uptr[u]; a < s->uptr[u + 1]; a++) {
		uint32_t e = s->by_user[a], j = s->r[e].item;

		for (size_t t = m->nb.ptr[j]; t < m->nb.ptr[j + 1]; t++)
			out[m->nb.item[t]] += m->weight[e] * m->nb.score[t];
	}
}

static void knn_rank_free(struct mq_recs_model *mm)
{
	struct knn_rank *m = (struct knn_rank *)mm;

	mq_recs_neighbors_free(&m->nb);
	free(m->weight);
	free(m);
}

const struct mq_recs_algo mq_recs_item_knn = {
	.name = "item-knn", .rates = false, .fit = knn_rank_fit, .score = knn_rank_score,
	.free = knn_rank_free,
};

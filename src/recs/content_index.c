/*
 * content_index.c: every movie's nearest by content (content.h), for
 * `marquee recs train`: an inverted index of the features, whose
 * postings are visited most popular first, and the best candidates
 * scored exactly.  Apart from content.c so that the workers, which
 * compare a few movies at a time, link none of training (and no BLAS).
 */
#include "recs/content.h"

#include "recs/metrics.h"
#include "recs/parallel.h"

#define RESCORE_FACTOR 4	/* candidates scored exactly: this times k */

struct index {
	const struct mq_recs_catalog *c;
	const struct mq_recs_idf *t;
	size_t nf;			/* distinct features */
	mq_recs_feature *fkey;		/* sorted */
	size_t *pptr;			/* postings of feature f: post[pptr[f] .. pptr[f+1]) */
	uint32_t *post;			/* movies, most popular first */
	uint32_t *mfeat;		/* by (movie, feature) position: the feature's index */
	float *contrib;			/* by feature: (field weight x idf)^2 */
	double *norm;			/* by movie */
	uint32_t k;
	/* per thread */
	float **acc;
	uint32_t **touched;
	float **cand;
	uint32_t **top;
};

static size_t feature_index(const struct index *x, mq_recs_feature f)
{
	size_t lo = 0, hi = x->nf;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->fkey[mid] < f)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int by_popularity(const void *a, const void *b, void *arg)
{
	const struct mq_recs_catalog *c = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (c->popularity[x] != c->popularity[y])
		return c->popularity[x] < c->popularity[y] ? 1 : -1;
	return (c->id[x] < c->id[y]) - (c->id[x] > c->id[y]);	/* newer (higher id) first */
}

static void index_build(struct index *x)
{
	const struct mq_recs_catalog *c = x->c;
	mq_recs_feature *all = mq_xmalloc((c->nfeat + 1) * sizeof(*all));
	size_t *next;

	memcpy(all, c->feat, c->nfeat * sizeof(*all));
	qsort(all, c->nfeat, sizeof(*all), mq_recs_feature_cmp);
	x->nf = 0;
	for (size_t k = 0; k < c->nfeat; k++)
		if (k == 0 || all[k] != all[k - 1])
			all[x->nf++] = all[k];
	x->fkey = all;
	x->pptr = mq_xcalloc(x->nf + 1, sizeof(*x->pptr));
	x->mfeat = mq_xmalloc((c->nfeat + 1) * sizeof(*x->mfeat));
	for (size_t k = 0; k < c->nfeat; k++) {
		x->mfeat[k] = (uint32_t)feature_index(x, c->feat[k]);
		x->pptr[x->mfeat[k] + 1]++;
	}
	for (size_t f = 0; f < x->nf; f++)
		x->pptr[f + 1] += x->pptr[f];
	x->post = mq_xmalloc((c->nfeat + 1) * sizeof(*x->post));
	next = mq_xmalloc((x->nf + 1) * sizeof(*next));
	memcpy(next, x->pptr, x->nf * sizeof(*next));
	for (size_t m = 0; m < c->n; m++)
		for (size_t k = c->fptr[m]; k < c->fptr[m + 1]; k++)
			x->post[next[x->mfeat[k]]++] = (uint32_t)m;
	free(next);
	for (size_t f = 0; f < x->nf; f++)
		qsort_r(x->post + x->pptr[f], x->pptr[f + 1] - x->pptr[f], sizeof(*x->post),
			by_popularity, (void *)c);
	x->contrib = mq_xmalloc((x->nf + 1) * sizeof(*x->contrib));
	for (size_t f = 0; f < x->nf; f++) {
		float w = mq_recs_feature_weight(x->t, x->fkey[f]);

		x->contrib[f] = w * w;
	}
	x->norm = mq_xmalloc((c->n + 1) * sizeof(*x->norm));
	for (size_t m = 0; m < c->n; m++)
		x->norm[m] = mq_recs_content_norm(c, x->t, m);
}

static size_t movie_fill(void *arg, int thread, uint32_t m, uint32_t *items, float *scores)
{
	struct index *x = arg;
	const struct mq_recs_catalog *c = x->c;
	float *acc = x->acc[thread], *cand = x->cand[thread];
	uint32_t *touched = x->touched[thread], *top = x->top[thread];
	size_t nt = 0, n, want = (size_t)x->k * RESCORE_FACTOR, kept = 0;

	if (x->norm[m] == 0)
		return 0;
	/* approximate: features' postings, the most popular first, capped */
	for (size_t k = c->fptr[m]; k < c->fptr[m + 1]; k++) {
		size_t f = x->mfeat[k], end = x->pptr[f + 1];

		if (x->contrib[f] == 0)
			continue;	/* in every movie: says nothing */
		if (end - x->pptr[f] > MQ_RECS_CONTENT_POSTINGS)
			end = x->pptr[f] + MQ_RECS_CONTENT_POSTINGS;
		for (size_t p = x->pptr[f]; p < end; p++) {
			uint32_t o = x->post[p];

			if (o == m)
				continue;
			if (acc[o] == 0)
				touched[nt++] = o;
			acc[o] += x->contrib[f];
		}
	}
	for (size_t t = 0; t < nt; t++) {
		cand[t] = (float)(acc[touched[t]] / (x->norm[m] * x->norm[touched[t]] + 1e-12));
		acc[touched[t]] = 0;
	}
	n = mq_recs_top_k(cand, nt, NULL, want, top);
	/* exact, for the best candidates */
	for (size_t t = 0; t < n; t++) {
		uint32_t o = touched[top[t]];

		cand[t] = mq_recs_content_cosine(c, x->t, m, o);
		top[want + t] = o;
	}
	n = mq_recs_top_k(cand, n, NULL, x->k, top);
	for (size_t t = 0; t < n; t++) {
		if (!(cand[top[t]] > 0))
			break;
		items[kept] = top[want + top[t]];
		scores[kept++] = cand[top[t]];
	}
	return kept;
}

void mq_recs_content_neighbors(const struct mq_recs_catalog *c, const struct mq_recs_idf *t,
			       uint32_t k, int threads, struct mq_recs_neighbors *out)
{
	struct index x = { .c = c, .t = t, .k = k };
	size_t want = (size_t)k * RESCORE_FACTOR;

	if (threads < 1)
		threads = 1;
	index_build(&x);
	x.acc = mq_xcalloc((size_t)threads, sizeof(*x.acc));
	x.touched = mq_xcalloc((size_t)threads, sizeof(*x.touched));
	x.cand = mq_xcalloc((size_t)threads, sizeof(*x.cand));
	x.top = mq_xcalloc((size_t)threads, sizeof(*x.top));
	for (int th = 0; th < threads; th++) {
		x.acc[th] = mq_xcalloc(c->n + 1, sizeof(float));
		x.touched[th] = mq_xmalloc((c->n + 1) * sizeof(uint32_t));
		x.cand[th] = mq_xmalloc((c->n + 1) * sizeof(float));
		x.top[th] = mq_xmalloc((2 * want + 1) * sizeof(uint32_t));
	}
	mq_recs_neighbors_build(out, (uint32_t)c->n, k, threads, movie_fill, &x);
	for (int th = 0; th < threads; th++) {
		free(x.acc[th]);
		free(x.touched[th]);
		free(x.cand[th]);
		free(x.top[th]);
	}
	free(x.acc);
	free(x.touched);
	free(x.cand);
	free(x.top);
	free(x.fkey);
	free(x.pptr);
	free(x.post);
	free(x.mfeat);
	free(x.contrib);
	free(x.norm);
}

/*
 * content.c: TF-IDF vectors of movies, their cosines, and every movie's
 * nearest by content (content.h).
 */
#include "recs/content.h"

#include <math.h>

#include "recs/metrics.h"
#include "recs/parallel.h"

#define RESCORE_FACTOR 4	/* candidates scored exactly: this times k */

uint32_t mq_recs_language_value(const char *code)
{
	return (uint32_t)(unsigned char)code[0] << 8 | (unsigned char)code[1];
}

static int cmp_feature(const void *a, const void *b)
{
	mq_recs_feature x = *(const mq_recs_feature *)a, y = *(const mq_recs_feature *)b;

	return (x > y) - (x < y);
}

static void push_feature(struct mq_recs_catalog *c, mq_recs_feature f)
{
	if (c->nfeat == c->featcap) {
		c->featcap = c->featcap ? c->featcap * 2 : 4096;
		c->feat = mq_xrealloc(c->feat, c->featcap * sizeof(*c->feat));
	}
	c->feat[c->nfeat++] = f;
}

void mq_recs_catalog_add(struct mq_recs_catalog *c, int64_t id, float popularity,
			 const int64_t *genres, size_t ngenres, const int64_t *keywords,
			 size_t nkeywords,
			 const char *language, int year)
{
	size_t first;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->id = mq_xrealloc(c->id, c->cap * sizeof(*c->id));
		c->popularity = mq_xrealloc(c->popularity, c->cap * sizeof(*c->popularity));
		c->fptr = mq_xrealloc(c->fptr, (c->cap + 1) * sizeof(*c->fptr));
	}
	if (c->n == 0)
		c->fptr[0] = 0;
	first = c->nfeat;
	for (size_t k = 0; k < ngenres; k++)
		if (genres[k] > 0 && genres[k] <= UINT32_MAX)
			push_feature(c, mq_recs_feature_make(MQ_RECS_F_GENRE, (uint32_t)genres[k]));
	for (size_t k = 0; k < nkeywords; k++)
		if (keywords[k] > 0 && keywords[k] <= UINT32_MAX)
			push_feature(c, mq_recs_feature_make(MQ_RECS_F_KEYWORD, (uint32_t)keywords[k]));
	if (language && language[0] && language[1])
		push_feature(c, mq_recs_feature_make(MQ_RECS_F_LANGUAGE, mq_recs_language_value(language)));
	if (year > 0)
		push_feature(c, mq_recs_feature_make(MQ_RECS_F_DECADE, (uint32_t)(year / 10 * 10)));
	qsort(c->feat + first, c->nfeat - first, sizeof(*c->feat), cmp_feature);
	/* distinct */
	size_t w = first;
	for (size_t k = first; k < c->nfeat; k++)
		if (k == first || c->feat[k] != c->feat[w - 1])
			c->feat[w++] = c->feat[k];
	c->nfeat = w;
	c->id[c->n] = id;
	c->popularity[c->n] = popularity;
	c->fptr[++c->n] = c->nfeat;
}

void mq_recs_catalog_free(struct mq_recs_catalog *c)
{
	free(c->id);
	free(c->popularity);
	free(c->fptr);
	free(c->feat);
	memset(c, 0, sizeof(*c));
}

/* ---- IDF ---- */

static size_t idf_slot(const struct mq_recs_idf *t, mq_recs_feature f)
{
	size_t h = (size_t)((f * 0x9e3779b97f4a7c15ULL) >> 20) & (t->nslots - 1);

	while (t->key[h] && t->key[h] != f)
		h = (h + 1) & (t->nslots - 1);
	return h;
}

void mq_recs_idf_init(struct mq_recs_idf *t, size_t expected, float unknown)
{
	t->nslots = 64;
	while (t->nslots < expected * 2 + 2)
		t->nslots *= 2;
	t->key = mq_xcalloc(t->nslots, sizeof(*t->key));
	t->idf = mq_xcalloc(t->nslots, sizeof(*t->idf));
	t->n = 0;
	t->unknown = unknown;
}

void mq_recs_idf_put(struct mq_recs_idf *t, mq_recs_feature f, float idf)
{
	size_t h;

	if ((t->n + 1) * 2 > t->nslots) {
		struct mq_recs_idf bigger;

		mq_recs_idf_init(&bigger, t->nslots, t->unknown);
		for (size_t k = 0; k < t->nslots; k++)
			if (t->key[k])
				mq_recs_idf_put(&bigger, t->key[k], t->idf[k]);
		mq_recs_idf_free(t);
		*t = bigger;
	}
	h = idf_slot(t, f);
	if (t->key[h] == 0)
		t->n++;
	t->key[h] = f;
	t->idf[h] = idf;
}

float mq_recs_idf_get(const struct mq_recs_idf *t, mq_recs_feature f)
{
	size_t h = idf_slot(t, f);

	return t->key[h] ? t->idf[h] : t->unknown;
}

void mq_recs_idf_free(struct mq_recs_idf *t)
{
	free(t->key);
	free(t->idf);
	memset(t, 0, sizeof(*t));
}

void mq_recs_content_idf(const struct mq_recs_catalog *c, struct mq_recs_idf *out)
{
	mq_recs_feature *all = mq_xmalloc((c->nfeat + 1) * sizeof(*all));
	size_t distinct = 0;

	memcpy(all, c->feat, c->nfeat * sizeof(*all));
	qsort(all, c->nfeat, sizeof(*all), cmp_feature);
	for (size_t k = 0; k < c->nfeat; k++)
		distinct += k == 0 || all[k] != all[k - 1];
	/* a feature no movie has is rarer than any: ln(n) */
	mq_recs_idf_init(out, distinct, c->n ? (float)log((double)c->n) : 0);
	for (size_t k = 0, run; k < c->nfeat; k += run) {
		for (run = 1; k + run < c->nfeat && all[k + run] == all[k]; run++)
			;
		mq_recs_idf_put(out, all[k], (float)log((double)c->n / (double)run));
	}
	free(all);
}

float mq_recs_feature_weight(const struct mq_recs_idf *t, mq_recs_feature f)
{
	unsigned kind = (unsigned)(f >> 56);
	float field = kind == MQ_RECS_F_LANGUAGE || kind == MQ_RECS_F_DECADE ? 0.5f : 1.0f;

	return field * mq_recs_idf_get(t, f);
}

static double norm_of(const struct mq_recs_catalog *c, const struct mq_recs_idf *t, size_t m)
{
	double s = 0;

	for (size_t k = c->fptr[m]; k < c->fptr[m + 1]; k++) {
		double w = mq_recs_feature_weight(t, c->feat[k]);

		s += w * w;
	}
	return sqrt(s);
}

float mq_recs_content_cosine(const struct mq_recs_catalog *c, const struct mq_recs_idf *t,
			     size_t a, size_t b)
{
	size_t i = c->fptr[a], j = c->fptr[b];
	double dot = 0, na = norm_of(c, t, a), nb = norm_of(c, t, b);

	while (i < c->fptr[a + 1] && j < c->fptr[b + 1]) {
		if (c->feat[i] < c->feat[j]) {
			i++;
		} else if (c->feat[i] > c->feat[j]) {
			j++;
		} else {
			double w = mq_recs_feature_weight(t, c->feat[i]);

			dot += w * w;
			i++, j++;
		}
	}
	return na > 0 && nb > 0 ? (float)(dot / (na * nb)) : 0;
}

/* ---- every movie's neighbours ---- */

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
	qsort(all, c->nfeat, sizeof(*all), cmp_feature);
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
		x->norm[m] = norm_of(c, x->t, m);
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

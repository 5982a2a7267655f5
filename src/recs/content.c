/*
 * content.c: TF-IDF vectors of movies and their cosines (content.h);
 * every movie's nearest, for training, are content_index.c's.
 */
#include "recs/content.h"

#include <math.h>

uint32_t mq_recs_language_value(const char *code)
{
	return (uint32_t)(unsigned char)code[0] << 8 | (unsigned char)code[1];
}

int mq_recs_feature_cmp(const void *a, const void *b)
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
	qsort(c->feat + first, c->nfeat - first, sizeof(*c->feat), mq_recs_feature_cmp);
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
	qsort(all, c->nfeat, sizeof(*all), mq_recs_feature_cmp);
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

double mq_recs_content_norm(const struct mq_recs_catalog *c, const struct mq_recs_idf *t, size_t m)
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
	double dot = 0, na = mq_recs_content_norm(c, t, a), nb = mq_recs_content_norm(c, t, b);

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

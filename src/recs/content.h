/*
 * content.h: movies alike by what they are: genres, keywords, original
 * language, decade.
 *
 * Each movie is a vector of its features weighted by TF-IDF (each feature
 * once, so the weight is the field's weight times the feature's inverse
 * document frequency, ln(N / df): a keyword few movies share says more
 * than a genre half the catalog has; Salton & Buckley, "Term-weighting
 * approaches in automatic text retrieval", 1988), and two movies are as
 * alike as the cosine of their vectors, 0 to 1.  Fields weigh: genres and
 * keywords 1, language and decade 0.5 (they place a movie, they do not
 * describe it).  Cast and crew would be features too; the catalog does
 * not hold them yet.
 *
 * Training compares every movie with the movies that share a feature with
 * it, through an inverted index: a feature's movies are visited most
 * popular first and at most MQ_RECS_CONTENT_POSTINGS of them (a genre of
 * 200,000 movies would make a million movies a quadratic job), the best
 * candidates are then scored exactly, and the k best kept.  A movie added
 * after training is compared the same way at request time, with the
 * version's IDF (recs_features).
 */
#ifndef MQ_RECS_CONTENT_H
#define MQ_RECS_CONTENT_H

#include "recs/knn.h"

#define MQ_RECS_CONTENT_POSTINGS 300
#define MQ_RECS_SIMILAR_K 50

enum mq_recs_feature_kind {
	MQ_RECS_F_GENRE = 1,
	MQ_RECS_F_KEYWORD,
	MQ_RECS_F_LANGUAGE,
	MQ_RECS_F_DECADE,
};

/* A feature: its kind in the top byte, its value below. */
typedef uint64_t mq_recs_feature;

static inline mq_recs_feature mq_recs_feature_make(enum mq_recs_feature_kind k, uint32_t value)
{
	return (uint64_t)k << 56 | value;
}

/* A language code ("fr") as a feature value. */
uint32_t mq_recs_language_value(const char *code);

/* Movies and their features (sorted, distinct), in the order added. */
struct mq_recs_catalog {
	size_t n, cap;
	int64_t *id;
	float *popularity;
	size_t *fptr;		/* n + 1 */
	mq_recs_feature *feat;
	size_t nfeat, featcap;
};

/* Adds a movie: genre and keyword ids, language (NULL or "xx"), year (0
 * when unknown). */
void mq_recs_catalog_add(struct mq_recs_catalog *c, int64_t id, float popularity,
			 const int64_t *genres, size_t ngenres, const int64_t *keywords,
			 size_t nkeywords,
			 const char *language, int year);
void mq_recs_catalog_free(struct mq_recs_catalog *c);

/* Feature -> IDF (open addressing). */
struct mq_recs_idf {
	mq_recs_feature *key;
	float *idf;
	size_t nslots, n;
	float unknown;		/* the IDF of a feature not in the table */
};

void mq_recs_idf_init(struct mq_recs_idf *t, size_t expected, float unknown);
void mq_recs_idf_put(struct mq_recs_idf *t, mq_recs_feature f, float idf);
float mq_recs_idf_get(const struct mq_recs_idf *t, mq_recs_feature f);
void mq_recs_idf_free(struct mq_recs_idf *t);

/* The IDF of every feature of c (ln(n / df)). */
void mq_recs_content_idf(const struct mq_recs_catalog *c, struct mq_recs_idf *out);

/* The field weight times the IDF of f. */
float mq_recs_feature_weight(const struct mq_recs_idf *t, mq_recs_feature f);

/* The norm of movie m's vector, and the order of features (qsort). */
double mq_recs_content_norm(const struct mq_recs_catalog *c, const struct mq_recs_idf *t, size_t m);
int mq_recs_feature_cmp(const void *a, const void *b);

/* The cosine of movies a and b of c. */
float mq_recs_content_cosine(const struct mq_recs_catalog *c, const struct mq_recs_idf *t,
			     size_t a, size_t b);

/* The k most alike of every movie (indices into c), on threads threads
 * (content_index.c). */
void mq_recs_content_neighbors(const struct mq_recs_catalog *c, const struct mq_recs_idf *t,
			       uint32_t k, int threads, struct mq_recs_neighbors *out);

#endif

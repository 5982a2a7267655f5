/*
 * demo_film.h: plausible generated films for demo and benchmark catalogs.
 *
 * Film number k of seed s is always the same film (a pure function of
 * both), so a catalog can be grown from 1,000 to 1,000,000 films and the
 * first 1,000 stay what they were, and a benchmark run is repeatable.
 */
#ifndef MQ_DEMO_FILM_H
#define MQ_DEMO_FILM_H

#include "core/common.h"

#define MQ_DEMO_MAX_GENRES 3
#define MQ_DEMO_MAX_KEYWORDS 6

struct mq_demo_film {
	char title[160];
	char original_title[160];
	char overview[900];
	const char *tagline;		/* "" for none */
	char release_date[16];		/* YYYY-MM-DD */
	const char *status;
	const char *language;		/* ISO 639-1 */
	int runtime;
	double popularity;
	int ratings_count;
	int ratings_sum2;		/* twice the sum: ratings are half stars */
	int ngenres;
	const char *genres[MQ_DEMO_MAX_GENRES];		/* genre slugs */
	int nkeywords;
	const char *keywords[MQ_DEMO_MAX_KEYWORDS];	/* distinct */
};

/* Fills f with film k (k >= 1) of the catalog generated from seed. */
void mq_demo_film(uint64_t seed, uint64_t k, struct mq_demo_film *f);

/* Every keyword a generated film can have (for loading them first). */
size_t mq_demo_keywords(const char *const **out);

#endif

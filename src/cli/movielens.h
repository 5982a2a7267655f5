/*
 * movielens.h: reading MovieLens's conventions (movies.csv, links.csv).
 *
 * Titles come as "Title, The (Original Title) (1995)": the year and an
 * alternative title in parentheses, articles moved to the end, and
 * "(a.k.a. ...)" asides.  Genres are MovieLens's own names.
 */
#ifndef MQ_MOVIELENS_H
#define MQ_MOVIELENS_H

#include "core/common.h"

#define MQ_ML_TITLE_MAX 300	/* characters, as the movies table takes */

struct mq_ml_title {
	char title[1024];		/* cut to MQ_ML_TITLE_MAX characters */
	char original_title[1024];	/* the title again when none is given */
	int year;			/* 0 when none */
};

/* Splits a MovieLens title.  Returns 0, or -1 when nothing is left of it. */
int mq_ml_title(const char *raw, struct mq_ml_title *out);

/* The TMDb genre slug for a MovieLens genre, or NULL for none (IMAX,
 * "(no genres listed)", anything unknown). */
const char *mq_ml_genre(const char *name);

/* "0114709" → "tt0114709" (at least 7 digits).  Returns -1 for anything
 * but 1..10 digits. */
int mq_ml_imdb_id(const char *digits, char *out, size_t size);

#endif

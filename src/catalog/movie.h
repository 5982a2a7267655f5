/*
 * movie.h: one movie of the catalog, whole.
 */
#ifndef MQ_MOVIE_H
#define MQ_MOVIE_H

#include <json-c/json.h>

#include "core/ctx.h"
#include "core/lang.h"

/* The movie with id as its detail shows it (genres, keywords, media,
 * translations, statistics, whether it is provisional), in lang, into
 * *out (owned by the arena), as user viewer (0: anonymous) sees it: a
 * provisional movie only its maker and administrators (admin) see.
 * *version (unless NULL): the xmin of the row shown, which the kept
 * rendering is labelled with (movie_document.h).  MQ_NOT_FOUND when there
 * is none for them, else the database's failure. */
enum mq_status mq_movie_fetch(struct mq_ctx *c, const char *id, int64_t viewer, bool admin,
			      const struct mq_lang *lang, struct json_object **out,
			      const char **version);

/* Moves the counters of a movie's row (MQ_MOVIE_COUNTERS, movie_sql.h)
 * into "statistics": {ratings_count, rating, favorites_count,
 * watchlist_count, reviews_count}; rating and ratings_count stay where
 * they are too.  Built here rather than by json_build_object in SQL: a
 * third of the kept detail's statement (movie_document.c). */
void mq_movie_statistics_fold(struct json_object *o);

#endif

/*
 * movie.h: one movie of the catalog, whole.
 */
#ifndef MQ_MOVIE_H
#define MQ_MOVIE_H

#include <json-c/json.h>

#include "core/ctx.h"
#include "core/lang.h"

/* The movie with id as its detail shows it (genres, keywords, media,
 * translations, statistics), in lang, into *out (owned by the arena);
 * MQ_NOT_FOUND when there is none, else the database's failure. */
enum mq_status mq_movie_fetch(struct mq_ctx *c, const char *id, const struct mq_lang *lang,
			      struct json_object **out);

#endif

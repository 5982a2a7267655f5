/*
 * genre_names.h: the genres (19 rows and their translations), held by each
 * worker so that a page of movies names its genres without a subquery per
 * movie.  Reloaded from PostgreSQL when older than a minute, so a genre
 * renamed in the database shows within that time.
 */
#ifndef MQ_GENRE_NAMES_H
#define MQ_GENRE_NAMES_H

#include <json-c/json.h>

#include "core/ctx.h"

/* [{"id", "name", "slug"}, ...] into *out for a PostgreSQL int[] of genre
 * ids ("{4,18}"), names in the language primary ("fr") where translated.
 * Ids that are no genre are left out.  A failure (the genres could not be
 * loaded) is the database's. */
enum mq_status mq_genre_names(struct mq_ctx *c, const char *ids, const char *primary,
			      struct json_object **out);

/* Replaces the genre_ids member of each movie in a JSON array (or of one
 * movie object) by its genres. */
enum mq_status mq_genre_names_fill(struct mq_ctx *c, struct json_object *movies,
				   const char *primary);

#endif

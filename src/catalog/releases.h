/*
 * releases.h: a movie's release dates and certification in a region
 * (TMDb's release_dates, kept by sql/0027_regions.sql), for the detail and
 * the lists of movies when a region is chosen.
 *
 * The region is ?region= when given, else the signed-in caller's saved
 * region (users.region), else none: without one, nothing is added and the
 * responses are as they always were.  A response cache key holds the
 * region chosen (it may be the caller's own).
 */
#ifndef MQ_RELEASES_H
#define MQ_RELEASES_H

#include <json-c/json.h>

#include "core/ctx.h"

/* The region of a request into *region (arena, upper case; NULL for
 * none): given (any case; NULL when not given), else the profile region
 * of user (0: anonymous, none).  MQ_INVALID (field "region") for a given
 * value that is no ISO 3166-1 alpha-2 code, or the database's failure. */
enum mq_status mq_release_region(struct mq_ctx *c, int64_t user, const char *given,
				 const char **region);

/* Adds "regional_release" to the detail of movie id: {"region",
 * "release_date", "certification", "release_dates": [{"type", "kind",
 * "date", "certification", "note"}]} (nulls and [] when TMDb gave none
 * for the region).  Returns MQ_OK or the database's failure. */
enum mq_status mq_movie_add_release(struct mq_ctx *c, struct json_object *movie, const char *id,
				    const char *region);

/* Adds "regional_release": {"region", "release_date", "certification"}
 * to each movie of results (objects with "id"), in one statement.
 * Returns MQ_OK or the database's failure. */
enum mq_status mq_movies_add_releases(struct mq_ctx *c, struct json_object *results,
				      const char *region);

#endif

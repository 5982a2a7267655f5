/*
 * providers.h: where a movie can be watched (TMDb's watch providers, whose
 * data are JustWatch's), per region, and the local copy of it that the
 * movie lists filter on (available_on=).
 *
 * TMDb's answer for a movie holds every region; it is cached like every
 * TMDb answer (integrations/tmdb.h), and written to movie_providers each
 * time it comes from TMDb itself (sql/0023_watch.sql), by a request or by
 * `marquee watch refresh`.
 */
#ifndef MQ_WATCH_PROVIDERS_H
#define MQ_WATCH_PROVIDERS_H

#include <json-c/json.h>

#include "core/ctx.h"

/* What TMDb's terms ask apps to show beside the data. */
#define MQ_WATCH_ATTRIBUTION "Where-to-watch data provided by JustWatch, through TMDb."
#define MQ_WATCH_ATTRIBUTION_URL "https://www.justwatch.com/"

/* The region of a request into *region (arena): given (any case; NULL
 * when absent) when it is an ISO 3166-1 alpha-2 code, else the user's
 * profile region (user 0: none), else [watch] region.  MQ_INVALID
 * (field "region") for a given value that is no such code, or the
 * database's failure. */
enum mq_status mq_watch_region(struct mq_ctx *c, int64_t user, const char *given,
			       const char **region);

/* GET /api/movies/{id}/watch-providers/: movie's offers in region as
 * {"movie", "tmdb_id", "region", "link", "flatrate", "free", "ads",
 * "rent", "buy", "regions", "attribution"} into *out (arena).  A movie
 * without a TMDb id has none.  MQ_NOT_FOUND for a movie user may not see;
 * TMDb's failures (integrations/tmdb.h: mq_tmdb_failure); the database's. */
enum mq_status mq_watch_providers(struct mq_ctx *c, int64_t user, const char *movie,
				  const char *region, struct json_object **out);

/* Asks TMDb about movie (its TMDb id tmdb_id) and stores its providers
 * and release dates, whether or not the answers came from the cache:
 * `marquee watch refresh`.  *offers: how many offers were stored.
 * MQ_NOT_FOUND when TMDb has no such movie (what was known is dropped);
 * TMDb's other failures; the database's. */
enum mq_status mq_watch_refresh_movie(struct mq_ctx *c, const char *movie, const char *tmdb_id,
				      int *offers);

/* Brings watch_providers up to date from TMDb's list of providers
 * (GET /watch/providers/movie).  TMDb's failures; the database's. */
enum mq_status mq_watch_provider_list(struct mq_ctx *c);

#endif

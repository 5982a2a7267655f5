/*
 * serve.h: recommendations at request time, from the active model
 * version (published by `marquee recs train`) and the user's signals as
 * they are now.
 *
 * Every function reads the version's rows in the statement that reads
 * recs_active, so a version published between two statements of a
 * request cannot mix two versions; each returns MQ_OK or the database's
 * failure (c->err), and lists of movies in the list shape of
 * /api/movies/ (translated by lang), owned by c's arena.
 */
#ifndef MQ_RECS_SERVE_H
#define MQ_RECS_SERVE_H

#include <json-c/json.h>

#include "core/ctx.h"
#include "core/lang.h"

/* The filters of /api/movies/recommended/, as statement parameters (NULL
 * when not given; the same texts as /api/movies/ makes of them). */
struct mq_recs_filters {
	const char *genres;	/* int[] literal of resolved genre ids */
	const char *years;	/* int[] literal */
	const char *year_from, *year_to;
	const char *language;
	const char *runtime_max;
	const char *providers;	/* int[] literal: available_on=, streaming in region */
	const char *region;
	/* the region whose released movies come first, with their release
	 * there (catalog/releases.h); NULL for none */
	const char *release_region;
};

struct mq_recs_list {
	struct json_object *results;	/* this page */
	int64_t count;			/* of the whole list */
	int64_t version;		/* the model version used, 0 for none */
};

/* GET /api/movies/recommended/: user's recommendations (user 0: an
 * anonymous caller), rows offset .. offset+limit-1, those out in
 * f->release_region (when given) first.  Each result is a
 * movie with "score" and "reason": {"kind": "because_you_liked", "movie":
 * {"id", "title"}}, or kind similar_users, trending, popular, new.  What
 * the user rated, favorited, watched or marked not interested is never
 * among them.  Never empty while the catalog has a movie the filters
 * accept: after the personal ones come trending, new and popular movies,
 * and the filters' most popular. */
enum mq_status mq_recs_recommend(struct mq_ctx *c, int64_t user, const struct mq_recs_filters *f,
				 const struct mq_lang *lang, int64_t limit, int64_t offset,
				 struct mq_recs_list *out);

/* GET /api/movies/{id}/recommendations/: the movies most liked by the
 * people who liked movie (the version's item-kNN neighbours; for a movie
 * the version does not know, the ratings of 4 and up of its latest 300
 * fans, counted now), each with "score".  MQ_NOT_FOUND when there is no
 * such movie. */
enum mq_status mq_recs_also_liked(struct mq_ctx *c, const char *movie, const struct mq_lang *lang,
				  int64_t limit, int64_t offset, struct mq_recs_list *out);

/* GET /api/movies/{id}/similar/: the movies most like movie by content
 * (content.h): the version's precomputed neighbours, or, for a movie the
 * version does not know, the same measure over the most popular movies
 * sharing a keyword or a genre with it.  MQ_NOT_FOUND when there is no
 * such movie. */
enum mq_status mq_recs_similar(struct mq_ctx *c, const char *movie, const struct mq_lang *lang,
			       int64_t limit, int64_t offset, struct mq_recs_list *out);

/* The activity of a time window (INTERVAL: an interval's SQL text) as
 * rows (movie_id, score), the most first, at most LIMIT: ratings,
 * favorites (twice), watchlists and watches logged in it.  The newest
 * 50,000 rows of the window are read (activity_created), which bounds the
 * cost on a busy site. */
#define MQ_RECS_TRENDING_SQL(INTERVAL, LIMIT) \
	"SELECT a.movie_id, sum(CASE a.verb WHEN 'favorite_added' THEN 2 ELSE 1 END) AS score " \
	"FROM (SELECT movie_id, verb FROM activity WHERE created_at >= now() - " INTERVAL \
	"      ::interval ORDER BY created_at DESC LIMIT 50000) a " \
	"WHERE a.verb IN ('favorite_added', 'rated', 'watchlist_added', 'watched') " \
	"GROUP BY a.movie_id ORDER BY score DESC, a.movie_id DESC LIMIT " LIMIT

/* The most active movies of the last day or week (window "day" or
 * "week"): ratings, favorites, watchlists and watches logged in it, most
 * first, at most max ids into ids (arena).  Returns MQ_OK or the
 * database's failure. */
enum mq_status mq_recs_trending(struct mq_ctx *c, const char *window, int max, int64_t **ids,
				size_t *n);

/* The window's interval as SQL text ("1 day", "7 days"), or NULL for an
 * unknown window. */
const char *mq_recs_window_interval(const char *window);

#endif

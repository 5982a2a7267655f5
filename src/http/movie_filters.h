/*
 * movie_filters.h: the query of GET /api/movies/ (and the lists that share
 * its filters), checked and turned into SQL parameters.
 *
 * Every filter becomes one or two text parameters of the list statement,
 * NULL when not given, so one statement serves every combination; it is
 * planned for the values given (MQ_STMT_PLANNED), which drops the unused
 * filters and picks the index of the used ones.
 */
#ifndef MQ_MOVIE_FILTERS_H
#define MQ_MOVIE_FILTERS_H

#include "core/common.h"

struct mq_req;
struct mq_reply;
struct json_object;

/* Orderings, by name; "-x" is x descending.  MQ_ORDER_RANK is q's
 * relevance, the default when q is given (else -popularity). */
enum mq_movie_order {
	MQ_ORDER_TITLE, MQ_ORDER_TITLE_DESC,
	MQ_ORDER_RELEASE_DATE, MQ_ORDER_RELEASE_DATE_DESC,
	MQ_ORDER_POPULARITY, MQ_ORDER_POPULARITY_DESC,
	MQ_ORDER_RATING, MQ_ORDER_RATING_DESC,
	MQ_ORDER_CREATED_AT, MQ_ORDER_CREATED_AT_DESC,
	MQ_ORDER_ID, MQ_ORDER_ID_DESC,
	MQ_ORDER_RANK,
	MQ_ORDER_COUNT
};

/* The parameters, in the order the list statement numbers them. */
enum mq_movie_param {
	MQ_MF_TITLE,		/* a substring (3+ characters) */
	MQ_MF_TITLE_PREFIX,	/* a prefix (1–2 characters) */
	MQ_MF_TMDB_ID,
	MQ_MF_IMDB_ID,
	MQ_MF_YEARS,		/* int[] literal */
	MQ_MF_YEAR_FROM,
	MQ_MF_YEAR_TO,
	MQ_MF_GENRES,		/* int[] literal: ids (slugs resolved first) */
	MQ_MF_LANGUAGE,
	MQ_MF_RATING_MIN,
	MQ_MF_RATING_MAX,
	MQ_MF_RUNTIME_MIN,
	MQ_MF_RUNTIME_MAX,
	MQ_MF_Q,
	MQ_MF_PROVIDERS,	/* int[] literal: available_on= (mine resolved) */
	MQ_MF_REGION,		/* with PROVIDERS: the region they stream in */
	MQ_MF_COUNT
};

struct mq_movie_filters {
	const char *param[MQ_MF_COUNT];
	const char *genre_ids;		/* genre=: the ids given, int[] literal */
	const char *genre_slugs;	/* genre=: the slugs given, text[] literal */
	enum mq_movie_order order;
	/* after=: the page after this movie (its id, and its key in the
	 * ordering, NULL when NULL), both NULL without after= (movie_cursor.h) */
	const char *after_id;
	const char *after_key;
	/* available_on=mine: the caller's services, once resolved
	 * (mq_movie_filters_available); region=: as given, checked and
	 * upper-cased (every list: the region of the release dates shown) */
	bool available_mine;
	const char *region;
};

/* Which query parameters a list takes, besides page and page_size. */
enum mq_movie_filter_set {
	MQ_FILTERS_ALL,		/* GET /api/movies/ */
	MQ_FILTERS_BUT_GENRE,	/* GET /api/genres/{id}/movies/ */
	MQ_FILTERS_NONE,	/* the fixed lists: recent (region= only) */
	MQ_FILTERS_RECOMMENDED,	/* GET /api/movies/recommended/: genre, year, language,
				 * runtime_max, available_on, region */
};

/* Reads and checks the filters and ordering.  Problems are added to errors
 * ({"field": ["message"]}); returns true when there were none. */
bool mq_movie_filters_parse(struct mq_req *r, enum mq_movie_filter_set set,
			    struct mq_movie_filters *f, struct json_object *errors);

/* available_on= and region= into param[MQ_MF_PROVIDERS] and
 * param[MQ_MF_REGION]: "mine" is the caller's services (a 400 for an
 * anonymous caller), the region given or the caller's (watch/providers.h:
 * mq_watch_region).  Answers the problem, or returns MQ_NEXT. */
struct mq_reply mq_movie_filters_available(struct mq_req *r, struct mq_movie_filters *f);

/* genre=: ids and slugs, comma-separated, into mf->genre_ids and
 * mf->genre_slugs (resolve them with catalog/genres.h); for the other
 * lists that filter on genres.  Problems are recorded in f. */
struct mq_form;
void mq_movie_filters_genre(struct mq_form *f, const char *v, struct mq_movie_filters *mf);


#endif

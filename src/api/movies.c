/*
 * movies.c: the lists of movies: GET /api/movies/ with its filters,
 * orderings and search, /api/movies/recent/ and /api/genres/{id}/movies/.
 *
 * One statement per ordering, made of the conditions of the filters given
 * (catalog/movie_shape.h): a first page whose filters all have few values
 * (none, years, genres, a language, ratings, runtimes) runs prepared with
 * them written in, any other is planned for its values
 * (MQ_STMT_CATALOG_PLANNED, which a replica may answer).  The page is
 * chosen first (ids only), then the 20 movies of the page are joined with
 * their translations and genres, in the same statement as the count kept
 * for its filters (movie_counts), when they have one.
 *
 * Counts: counting every match of a broad filter over a million movies
 * takes hundreds of milliseconds, even up to 10,000.  So a page fetches one
 * movie more than it shows: whether there is a next page never depends on
 * a count, and a list that fits on the page counts itself.  Past one
 * page, the count of an unfiltered list and of one filtered on one genre,
 * years or a language comes from movie_counts (kept exact by triggers);
 * any other is counted when the planner expects at most [limits]
 * exact_count_max matches (5,000), and otherwise is the planner's
 * estimate, with "count_exact": false.
 * Either is cached in memcached until the catalog changes.
 *
 * imdb_id= of a movie the catalog lacks asks TMDb (its find endpoint) and
 * imports the movie it names, so the list shows it; best effort: with
 * TMDb away the list is what the catalog has.
 *
 * q= ranks full-text matches: the 300 most popular matches (all of them
 * when there are fewer) by relevance, then the rest by popularity; ranking
 * all of 200,000 matches of a common word would cost half a second, and
 * even finding the first 1,000 matches of a word in 2% of the titles walks
 * 50,000 rows of the popularity index (65 ms at a million; 300: 17 ms).  When
 * full text finds nothing, each word of q the catalog does not know is
 * replaced by the most similar one it does (trigrams over the catalog's
 * words, a small table: trigram search over a million titles takes a
 * second), and the envelope says "search": "corrected" and the query
 * searched for.
 */
#include "analytics/events.h"
#include "cache/cache.h"
#include "catalog/genre_names.h"
#include "catalog/genres.h"
#include "catalog/movie_json.h"
#include "catalog/movie_shape.h"
#include "catalog/movie_sql.h"
#include "catalog/releases.h"
#include "catalog/tmdb_import.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/lang.h"
#include "http/movie_cursor.h"
#include "http/movie_filters.h"
#include "http/page.h"
#include "http/region.h"
#include "http/respcache.h"

/* Deeper pages cost a scan of every row before them: past this many rows,
 * the list goes on by after= cursor (or narrower filters). */
#define MAX_DEPTH 10000
#define COUNT_CAP "10001"	/* counted up to here; more: estimated */
#define RANK_WINDOW "300"

/* The movies whose translation into $17 (the whole tag) or $18 (the
 * language alone) matches cond, as an array: with m.id = ANY of it beside
 * the condition on movies itself, each side is a range of its own index
 * (a bitmap OR).  Not asked in English ($18 en), which movies.title is:
 * the planner, given the values, drops the branch. */
#define TRANSLATED(cond) \
	"OR ($18::text <> 'en' AND m.id = ANY (ARRAY(SELECT t.movie_id FROM movie_translations t " \
	"    WHERE t.language IN ($17::text, $18::text) AND " cond "))) "

/* The same sum as count_kept's, of dimension $23 and values $24..$26:
 * NULL when $23 is (or nothing is kept of those values).  Uncorrelated,
 * it runs once a statement (an InitPlan), not once a movie. */
#define KEPT_COUNT \
	"(SELECT sum(n) FROM movie_counts WHERE dimension = $23::text " \
	"  AND ($24::text[] IS NULL OR value = ANY ($24)) " \
	"  AND ($25::text IS NULL OR value >= $25) AND ($26::text IS NULL OR value <= $26))"

/* $1..$16: the filters, in the order of enum mq_movie_param; title and
 * q match the translation in the language $17/$18 too
 * (sql/0021_translated_title_search.sql).  A provisional movie
 * (sql/0010_hardening.sql) is in no list.
 *
 * FILTERS marks where a statement's filters go: the condition of each
 * filter given, and only those (catalog/movie_shape.h). */
#define FILTERS MQ_MOVIE_FILTERS
static const char *const filter_sql[MQ_MF_COUNT] = {
	[MQ_MF_TITLE] = "AND ($1::text IS NULL "
		"OR m.title_fold LIKE '%' || like_escape(search_fold($1)) || '%' "
		TRANSLATED("t.title_fold LIKE '%' || like_escape(search_fold($1)) || '%'") ") ",
	[MQ_MF_TITLE_PREFIX] = "AND ($2::text IS NULL "
		"OR m.title_fold LIKE like_escape(search_fold($2)) || '%' "
		TRANSLATED("t.title_fold LIKE like_escape(search_fold($2)) || '%'") ") ",
	[MQ_MF_TMDB_ID] = "AND ($3::int IS NULL OR m.tmdb_id = $3) ",
	[MQ_MF_IMDB_ID] = "AND ($4::text IS NULL OR m.imdb_id = $4) ",
	[MQ_MF_YEARS] = "AND ($5::int[] IS NULL OR m.year = ANY ($5)) ",
	[MQ_MF_YEAR_FROM] = "AND ($6::int IS NULL OR m.year >= $6) ",
	[MQ_MF_YEAR_TO] = "AND ($7::int IS NULL OR m.year <= $7) ",
	[MQ_MF_GENRES] = "AND ($8::int[] IS NULL OR m.genre_ids && $8) ",
	[MQ_MF_LANGUAGE] = "AND ($9::text IS NULL OR m.original_language = $9) ",
	[MQ_MF_RATING_MIN] = "AND ($10::real IS NULL OR m.rating >= $10) ",
	[MQ_MF_RATING_MAX] = "AND ($11::real IS NULL OR m.rating <= $11) ",
	[MQ_MF_RUNTIME_MIN] = "AND ($12::int IS NULL OR m.runtime >= $12) ",
	[MQ_MF_RUNTIME_MAX] = "AND ($13::int IS NULL OR m.runtime <= $13) ",
	[MQ_MF_Q] = "AND ($14::text IS NULL OR m.search @@ movie_query($14) "
		TRANSLATED("t.search @@ movie_query($14)") ") ",
	/* the region, $16, is the providers'.  Only EXISTS, without the
	 * others' "$n IS NULL OR" (the condition is in the statement only
	 * when given): under an OR the subquery stays a filter run for each
	 * movie the ordering's index walks, to the end of the index when few
	 * movies match (no provider rows at all, a million films: 0.9 s); on
	 * its own it is a semi-join, which the planner may start from the
	 * providers' index (a rare provider: 1.3 ms instead of 103). */
	[MQ_MF_PROVIDERS] = "AND EXISTS (SELECT 1 FROM movie_providers mp "
		"     WHERE mp.movie_id = m.id AND mp.region = $16 AND mp.provider_id = ANY ($15::int[]) "
		"     AND mp.kind IN ('flatrate', 'free', 'ads')) ",
};

/* $17, $18: the language; $19, $20: limit and offset.  The page (ids,
 * and k, the key of the ordering as text, which the last movie shown
 * makes the after= cursor of the next page) is chosen first, then shown.
 * Beside it, the list's count kept in movie_counts when its filters have
 * one (KEPT_COUNT): in the page's round trip, not one of its own. */
#define SHOW_PAGE \
	"SELECT " KEPT_COUNT " AS kept_count, p.k AS after_key, " MQ_MOVIE_ITEM_COLUMNS " " \
	"FROM (SELECT id, k, row_number() OVER () AS n FROM page) p JOIN movies m USING (id) " \
	MQ_MOVIE_TRANSLATION("$17", "$18") "ORDER BY p.n"

#define LIST(order, key) MQ_STMT_CATALOG_PLANNED( \
	"WITH page AS MATERIALIZED (SELECT m.id, " key " AS k FROM movies m WHERE " FILTERS \
	"  ORDER BY " order " LIMIT $19 OFFSET $20) " SHOW_PAGE)

/* The keys of the orderings, as text (movie_cursor.c), and as $21 read
 * back; $22 is the id of the movie the page comes after. */
#define TITLE_KEY "m.title"
#define TITLE_AT "$21::text"
#define DATE_KEY "(m.release_date - DATE '1970-01-01')::text"
#define DATE_AT "(DATE '1970-01-01' + $21::text::int)"
#define REAL_AT "$21::text::real"
#define CREATED_KEY "((extract(epoch FROM m.created_at) * 1000000)::bigint)::text"
#define CREATED_AT "(TIMESTAMPTZ 'epoch' + $21::text::bigint * INTERVAL '1 microsecond')"

/* The page after a movie: the movies whose (key, id) comes after its own,
 * a range of the ordering's index.  $20 (an offset of 0) is named so that
 * the parameters are those of LIST. */
#define AFTER(order, key, cond) MQ_STMT_CATALOG_PLANNED( \
	"WITH page AS MATERIALIZED (SELECT m.id, " key " AS k FROM movies m WHERE " FILTERS \
	"  AND " cond " ORDER BY " order " LIMIT $19 OFFSET $20) " SHOW_PAGE)

/* The same for a key that may be NULL, whose NULLs come last in both
 * directions: the rows after the cursor's non-NULL key (none when it is
 * NULL), then those with a NULL key (after its id when it is NULL); a
 * range of the index each, where one condition with OR would walk the
 * index from its start. */
#define AFTER_NULLABLE(order, col, key, at, op, id_order) MQ_STMT_CATALOG_PLANNED( \
	"WITH page AS MATERIALIZED (SELECT id, k FROM (" \
	"  (SELECT m.id, " key " AS k FROM movies m WHERE " FILTERS \
	"   AND $21::text IS NOT NULL AND (" col ", m.id) " op " (" at ", $22::bigint) " \
	"   ORDER BY " order " LIMIT $19) " \
	"  UNION ALL " \
	"  (SELECT m.id, NULL AS k FROM movies m WHERE " FILTERS " AND " col " IS NULL " \
	"   AND ($21::text IS NOT NULL OR m.id " op " $22::bigint) " \
	"   ORDER BY " id_order " LIMIT $19)) u LIMIT $19 OFFSET $20) " SHOW_PAGE)

static struct mq_stmt list_stmts[MQ_ORDER_COUNT] = {
	[MQ_ORDER_TITLE] = LIST("m.title, m.id", TITLE_KEY),
	[MQ_ORDER_TITLE_DESC] = LIST("m.title DESC, m.id DESC", TITLE_KEY),
	[MQ_ORDER_RELEASE_DATE] = LIST("m.release_date, m.id", DATE_KEY),
	[MQ_ORDER_RELEASE_DATE_DESC] = LIST("m.release_date DESC NULLS LAST, m.id DESC", DATE_KEY),
	[MQ_ORDER_POPULARITY] = LIST("m.popularity, m.id", "m.popularity::text"),
	[MQ_ORDER_POPULARITY_DESC] = LIST("m.popularity DESC, m.id DESC", "m.popularity::text"),
	[MQ_ORDER_RATING] = LIST("m.rating, m.id", "m.rating::text"),
	[MQ_ORDER_RATING_DESC] = LIST("m.rating DESC NULLS LAST, m.id DESC", "m.rating::text"),
	[MQ_ORDER_CREATED_AT] = LIST("m.created_at, m.id", CREATED_KEY),
	[MQ_ORDER_CREATED_AT_DESC] = LIST("m.created_at DESC, m.id DESC", CREATED_KEY),
	[MQ_ORDER_ID] = LIST("m.id", "NULL::text"),
	[MQ_ORDER_ID_DESC] = LIST("m.id DESC", "NULL::text"),
	/* the most popular matches by relevance, then the rest by popularity */
	[MQ_ORDER_RANK] = MQ_STMT_CATALOG_PLANNED(
		"WITH page AS MATERIALIZED ("
		"  SELECT id, NULL::text AS k FROM ("
		"    SELECT m.id, ts_rank_cd(m.search, movie_query($14), 1) AS rel, "
		"           row_number() OVER (ORDER BY m.popularity DESC, m.id DESC) AS pop "
		"    FROM movies m WHERE " FILTERS
		"    ORDER BY m.popularity DESC, m.id DESC "
		"    LIMIT greatest(" RANK_WINDOW ", $19::int + $20::int)) c "
		"  ORDER BY pop > " RANK_WINDOW ", CASE WHEN pop <= " RANK_WINDOW " THEN rel END DESC, "
		"           pop LIMIT $19 OFFSET $20) " SHOW_PAGE),
};

/* The pages after= a cursor, by ordering (relevance has none). */
static struct mq_stmt after_stmts[MQ_ORDER_COUNT] = {
	[MQ_ORDER_TITLE] = AFTER("m.title, m.id", TITLE_KEY,
				 "(m.title, m.id) > (" TITLE_AT ", $22::bigint)"),
	[MQ_ORDER_TITLE_DESC] = AFTER("m.title DESC, m.id DESC", TITLE_KEY,
				      "(m.title, m.id) < (" TITLE_AT ", $22::bigint)"),
	[MQ_ORDER_RELEASE_DATE] = AFTER_NULLABLE("m.release_date, m.id", "m.release_date",
						 DATE_KEY, DATE_AT, ">", "m.id"),
	[MQ_ORDER_RELEASE_DATE_DESC] = AFTER_NULLABLE("m.release_date DESC NULLS LAST, m.id DESC",
						      "m.release_date", DATE_KEY, DATE_AT, "<",
						      "m.id DESC"),
	[MQ_ORDER_POPULARITY] = AFTER("m.popularity, m.id", "m.popularity::text",
				      "(m.popularity, m.id) > (" REAL_AT ", $22::bigint)"),
	[MQ_ORDER_POPULARITY_DESC] = AFTER("m.popularity DESC, m.id DESC", "m.popularity::text",
					   "(m.popularity, m.id) < (" REAL_AT ", $22::bigint)"),
	[MQ_ORDER_RATING] = AFTER_NULLABLE("m.rating, m.id", "m.rating", "m.rating::text", REAL_AT,
					   ">", "m.id"),
	[MQ_ORDER_RATING_DESC] = AFTER_NULLABLE("m.rating DESC NULLS LAST, m.id DESC", "m.rating",
						"m.rating::text", REAL_AT, "<", "m.id DESC"),
	[MQ_ORDER_CREATED_AT] = AFTER("m.created_at, m.id", CREATED_KEY,
				      "(m.created_at, m.id) > (" CREATED_AT ", $22::bigint)"),
	[MQ_ORDER_CREATED_AT_DESC] = AFTER("m.created_at DESC, m.id DESC", CREATED_KEY,
					   "(m.created_at, m.id) < (" CREATED_AT ", $22::bigint)"),
	[MQ_ORDER_ID] = AFTER("m.id", "NULL::text", "$21::text IS NULL AND m.id > $22::bigint"),
	[MQ_ORDER_ID_DESC] = AFTER("m.id DESC", "NULL::text",
				   "$21::text IS NULL AND m.id < $22::bigint"),
};

static struct mq_stmt correct_query = MQ_STMT_CATALOG("SELECT movie_query_corrected($1)");

/* Counting at most $19 matches ($17, $18: the language). */
static struct mq_stmt count_capped = MQ_STMT_CATALOG_PLANNED(
	"SELECT count(*) FROM (SELECT 1 FROM movies m WHERE " FILTERS " LIMIT $19) c");

/* What the planner expects the filters to match (its first "Plan Rows"). */
static struct mq_stmt estimate = MQ_STMT_CATALOG_PLANNED(
	"EXPLAIN (FORMAT JSON) SELECT 1 FROM movies m WHERE " FILTERS);

/* The maintained counts: a dimension ('all', 'genre', 'year', 'language')
 * and the values (a list, or a range) summed. */
static struct mq_stmt count_kept = MQ_STMT_CATALOG(
	"SELECT coalesce(sum(n), 0) FROM movie_counts WHERE dimension = $1 "
	"AND ($2::text[] IS NULL OR value = ANY ($2)) "
	"AND ($3::text IS NULL OR value >= $3) AND ($4::text IS NULL OR value <= $4)");

/* The parameters of a page's statement: the filters, the language
 * ($17, $18), limit and offset ($19, $20), the cursor ($21, $22) and
 * the kept count's dimension and values ($23..$26). */
#define PAGE_PARAMS (MQ_MF_COUNT + 10)

/* The parameters whose values a kept page statement has written in
 * (catalog/movie_shape.h): the filters with few values, whose values the
 * best plan depends on, and the kept count's dimension and values. */
static const bool plan_values[PAGE_PARAMS] = {
	[MQ_MF_YEARS] = true, [MQ_MF_YEAR_FROM] = true, [MQ_MF_YEAR_TO] = true,
	[MQ_MF_GENRES] = true, [MQ_MF_LANGUAGE] = true,
	[MQ_MF_RATING_MIN] = true, [MQ_MF_RATING_MAX] = true,
	[MQ_MF_RUNTIME_MIN] = true, [MQ_MF_RUNTIME_MAX] = true,
	[MQ_MF_COUNT + 6] = true, [MQ_MF_COUNT + 7] = true, [MQ_MF_COUNT + 8] = true,
	[MQ_MF_COUNT + 9] = true,
};

/* The filters of every statement above, their limit $19 and offset $20. */
static const struct mq_movie_shape shape = {
	.cond = filter_sql, .count = MQ_MF_COUNT, .limit = MQ_MF_COUNT + 3,
	.offset = MQ_MF_COUNT + 4, .values = plan_values, .nvalues = PAGE_PARAMS,
};

/* Runs statement tmpl (MQ_STMT_CATALOG_PLANNED) with the filters given
 * in params, planned for the values; a first page (page) with no filter
 * or filters of few values runs prepared (catalog/movie_shape.h). */
static PGresult *shaped_q(struct mq_req *r, const struct mq_stmt *tmpl, bool page, int n,
			  const char *const *params)
{
	return mq_q(r, mq_movie_shaped(&r->ctx, &shape, tmpl, page, n, params), n, params);
}

struct list {
	struct mq_movie_filters f;
	struct mq_page page;
	struct mq_lang lang;
	const char *params[PAGE_PARAMS];
	int64_t count;
	int64_t kept_count;	/* movie_counts' count, read with the page */
	bool kept;		/* ... when it was */
	bool count_exact;
	bool has_next;
	const char *next_after;	/* the cursor of the next page */
	const char *corrected;	/* q found nothing: what was searched instead */
	const char *region;	/* of the release dates shown (http/region.h), or NULL */
};

/* Replaces genre= with the ids it names; answers 400 for an unknown one,
 * or 404 when it is the path's genre (path_genre, else 0). */
static mq_reply resolve(struct mq_req *r, struct list *l, int64_t path_genre)
{
	const char *unknown;
	enum mq_status st;

	if (l->f.genre_ids == NULL)
		return MQ_NEXT;
	if ((st = mq_genres_resolve(&r->ctx, l->f.genre_ids, l->f.genre_slugs,
				    &l->f.param[MQ_MF_GENRES], &unknown)) != MQ_OK)
		return mq_fail(r, st);
	if (unknown && path_genre)
		return mq_problem(r, 404, "No genre with id %lld.", (long long)path_genre);
	if (unknown)
		return mq_problem_field(r, "genre",
					mq_arena_printf(r->arena, mq_tr(r->lang.ui, "No such genre: %s."), unknown));
	return MQ_NEXT;
}

/* The one dimension of movie_counts that answers this filter set, or NULL. */
static const char *kept_dimension(const struct mq_movie_filters *f)
{
	int given = 0, last = -1;

	for (int i = 0; i < MQ_MF_COUNT; i++)
		if (f->param[i]) {
			given++;
			last = i;
		}
	if (given == 0)
		return "all";
	if (given == 1 && last == MQ_MF_YEARS)
		return "year";
	if ((given == 1 && last == MQ_MF_YEAR_FROM) || (given == 1 && last == MQ_MF_YEAR_TO) ||
	    (given == 2 && f->param[MQ_MF_YEAR_FROM] && f->param[MQ_MF_YEAR_TO]))
		return "year";
	if (given == 1 && last == MQ_MF_LANGUAGE)
		return "language";
	/* one genre: a movie of two of several genres would be counted twice */
	if (given == 1 && last == MQ_MF_GENRES && strchr(f->param[MQ_MF_GENRES], ',') == NULL)
		return "genre";
	return NULL;
}

static int64_t first_int(PGresult *res)
{
	return res && PQntuples(res) == 1 ? mq_row_int(res, 0, 0) : -1;
}

/* The parameters of count_kept (and KEPT_COUNT) for dimension dim of
 * filters f, into params[0..3]; all NULL without a dimension. */
static void kept_params(struct mq_req *r, const struct mq_movie_filters *f, const char *dim,
			const char **params)
{
	if (dim == NULL) {
		params[0] = params[1] = params[2] = params[3] = NULL;
		return;
	}
	params[0] = dim;
	params[1] = f->param[MQ_MF_YEARS] ? f->param[MQ_MF_YEARS]
		    : f->param[MQ_MF_LANGUAGE] ? mq_arena_printf(r->arena, "{%s}", f->param[MQ_MF_LANGUAGE])
					       : f->param[MQ_MF_GENRES];
	params[2] = f->param[MQ_MF_YEAR_FROM];
	params[3] = f->param[MQ_MF_YEAR_TO];
}

static int64_t count_from_kept(struct mq_req *r, const struct mq_movie_filters *f, const char *dim)
{
	const char *params[4];

	kept_params(r, f, dim, params);
	return first_int(mq_q(r, &count_kept, 4, params));
}

/* The cache key of a filter set's count: its parameters, in order. */
static const char *count_key(struct mq_req *r, const struct list *l)
{
	const char *key = "count:movies";

	for (int i = 0; i < MQ_MF_COUNT; i++)
		key = mq_arena_printf(r->arena, "%s|%s", key, l->f.param[i] ? l->f.param[i] : "");
	/* what title= and q= match depends on the language too */
	if (l->f.param[MQ_MF_TITLE] || l->f.param[MQ_MF_TITLE_PREFIX] || l->f.param[MQ_MF_Q])
		key = mq_arena_printf(r->arena, "%s|%s", key, l->lang.tag);
	/* no filter of the region's (yet): kept apart all the same, so that
	 * one never could be counted under another's key */
	if (l->region)
		key = mq_arena_printf(r->arena, "%s|region=%s", key, l->region);
	return key;
}

/* The planner's estimate of the matches; -1 when the database failed. */
static int64_t estimated(struct mq_req *r, struct list *l)
{
	PGresult *res = shaped_q(r, &estimate, false, MQ_MF_COUNT + 2, l->params);
	const char *rows;

	if (res == NULL)
		return -1;
	rows = strstr(PQgetvalue(res, 0, 0), "\"Plan Rows\":");
	return rows ? (int64_t)strtod(rows + 12, NULL) : 0;
}

/* Counts a filter set whose list is longer than a page (see the top of
 * this file).  A failure is the database's. */
static enum mq_status count(struct mq_req *r, struct list *l)
{
	const char *dim = kept_dimension(&l->f), *key, *v;
	struct mq_cache *c = r->ctx.cache;
	unsigned long long g;
	uint64_t gen = 0;
	long long n;
	int exact;

	l->count_exact = true;
	if (dim && l->kept) {
		l->count = l->kept_count;
		return MQ_OK;
	}
	if (dim) {
		l->count = count_from_kept(r, &l->f, dim);
		return l->count < 0 ? mq_db_failure(&r->ctx) : MQ_OK;
	}
	key = count_key(r, l);
	/* where movies stream changes without the catalog's generation */
	v = l->f.param[MQ_MF_PROVIDERS] ? NULL
	    : mq_cache_get_with_generation(c, r->arena, "movies", key, &(size_t){ 0 }, &gen);
	if (v && gen && sscanf(v, "%llu %lld %d", &g, &n, &exact) == 3 && g == gen) {
		l->count = n;
		l->count_exact = exact;
		return MQ_OK;
	}
	if ((l->count = estimated(r, l)) < 0)
		return mq_db_failure(&r->ctx);
	if (l->count <= r->ctx.cfg->exact_count_max) {
		l->params[MQ_MF_COUNT + 2] = COUNT_CAP;
		if ((n = first_int(shaped_q(r, &count_capped, false, MQ_MF_COUNT + 3, l->params))) < 0)
			return mq_db_failure(&r->ctx);
		l->count_exact = n <= MAX_DEPTH;
		l->count = l->count_exact ? n : l->count > n ? l->count : n;
	} else {
		l->count_exact = false;
	}
	if (gen) {
		v = mq_arena_printf(r->arena, "%llu %lld %d", (unsigned long long)gen,
				    (long long)l->count, l->count_exact);
		mq_cache_set(c, key, v, strlen(v), 0);
	}
	return MQ_OK;
}

static void set_filter_params(struct list *l)
{
	for (int i = 0; i < MQ_MF_COUNT; i++)
		l->params[i] = l->f.param[i];
	/* title= and q= search the translations of this language too */
	l->params[MQ_MF_COUNT] = l->lang.tag;
	l->params[MQ_MF_COUNT + 1] = l->lang.primary;
}

/* The columns of SHOW_PAGE before the movie's own */
enum { COL_KEPT_COUNT, COL_AFTER_KEY, COL_MOVIE };

/* The page's movies of res (at most the page's size) as JSON, with the
 * count read beside them and the last one's key made the next page's
 * cursor. */
static struct json_object *page_movies(struct mq_req *r, struct list *l, PGresult *res)
{
	struct json_object *results = mq_json_array(r->arena);
	int n = PQntuples(res), shown = n > l->page.size ? (int)l->page.size : n;

	l->has_next = n > shown;
	if (n > 0 && kept_dimension(&l->f)) {
		l->kept = true;
		l->kept_count = mq_row_int(res, 0, COL_KEPT_COUNT);
	}
	for (int i = 0; i < shown; i++)
		json_object_array_add(results, mq_row_columns(res, i, COL_MOVIE, PQnfields(res)));
	if (shown > 0)
		l->next_after = mq_movie_cursor_make(
			r->arena, l->f.order, mq_row_int(res, shown - 1, COL_MOVIE),
			PQgetisnull(res, shown - 1, COL_AFTER_KEY) ? NULL
								   : PQgetvalue(res, shown - 1, COL_AFTER_KEY));
	return results;
}

/* The page's movies as JSON into *results: by page number, or after the
 * cursor of after=.  A failure is the database's. */
static enum mq_status fetch(struct mq_req *r, struct list *l, struct json_object **results)
{
	bool after = l->f.after_id != NULL;
	const char *dim = kept_dimension(&l->f);
	enum mq_status st;
	PGresult *res;

	set_filter_params(l);
	/* one more than the page: is there a next page? */
	l->params[MQ_MF_COUNT + 2] = mq_arena_int(r->arena, l->page.size + 1);
	l->params[MQ_MF_COUNT + 3] = after ? "0" : l->page.offset_s;
	l->params[MQ_MF_COUNT + 4] = l->f.after_key;
	l->params[MQ_MF_COUNT + 5] = l->f.after_id;
	kept_params(r, &l->f, dim, &l->params[MQ_MF_COUNT + 6]);
	res = shaped_q(r, after ? &after_stmts[l->f.order] : &list_stmts[l->f.order], true,
		       PAGE_PARAMS, l->params);
	if (res == NULL)
		return mq_db_failure(&r->ctx);
	*results = page_movies(r, l, res);
	mq_movies_add_urls(&r->ctx, *results);
	if ((st = mq_genre_names_fill(&r->ctx, *results, l->lang.primary)) != MQ_OK)
		return st;
	return mq_movies_add_releases(&r->ctx, *results, l->region);
}

/* q found nothing: searches what movie_query_corrected() makes of it,
 * replacing *results with the new page; they stay when there is no
 * correction.  A failure is the database's. */
static enum mq_status correct(struct mq_req *r, struct list *l, struct json_object **results)
{
	PGresult *res = mq_q(r, &correct_query, 1, &l->f.param[MQ_MF_Q]);

	if (res == NULL)
		return mq_db_failure(&r->ctx);
	if (PQgetisnull(res, 0, 0))
		return MQ_OK;
	l->corrected = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
	l->f.param[MQ_MF_Q] = l->corrected;
	return fetch(r, l, results);
}

/* A page number deeper than MAX_DEPTH: past the end of the list it is a
 * 404, as any page past the end (DRF's contract), else the list goes on by
 * cursor.  Whether the list is that long: its kept count, or a count of
 * its matches that stops at the page (no ordering: any index finds them).
 * Returns MQ_OK with *past_end set, MQ_INVALID (page) for a page within
 * the list, or the database's failure. */
static enum mq_status too_deep(struct mq_req *r, struct list *l, bool *past_end)
{
	const char *dim = kept_dimension(&l->f);
	int64_t n;

	set_filter_params(l);
	l->params[MQ_MF_COUNT + 2] = mq_arena_int(r->arena, l->page.offset + 1);
	n = dim ? count_from_kept(r, &l->f, dim)
		: first_int(shaped_q(r, &count_capped, false, MQ_MF_COUNT + 3, l->params));
	if (n < 0)
		return mq_db_failure(&r->ctx);
	if ((*past_end = n <= l->page.offset))
		return MQ_OK;
	return mq_fail_with(&r->ctx, MQ_INVALID, "page", "Lists go %d movies deep by page; follow the next "
			    "links (after=) to walk further, or narrow the filters.", MAX_DEPTH);
}

/* The next page's link: page + 1, or after= the last movie shown on a
 * page after= a cursor and where page + 1 would be too deep (relevance,
 * which has no cursor, goes by page). */
static const char *next_link(struct mq_req *r, const struct list *l)
{
	if (!l->has_next)
		return NULL;
	if (l->next_after && mq_movie_cursor_orderable(l->f.order) &&
	    (l->f.after_id || l->page.offset + l->page.size >= MAX_DEPTH))
		return mq_page_url_after(r, l->next_after);
	return mq_page_url(r, l->page.page + 1);
}

/* Renders the list l describes, from the database, into *body: "" for a
 * page past the end.  A failure is the database's. */
static enum mq_status render(struct mq_req *r, struct list *l, const char **body, size_t *len)
{
	struct json_object *results, *env;
	enum mq_status st;
	bool past_end;
	int64_t shown;

	if (l->f.after_id == NULL && l->page.offset >= MAX_DEPTH) {
		if ((st = too_deep(r, l, &past_end)) != MQ_OK)
			return st;
		*body = "";
		return MQ_OK;
	}
	st = fetch(r, l, &results);

	if (st == MQ_OK && json_object_array_length(results) == 0 && l->f.param[MQ_MF_Q] &&
	    l->f.order == MQ_ORDER_RANK)
		st = correct(r, l, &results);	/* on any page: they page alike */
	if (st != MQ_OK)
		return st;
	shown = (int64_t)json_object_array_length(results);
	if (shown == 0 && l->page.page > 1) {
		*body = "";
		return MQ_OK;
	}
	if (!l->has_next && !l->f.after_id) {
		l->count = l->page.offset + shown;	/* the end is on this page */
		l->count_exact = true;
	} else if ((st = count(r, l)) != MQ_OK) {
		return st;
	}
	/* an estimate is never less than the pages that exist */
	if (l->count <= l->page.offset + shown)
		l->count = l->page.offset + shown + l->has_next;
	env = mq_page_envelope_links(r, l->count, l->count_exact, next_link(r, l),
				     l->f.after_id || l->page.page == 1 ? NULL
				     : mq_page_url(r, l->page.page - 1), results);
	if (l->f.param[MQ_MF_Q] || l->corrected)
		mq_json_add_str(env, "search", l->corrected ? "corrected" : "fulltext");
	if (l->corrected)
		mq_json_add_str(env, "corrected_q", l->corrected);
	*body = mq_json_render(env, len);
	return MQ_OK;
}

/* Reads the page, the filters and the language, or answers the problem. */
static mq_reply begin(struct mq_req *r, struct list *l, enum mq_movie_filter_set set)
{
	struct json_object *errors = mq_json_object(r->arena);
	mq_reply rc;

	memset(l, 0, sizeof(*l));
	if (mq_done(rc = mq_page_parse(r, &l->page)) ||
	    mq_done(rc = mq_lang_choose(r, NULL, &l->lang)))
		return rc;
	if (!mq_movie_filters_parse(r, set, &l->f, errors))
		return mq_problem_fields(r, errors);
	return MQ_NEXT;
}

/* A search (q= or title=) is an event: the query, the other filters
 * given, how many movies it found and whether q was corrected, read from
 * the answer (body, as rendered or as the cache had it). */
static void searched(struct mq_req *r, const char *body, size_t len)
{
	const char *q = mq_query_get(&r->query, "q"), *err;
	struct json_object *answer, *filters, *v;
	int64_t results = 0;
	bool corrected = false;

	if (q == NULL && (q = mq_query_get(&r->query, "title")) == NULL)
		return;
	if (body && mq_json_parse(r->arena, body, len, 64, &answer, &err) == 0) {
		if (json_object_object_get_ex(answer, "count", &v))
			results = json_object_get_int64(v);
		corrected = json_object_object_get_ex(answer, "corrected_q", NULL);
	}
	filters = mq_json_object(r->arena);
	for (int i = 0; i < r->query.count; i++) {
		const char *k = r->query.params[i].key;

		if (strcmp(k, "q") && strcmp(k, "title") && strcmp(k, "page") && strcmp(k, "page_size"))
			mq_json_add_str(filters, k, r->query.params[i].value);
	}
	mq_analytics_search(&r->ctx, r->user_id, q, filters, results, corrected);
}

/* Serves the list from the cache or renders and caches it.  genre: the
 * genre of the path, checked on a miss; 0 for none.  A list filtered by
 * available_on= is rendered each time (it may be the caller's services,
 * and where movies stream changes without the catalog's generation). */
static mq_reply respond(struct mq_req *r, struct list *l, int64_t genre)
{
	bool uncached = l->f.available_mine || l->f.param[MQ_MF_PROVIDERS];
	struct mq_respcache rc_cache;
	const char *body;
	enum mq_status st;
	mq_reply rc;
	size_t len;

	if (mq_done(rc = mq_region_choose(r, l->f.region, &l->region)))
		return rc;
	if (uncached) {
		if (mq_done(rc = mq_movie_filters_available(r, &l->f)))
			return rc;
		mq_resp_header(r, "Cache-Control", l->f.available_mine ? "private, no-cache" : "no-cache");
	} else if (mq_done(rc = mq_respcache_serve(r, &rc_cache, "movies",
						       mq_region_variant(r, l->lang.tag, l->region)))) {
		searched(r, rc_cache.hit, rc_cache.hit_len);
		return rc;
	}
	if (genre > INT32_MAX)	/* genre ids are integers */
		return mq_problem(r, 404, "No genre with id %lld.", (long long)genre);
	if (genre) {
		l->f.genre_ids = mq_arena_printf(r->arena, "{%lld}", (long long)genre);
		l->f.genre_slugs = "{}";
	}
	if (mq_done(rc = resolve(r, l, genre)))
		return rc;
	if ((st = render(r, l, &body, &len)) != MQ_OK)
		return mq_fail(r, st);
	searched(r, *body ? body : NULL, len);
	if (*body == '\0')
		return mq_page_not_found(r, &l->page);
	if (uncached)
		return mq_respond_cached(r, mq_etag_for(r->arena, body, len), body, len);
	return mq_respcache_respond(r, &rc_cache, body, len);
}

/* GET /api/movies/ */
mq_reply mq_movies_list(struct mq_req *r)
{
	struct list l;
	mq_reply rc;

	if (mq_done(rc = begin(r, &l, MQ_FILTERS_ALL)))
		return rc;
	/* before the cache: an empty answer cached must not hide the import */
	if (l.f.param[MQ_MF_IMDB_ID])
		mq_tmdb_import_imdb(&r->ctx, l.f.param[MQ_MF_IMDB_ID]);
	return respond(r, &l, 0);
}

/* GET /api/movies/recent/: the most recently added first. */
mq_reply mq_movies_recent(struct mq_req *r)
{
	struct list l;
	mq_reply rc;

	if (mq_done(rc = begin(r, &l, MQ_FILTERS_NONE)))
		return rc;
	l.f.order = MQ_ORDER_CREATED_AT_DESC;
	return respond(r, &l, 0);
}

/* GET /api/genres/{id}/movies/: the genre's movies, with the other
 * filters of the movie list. */
mq_reply mq_genres_movies(struct mq_req *r)
{
	struct list l;
	mq_reply rc;

	if (mq_done(rc = begin(r, &l, MQ_FILTERS_BUT_GENRE)))
		return rc;
	return respond(r, &l, mq_req_id(r, "id"));
}

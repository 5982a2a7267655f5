/*
 * movies_trending.c: GET /api/movies/trending/?window=day|week.
 *
 * What TMDb says is trending (its first page, twenty movies), as movies of
 * the catalog: those it lacks are imported, at most IMPORTS_MAX per
 * request and none after TMDb's first failure; all of a request's calls
 * share one [tmdb] timeout (mq_tmdb_budget()), so a cold list costs that at
 * worst, never the request's.  A complete list is
 * cached like the other lists; one still missing movies is not, so the
 * next request imports more.  When TMDb is not configured, fails, or
 * names nothing the catalog can show, the catalog ranks its own: the
 * movies most active in the window (a day or a week of ratings,
 * favorites, watchlists and watches: recs/serve.h), then the most
 * popular, LOCAL_CANDIDATES in all.  Never an error of TMDb's; "source"
 * says which ranking it is.  With a region (http/region.h) the movies out
 * there come first, each part in the ranking's order, each with its
 * release there; the cached list is then the region's of the day.
 */
#include <time.h>

#include "catalog/changes.h"
#include "catalog/genre_names.h"
#include "catalog/movie_json.h"
#include "catalog/movie_sql.h"
#include "catalog/releases.h"
#include "catalog/tmdb_import.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/lang.h"
#include "http/page.h"
#include "http/region.h"
#include "http/respcache.h"
#include "recs/serve.h"

#define TRENDING_MAX 20
#define IMPORTS_MAX 5
#define LOCAL_CANDIDATES "200"

/* (a provisional movie is missing: importing it from TMDb confirms it) */
static struct mq_stmt known = MQ_STMT_READ(
	"SELECT tmdb_id, id FROM movies WHERE tmdb_id = ANY ($1::int[]) AND provisional_by IS NULL");

/* $1 the ids in order, $2 $3 the language, $4 $5 limit and offset, $6
 * the region (NULL: none) whose released movies come first. */
static struct mq_stmt by_ids = MQ_STMT_READ(
	"SELECT " MQ_MOVIE_ITEM_COLUMNS " FROM unnest($1::bigint[]) WITH ORDINALITY AS u (id, n) "
	"JOIN movies m ON m.id = u.id " MQ_MOVIE_TRANSLATION("$2", "$3")
	MQ_MOVIE_RELEASED_JOIN("m.id", "$6")
	"ORDER BY " MQ_MOVIE_RELEASED_KEY " DESC, u.n LIMIT $4 OFFSET $5");

/* The window's most active movies (recs/serve.h), then the most popular
 * (an index scan), LOCAL_CANDIDATES in all, those out in region $6 first.
 * $5 the window's interval. */
static struct mq_stmt local = MQ_STMT_READ(
	"WITH act AS (" MQ_RECS_TRENDING_SQL("$5", LOCAL_CANDIDATES) "), "
	"cand AS (SELECT movie_id AS id FROM act UNION (SELECT id FROM movies "
	"         WHERE provisional_by IS NULL ORDER BY popularity DESC, id DESC "
	"         LIMIT " LOCAL_CANDIDATES ")), "
	"ranked AS (SELECT m.id, m.popularity, coalesce(act.score, 0) AS activity "
	"  FROM cand JOIN movies m USING (id) LEFT JOIN act ON act.movie_id = m.id "
	"  WHERE m.provisional_by IS NULL "
	"  ORDER BY activity DESC, m.popularity DESC, m.id DESC LIMIT " LOCAL_CANDIDATES "), "
	"pg AS (SELECT ranked.*, " MQ_MOVIE_RELEASED_KEY " AS released, count(*) OVER () AS total "
	"       FROM ranked " MQ_MOVIE_RELEASED_JOIN("ranked.id", "$6")
	"       ORDER BY released DESC, activity DESC, popularity DESC, id DESC "
	"       LIMIT $3 OFFSET $4) "
	"SELECT r.total, " MQ_MOVIE_ITEM_COLUMNS " FROM pg r JOIN movies m USING (id) "
	MQ_MOVIE_TRANSLATION("$1", "$2")
	"ORDER BY r.released DESC, r.activity DESC, m.popularity DESC, m.id DESC");

struct trending {
	const char *window;
	struct mq_page page;
	struct mq_lang lang;
	const char *region;	/* whose released movies come first, or NULL */
	int64_t tmdb_ids[TRENDING_MAX];
	int64_t ids[TRENDING_MAX];	/* local ids, 0 for those not in the catalog */
	size_t n;
	bool complete;
	bool imported;		/* something was written: other lists are stale */
};

static mq_reply read_params(struct mq_req *r, struct trending *t)
{
	static const char *const allowed[] = { "window", "page", "page_size", "region", NULL };
	static const char *const windows[] = { "day", "week", NULL };
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &t->page)) ||
	    mq_done(rc = mq_lang_choose(r, NULL, &t->lang)) ||
	    mq_done(rc = mq_region_choose(r, mq_query_get(&r->query, "region"), &t->region)))
		return rc;
	t->window = mq_query_get(&r->query, "window");
	if (t->window == NULL)
		t->window = "week";
	for (size_t i = 0; windows[i]; i++)
		if (strcmp(t->window, windows[i]) == 0)
			return MQ_NEXT;
	return mq_problem_field(r, "window", "Must be day or week.");
}

/* TMDb's trending movies' ids, in its order; 0 of them when TMDb failed. */
static void read_tmdb(struct mq_req *r, struct trending *t)
{
	struct json_object *list, *item, *id;
	struct mq_tmdb_answer ans;

	mq_tmdb_get(r->ctx.tmdb, r->arena,
		    mq_arena_printf(r->arena, "/trending/movie/%s", t->window), NULL, &ans);
	if (ans.status != MQ_TMDB_OK || !json_object_object_get_ex(ans.json, "results", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list) && t->n < TRENDING_MAX; i++) {
		item = json_object_array_get_idx(list, i);
		if (json_object_is_type(item, json_type_object) &&
		    json_object_object_get_ex(item, "id", &id) && json_object_is_type(id, json_type_int) &&
		    json_object_get_int64(id) > 0 && json_object_get_int64(id) <= INT32_MAX)
			t->tmdb_ids[t->n++] = json_object_get_int64(id);
	}
}

static const char *int_array(struct mq_req *r, const int64_t *v, size_t n, bool skip_zero)
{
	const char *out = "";

	for (size_t i = 0; i < n; i++)
		if (!skip_zero || v[i])
			out = mq_arena_printf(r->arena, "%s%s%lld", out, *out ? "," : "", (long long)v[i]);
	return mq_arena_printf(r->arena, "{%s}", out);
}

/* The local ids of the movies the catalog has.  A failure is the
 * database's. */
static enum mq_status map_known(struct mq_req *r, struct trending *t)
{
	const char *ids = int_array(r, t->tmdb_ids, t->n, false);
	PGresult *res = mq_q(r, &known, 1, &ids);

	if (res == NULL)
		return mq_db_failure(&r->ctx);
	for (int row = 0; row < PQntuples(res); row++)
		for (size_t i = 0; i < t->n; i++)
			if (t->tmdb_ids[i] == mq_row_int(res, row, 0))
				t->ids[i] = mq_row_int(res, row, 1);
	return MQ_OK;
}

/* Imports what is missing, within the limits.  A movie the database
 * refuses (TMDb's data at odds with the catalog's) ends the imports, as
 * TMDb's failure does: the list shows what the catalog has, and whether
 * the database works is for the list's own query to find out. */
static void import_missing(struct mq_req *r, struct trending *t)
{
	struct mq_tmdb_answer ans;
	int imports = 0;
	bool created;

	t->complete = true;
	for (size_t i = 0; i < t->n; i++) {
		if (t->ids[i])
			continue;
		if (imports++ >= IMPORTS_MAX) {
			t->complete = false;
			continue;
		}
		switch (mq_tmdb_import(r->ctx.db, r->ctx.tmdb, r->arena, t->tmdb_ids[i], false,
				       &t->ids[i], &created, &ans)) {
		case MQ_IMPORT_OK:
			t->imported = t->imported || ans.json != NULL;
			break;
		case MQ_IMPORT_TMDB:	/* no more from TMDb this time */
			t->complete = ans.status == MQ_TMDB_NOT_FOUND && t->complete;
			imports = ans.status == MQ_TMDB_NOT_FOUND ? imports : IMPORTS_MAX;
			break;
		case MQ_IMPORT_DB:
		case MQ_IMPORT_GONE:
			t->ids[i] = 0;
			t->complete = false;
			imports = IMPORTS_MAX;
			break;
		}
	}
}

/* The page of movies as lists show them into *results.  A failure is the
 * database's. */
static enum mq_status fetch(struct mq_req *r, struct trending *t, bool from_tmdb,
			    struct json_object **results, int64_t *count)
{
	const char *ids = int_array(r, t->ids, t->n, true);
	const char *p1[] = { ids, t->lang.tag, t->lang.primary, t->page.limit_s, t->page.offset_s,
			     t->region };
	const char *p2[] = { t->lang.tag, t->lang.primary, t->page.limit_s, t->page.offset_s,
			     mq_recs_window_interval(t->window), t->region };
	PGresult *res = from_tmdb ? mq_q(r, &by_ids, 6, p1) : mq_q(r, &local, 6, p2);
	enum mq_status st;

	if (res == NULL)
		return mq_db_failure(&r->ctx);
	*results = mq_rows_array(r->arena, res);
	*count = 0;
	for (size_t i = 0; i < t->n; i++)
		*count += from_tmdb && t->ids[i];
	for (size_t i = 0; i < json_object_array_length(*results); i++) {
		struct json_object *o = json_object_array_get_idx(*results, i);

		if (!from_tmdb)
			*count = json_object_get_int64(json_object_object_get(o, "total"));
		json_object_object_del(o, "total");
	}
	mq_movies_add_urls(&r->ctx, *results);
	if ((st = mq_genre_names_fill(&r->ctx, *results, t->lang.primary)) != MQ_OK)
		return st;
	return mq_movies_add_releases(&r->ctx, *results, t->region);
}

static mq_reply respond(struct mq_req *r, struct trending *t, struct mq_respcache *rc_cache,
			bool from_tmdb)
{
	struct json_object *results = NULL, *env;
	const char *body;
	enum mq_status st;
	int64_t count = 0;
	size_t len;

	if ((st = fetch(r, t, from_tmdb, &results, &count)) != MQ_OK)
		return mq_fail(r, st);
	if (json_object_array_length(results) == 0 && t->page.page > 1)
		return mq_page_not_found(r, &t->page);
	env = mq_page_envelope(r, &t->page, count, results);
	mq_json_add_str(env, "source", from_tmdb ? "tmdb" : "local");
	/* cached only when complete, and not after an import: that made the
	 * generation this entry would be stored under stale already */
	if (!from_tmdb || !t->complete || t->imported)
		return mq_respond_json(r, 200, env);
	body = mq_json_render(env, &len);
	return mq_respcache_respond(r, rc_cache, body, len);
}

/* What the cached list depends on besides its URL: the language, and the
 * region with today's date (UTC), which decides what is out there. */
static const char *variant(struct mq_req *r, const struct trending *t)
{
	char day[11];
	time_t now = time(NULL);
	struct tm tm;

	if (t->region == NULL)
		return t->lang.tag;
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime_r(&now, &tm));
	return mq_region_variant(r, t->lang.tag, mq_arena_printf(r->arena, "%s@%s", t->region, day));
}

/* GET /api/movies/trending/ */
mq_reply mq_movies_trending(struct mq_req *r)
{
	struct mq_respcache rc_cache;
	struct trending t;
	enum mq_status st;
	bool any = false;
	mq_reply rc;

	memset(&t, 0, sizeof(t));
	if (mq_done(rc = read_params(r, &t)) ||
	    mq_done(rc = mq_respcache_serve(r, &rc_cache, "movies", variant(r, &t))))
		return rc;
	read_tmdb(r, &t);
	if (t.n && (st = map_known(r, &t)) != MQ_OK)
		return mq_fail(r, st);
	if (t.n)
		import_missing(r, &t);
	for (size_t i = 0; i < t.n; i++)
		any = any || t.ids[i];
	if (t.imported)
		mq_catalog_changed(&r->ctx);
	return respond(r, &t, &rc_cache, any);
}

/*
 * tmdb_search.c: GET /api/tmdb/search/ — TMDb's movie search, each result
 * marked with whether the catalog has it (imported) and its local id.
 *
 * TMDb pages by twenty and stops at page 500; the envelope is the usual
 * one (count, next, previous, results) over TMDb's pages.  Results are
 * rebuilt member by member from what TMDb sent, checked, never passed on
 * as they came.
 */
#include <math.h>

#include "catalog/movie_json.h"
#include "core/json.h"
#include "core/utf8.h"
#include "db/db.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/page.h"
#include "integrations/tmdb.h"

#define TMDB_PAGE_SIZE 20
#define TMDB_PAGE_MAX 500
#define POPULARITY_MAX 1e9	/* TMDb's run to some thousands */

/* (a provisional movie is not imported: TMDb has not confirmed it) */
static struct mq_stmt imported = MQ_STMT_READ(
	"SELECT tmdb_id, id FROM movies WHERE tmdb_id = ANY ($1::int[]) AND provisional_by IS NULL");

struct search {
	const char *query, *year, *page;
	int64_t page_n;
};

/* The query, checked; or its problems answered (400). */
static mq_reply read_params(struct mq_req *r, struct search *s)
{
	static const char *const allowed[] = { "query", "year", "page", NULL };
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	int64_t n;

	mq_form_check_query(&f, allowed);
	s->query = mq_query_get(&r->query, "query");
	s->year = mq_query_get(&r->query, "year");
	s->page = mq_query_get(&r->query, "page");
	s->page_n = 1;
	if (s->query == NULL || mq_utf8_length(s->query) < 1 || mq_utf8_length(s->query) > 200)
		mq_form_error(&f, "query", "Required: 1 to 200 characters.");
	if (s->year && mq_parse_int64(s->year, 1870, 2100, &n) < 0)
		mq_form_error(&f, "year", "Must be a year from 1870 to 2100.");
	if (s->page && mq_parse_int64(s->page, 1, TMDB_PAGE_MAX, &s->page_n) < 0)
		mq_form_error(&f, "page", "Must be a whole number from 1 to %d.", TMDB_PAGE_MAX);
	return mq_form_end(&f);
}

static struct json_object *member(struct json_object *o, const char *key, json_type type)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static int64_t int_member(struct json_object *o, const char *key, int64_t min, int64_t max)
{
	struct json_object *v = member(o, key, json_type_int);
	int64_t n = v ? json_object_get_int64(v) : 0;

	return n >= min && n <= max ? n : 0;
}

/* A TMDb image path ("/abc.jpg"), else NULL. */
static const char *image_path(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key, json_type_string);
	const char *s = v ? json_object_get_string(v) : "";

	return mq_tmdb_image_path_ok(s) ? s : NULL;
}

static void copy_text(struct json_object *to, struct json_object *from, const char *key, int max)
{
	struct json_object *v = member(from, key, json_type_string);
	const char *s = v ? json_object_get_string(v) : NULL;

	mq_json_add_str(to, key, s && mq_utf8_length(s) <= (size_t)max ? s : NULL);
}

/* release_date when it is YYYY-MM-DD (TMDb sends "" for none), else null. */
static void copy_date(struct json_object *to, struct json_object *from)
{
	struct json_object *v = member(from, "release_date", json_type_string);
	const char *s = v ? json_object_get_string(v) : "";

	mq_json_add_str(to, "release_date", mq_valid_date(s) ? s : NULL);
}

/* TMDb's popularity, a number from 0 to POPULARITY_MAX (0 otherwise): what
 * json-c read as infinite would be rendered as Infinity, not JSON. */
static double popularity(struct json_object *t)
{
	struct json_object *v = member(t, "popularity", json_type_double);
	double d;

	if (v == NULL)
		v = member(t, "popularity", json_type_int);
	d = v ? json_object_get_double(v) : 0;
	return isfinite(d) && d >= 0 && d <= POPULARITY_MAX ? d : 0;
}

/* One result as this API shows it, or NULL when TMDb's is unusable: no id,
 * or no title this API can show (title is required). */
static struct json_object *result(struct mq_req *r, struct json_object *t)
{
	int64_t id = json_object_is_type(t, json_type_object) ? int_member(t, "id", 1, INT32_MAX) : 0;
	struct json_object *o, *title = id ? member(t, "title", json_type_string) : NULL;

	if (title == NULL || mq_utf8_length(json_object_get_string(title)) > 300 ||
	    *json_object_get_string(title) == '\0')
		return NULL;
	o = json_object_new_object();
	mq_json_add_int(o, "tmdb_id", id);
	copy_text(o, t, "title", 300);
	copy_text(o, t, "original_title", 300);
	copy_text(o, t, "overview", 5000);
	copy_date(o, t);
	copy_text(o, t, "original_language", 3);
	json_object_object_add(o, "popularity", json_object_new_double(popularity(t)));
	mq_json_add_str(o, "poster_path", image_path(t, "poster_path"));
	mq_json_add_str(o, "backdrop_path", image_path(t, "backdrop_path"));
	mq_movie_add_urls(&r->ctx, o);
	return o;
}

/* Sets imported and id on each result.  A failure is the database's. */
static enum mq_status mark_imported(struct mq_req *r, struct json_object *results)
{
	size_t n = json_object_array_length(results);
	const char *ids = "";
	PGresult *res;

	for (size_t i = 0; i < n; i++)
		ids = mq_arena_printf(r->arena, "%s%s%s", ids, i ? "," : "",
				      json_object_get_string(json_object_object_get(
					      json_object_array_get_idx(results, i), "tmdb_id")));
	ids = mq_arena_printf(r->arena, "{%s}", ids);
	if ((res = mq_q(r, &imported, 1, &ids)) == NULL)
		return mq_db_failure(&r->ctx);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(results, i);
		const char *tid = json_object_get_string(json_object_object_get(o, "tmdb_id"));
		const char *local = NULL;

		for (int row = 0; row < PQntuples(res) && local == NULL; row++)
			if (strcmp(PQgetvalue(res, row, 0), tid) == 0)
				local = PQgetvalue(res, row, 1);
		json_object_object_add(o, "imported", json_object_new_boolean(local != NULL));
		json_object_object_add(o, "id", local ? json_object_new_int64(strtoll(local, NULL, 10))
						      : NULL);
	}
	return MQ_OK;
}

static mq_reply respond(struct mq_req *r, const struct search *s, struct json_object *doc)
{
	struct json_object *list = member(doc, "results", json_type_array);
	struct json_object *results = mq_json_array(r->arena), *o;
	int64_t total = int_member(doc, "total_results", 0, INT32_MAX);
	int64_t pages = int_member(doc, "total_pages", 0, INT32_MAX);
	struct mq_page p = { .page = s->page_n, .size = TMDB_PAGE_SIZE };
	enum mq_status st;

	for (size_t i = 0; list && i < json_object_array_length(list) && i < TMDB_PAGE_SIZE; i++)
		if ((o = result(r, json_object_array_get_idx(list, i))))
			json_object_array_add(results, o);
	if ((st = mark_imported(r, results)) != MQ_OK)
		return mq_fail(r, st);
	if (total > TMDB_PAGE_SIZE * TMDB_PAGE_MAX)
		total = TMDB_PAGE_SIZE * TMDB_PAGE_MAX;
	return mq_respond_json(r, 200, mq_page_envelope_known(r, &p, total, true,
							     s->page_n < pages && s->page_n < TMDB_PAGE_MAX,
							     results));
}

/* GET /api/tmdb/search/?query=&year=&page= */
mq_reply mq_tmdb_search(struct mq_req *r)
{
	const char *params[9] = { "query", NULL, "include_adult", "false", NULL };
	struct mq_tmdb_answer ans;
	struct search s;
	size_t n = 4;
	mq_reply rc;

	if (mq_done(rc = read_params(r, &s)))
		return rc;
	params[1] = s.query;
	if (s.year) {
		params[n++] = "year";
		params[n++] = s.year;
	}
	params[n++] = "page";
	params[n++] = mq_arena_int(r->arena, s.page_n);
	params[n] = NULL;
	mq_tmdb_get(r->ctx.tmdb, r->arena, "/search/movie", params, &ans);
	if (ans.status == MQ_TMDB_NOT_FOUND)	/* a search is never missing: TMDb is wrong */
		ans.status = MQ_TMDB_BAD_GATEWAY;
	if (ans.status != MQ_TMDB_OK)
		return mq_fail(r, mq_tmdb_failure(&r->ctx, &ans, N_("TMDb found nothing.")));
	return respond(r, &s, ans.json);
}

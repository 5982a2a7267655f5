/*
 * recommendations.c: GET /api/movies/recommended/ (personal, or popular
 * and trending for anonymous callers), GET /api/movies/{id}/recommendations/
 * (people who liked this also liked), and the movies a user marked not
 * interested: POST and DELETE /api/movies/{id}/not-interested/, GET
 * /api/users/me/not-interested/.
 *
 * The engine is src/recs/ (serve.h); a mark is a signal at once: the next
 * request of the user leaves the movie out and holds its neighbours back.
 */
#include "analytics/events.h"
#include "catalog/genres.h"
#include "catalog/movie_sql.h"
#include "catalog/releases.h"
#include "core/json.h"
#include "db/rows.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/lang.h"
#include "http/movie_filters.h"
#include "http/page.h"
#include "http/region.h"
#include "http/respcache.h"
#include "recs/serve.h"

/* Lists go this deep: candidates beyond are of little use. */
#define MAX_DEPTH 1000

static struct mq_stmt mark = MQ_STMT(
	"WITH m AS (SELECT id FROM movies WHERE id = $2 "
	"           AND (provisional_by IS NULL OR provisional_by = $1)), "
	"ins AS (INSERT INTO not_interested (user_id, movie_id) SELECT $1, id FROM m "
	"        ON CONFLICT DO NOTHING RETURNING movie_id) "
	"SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM ins)");

static struct mq_stmt unmark = MQ_STMT(
	"DELETE FROM not_interested WHERE user_id = $1 AND movie_id = $2 RETURNING movie_id");

#define ITEM "rfc3339(n.created_at) AS added_at, " MQ_MOVIE_ITEM_COLUMNS " "
#define FROM "FROM not_interested n JOIN movies m ON m.id = n.movie_id " \
	MQ_MOVIE_TRANSLATION("$2", "$3")

static struct mq_stmt one = MQ_STMT_READ(
	"SELECT " ITEM FROM "WHERE n.user_id = $1 AND n.movie_id = $4");

static struct mq_stmt marked = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, " ITEM FROM "WHERE n.user_id = $1 "
	"ORDER BY n.created_at DESC, n.movie_id DESC LIMIT $4 OFFSET $5");

static void add_version(struct json_object *env, int64_t version)
{
	json_object_object_add(env, "model_version",
			       version ? json_object_new_int64(version) : NULL);
}

/* The filters of the query, genres resolved, or the 400 answered. */
static mq_reply read_filters(struct mq_req *r, struct mq_recs_filters *out)
{
	struct json_object *errors = mq_json_object(r->arena);
	struct mq_movie_filters f;
	const char *unknown;
	enum mq_status st;
	mq_reply rc;

	memset(out, 0, sizeof(*out));
	if (!mq_movie_filters_parse(r, MQ_FILTERS_RECOMMENDED, &f, errors))
		return mq_problem_fields(r, errors);
	if (f.genre_ids) {
		if ((st = mq_genres_resolve(&r->ctx, f.genre_ids, f.genre_slugs,
					    &f.param[MQ_MF_GENRES], &unknown)) != MQ_OK)
			return mq_fail(r, st);
		if (unknown)
			return mq_problem_field(r, "genre",
						mq_arena_printf(r->arena, mq_tr(r->lang.ui, "No such genre: %s."), unknown));
	}
	out->genres = f.param[MQ_MF_GENRES];
	out->years = f.param[MQ_MF_YEARS];
	out->year_from = f.param[MQ_MF_YEAR_FROM];
	out->year_to = f.param[MQ_MF_YEAR_TO];
	out->language = f.param[MQ_MF_LANGUAGE];
	out->runtime_max = f.param[MQ_MF_RUNTIME_MAX];
	if (mq_done(rc = mq_movie_filters_available(r, &f)))
		return rc;
	out->providers = f.param[MQ_MF_PROVIDERS];
	out->region = f.param[MQ_MF_REGION];
	return mq_region_choose(r, f.region, &out->release_region);
}

static mq_reply depth_ok(struct mq_req *r, const struct mq_page *p)
{
	if (p->offset >= MAX_DEPTH)
		return mq_problem_field(r, "page", mq_arena_printf(r->arena,
					mq_tr(r->lang.ui, "Recommendations go %d movies deep."), MAX_DEPTH));
	return MQ_NEXT;
}

/* GET /api/movies/recommended/ */
mq_reply mq_movies_recommended(struct mq_req *r)
{
	struct mq_recs_filters f;
	struct mq_recs_list list;
	struct json_object *env;
	struct mq_page p;
	struct mq_lang lang;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = read_filters(r, &f)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = depth_ok(r, &p)) || mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	if ((st = mq_recs_recommend(&r->ctx, r->user_id, &f, &lang, p.size, p.offset, &list)) != MQ_OK)
		return mq_fail(r, st);
	if (json_object_array_length(list.results) == 0 && p.page > 1)
		return mq_page_not_found(r, &p);
	mq_analytics_impressions(&r->ctx, r->user_id, list.results, p.offset, NULL);
	env = mq_page_envelope(r, &p, list.count, list.results);
	add_version(env, list.version);
	mq_resp_header(r, "Cache-Control", r->user_id ? "private, no-store" : "no-cache");
	return mq_respond_json(r, 200, env);
}

/* GET /api/movies/{id}/recommendations/ */
mq_reply mq_movies_recommendations(struct mq_req *r)
{
	static const char *const params[] = { "page", "page_size", "language", "region", NULL };
	const char *id = mq_req_id_text(r, "id"), *body, *region;
	struct mq_respcache rc_cache;
	struct mq_recs_list list;
	struct json_object *env;
	struct mq_lang lang;
	struct mq_page p;
	enum mq_status st;
	mq_reply rc;
	size_t len;

	if (mq_done(rc = mq_query_check(r, params)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = mq_lang_choose(r, "language", &lang)) ||
	    mq_done(rc = mq_region_choose(r, mq_query_get(&r->query, "region"), &region)))
		return rc;
	if (mq_done(rc = mq_respcache_serve(r, &rc_cache, "movies",
					    mq_region_variant(r, lang.tag, region)))) {
		mq_analytics_impressions_page(&r->ctx, r->user_id, rc_cache.hit, rc_cache.hit_len,
					      p.offset, "also_liked");
		return rc;
	}
	if ((st = mq_recs_also_liked(&r->ctx, id, &lang, p.size, p.offset, &list)) != MQ_OK ||
	    (st = mq_movies_add_releases(&r->ctx, list.results, region)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_page_past_end(&p, list.count) && p.page > 1)
		return mq_page_not_found(r, &p);
	mq_analytics_impressions(&r->ctx, r->user_id, list.results, p.offset, "also_liked");
	env = mq_page_envelope(r, &p, list.count, list.results);
	add_version(env, list.version);
	body = mq_json_render(env, &len);
	return mq_respcache_respond(r, &rc_cache, body, len);
}

/* POST /api/movies/{id}/not-interested/: 201 when marked, 200 when it
 * was already; 404 for an unknown movie. */
mq_reply mq_not_interested_add(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "id");
	struct mq_lang lang;
	PGresult *res;
	mq_reply rc;
	bool added;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })) ||
	    mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	if ((res = mq_q(r, &mark, 2, (const char *[]){ mq_req_user_text(r), movie })) == NULL)
		return mq_fail_db(r);
	if (mq_row_int(res, 0, 0) == 0)
		return mq_problem(r, 404, "No movie with id %s.", movie);
	added = mq_row_int(res, 0, 1) > 0;
	const char *params[] = { mq_req_user_text(r), lang.tag, lang.primary, movie };
	if ((res = mq_q(r, &one, 4, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond_one(r, added ? 201 : 200, res, 1, lang.primary);
}

/* DELETE /api/movies/{id}/not-interested/: 204, or 404 when it was not
 * marked. */
mq_reply mq_not_interested_remove(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "id");
	PGresult *res = mq_q(r, &unmark, 2, (const char *[]){ mq_req_user_text(r), movie });

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "Movie %s is not marked not interested.", movie);
	return mq_respond(r, 204, NULL, NULL, 0);
}

/* GET /api/users/me/not-interested/: newest first. */
mq_reply mq_not_interested_list(struct mq_req *r)
{
	static const char *const params[] = { "page", "page_size", NULL };
	struct mq_lang lang;
	struct mq_page p;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, params)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	const char *q[] = { mq_req_user_text(r), lang.tag, lang.primary, p.limit_s, p.offset_s };
	if ((res = mq_q(r, &marked, 5, q)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond(r, &p, res, 1, lang.primary);
}

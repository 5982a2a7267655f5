/*
 * providers.c: where to watch a movie (see providers.h).
 */
#include "watch/providers.h"

#include "catalog/changes.h"
#include "catalog/releases.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/tmdb.h"

#define LOGO_SIZE "w92"

/* A movie the caller may see (a provisional one is its maker's alone). */
static struct mq_stmt movie_tmdb = MQ_STMT_READ(
	"SELECT tmdb_id FROM movies WHERE id = $1 "
	"AND (provisional_by IS NULL OR provisional_by = $2::bigint)");

static struct mq_stmt render = MQ_STMT_READ(
	"SELECT watch_offers_json($1::jsonb, $2, $3)");

static struct mq_stmt store_providers = MQ_STMT(
	"SELECT watch_providers_store($1, $2::jsonb)");

/* the count, and whether what a region shows changed (sql/0027) */
static struct mq_stmt store_release_dates = MQ_STMT(
	"SELECT n, changed FROM release_dates_refresh($1, $2::jsonb)");

/* TMDb has no such movie (any more): nothing is known of it. */
static struct mq_stmt forget = MQ_STMT(
	"SELECT watch_providers_store($1, '{}'), release_dates_store($1, '{}')");

static struct mq_stmt store_list = MQ_STMT(
	"SELECT watch_provider_list_store($1::jsonb)");

enum mq_status mq_watch_region(struct mq_ctx *c, int64_t user, const char *given,
			       const char **region)
{
	enum mq_status st = mq_release_region(c, user, given, region);

	if (st == MQ_OK && *region == NULL)
		*region = c->cfg->watch_region;
	return st;
}

/* The movie's TMDb id into *tmdb_id (NULL: it has none). */
static enum mq_status find_movie(struct mq_ctx *c, int64_t user, const char *movie,
				 const char **tmdb_id)
{
	const char *params[] = { movie, user ? mq_arena_int(c->arena, user) : NULL };
	PGresult *res = mq_db_q(c, &movie_tmdb, 2, params);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No movie with id %s.", movie);
	*tmdb_id = PQgetisnull(res, 0, 0) ? NULL : mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0));
	return MQ_OK;
}

/* GET /movie/{tmdb_id}/<what> from TMDb into ans. */
static void ask(struct mq_ctx *c, const char *tmdb_id, const char *what,
		struct mq_tmdb_answer *ans)
{
	const char *path = mq_arena_printf(c->arena, "/movie/%s/%s", tmdb_id, what);

	mq_tmdb_get(c->tmdb, c->arena, path, NULL, ans);
}

static enum mq_status store(struct mq_ctx *c, struct mq_stmt *st, const char *movie,
			    struct json_object *doc, int *n)
{
	const char *params[] = { movie, mq_json_render(doc, &(size_t){ 0 }) };
	PGresult *res = mq_db_q(c, st, 2, params);

	if (res == NULL)
		return mq_db_failure(c);
	if (n)
		*n = (int)mq_row_int(res, 0, 0);
	return MQ_OK;
}

/* Stores TMDb's release dates of movie; the detail and lists that show
 * them in a region are stale when they changed. */
static enum mq_status store_dates(struct mq_ctx *c, const char *movie, struct json_object *doc)
{
	const char *params[] = { movie, mq_json_render(doc, &(size_t){ 0 }) };
	PGresult *res = mq_db_q(c, &store_release_dates, 2, params);

	if (res == NULL)
		return mq_db_failure(c);
	if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
		mq_movies_changed(c, movie);
	return MQ_OK;
}

static struct json_object *attribution(struct mq_arena *a)
{
	struct json_object *o = mq_json_object(a);

	mq_json_add_str(o, "source", "JustWatch");
	mq_json_add_str(o, "text", MQ_WATCH_ATTRIBUTION);
	mq_json_add_str(o, "url", MQ_WATCH_ATTRIBUTION_URL);
	return json_object_get(o);
}

enum mq_status mq_watch_providers(struct mq_ctx *c, int64_t user, const char *movie,
				  const char *region, struct json_object **out)
{
	struct mq_tmdb_answer ans = { 0 };
	struct json_object *doc;
	const char *tmdb_id, *logos;
	enum mq_status st;
	PGresult *res;

	if ((st = find_movie(c, user, movie, &tmdb_id)) != MQ_OK)
		return st;
	doc = mq_json_object(c->arena);
	if (tmdb_id) {
		ask(c, tmdb_id, "watch/providers", &ans);
		if (ans.status != MQ_TMDB_OK)
			return mq_tmdb_failure(c, &ans, mq_arena_printf(
				c->arena, "TMDb has no movie %s (movie %s).", tmdb_id, movie));
		doc = ans.json;
		if (ans.fetched && (st = store(c, &store_providers, movie, doc, NULL)) != MQ_OK)
			return st;
	}
	logos = mq_arena_printf(c->arena, "%s" LOGO_SIZE, c->cfg->tmdb_image_base_url);
	const char *params[] = { mq_json_render(doc, &(size_t){ 0 }), region, logos };
	if ((res = mq_db_q(c, &render, 3, params)) == NULL)
		return mq_db_failure(c);
	if ((*out = mq_row_owned(c->arena, res)) == NULL ||
	    !json_object_object_get_ex(*out, "watch_offers_json", out))
		return mq_fail_with(c, MQ_INTERNAL, NULL, "The offers could not be read.");
	json_object_object_add(*out, "movie", json_object_new_int64(strtoll(movie, NULL, 10)));
	json_object_object_add(*out, "tmdb_id", tmdb_id ? json_object_new_int64(strtoll(tmdb_id, NULL, 10))
							: NULL);
	json_object_object_add(*out, "region", json_object_new_string(region));
	json_object_object_add(*out, "attribution", attribution(c->arena));
	return MQ_OK;
}

enum mq_status mq_watch_refresh_movie(struct mq_ctx *c, const char *movie, const char *tmdb_id,
				      int *offers)
{
	struct mq_tmdb_answer ans = { 0 };
	enum mq_status st;

	*offers = 0;
	ask(c, tmdb_id, "watch/providers", &ans);
	if (ans.status == MQ_TMDB_NOT_FOUND) {
		if (mq_db_q(c, &forget, 1, &movie) == NULL)
			return mq_db_failure(c);
		mq_movies_changed(c, movie);	/* its release dates are gone */
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "TMDb has no movie %s.", tmdb_id);
	}
	if (ans.status != MQ_TMDB_OK)
		return mq_tmdb_failure(c, &ans, "TMDb has no such movie.");
	if ((st = store(c, &store_providers, movie, ans.json, offers)) != MQ_OK)
		return st;
	ask(c, tmdb_id, "release_dates", &ans);
	if (ans.status != MQ_TMDB_OK)
		return mq_tmdb_failure(c, &ans, "TMDb has no such movie.");
	return store_dates(c, movie, ans.json);
}

enum mq_status mq_watch_provider_list(struct mq_ctx *c)
{
	struct mq_tmdb_answer ans = { 0 };
	PGresult *res;

	mq_tmdb_get(c->tmdb, c->arena, "/watch/providers/movie", NULL, &ans);
	if (ans.status != MQ_TMDB_OK)
		return mq_tmdb_failure(c, &ans, "TMDb has no list of watch providers.");
	const char *params[] = { mq_json_render(ans.json, &(size_t){ 0 }) };
	if ((res = mq_db_q(c, &store_list, 1, params)) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

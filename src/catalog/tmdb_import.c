/*
 * tmdb_import.c: TMDb's document of a movie, upserted (see tmdb_import.h).
 */
#include "catalog/tmdb_import.h"

#include "catalog/changes.h"
#include "core/json.h"
#include "db/db.h"

/* What one GET /movie/{id} brings along. */
#define APPENDED "keywords,images,videos,external_ids,translations,release_dates"

/* A provisional movie (sql/0010_hardening.sql) is not TMDb's yet: an
 * import reads TMDb and writes over it, which confirms it. */
static struct mq_stmt find_movie = MQ_STMT_READ(
	"SELECT id FROM movies WHERE tmdb_id = $1 AND provisional_by IS NULL");

static struct mq_stmt find_imdb = MQ_STMT_READ("SELECT id FROM movies WHERE imdb_id = $1");

/* The movie, and in the same statement its release dates by region
 * ($3, the document's release_dates, when it has them: sql/0027). */
static struct mq_stmt upsert_movie = MQ_STMT(
	"WITH u AS MATERIALIZED (SELECT movie, inserted FROM tmdb_movie_upsert($1::jsonb, $2::boolean)) "
	"SELECT movie, inserted, CASE WHEN movie IS NOT NULL AND $3::jsonb IS NOT NULL "
	"  THEN release_dates_store(movie, $3::jsonb) END FROM u");

/* Reads TMDb's document of the movie; 0 or -1 with ans filled. */
static int read_movie(struct mq_tmdb *t, struct mq_arena *a, int64_t tmdb_id,
		      struct mq_tmdb_answer *ans)
{
	static const char *const params[] = {
		"append_to_response", APPENDED, "include_image_language", "en,null", NULL,
	};
	struct json_object *id;

	mq_tmdb_get(t, a, mq_arena_printf(a, "/movie/%lld", (long long)tmdb_id), params, ans);
	if (ans->status != MQ_TMDB_OK)
		return -1;
	if (!json_object_object_get_ex(ans->json, "id", &id) ||
	    !json_object_is_type(id, json_type_int) || json_object_get_int64(id) != tmdb_id) {
		ans->status = MQ_TMDB_BAD_GATEWAY;
		ans->why = "the document is not of the movie asked for";
		return -1;
	}
	return 0;
}

int mq_tmdb_movie_find(struct mq_db *db, int64_t tmdb_id, int64_t *movie_id)
{
	char id[24];
	const char *params[] = { id };
	PGresult *res;
	int rc;

	snprintf(id, sizeof(id), "%lld", (long long)tmdb_id);
	res = mq_db_exec(db, &find_movie, 1, params);
	if (res == NULL)
		return -1;
	rc = PQntuples(res) ? 0 : 1;
	if (rc == 0)
		*movie_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

/* The database refused TMDb's data (a value it cannot hold): TMDb's fault. */
static bool bad_data(struct mq_db *db)
{
	return strncmp(mq_db_sqlstate(db), "22", 2) == 0;
}

enum mq_import_result mq_tmdb_import(struct mq_db *db, struct mq_tmdb *t, struct mq_arena *a,
				     int64_t tmdb_id, bool refresh, int64_t *movie_id,
				     bool *created, struct mq_tmdb_answer *ans)
{
	const char *params[3] = { NULL, refresh ? "true" : "false", NULL };
	struct json_object *dates;
	PGresult *res;
	size_t len;
	int found;

	memset(ans, 0, sizeof(*ans));
	*created = false;
	if (!refresh && (found = mq_tmdb_movie_find(db, tmdb_id, movie_id)) <= 0)
		return found == 0 ? MQ_IMPORT_OK : MQ_IMPORT_DB;
	if (read_movie(t, a, tmdb_id, ans) < 0)
		return MQ_IMPORT_TMDB;
	params[0] = mq_json_render(ans->json, &len);
	if (json_object_object_get_ex(ans->json, "release_dates", &dates) &&
	    json_object_is_type(dates, json_type_object))
		params[2] = mq_json_render(dates, &len);
	res = mq_db_exec(db, &upsert_movie, 3, params);
	if (res == NULL && bad_data(db)) {
		ans->status = MQ_TMDB_BAD_GATEWAY;
		ans->why = "the database refused TMDb's data";
		return MQ_IMPORT_TMDB;
	}
	if (res == NULL)
		return MQ_IMPORT_DB;
	if (PQgetisnull(res, 0, 0)) {	/* refresh: deleted meanwhile */
		PQclear(res);
		return MQ_IMPORT_GONE;
	}
	*movie_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*created = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	return MQ_IMPORT_OK;
}

enum mq_status mq_tmdb_movie_ensure(struct mq_ctx *c, int64_t tmdb_id, int64_t *movie_id,
				    bool *created, struct mq_tmdb_answer *ans)
{
	switch (mq_tmdb_import(c->db, c->tmdb, c->arena, tmdb_id, false, movie_id, created, ans)) {
	case MQ_IMPORT_OK:
		if (ans->json)	/* written now */
			mq_movies_changed(c, mq_arena_int(c->arena, *movie_id));
		return MQ_OK;
	case MQ_IMPORT_TMDB:
		return mq_tmdb_failure(c, ans, mq_arena_printf(c->arena, mq_tr(c->lang, "TMDb has no movie with id %lld."),
							      (long long)tmdb_id));
	case MQ_IMPORT_DB:
	case MQ_IMPORT_GONE:	/* not without refresh */
		break;
	}
	return mq_db_failure(c);
}

/* TMDb's id of the movie with IMDb id imdb (its find endpoint): 0 when
 * TMDb has none or failed. */
static int64_t tmdb_id_of(struct mq_ctx *c, const char *imdb)
{
	static const char *const params[] = { "external_source", "imdb_id", NULL };
	struct json_object *list, *first, *id;
	struct mq_tmdb_answer ans;

	mq_tmdb_get(c->tmdb, c->arena, mq_arena_printf(c->arena, "/find/%s", imdb), params, &ans);
	if (ans.status != MQ_TMDB_OK || !json_object_object_get_ex(ans.json, "movie_results", &list) ||
	    !json_object_is_type(list, json_type_array) || json_object_array_length(list) == 0)
		return 0;
	first = json_object_array_get_idx(list, 0);
	if (!json_object_is_type(first, json_type_object) ||
	    !json_object_object_get_ex(first, "id", &id) || !json_object_is_type(id, json_type_int) ||
	    json_object_get_int64(id) < 1 || json_object_get_int64(id) > INT32_MAX)
		return 0;
	return json_object_get_int64(id);
}

void mq_tmdb_import_imdb(struct mq_ctx *c, const char *imdb)
{
	struct mq_tmdb_answer ans;
	int64_t tmdb_id, movie_id;
	PGresult *res;
	bool created;

	if (!mq_tmdb_configured(c->tmdb) || strncmp(imdb, "tt", 2) != 0 || strlen(imdb) > 12 ||
	    strspn(imdb + 2, "0123456789") != strlen(imdb) - 2)
		return;
	res = mq_db_q(c, &find_imdb, 1, &imdb);
	if (res == NULL || PQntuples(res) > 0 || (tmdb_id = tmdb_id_of(c, imdb)) == 0)
		return;
	if (mq_tmdb_import(c->db, c->tmdb, c->arena, tmdb_id, false, &movie_id, &created, &ans) ==
		    MQ_IMPORT_OK && ans.json)
		mq_movies_changed(c, mq_arena_int(c->arena, movie_id));
}

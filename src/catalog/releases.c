/*
 * releases.c: release dates and certifications by region (see releases.h).
 */
#include "catalog/releases.h"

#include "core/arena.h"
#include "core/json.h"
#include "core/region.h"
#include "db/db.h"
#include "db/rows.h"

/* a user's own row: read where their last write is */
static struct mq_stmt user_region = MQ_STMT_READ(
	"SELECT region FROM users WHERE id = $1");

/* $1 the movie, $2 the region. */
static struct mq_stmt detail = MQ_STMT_CATALOG(
	"SELECT rr.release_date, rr.certification, coalesce(("
	"  SELECT json_agg(json_build_object('type', array_position(ARRAY['premiere', "
	"    'theatrical_limited', 'theatrical', 'digital', 'physical', 'tv'], d.kind), "
	"    'kind', d.kind, 'date', d.release_date, 'certification', d.certification, "
	"    'note', d.note) ORDER BY d.release_date, d.kind) "
	"  FROM movie_release_dates d WHERE d.movie_id = $1 AND d.region = $2), '[]') AS release_dates "
	"FROM (SELECT) x LEFT JOIN movie_region_releases rr ON rr.movie_id = $1 AND rr.region = $2");

/* $1 the movies (bigint[]), $2 the region: probes of the primary key. */
static struct mq_stmt list = MQ_STMT_CATALOG(
	"SELECT movie_id, release_date, certification FROM movie_region_releases "
	"WHERE movie_id = ANY ($1::bigint[]) AND region = $2");

enum mq_status mq_release_region(struct mq_ctx *c, int64_t user, const char *given,
				 const char **region)
{
	char code[3];
	PGresult *res;

	*region = NULL;
	if (given) {
		if (!mq_region_parse(given, code))
			return mq_fail_field(c, MQ_INVALID, "region",
					     N_("Must be an ISO 3166-1 alpha-2 country code such "
						"as US or FR."), N_("Unknown region."));
		*region = mq_arena_strdup(c->arena, code);
		return MQ_OK;
	}
	if (user == 0)
		return MQ_OK;
	if ((res = mq_db_q(c, &user_region, 1, (const char *[]){ mq_arena_int(c->arena, user) })) == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*region = mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0));
	return MQ_OK;
}

/* {"region", "release_date", "certification"} of row i of res (columns
 * col and col + 1; a NULL date: none known). */
static struct json_object *release(const char *region, PGresult *res, int i, int col)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "region", json_object_new_string(region));
	for (int k = 0; k < 2; k++)
		json_object_object_add(o, k ? "certification" : "release_date",
				       res && !PQgetisnull(res, i, col + k)
				       ? json_object_new_string(PQgetvalue(res, i, col + k)) : NULL);
	return o;
}

enum mq_status mq_movie_add_release(struct mq_ctx *c, struct json_object *movie, const char *id,
				    const char *region)
{
	const char *params[] = { id, region };
	struct json_object *o, *dates, *row;
	PGresult *res;

	if (region == NULL)
		return MQ_OK;
	if ((res = mq_db_q(c, &detail, 2, params)) == NULL)
		return mq_db_failure(c);
	o = release(region, res, 0, 0);
	if ((row = mq_row_owned(c->arena, res)) != NULL &&
	    json_object_object_get_ex(row, "release_dates", &dates))
		json_object_object_add(o, "release_dates", json_object_get(dates));
	else
		json_object_object_add(o, "release_dates", json_object_new_array());
	json_object_object_add(movie, "regional_release", o);
	return MQ_OK;
}

enum mq_status mq_movies_add_releases(struct mq_ctx *c, struct json_object *results,
				      const char *region)
{
	size_t n = results ? json_object_array_length(results) : 0;
	const char *ids = "";
	PGresult *res;

	if (region == NULL || n == 0)
		return MQ_OK;
	for (size_t i = 0; i < n; i++)
		ids = mq_arena_printf(c->arena, "%s%s%lld", ids, i ? "," : "", (long long)json_object_get_int64(
			json_object_object_get(json_object_array_get_idx(results, i), "id")));
	const char *params[] = { mq_arena_printf(c->arena, "{%s}", ids), region };
	if ((res = mq_db_q(c, &list, 2, params)) == NULL)
		return mq_db_failure(c);
	for (size_t i = 0; i < n; i++) {
		struct json_object *movie = json_object_array_get_idx(results, i);
		int64_t id = json_object_get_int64(json_object_object_get(movie, "id"));
		int row = -1;

		for (int k = 0; k < PQntuples(res) && row < 0; k++)
			if (mq_row_int(res, k, 0) == id)
				row = k;
		json_object_object_add(movie, "regional_release",
				       release(region, row < 0 ? NULL : res, row, 1));
	}
	return MQ_OK;
}

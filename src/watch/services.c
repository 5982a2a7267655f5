/*
 * services.c: a user's streaming services (see services.h).
 */
#include "watch/services.h"

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "db/rows.h"
#include "watch/providers.h"

/* $1 user, $2 the logos' base URL, $3 region. */
static struct mq_stmt list = MQ_STMT_READ(
	"SELECT $3::text AS region, coalesce(json_agg(json_build_object('id', p.id, 'name', p.name, "
	"  'logo_url', $2 || p.logo_path) ORDER BY p.name, p.id), '[]') AS providers "
	"FROM user_services s JOIN watch_providers p ON p.id = s.provider_id WHERE s.user_id = $1");

static struct mq_stmt unknown = MQ_STMT_READ(
	"SELECT min(i) FROM unnest($1::int[]) AS i "
	"WHERE NOT EXISTS (SELECT 1 FROM watch_providers p WHERE p.id = i)");

/* Replaces the user's services with $2, in one statement. */
static struct mq_stmt replace = MQ_STMT(
	"WITH gone AS (DELETE FROM user_services WHERE user_id = $1 AND provider_id <> ALL ($2::int[])) "
	"INSERT INTO user_services (user_id, provider_id) SELECT $1, unnest($2::int[]) "
	"ON CONFLICT DO NOTHING");

static struct mq_stmt ids_of = MQ_STMT_READ(
	"SELECT coalesce(array_agg(provider_id ORDER BY provider_id), '{}') FROM user_services "
	"WHERE user_id = $1");

enum mq_status mq_services_list(struct mq_ctx *c, int64_t user, const char *region,
			       struct json_object **out)
{
	const char *params[] = { mq_arena_int(c->arena, user),
				 mq_arena_printf(c->arena, "%sw92", c->cfg->tmdb_image_base_url),
				 region };
	PGresult *res = mq_db_q(c, &list, 3, params);

	if (res == NULL)
		return mq_db_failure(c);
	*out = mq_row_owned(c->arena, res);
	return MQ_OK;
}

/* The first of ids the catalog of providers lacks into *id (NULL: none). */
static enum mq_status first_unknown(struct mq_ctx *c, const char *ids, const char **id)
{
	PGresult *res = mq_db_q(c, &unknown, 1, &ids);

	if (res == NULL)
		return mq_db_failure(c);
	*id = PQgetisnull(res, 0, 0) ? NULL : mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0));
	return MQ_OK;
}

enum mq_status mq_services_set(struct mq_ctx *c, int64_t user, const char *ids)
{
	const char *id;
	enum mq_status st;

	if ((st = first_unknown(c, ids, &id)) != MQ_OK)
		return st;
	if (id && ((st = mq_watch_provider_list(c)) != MQ_OK || (st = first_unknown(c, ids, &id)) != MQ_OK))
		return st;
	if (id)
		return mq_fail_field(c, MQ_INVALID, "providers",
				     mq_arena_printf(c->arena, "No watch provider with id %s.", id),
				     "Unknown watch provider.");
	if (mq_db_q(c, &replace, 2, (const char *[]){ mq_arena_int(c->arena, user), ids }) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

enum mq_status mq_services_ids(struct mq_ctx *c, int64_t user, const char **ids)
{
	PGresult *res = mq_db_q(c, &ids_of, 1, (const char *[]){ mq_arena_int(c->arena, user) });

	if (res == NULL)
		return mq_db_failure(c);
	*ids = mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0));
	return MQ_OK;
}

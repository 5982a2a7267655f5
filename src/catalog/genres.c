/*
 * genres.c: the genres a list is filtered by.
 */
#include "catalog/genres.h"

#include "core/arena.h"
#include "db/db.h"

/* Genre ids and slugs to ids, and the ones that are no genre. */
static struct mq_stmt resolve_genres = MQ_STMT_READ(
	"SELECT (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM genres "
	"        WHERE id = ANY ($1::int[]) OR slug = ANY ($2::text[])), "
	"       (SELECT string_agg(x, ', ') FROM ("
	"          SELECT i::text AS x FROM unnest($1::int[]) i "
	"          WHERE NOT EXISTS (SELECT 1 FROM genres WHERE id = i) "
	"          UNION ALL SELECT s FROM unnest($2::text[]) s "
	"          WHERE NOT EXISTS (SELECT 1 FROM genres WHERE slug = s)) u)");

enum mq_status mq_genres_resolve(struct mq_ctx *c, const char *ids, const char *slugs,
				 const char **resolved, const char **unknown)
{
	const char *params[] = { ids, slugs };
	PGresult *res = mq_db_q(c, &resolve_genres, 2, params);

	if (res == NULL)
		return mq_db_failure(c);
	*resolved = mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0));
	*unknown = PQgetisnull(res, 0, 1) ? NULL : mq_arena_strdup(c->arena, PQgetvalue(res, 0, 1));
	return MQ_OK;
}

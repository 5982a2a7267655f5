/*
 * trending.c: the catalog's own trending: activity in a time window.
 *
 * The activity log (sql/0007_collections.sql) has a row for every rating,
 * favorite, watchlist entry and watch, with its time; a movie's trend is
 * what it gathered in the window (MQ_RECS_TRENDING_SQL), not its lifetime
 * counts, so last year's hit does not trend forever.
 */
#include "recs/serve.h"

#include "db/db.h"
#include "db/rows.h"

static struct mq_stmt trending = MQ_STMT_READ(MQ_RECS_TRENDING_SQL("$1", "$2"));

const char *mq_recs_window_interval(const char *window)
{
	if (strcmp(window, "day") == 0)
		return "1 day";
	if (strcmp(window, "week") == 0)
		return "7 days";
	return NULL;
}

enum mq_status mq_recs_trending(struct mq_ctx *c, const char *window, int max, int64_t **ids,
				size_t *n)
{
	const char *params[] = { mq_recs_window_interval(window), mq_arena_int(c->arena, max) };
	PGresult *res;

	if (params[0] == NULL)
		return mq_fail_with(c, MQ_INVALID, "window", "Must be day or week.");
	if ((res = mq_db_q(c, &trending, 2, params)) == NULL)
		return mq_db_failure(c);
	*n = (size_t)PQntuples(res);
	*ids = mq_arena_alloc(c->arena, (*n + 1) * sizeof(**ids));
	for (size_t k = 0; k < *n; k++)
		(*ids)[k] = mq_row_int(res, (int)k, 0);
	return MQ_OK;
}

/*
 * rollup.c: the days to roll, each in its transaction; the partitions.
 */
#include "analytics/rollup.h"

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"

static struct mq_stmt days_due = MQ_STMT_READ(
	"SELECT d::text FROM analytics_days_due($1::interval) d");

static struct mq_stmt days_between = MQ_STMT_READ(
	"SELECT g::date::text FROM generate_series($1::date, $2::date, interval '1 day') g");

static struct mq_stmt rollup_day = MQ_STMT(
	"SELECT analytics_rollup_day($1::date)");

static struct mq_stmt partitions = MQ_STMT(
	"SELECT array_to_string(created, ' '), array_to_string(dropped, ' ') "
	"FROM analytics_partitions($1, $2::interval)");

/* Rolls day d in a transaction of its own. */
static enum mq_status roll(struct mq_ctx *c, const char *day, struct mq_rollup_run *run)
{
	PGresult *res;

	if (mq_db_begin(c->db) < 0 || (res = mq_db_q(c, &rollup_day, 1, &day)) == NULL)
		return mq_db_failure(c);
	if (mq_db_commit(c->db) < 0)
		return mq_db_failure(c);
	if (PQgetisnull(res, 0, 0)) {
		run->skipped++;
		return MQ_OK;
	}
	run->days++;
	run->events += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	return MQ_OK;
}

enum mq_status mq_analytics_rollup(struct mq_ctx *c, struct mq_rollup_run *run)
{
	const char *margin = mq_arena_printf(c->arena, "%d milliseconds",
					     c->cfg->analytics_rollup_margin_ms);
	const char *range[] = { run->from, run->to };
	enum mq_status st = MQ_OK;
	PGresult *days;
	char **list;
	int n;

	days = run->from ? mq_db_q(c, &days_between, 2, range) : mq_db_q(c, &days_due, 1, &margin);
	if (days == NULL)
		return mq_db_failure(c);
	/* the list outlives the arena's resets */
	n = PQntuples(days);
	list = mq_xcalloc((size_t)n + 1, sizeof(*list));
	for (int i = 0; i < n; i++)
		list[i] = mq_xstrdup(PQgetvalue(days, i, 0));
	for (int i = 0; i < n && st == MQ_OK; i++) {
		mq_arena_reset(c->arena);
		st = roll(c, list[i], run);
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return st;
}

enum mq_status mq_analytics_partitions(struct mq_ctx *c, const char **created, const char **dropped)
{
	const char *params[] = {
		mq_arena_int(c->arena, c->cfg->analytics_months_ahead),
		mq_arena_printf(c->arena, "%lld milliseconds",
				(long long)c->cfg->analytics_retention_ms),
	};
	PGresult *res = mq_db_q(c, &partitions, 2, params);

	if (res == NULL)
		return mq_db_failure(c);
	*created = PQgetvalue(res, 0, 0);
	*dropped = PQgetvalue(res, 0, 1);
	return MQ_OK;
}

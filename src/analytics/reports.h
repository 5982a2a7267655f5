/*
 * reports.h: the admin reports of analytics, read from the daily rollups
 * (GET /api/admin/analytics/{name}/, `marquee analytics report`).
 *
 * A report is one or more sections, each a table (a result whose
 * columns are named as the API shows them).  Every report reads the days
 * from..to (UTC, both included); a report with series counts by
 * interval (day, week, month), widening from and to to whole periods;
 * rankings show their first limit rows.
 */
#ifndef MQ_ANALYTICS_REPORTS_H
#define MQ_ANALYTICS_REPORTS_H

#include <libpq-fe.h>

#include "core/ctx.h"

#define MQ_REPORT_SECTIONS_MAX 3

struct mq_report_query {
	const char *from;	/* YYYY-MM-DD */
	const char *to;
	const char *interval;	/* "day", "week" or "month" */
	int limit;		/* 1..1000 */
};

struct mq_report {
	const char *name;
	int sections;
	const char *section[MQ_REPORT_SECTIONS_MAX];	/* their names */
	PGresult *res[MQ_REPORT_SECTIONS_MAX];		/* in c's arena */
};

/* The name of report i (0, 1, ... in the order they are listed), NULL
 * past the last. */
const char *mq_report_name(size_t i);

/* Runs the report called name for q into *out.  MQ_NOT_FOUND for no such
 * report; otherwise MQ_OK or the database's failure. */
enum mq_status mq_analytics_report(struct mq_ctx *c, const char *name,
				   const struct mq_report_query *q, struct mq_report *out);

/* The statistics of one user's own (GET /api/users/me/stats/): films
 * watched and rated in each of the last twelve months, hours watched,
 * favourite genres, the histogram of their ratings; one row, one jsonb
 * column "stats", in c's arena.  MQ_OK or the database's failure. */
enum mq_status mq_analytics_user_stats(struct mq_ctx *c, int64_t user_id, PGresult **out);

#endif

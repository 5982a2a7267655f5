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

/* The statistics of one user's own, of all time (year 0: GET
 * /api/users/me/stats/) or of one UTC year (GET
 * /api/users/me/year-in-review/): films watched and rated, hours
 * watched, favourite genres, top-rated films, the histogram of their
 * ratings, and films watched and rated in each month (the last twelve;
 * the year's), with {year} for a year; one row, one jsonb column "stats",
 * in c's arena.  MQ_OK or the database's failure. */
enum mq_status mq_analytics_user_stats(struct mq_ctx *c, int64_t user_id, int year,
				       PGresult **out);

#endif

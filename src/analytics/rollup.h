/*
 * rollup.h: the daily rollups of events, and the events' partitions
 * (`marquee analytics rollup|partitions`, run by
 * marquee-analytics-rollup.timer).
 *
 * A day is rolled up in one transaction of its own
 * (analytics_rollup_day() in sql/0014_analytics.sql replaces all its
 * rows with a recount), so a run killed midway leaves whole days, and a
 * day rolled twice is the same.  An incremental run rolls the days not
 * yet final (analytics_days_due(): from the first never rolled, or rolled
 * before its end and [analytics] rollup_margin, to today); a backfill
 * rolls from..to, except the days whose raw events are gone.
 */
#ifndef MQ_ANALYTICS_ROLLUP_H
#define MQ_ANALYTICS_ROLLUP_H

#include "core/ctx.h"

struct mq_rollup_run {
	const char *from;	/* YYYY-MM-DD, both or neither: NULL for the days due */
	const char *to;
	int64_t days;		/* rolled by this run */
	int64_t events;		/* in those days */
	int64_t skipped;	/* days whose events are gone (retention) */
};

/* Rolls up the run's days, oldest first, one transaction each (c's
 * arena is reset after each); the counts say how far it got, also on
 * failure.  MQ_OK or the database's failure. */
enum mq_status mq_analytics_rollup(struct mq_ctx *c, struct mq_rollup_run *run);

/* Makes the events' partitions of this month and the [analytics]
 * months_ahead after it, moves into them what the default partition
 * holds of their months, and drops those wholly older than [analytics]
 * retention.  c must be connected as the database's owner.  *created and
 * *dropped: the partitions' names, space-separated ("" for none), in c's
 * arena.  MQ_OK or the database's failure. */
enum mq_status mq_analytics_partitions(struct mq_ctx *c, const char **created, const char **dropped);

#endif

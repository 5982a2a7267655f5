/*
 * analytics.c: `marquee analytics partitions | rollup [--from D --to D] |
 * report [--from D] [--to D] [--interval I] [--limit N] [NAME...]`.
 *
 * partitions and rollup are what marquee-analytics-rollup.timer runs
 * (nightly, partitions as the database's owner first); report prints
 * the admin reports (analytics/reports.h) as tables.
 */
#include "core/common.h"

#include <getopt.h>
#include <time.h>

#include "analytics/events.h"
#include "analytics/reports.h"
#include "analytics/rollup.h"
#include "analytics/table.h"
#include "cli/cli.h"
#include "core/config.h"
#include "db/db.h"

#define CMD "analytics"

static int usage(void)
{
	fprintf(stderr, "usage: marquee analytics partitions\n"
			"       marquee analytics rollup [--from YYYY-MM-DD --to YYYY-MM-DD]\n"
			"       marquee analytics report [--from YYYY-MM-DD] [--to YYYY-MM-DD] "
			"[--interval day|week|month] [--limit N] [REPORT...]\n");
	return 2;
}

static bool date_ok(const char *s)
{
	int y, m, d;
	char end;

	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 && y >= 1970 &&
	       m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static int finish(struct mq_ctx *c, enum mq_status st)
{
	int rc = st == MQ_OK ? 0 : mq_cli_fail(CMD, c, st);

	mq_cli_ctx_free(c);
	return rc;
}

static int partitions(struct mq_config *cfg)
{
	struct mq_ctx *c = mq_cli_ctx_new(cfg, "marquee analytics", false);
	const char *made, *dropped;
	enum mq_status st;
	int64_t forgotten;

	/* DDL: the owner's */
	mq_db_free(c->db);
	c->db = mq_db_new_owner(cfg, "marquee analytics");
	if ((st = mq_analytics_partitions(c, &made, &dropped)) == MQ_OK)
		printf("partitions made: %s\npartitions dropped: %s\n", *made ? made : "none",
		       *dropped ? dropped : "none");
	/* and the client batches' ids past remembering */
	if (st == MQ_OK && (st = mq_analytics_forget_batches(c, &forgotten)) == MQ_OK)
		printf("batch ids forgotten: %lld\n", (long long)forgotten);
	return finish(c, st);
}

static int rollup(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "from", required_argument, NULL, 'f' },
					      { "to", required_argument, NULL, 't' },
					      { NULL, 0, NULL, 0 } };
	struct mq_rollup_run run = { 0 };
	struct mq_ctx *c;
	enum mq_status st;
	int opt;

	while ((opt = getopt_long(argc, argv, "f:t:", opts, NULL)) != -1) {
		if ((opt != 'f' && opt != 't') || !date_ok(optarg))
			return usage();
		*(opt == 'f' ? &run.from : &run.to) = optarg;
	}
	if (optind != argc || (run.from == NULL) != (run.to == NULL) ||
	    (run.from && strcmp(run.from, run.to) > 0))
		return usage();
	c = mq_cli_ctx_new(cfg, "marquee analytics", false);
	st = mq_analytics_rollup(c, &run);
	printf("%lld days rolled up, %lld events; %lld days skipped (their events are gone)\n",
	       (long long)run.days, (long long)run.events, (long long)run.skipped);
	return finish(c, st);
}

static const char *today(int days)
{
	static char buf[2][16];
	static int n;
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	n = (n + 1) % 2;
	strftime(buf[n], sizeof(buf[n]), "%Y-%m-%d", &tm);
	return buf[n];
}

static int report(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "from", required_argument, NULL, 'f' },
					      { "to", required_argument, NULL, 't' },
					      { "interval", required_argument, NULL, 'i' },
					      { "limit", required_argument, NULL, 'l' },
					      { NULL, 0, NULL, 0 } };
	struct mq_report_query q = { .from = today(-29), .to = today(0), .interval = "day",
				     .limit = 10 };
	enum mq_status st = MQ_OK;
	struct mq_report rep;
	struct mq_ctx *c;
	int64_t n;
	int opt;

	while ((opt = getopt_long(argc, argv, "f:t:i:l:", opts, NULL)) != -1) {
		if (opt == 'f' && date_ok(optarg))
			q.from = optarg;
		else if (opt == 't' && date_ok(optarg))
			q.to = optarg;
		else if (opt == 'i' && (!strcmp(optarg, "day") || !strcmp(optarg, "week") ||
					!strcmp(optarg, "month")))
			q.interval = optarg;
		else if (opt == 'l' && mq_parse_int64(optarg, 1, 1000, &n) == 0)
			q.limit = (int)n;
		else
			return usage();
	}
	if (strcmp(q.from, q.to) > 0)
		return usage();
	c = mq_cli_ctx_new(cfg, "marquee analytics", false);
	for (int k = 0; st == MQ_OK; k++) {
		/* the reports named, or every one */
		const char *name = optind < argc ? (optind + k < argc ? argv[optind + k] : NULL)
						 : mq_report_name((size_t)k);

		if (name == NULL || (st = mq_analytics_report(c, name, &q, &rep)) != MQ_OK)
			break;
		for (int i = 0; i < rep.sections; i++) {
			printf("== %s: %s, %s to %s (by %s) ==\n", rep.name, rep.section[i], q.from,
			       q.to, q.interval);
			mq_table_print(stdout, rep.res[i]);
			printf("\n");
		}
	}
	return finish(c, st);
}

int mq_cli_analytics(struct mq_config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage();
	optind = 2;
	if (strcmp(argv[1], "partitions") == 0)
		return argc == 2 ? partitions(cfg) : usage();
	if (strcmp(argv[1], "rollup") == 0)
		return rollup(cfg, argc, argv);
	if (strcmp(argv[1], "report") == 0)
		return report(cfg, argc, argv);
	return usage();
}

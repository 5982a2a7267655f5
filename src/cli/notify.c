/*
 * notify.c: `marquee notify digest [--week YYYY-Www]`: this week's
 * digest of recommendations for every user without one (notify/digest.h);
 * marquee-notify-digest.timer runs it weekly.  Run again, or after being
 * killed, it makes only the ones missing.
 */
#include "core/common.h"

#include <getopt.h>

#include "cli/cli.h"
#include "core/config.h"
#include "notify/digest.h"

#define CMD "notify"

static int usage(void)
{
	fprintf(stderr, "usage: marquee notify digest [--week YYYY-Www]\n");
	return 2;
}

static bool week_ok(const char *w)
{
	int year, week;
	char end;

	return strlen(w) == 8 && sscanf(w, "%4d-W%2d%c", &year, &week, &end) == 2 && year >= 2000 &&
	       week >= 1 && week <= 53;
}

int mq_cli_notify(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "week", required_argument, NULL, 'w' },
					      { NULL, 0, NULL, 0 } };
	struct mq_digest_run run = { .week = "" };
	struct mq_ctx *c;
	enum mq_status st;
	int opt;

	if (argc < 2 || strcmp(argv[1], "digest") != 0)
		return usage();
	optind = 2;
	while ((opt = getopt_long(argc, argv, "w:", opts, NULL)) != -1) {
		if (opt != 'w' || !week_ok(optarg))
			return usage();
		mq_strlcpy(run.week, optarg, sizeof(run.week));
	}
	if (optind != argc)
		return usage();
	c = mq_cli_ctx_new(cfg, "marquee notify", false);
	st = mq_digest(c, &run);
	printf("week %s: %lld digests made, %lld users without one looked at\n",
	       run.week[0] ? run.week : "?", (long long)run.made, (long long)run.users);
	if (st != MQ_OK) {
		mq_cli_fail(CMD, c, st);
		mq_cli_ctx_free(c);
		return 1;
	}
	mq_cli_ctx_free(c);
	return 0;
}

/*
 * ratings.c: `marquee ratings refresh [--batch N]`: the average rating
 * the movie lists filter and order on brought up to date with the movies'
 * exact statistics (catalog/ratings_listed.h), N movies a transaction
 * (1,000).  Run every minute by marquee-ratings-refresh.timer; a run
 * with nothing to do reads movie_stats once (about 40 ms at 100,000
 * movies).
 */
#include "core/common.h"

#include <getopt.h>

#include "catalog/ratings_listed.h"
#include "cli/cli.h"
#include "core/config.h"

#define CMD "ratings"

static int usage(void)
{
	fprintf(stderr, "usage: marquee ratings refresh [--batch N]\n");
	return 2;
}

int mq_cli_ratings(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "batch", required_argument, NULL, 'b' },
					      { NULL, 0, NULL, 0 } };
	int64_t batch = 1000, listed = 0;
	struct mq_ctx *c;
	enum mq_status st;
	int opt, rc;

	if (argc < 2 || strcmp(argv[1], "refresh") != 0)
		return usage();
	optind = 2;
	while ((opt = getopt_long(argc, argv, "b:", opts, NULL)) != -1)
		if (opt != 'b' || mq_parse_int64(optarg, 1, 100000, &batch) < 0)
			return usage();
	if (optind != argc)
		return usage();
	c = mq_cli_ctx_new(cfg, "marquee ratings", false);
	st = mq_ratings_list(c, (int)batch, &listed);
	printf("%lld movies' listed ratings brought up to date\n", (long long)listed);
	rc = st == MQ_OK ? 0 : mq_cli_fail(CMD, c, st);
	mq_cli_ctx_free(c);
	return rc;
}

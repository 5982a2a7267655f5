/*
 * recs.c: `marquee recs train|eval|status`.
 *
 *   train   read the signals from PostgreSQL, fit the models, publish them
 *           as a new version (recs/publish.h); the old version serves
 *           until the new one is committed, and keeps serving when a run
 *           fails or is killed
 *   eval    the offline protocol of recs/eval.h on a MovieLens file; needs
 *           no database, no configuration
 *   status  the active version: its age, sizes, training metrics; the
 *           last runs
 */
#include "core/common.h"

#include <getopt.h>

#include "cli/cli.h"
#include "cli/recs.h"
#include "core/config.h"
#include "db/db.h"
#include "recs/eval.h"
#include "recs/linalg.h"
#include "recs/ratings_file.h"

#define MAX_MODELS 32

int mq_cli_recs_usage(void)
{
	fprintf(stderr,
		"usage: marquee recs train [--threads N] [--quiet]\n"
		"       marquee recs eval --ratings FILE [--folds N | --test FILE] [--seed N]\n"
		"                         [--models LIST] [--k N] [--factors N] [--threads N]\n"
		"       marquee recs status\n");
	return 2;
}

/* A positive whole number of an option, or -1 after saying why. */
static long long option_int(const char *name, const char *v, long long min, long long max)
{
	int64_t n;

	if (mq_parse_int64(v, min, max, &n) < 0) {
		mq_cli_error("recs", "--%s: expected a whole number from %lld to %lld", name, min, max);
		return -1;
	}
	return n;
}

/* Splits "a,b,c" into names (pointing into list, which is cut up). */
static int split_models(char *list, const char **names, int max)
{
	int n = 0;

	for (char *p = list, *comma; p && *p; p = comma ? comma + 1 : NULL) {
		if ((comma = strchr(p, ',')))
			*comma = '\0';
		if (n == max - 1)
			return -1;
		names[n++] = p;
	}
	names[n] = NULL;
	return n;
}

static void list_models(FILE *out)
{
	fprintf(out, "models:");
	for (size_t i = 0; mq_recs_algos[i]; i++)
		fprintf(out, " %s", mq_recs_algos[i]->name);
	fprintf(out, "\n");
}

static int eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ratings", required_argument, NULL, 'r' }, { "test", required_argument, NULL, 't' },
		{ "folds", required_argument, NULL, 'f' },   { "seed", required_argument, NULL, 's' },
		{ "models", required_argument, NULL, 'm' },  { "k", required_argument, NULL, 'k' },
		{ "factors", required_argument, NULL, 'F' }, { "threads", required_argument, NULL, 'T' },
		{ "neighbors", required_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },	     { NULL, 0, NULL, 0 },
	};
	struct mq_recs_eval_opts o = {
		.folds = 5, .k = 10, .relevant_min = 4.0, .model = { .seed = 1 }, .progress = true,
	};
	const char *ratings = NULL, *test = NULL, *names[MAX_MODELS];
	struct mq_recs_data d = { 0 };
	long long v;
	char err[512];
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ratings = optarg; break;
		case 't': test = optarg; break;
		case 'f':
			if ((v = option_int("folds", optarg, 2, 100)) < 0)
				return 2;
			o.folds = (int)v;
			break;
		case 's':
			if ((v = option_int("seed", optarg, 0, INT64_MAX)) < 0)
				return 2;
			o.model.seed = (uint64_t)v;
			break;
		case 'm':
			if (split_models(optarg, names, MAX_MODELS) <= 0)
				return mq_cli_recs_usage();
			o.models = names;
			break;
		case 'k':
			if ((v = option_int("k", optarg, 1, 1000)) < 0)
				return 2;
			o.k = (size_t)v;
			break;
		case 'F':
			if ((v = option_int("factors", optarg, 1, 1000)) < 0)
				return 2;
			o.model.factors = (int)v;
			break;
		case 'N':
			if ((v = option_int("neighbors", optarg, 1, 100000)) < 0)
				return 2;
			o.model.neighbors = (int)v;
			break;
		case 'T':
			if ((v = option_int("threads", optarg, 1, 256)) < 0)
				return 2;
			o.model.threads = (int)v;
			break;
		case 'q': o.progress = false; o.model.quiet = true; break;
		default: return mq_cli_recs_usage();
		}
	}
	if (ratings == NULL || optind != argc)
		return mq_cli_recs_usage();
	mq_recs_threads(o.model.threads);
	if (mq_recs_ratings_read(&d, ratings, err, sizeof(err)) < 0)
		goto fail;
	o.ntrain = d.n;
	if (test && (o.test_set = true) && mq_recs_ratings_read(&d, test, err, sizeof(err)) < 0)
		goto fail;
	if (o.ntrain == 0 || (test && d.n == o.ntrain)) {
		snprintf(err, sizeof(err), "%s: no ratings", o.ntrain ? test : ratings);
		goto fail;
	}
	if (o.progress)
		fprintf(stderr, "%zu ratings, %u users, %u items; %s\n", d.n, d.users.n, d.items.n,
			test ? "a given test set" : "folds");
	if (mq_recs_eval(&d, &o, stdout, err, sizeof(err)) < 0) {
		mq_cli_error("recs eval", "%s", err);
		list_models(stderr);
		mq_recs_data_free(&d);
		return 2;
	}
	rc = 0;
	goto out;
fail:
	mq_cli_error("recs eval", "%s", err);
out:
	mq_recs_data_free(&d);
	return rc;
}

/* A duration in words: "3h 5m". */
static void print_age(double secs)
{
	long s = (long)secs;

	if (s >= 86400)
		printf("%ldd %ldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		printf("%ldh %ldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		printf("%ldm %lds", s / 60, s % 60);
	else
		printf("%lds", s);
}

static int status(struct mq_config *cfg, int argc, char **argv)
{
	struct mq_ctx *c;
	PGconn *conn;
	PGresult *res;
	int rc = 1;

	if (argc != 1)
		return mq_cli_recs_usage();
	c = mq_cli_ctx_new(cfg, "marquee recs status", false);
	if (mq_db_connect(c->db) < 0) {
		mq_cli_error("recs status", "%s", mq_db_error(c->db));
		goto out;
	}
	conn = mq_db_conn(c->db);
	res = PQexec(conn,
		"SELECT v.id, rfc3339(v.published_at), extract(epoch FROM now() - v.published_at), "
		"  v.metrics, pg_size_pretty(pg_total_relation_size('recs_items')), "
		"  pg_size_pretty(pg_total_relation_size('recs_features')), "
		"  (SELECT count(*) FROM recs_items i WHERE i.version = v.id) "
		"FROM recs_active a JOIN recs_versions v ON v.id = a.version");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		mq_cli_error("recs status", "%s", PQresultErrorMessage(res));
		PQclear(res);
		goto out;
	}
	if (PQntuples(res) == 0) {
		printf("no active version: run marquee recs train (until then recommendations are "
		       "the popular and trending movies)\n");
	} else {
		printf("active version %s, published %s (", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
		print_age(strtod(PQgetvalue(res, 0, 2), NULL));
		printf(" ago)\n  %s rows; tables: recs_items %s, recs_features %s (every kept "
		       "version)\n  metrics: %s\n", PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 4),
		       PQgetvalue(res, 0, 5), PQgetvalue(res, 0, 3));
	}
	PQclear(res);
	res = PQexec(conn, "SELECT id, status, rfc3339(started_at), coalesce(rfc3339(published_at), '-'), "
		     "coalesce(error, '') FROM recs_versions ORDER BY id DESC LIMIT 10");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
		printf("\nruns (newest first):\n  %-8s %-9s %-21s %-21s %s\n", "version", "status",
		       "started", "published", "error");
		for (int i = 0; i < PQntuples(res); i++)
			printf("  %-8s %-9s %-21s %-21s %s\n", PQgetvalue(res, i, 0),
			       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			       PQgetvalue(res, i, 4));
	}
	PQclear(res);
	rc = 0;
out:
	mq_cli_ctx_free(c);
	return rc;
}

int mq_cli_recs(struct mq_config *cfg, int argc, char **argv)
{
	struct mq_config *own = NULL;
	char err[512];
	int rc;

	if (argc < 2)
		return mq_cli_recs_usage();
	optind = 1;
	if (strcmp(argv[1], "eval") == 0)
		return eval(argc - 1, argv + 1);
	if (strcmp(argv[1], "train") != 0 && strcmp(argv[1], "status") != 0)
		return mq_cli_recs_usage();
	/* eval needs no configuration; these need the database's */
	if (cfg->path == NULL) {
		if ((own = mq_config_load(mq_config_default_path(), err, sizeof(err))) == NULL) {
			mq_cli_error("recs", "%s", err);
			return 1;
		}
		cfg = own;
	}
	rc = strcmp(argv[1], "train") == 0 ? mq_cli_recs_train(cfg, argc - 1, argv + 1)
					   : status(cfg, argc - 1, argv + 1);
	mq_config_free(own);
	return rc;
}

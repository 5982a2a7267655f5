/*
 * main.c: `marquee`, the admin tool: migrations, status, and the jobs that
 * systemd runs.
 */
#include "core/common.h"

#include <getopt.h>
#include <sodium.h>
#include <stdarg.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"

static const struct command {
	const char *name;
	int (*run)(struct mq_config *cfg, int argc, char **argv);
	bool needs_config;	/* false: built-in defaults unless -c is given */
	const char *help;
} commands[] = {
	{ "migrate", mq_cli_migrate, true, "apply the SQL migrations not yet applied (--status: list them)" },
	{ "status", mq_cli_status, true, "show the worker pool's scoreboard" },
	{ "routes", mq_cli_routes, false, "list every route: method, path, least role, flags" },
	{ "user", mq_cli_user, true, "create an account: user create|create-admin --username --email" },
	{ "outbox", mq_cli_outbox, true, "send the queued email and notifications, and keep sending (a long-running job)" },
	{ "payments", mq_cli_payments, true, "payments work processes the gateway's webhooks; payments sync reconciles with the gateway" },
	{ "notify", mq_cli_notify, true, "notifications: notify digest makes this week's digests" },
	{ "analytics", mq_cli_analytics, true, "analytics: partitions, rollup [--from --to], report" },
	{ "demo-data", mq_cli_demo_data, true, "load the demo catalog: curated films and N generated ones" },
	{ "import", mq_cli_import, true, "import a catalog: import movielens DIR | import tmdb ...; a user's export: import user USER FILE" },
	{ "watch", mq_cli_watch, true, "where to watch: watch refresh asks TMDb again about providers and release dates" },
	{ "ratings", mq_cli_ratings, true, "ratings refresh brings the average the movie lists order on up to date (every minute)" },
	{ "portability", mq_cli_portability, true, "portability work runs users' imports and exports (a long-running job)" },
	{ "recs", mq_cli_recs, false, "recommendations: recs train | recs eval --ratings FILE | recs status" },
};

void mq_cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "marquee %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool mq_cli_exec(const char *cmd, PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		mq_cli_error(cmd, "%s", PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: marquee [-c FILE] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < MQ_ARRAY_LEN(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n  -c, --config FILE   configuration file (default: %s)\n",
		mq_config_default_path());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	struct mq_config *cfg;
	char err[512];
	int c, rc;

	/* '+': stop at the subcommand; its options are its own. */
	while ((c = getopt_long(argc, argv, "+c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'V': printf("marquee %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < MQ_ARRAY_LEN(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (sodium_init() < 0)
			return 1;
		if (path == NULL && commands[i].needs_config)
			path = mq_config_default_path();
		cfg = mq_config_load(path, err, sizeof(err));
		if (cfg == NULL) {
			fprintf(stderr, "marquee: %s\n", err);
			return 1;
		}
		mq_log_setup((enum mq_log_level)cfg->log_level, commands[i].name, -1);
		optind++;
		rc = commands[i].run(cfg, argc - optind + 1, argv + optind - 1);
		mq_config_free(cfg);
		return rc;
	}
	fprintf(stderr, "marquee: unknown command %s\n\n", argv[optind]);
	usage(stderr);
	return 2;
}

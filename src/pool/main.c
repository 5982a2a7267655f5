/*
 * main.c: marquee-fcgi, the FastCGI pool.
 */
#include "core/common.h"

#include <getopt.h>
#include <sodium.h>

#include "core/config.h"
#include "core/log.h"
#include "http/router.h"
#include "http/routes.h"
#include "pool/master.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: marquee-fcgi [-c FILE] [--check-config] [--version]\n"
		"\n"
		"  -c, --config FILE   configuration file (default: %s)\n"
		"  -t, --check-config  check the configuration and the route table, print\n"
		"                      the effective settings (secrets redacted) and exit\n"
		"  -V, --version       print the version and exit\n"
		"\n"
		"Signals: TERM or INT stop gracefully, HUP reloads the configuration.\n",
		mq_config_default_path());
}

static int check_config(struct mq_config *cfg)
{
	char err[512];
	struct mq_router *rt = mq_router_new(mq_routes, mq_routes_count, err, sizeof(err));

	if (rt == NULL) {
		fprintf(stderr, "marquee-fcgi: route table: %s\n", err);
		return 1;
	}
	mq_router_free(rt);
	if (mq_config_warning(cfg))
		fprintf(stderr, "marquee-fcgi: warning: %s\n", mq_config_warning(cfg));
	mq_config_dump(cfg, stdout);
	printf("\n# configuration OK (%zu routes)\n", mq_routes_count);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool check = false;
	struct mq_config *cfg;
	char err[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:tVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 't': check = true; break;
		case 'V': printf("marquee-fcgi %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "marquee-fcgi: libsodium failed to initialise\n");
		return 1;
	}
	if (path == NULL)
		path = mq_config_default_path();
	cfg = mq_config_load(path, err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "marquee-fcgi: %s\n", err);
		return 1;
	}
	if (mq_master_check_config(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "marquee-fcgi: %s\n", err);
		mq_config_free(cfg);
		return 1;
	}
	if (check) {
		rc = check_config(cfg);
		mq_config_free(cfg);
		return rc;
	}
	return mq_master_run(path, cfg);
}

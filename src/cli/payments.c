/*
 * payments.c: `marquee payments work [--once]` processes the gateway's
 * webhooks after their commit, and keeps doing so (a long-running job:
 * marquee-payments.service); `marquee payments sync` reconciles every
 * open checkout and every subscription that is not over with the gateway
 * (marquee-payments-sync.timer, hourly), so that a lost webhook is
 * repaired within the hour.
 *
 * The work job sleeps until an event is due or a webhook commits one
 * (LISTEN marquee_payments; the webhook's INSERT sends NOTIFY).
 */
#include "core/common.h"

#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "integrations/payments.h"
#include "payments/events.h"
#include "payments/sync.h"

#define CMD "payments"
#define BATCH 20
#define IDLE_WAIT_MS 30000
#define DOWN_WAIT_MS 1000

static int usage(void)
{
	fprintf(stderr, "usage: marquee payments work [--once] | marquee payments sync\n");
	return 2;
}

/* Processes what is due; false when the database failed. */
static bool drain(struct mq_ctx *c, bool *stop)
{
	struct mq_pay *g;
	enum mq_status st;
	int64_t n;

	do {
		mq_arena_reset(c->arena);
		c->err = (struct mq_error){ 0 };
		if ((g = mq_pay_open(c)) == NULL)
			return false;
		st = mq_events_process(c, g, BATCH, &n);
	} while (st == MQ_OK && n > 0 && !*stop);
	if (st != MQ_OK)
		mq_log_warn("payments: %s", c->err.detail ? c->err.detail : "the database failed");
	return st == MQ_OK;
}

static int work(struct mq_ctx *c, bool once)
{
	uint64_t listening = 0;
	bool stop = false;
	int sigfd = mq_cli_signalfd();
	int64_t next;

	if (sigfd < 0) {
		mq_cli_error(CMD, "signals: %s", strerror(errno));
		return 1;
	}
	mq_log_info("processing the payment gateway's events from %s", c->cfg->pay_base_url);
	while (!stop) {
		bool ok;

		mq_cli_listen(c, "marquee_payments", &listening);
		ok = drain(c, &stop);
		if (once) {
			close(sigfd);
			return ok ? 0 : 1;
		}
		next = ok ? mq_events_next_ms(c) : -2;
		mq_cli_wait(c, sigfd, next == -2 ? DOWN_WAIT_MS
				    : next < 0 || next > IDLE_WAIT_MS ? IDLE_WAIT_MS : (int)next + 1,
			    &stop);
	}
	close(sigfd);
	mq_log_info("stopping");
	return 0;
}

int mq_cli_payments(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "once", no_argument, NULL, 'o' },
					      { NULL, 0, NULL, 0 } };
	struct mq_ctx *c;
	bool once = false;
	int opt, rc;

	if (argc < 2 || (strcmp(argv[1], "work") != 0 && strcmp(argv[1], "sync") != 0))
		return usage();
	optind = 2;
	while ((opt = getopt_long(argc, argv, "o", opts, NULL)) != -1) {
		if (opt != 'o' || strcmp(argv[1], "work") != 0)
			return usage();
		once = true;
	}
	if (optind != argc)
		return usage();
	char err[512];
	if (!mq_pay_configured(cfg) || mq_pay_check_config(cfg, err, sizeof(err)) < 0) {
		mq_cli_error(CMD, "%s", mq_pay_configured(cfg) ? err : "[payments] secret_key_file is not set");
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	c = mq_cli_ctx_new(cfg, "marquee-payments", false);
	if (strcmp(argv[1], "work") == 0) {
		rc = work(c, once);
	} else {
		int64_t synced, failed;
		enum mq_status st = mq_sync_all(c, &synced, &failed);

		printf("%lld synced, %lld failed\n", (long long)synced, (long long)failed);
		rc = st != MQ_OK ? mq_cli_fail(CMD, c, st) : failed > 0 ? 1 : 0;
	}
	mq_cli_ctx_free(c);
	curl_global_cleanup();
	return rc;
}

/*
 * ctx.c: a subcommand's services, as domain code takes them.
 */
#include "cli/cli.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/i18n.h"
#include "db/db.h"
#include "integrations/tmdb.h"

struct mq_ctx *mq_cli_ctx_new(const struct mq_config *cfg, const char *app, bool tmdb)
{
	struct mq_ctx *c = mq_xcalloc(1, sizeof(*c));

	c->cfg = cfg;
	c->db = mq_db_new(cfg, app);
	c->cache = mq_cache_new(cfg);
	c->tmdb = tmdb ? mq_tmdb_new(cfg, c->cache) : NULL;
	c->arena = mq_arena_new(0);
	/* links a job writes (media URLs) are made from public_url */
	c->origin = *cfg->public_url ? cfg->public_url : "http://localhost";
	c->request_id = app;
	c->client = "cli";
	/* mail (the outbox, the digest) is written in each user's language */
	mq_i18n_init(cfg->localedir);
	return c;
}

void mq_cli_ctx_free(struct mq_ctx *c)
{
	if (c == NULL)
		return;
	mq_arena_destroy(c->arena);
	mq_tmdb_free(c->tmdb);
	mq_cache_free(c->cache);
	mq_db_free(c->db);
	free(c);
}

int mq_cli_fail(const char *cmd, const struct mq_ctx *c, enum mq_status st)
{
	const char *detail = c->err.status == st && c->err.detail ? c->err.detail
								  : mq_db_error(c->db);

	mq_cli_error(cmd, "%s", detail);
	return 1;
}

int mq_cli_signalfd(void)
{
	sigset_t set;

	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

void mq_cli_throttle(uint64_t *last_ns, uint64_t interval_ns)
{
	uint64_t now = mq_now_mono_ns(), next = *last_ns + interval_ns;

	if (*last_ns && now < next) {
		struct timespec ts = { (time_t)((next - now) / 1000000000u),
				       (long)((next - now) % 1000000000u) };

		nanosleep(&ts, NULL);
	}
	*last_ns = mq_now_mono_ns();
}

void mq_cli_listen(struct mq_ctx *c, const char *channel, uint64_t *listening)
{
	PGconn *conn = mq_db_conn(c->db);
	char sql[128];

	if (conn == NULL || *listening == mq_db_generation(c->db))
		return;
	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	PQclear(PQexec(conn, sql));
	*listening = mq_db_generation(c->db);
}

void mq_cli_wait(struct mq_ctx *c, int sigfd, int timeout_ms, bool *stop)
{
	PGconn *conn = mq_db_conn(c->db);
	struct pollfd p[2] = { { .fd = sigfd, .events = POLLIN },
			       { .fd = conn ? PQsocket(conn) : -1, .events = POLLIN } };
	struct signalfd_siginfo si;
	PGnotify *n;

	if (poll(p, conn ? 2 : 1, timeout_ms) <= 0)
		return;
	while ((p[0].revents & POLLIN) && read(sigfd, &si, sizeof(si)) == sizeof(si))
		*stop = true;
	if (conn && (p[1].revents & POLLIN)) {
		PQconsumeInput(conn);
		while ((n = PQnotifies(conn)) != NULL)
			PQfreemem(n);
	}
}

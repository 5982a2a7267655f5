/*
 * worker.c: the request loop.
 *
 * A worker waits in poll(2) on either the listening socket or, when nginx
 * keeps the connection open (fastcgi_keep_conn), on that connection, and on
 * a signalfd.  Signals stay blocked the whole time, so no system call in a
 * handler is ever interrupted; a stop request is only looked at between
 * requests, so the request in hand always finishes.  The listening socket
 * is non-blocking: when several idle workers wake for one connection, the
 * losers get EAGAIN from libfcgi's accept and go back to waiting.
 */
#include "worker.h"

#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "cache.h"
#include "config.h"
#include "db.h"
#include "dispatch.h"
#include "log.h"
#include "scoreboard.h"

/* Exactly these are blocked and read from the signalfd; everything else,
 * including SIGCHLD which the master blocks, is left at its default. */
static int worker_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* True when a stop was asked for (SIGHUP is the master's business). */
static bool drain_signals(int sigfd)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGHUP)
			stop = true;
	return stop;
}

static long request_limit(const struct mq_config *cfg)
{
	if (cfg->max_requests == 0)
		return 0;
	/* Jitter, so workers started together do not all retire together. */
	return cfg->max_requests +
	       (cfg->max_requests_jitter ? (long)randombytes_uniform((uint32_t)cfg->max_requests_jitter + 1) : 0);
}

static uint64_t rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, resident = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (uint64_t)(sysconf(_SC_PAGESIZE) / 1024);
}

static void publish_counters(struct mq_worker *w, long served)
{
	struct mq_slot *s = &w->sb->slots[w->slot];
	const struct mq_cache_stats *cs = mq_cache_stats(w->cache);

	s->stats.cache_hits = cs->hits;
	s->stats.cache_misses = cs->misses;
	s->stats.db_reconnects = mq_db_reconnects(w->db);
	if ((served & 63) == 1)
		s->rss_kb = rss_kb();
}

static int serve(struct mq_worker *w, int listen_fd, int sigfd)
{
	struct mq_arena *arena = mq_arena_new(0);
	long limit = request_limit(w->cfg), served = 0;
	bool stop = false;
	FCGX_Request req;

	FCGX_InitRequest(&req, listen_fd, 0);
	mq_scoreboard_state(w->sb, w->slot, MQ_W_IDLE);
	for (;;) {
		bool have_conn = req.ipcFd >= 0;
		struct pollfd p[2] = {
			{ .fd = have_conn ? req.ipcFd : listen_fd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};

		if ((stop || (limit && served >= limit)))
			break;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			stop = drain_signals(sigfd);
		/* A request already sent on a kept connection is served even
		 * when stopping; a new connection is left for another worker. */
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)) || (stop && !have_conn))
			continue;
		/* Reading the request's first records can block (a peer that
		 * sends half a header): count it as busy, so request_timeout
		 * covers it too. */
		mq_scoreboard_begin(w->sb, w->slot, "-", "(reading request)", "-");
		int rc = FCGX_Accept_r(&req);
		if (rc < 0) {
			mq_scoreboard_state(w->sb, w->slot, MQ_W_IDLE);
			if (rc != -EAGAIN && rc != -EWOULDBLOCK && rc != -EINTR) {
				mq_log_warn("accept: %s", strerror(-rc));
				poll(NULL, 0, 10);	/* e.g. EMFILE: do not spin */
			}
			continue;
		}
		mq_dispatch(w, &req, arena);
		FCGX_Finish_r(&req);
		mq_arena_reset(arena);
		served++;
		publish_counters(w, served);
	}
	mq_scoreboard_state(w->sb, w->slot, MQ_W_EXITING);
	FCGX_Free(&req, 1);
	mq_arena_destroy(arena);
	if (stop)
		mq_log_debug("stopping after %ld requests", served);
	else
		mq_log_info("retiring after %ld requests (max_requests)", served);
	return 0;
}

int mq_worker_run(const struct mq_config *cfg, const struct mq_router *router,
		  struct mq_scoreboard *sb, int slot, uint32_t generation, int listen_fd)
{
	struct mq_worker w = {
		.cfg = cfg, .router = router, .sb = sb, .slot = slot, .generation = generation,
	};
	int sigfd, rc;

	mq_log_setup((enum mq_log_level)cfg->log_level, "worker", slot);
	/* The master's death must not leave orphans serving old code. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigfd = worker_signals();
	if (sigfd < 0 || getppid() != (pid_t)sb->master_pid) {
		mq_log_error("worker setup failed: %s", strerror(errno));
		return 1;
	}
	if (FCGX_Init() != 0 || sodium_init() < 0) {
		mq_log_error("library initialisation failed");
		return 1;
	}
	w.db = mq_db_new(cfg, "marquee-fcgi");
	if (mq_db_connect(w.db) < 0)
		mq_log_warn("database not reachable at start (will retry per request): %s",
			    mq_db_error(w.db));
	w.cache = mq_cache_new(cfg);
	rc = serve(&w, listen_fd, sigfd);
	mq_cache_free(w.cache);
	mq_db_free(w.db);
	close(sigfd);
	return rc;
}

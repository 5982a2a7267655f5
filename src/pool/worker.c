/*
 * worker.c: the request loop.
 *
 * A worker waits in epoll(7) on the listening socket, on the connections
 * nginx keeps open to it (fastcgi_keep_conn), and on a signalfd.  Signals
 * stay blocked the whole time, so no system call in a handler is ever
 * interrupted; a stop request is only looked at between requests, so the
 * request in hand always finishes.
 *
 * The listening socket is watched with EPOLLEXCLUSIVE, so a new connection
 * wakes one idle worker, not all.  It is non-blocking all the same: a
 * worker that loses the race gets EAGAIN from libfcgi's accept and goes
 * back to waiting.
 */
#include "pool/worker.h"

#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sodium.h>

#include "accounts/password.h"
#include "core/i18n.h"
#include "analytics/events.h"
#include "cache/cache.h"
#include "catalog/keyword_names.h"
#include "catalog/movie_document.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/coverage.h"
#include "core/log.h"
#include "core/scoreboard.h"
#include "db/db.h"
#include "integrations/tmdb.h"
#include "pool/dispatch.h"
#include "storage/image.h"
#include "storage/store.h"

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

/*
 * The connections a worker holds: nginx keeps FastCGI connections open
 * (fastcgi_keep_conn), and a worker holds as many as come to it, up to
 * connections_per_worker, serving whichever has a request, one request at
 * a time.  A worker whose kept connections are idle still accepts new
 * ones, so idle kept connections never leave requests waiting in the
 * listen backlog.  An idle kept connection costs a request object and a
 * socket: libfcgi frees its buffers between requests.
 */
struct conns {
	int ep;			/* epoll: listening socket, connections, signals */
	int listen_fd;
	int sigfd;
	bool listening;		/* the listening socket is in ep */
	int n, max;		/* slots in use so far, and the most allowed */
	FCGX_Request **req;	/* each allocated once: libfcgi keeps pointers to it */
	int *fd;		/* the fd each req is registered with in ep, or -1 */
};

/* A slot whose registration must be checked: after any call into libfcgi,
 * which may close a connection and accept another that gets the same fd
 * number (epoll dropped the closed one, so "same number" proves nothing). */
#define FD_UNKNOWN (-2)

static int conns_init(struct conns *c, int max, int listen_fd, int sigfd)
{
	struct epoll_event sev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };

	memset(c, 0, sizeof(*c));
	c->listen_fd = listen_fd;
	c->sigfd = sigfd;
	c->max = max;
	c->req = mq_xcalloc((size_t)max, sizeof(*c->req));
	c->fd = mq_xcalloc((size_t)max, sizeof(*c->fd));
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	if (c->ep < 0 || epoll_ctl(c->ep, EPOLL_CTL_ADD, sigfd, &sev) < 0) {
		mq_log_error("epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void conns_free(struct conns *c)
{
	for (int i = 0; i < c->n; i++) {
		FCGX_Free(c->req[i], 1);
		free(c->req[i]);
	}
	if (c->ep >= 0)
		close(c->ep);
	free(c->req);
	free(c->fd);
}

/* A slot without a connection, adding one if there is room; -1 if full. */
static int free_slot(struct conns *c)
{
	for (int i = 0; i < c->n; i++)
		if (c->req[i]->ipcFd < 0)
			return i;
	if (c->n == c->max)
		return -1;
	c->req[c->n] = mq_xmalloc(sizeof(FCGX_Request));
	FCGX_InitRequest(c->req[c->n], c->listen_fd, 0);
	c->fd[c->n] = -1;
	return c->n++;
}

/* Makes ep watch exactly: every open connection, and the listening socket
 * (EPOLLEXCLUSIVE: one idle worker woken per new connection) while a slot
 * is free and the worker is not stopping. */
static void conns_sync(struct conns *c, bool stopping)
{
	bool want_listen = !stopping && free_slot(c) >= 0;

	for (int i = 0; i < c->n; i++) {
		int fd = c->req[i]->ipcFd;

		if (fd == c->fd[i])
			continue;
		/* libfcgi closed it (EPOLL_CTL_DEL then fails harmlessly) and
		 * may have accepted another into the same request. */
		if (c->fd[i] >= 0)
			epoll_ctl(c->ep, EPOLL_CTL_DEL, c->fd[i], NULL);
		c->fd[i] = -1;
		if (fd >= 0) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };

			if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) == 0 || errno == EEXIST)
				c->fd[i] = fd;
			else
				mq_log_error("epoll: watching a connection: %s", strerror(errno));
		}
	}
	if (want_listen != c->listening) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE,
					  .data.u64 = UINT64_MAX - 1 };

		if (want_listen)
			epoll_ctl(c->ep, EPOLL_CTL_ADD, c->listen_fd, &ev);
		else
			epoll_ctl(c->ep, EPOLL_CTL_DEL, c->listen_fd, NULL);
		c->listening = want_listen;
	}
}

/* Writes what requests queued (analytics/events.h, catalog/
 * movie_document.h), after the answer: in batches (core/batch.h); all
 * when now. */
static void flush_events(struct mq_worker *w, struct mq_arena *arena, bool now)
{
	struct mq_ctx c = { .cfg = w->cfg, .db = w->db, .cache = w->cache, .arena = arena,
			    .request_id = "-", .client = "-" };

	mq_analytics_flush(&c, now);
	mq_movie_documents_flush(&c, now);
}

/* Milliseconds until the first of them is due, -1 when none waits. */
static int events_due_ms(void)
{
	int a = mq_analytics_due_ms(), d = mq_movie_documents_due_ms();

	return a < 0 ? d : d < 0 ? a : a < d ? a : d;
}

/* Serves one request from req (which accepts a new connection if it holds
 * none), counting it in served. */
static void serve_one(struct mq_worker *w, FCGX_Request *req, struct mq_arena *arena, long *served)
{
	/* Reading the request's first records can block (a peer that sends
	 * half a header): count it as busy, so request_timeout covers it. */
	mq_scoreboard_begin(w->sb, w->slot, "-", "(reading request)", "-");
	int rc = FCGX_Accept_r(req);
	if (rc < 0) {
		mq_scoreboard_state(w->sb, w->slot, MQ_W_IDLE);
		if (rc != -EAGAIN && rc != -EWOULDBLOCK && rc != -EINTR) {
			mq_log_warn("accept: %s", strerror(-rc));
			poll(NULL, 0, 10);	/* e.g. EMFILE: do not spin */
		}
		return;
	}
	mq_dispatch(w, req, arena);
	/* before the answer's end leaves: published after it, a client's
	 * next request (to /metrics, on another worker) could miss it */
	publish_counters(w, ++*served);
	FCGX_Finish_r(req);
	flush_events(w, arena, false);
	mq_arena_reset(arena);
	mq_coverage_flush();
}

static int serve(struct mq_worker *w, int listen_fd, int sigfd)
{
	struct mq_arena *arena = mq_arena_new(0);
	long limit = request_limit(w->cfg), served = 0;
	bool stop = false, retiring = false;
	struct conns c;
	int rc = 0;

	if (conns_init(&c, w->cfg->connections_per_worker, listen_fd, sigfd) < 0) {
		rc = 1;
		goto out;
	}
	mq_scoreboard_state(w->sb, w->slot, MQ_W_IDLE);
	for (;;) {
		struct epoll_event ev[16];
		int n;

		retiring = limit && served >= limit;
		conns_sync(&c, stop || retiring);
		/* Leaving: requests already sent on kept connections were
		 * served above; idle ones are closed below. */
		if (stop || retiring)
			break;
		/* Events still queued are written when due if no request
		 * comes first: never left for the next request, which may be
		 * long in coming. */
		n = epoll_wait(c.ep, ev, (int)MQ_ARRAY_LEN(ev), events_due_ms());
		if (n == 0) {
			flush_events(w, arena, true);
			mq_arena_reset(arena);
			continue;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			int slot = tag == UINT64_MAX - 1 ? free_slot(&c) : (int)tag;

			if (tag == UINT64_MAX) {
				stop = drain_signals(sigfd);
				continue;
			}
			if (slot < 0 || (tag == UINT64_MAX - 1 && stop))
				continue;
			serve_one(w, c.req[slot], arena, &served);
			c.fd[slot] = FD_UNKNOWN;
			conns_sync(&c, stop);
		}
	}
out:
	flush_events(w, arena, true);
	mq_scoreboard_state(w->sb, w->slot, MQ_W_EXITING);
	conns_free(&c);
	mq_arena_destroy(arena);
	if (stop)
		mq_log_debug("stopping after %ld requests", served);
	else if (rc == 0)
		mq_log_info("retiring after %ld requests (max_requests)", served);
	return rc;
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
	mq_i18n_init(cfg->localedir);
	/* The list is read as the user the worker serves as, which the
	 * master's check of the configuration was not. */
	if (mq_password_init(cfg) < 0) {
		mq_password_cleanup();
		return 1;
	}
	w.db = mq_db_new(cfg, "marquee-fcgi");
	mq_db_use_replica(w.db);
	if (mq_db_connect(w.db) < 0)
		mq_log_warn("database not reachable at start (will retry per request): %s",
			    mq_db_error(w.db));
	w.cache = mq_cache_new(cfg);
	w.tmdb = mq_tmdb_new(cfg, w.cache);
	if (w.tmdb == NULL) {
		mq_log_error("libcurl failed to initialise");
		return 1;
	}
	/* libvips starts threads: here, after the fork, never in the master */
	rc = mq_image_init() < 0 ? 1 : serve(&w, listen_fd, sigfd);
	mq_image_shutdown();
	mq_media_store_close();
	mq_tmdb_free(w.tmdb);
	mq_keyword_names_reset();
	mq_password_cleanup();
	mq_cache_free(w.cache);
	mq_db_free(w.db);
	close(sigfd);
	return rc;
}

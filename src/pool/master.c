/*
 * master.c: fork, watch, replace, reload, stop.
 *
 * The master never serves requests.  Signals are blocked and read from a
 * signalfd in the main loop, so all the work happens in ordinary code (no
 * async-signal-safety traps); the loop wakes at least once a second to
 * enforce request_timeout and run delayed respawns.
 */
#include "pool/master.h"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "core/coverage.h"
#include "core/log.h"
#include "core/scoreboard.h"
#include "http/router.h"
#include "http/routes.h"
#include "integrations/oauth.h"
#include "integrations/payments.h"
#include "integrations/tmdb.h"
#include "pool/gate.h"
#include "pool/listen.h"
#include "pool/systemd.h"
#include "pool/worker.h"

int mq_master_check_config(const struct mq_config *cfg, char *err, size_t errlen)
{
	if (mq_config_check_pool(cfg, err, errlen) < 0)
		return -1;
	if (mq_tmdb_check_config(cfg, err, errlen) < 0)
		return -1;
	if (mq_oauth_check_config(cfg, err, errlen) < 0)
		return -1;
	return mq_pay_check_config(cfg, err, errlen);
}

/* Room for three generations at once: the current one, the one a reload
 * is retiring, and one more if a second reload comes before it is gone. */
#define NSLOTS (3 * MQ_MAX_WORKERS)
_Static_assert(NSLOTS <= MQ_SB_MAX_SLOTS, "the scoreboard holds the turns of every slot");
#define MS (1000ull * 1000)
#define CRASH_WINDOW_NS (10000 * MS)
#define BACKOFF_MIN_NS (250 * MS)
#define BACKOFF_MAX_NS (30000 * MS)
#define FLOOR_GAP_NS (100 * MS)		/* between starts kept up by the floor */
#define READY_WAIT_NS (5000 * MS)

enum phase { RUNNING, STOPPING };

struct master {
	const char *config_path;
	struct mq_config *cfg;
	struct mq_router *router;
	struct mq_listener listener;
	struct mq_scoreboard *sb;
	int sigfd;
	enum phase phase;
	uint32_t generation;
	uint64_t stop_deadline_ns;
	uint64_t retire_old_at_ns;	/* after a reload: when to stop the old ones */
	/* crash-loop back-off: only for workers that die young */
	uint64_t crash_times[8];
	int crash_next;
	uint64_t backoff_ns;
	uint64_t backoff_raised_ns;
	uint64_t next_spawn_ns;		/* restarts slowed until then */
	uint64_t next_floor_spawn_ns;	/* ... but min_workers are kept */
	bool timed_out[NSLOTS];
	uint64_t started_ns[NSLOTS];	/* monotonic, for crash_uptime */
};

/* The workers kept through a back-off: [server] min_workers, or half of
 * workers rounded up; never more than workers. */
static int floor_workers(const struct mq_config *cfg)
{
	int n = cfg->min_workers ? cfg->min_workers : (cfg->workers + 1) / 2;

	return n < cfg->workers ? n : cfg->workers;
}

static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* The uid and gid [server] user and group name; false (logged) when one
 * does not exist.  *uid stays -1 when no user is configured. */
static bool lookup_user(const struct mq_config *cfg, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	*uid = (uid_t)-1;
	if (*cfg->user == '\0')
		return true;
	pw = getpwnam(cfg->user);
	if (pw == NULL) {
		mq_log_error("[server] user: no user %s", cfg->user);
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (*cfg->group) {
		struct group *gr = getgrnam(cfg->group);

		if (gr == NULL) {
			mq_log_error("[server] group: no group %s", cfg->group);
			return false;
		}
		*gid = gr->gr_gid;
	}
	return true;
}

/* In a new worker: become [server] user when started as root.  The master
 * keeps its privileges, as nginx's and php-fpm's do, so that a reload can
 * read root-only secrets again; it never serves a request. */
static int drop_privileges(const struct mq_config *cfg)
{
	uid_t uid;
	gid_t gid;

	if (getuid() != 0 || !lookup_user(cfg, &uid, &gid) || uid == (uid_t)-1)
		return getuid() != 0 || *cfg->user == '\0' ? 0 : -1;
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		mq_log_error("dropping privileges to %s: %s", cfg->user, strerror(errno));
		return -1;
	}
	return 0;
}

static int count_workers(const struct master *m, uint32_t gen, bool only_ready)
{
	int n = 0;

	for (uint32_t i = 0; i < m->sb->nslots; i++) {
		const struct mq_slot *s = &m->sb->slots[i];

		if (s->state == MQ_W_FREE || s->generation != gen)
			continue;
		if (only_ready && s->state == MQ_W_STARTING)
			continue;
		n++;
	}
	return n;
}

static void spawn(struct master *m)
{
	int slot = mq_scoreboard_claim(m->sb, 0, m->generation);
	pid_t pid;

	if (slot < 0) {
		mq_log_error("scoreboard full; cannot start a worker");
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		mq_log_error("fork: %s", strerror(errno));
		mq_scoreboard_release(m->sb, slot);
		return;
	}
	if (pid == 0) {
		int status = 1;

		mq_coverage_forked();
		close(m->sigfd);
		if (drop_privileges(m->cfg) == 0) {
			mq_coverage_user();
			status = mq_worker_run(m->cfg, m->router, m->sb, slot, m->generation,
					       m->listener.fd);
		}
		mq_router_free(m->router);
		mq_config_free(m->cfg);
		exit(status);
	}
	m->sb->slots[slot].pid = (int32_t)pid;
	m->sb->worker_starts++;
	m->timed_out[slot] = false;
	m->started_ns[slot] = mq_now_mono_ns();
	mq_log_debug("started worker slot=%d pid=%d generation=%u", slot, (int)pid, m->generation);
}

/* Starts the workers the current generation lacks.  While a crash loop
 * is slowed down, only those below the floor, one per FLOOR_GAP. */
static void top_up(struct master *m, uint64_t now)
{
	int have = count_workers(m, m->generation, false);
	int missing = m->cfg->workers - have;

	if (m->phase != RUNNING)
		return;
	if (now < m->next_spawn_ns) {
		if (have >= floor_workers(m->cfg) || now < m->next_floor_spawn_ns)
			return;
		mq_log_info("restarts slowed; starting a worker to keep %d of %d running",
			    floor_workers(m->cfg), m->cfg->workers);
		m->next_floor_spawn_ns = now + FLOOR_GAP_NS;
		missing = 1;
	}
	while (missing-- > 0)
		spawn(m);
}

/* Publishes the back-off for `marquee status` and /metrics. */
static void show_backoff(struct master *m)
{
	m->sb->backoff_until_mono_ns = m->next_spawn_ns;
	m->sb->backoff_ms = (uint32_t)(m->backoff_ns / MS);
	m->sb->workers_floor = (uint32_t)floor_workers(m->cfg);
}

static void note_crash(struct master *m, uint64_t now)
{
	int recent = 0;

	m->crash_times[m->crash_next] = now;
	m->crash_next = (m->crash_next + 1) % (int)MQ_ARRAY_LEN(m->crash_times);
	for (size_t i = 0; i < MQ_ARRAY_LEN(m->crash_times); i++)
		if (m->crash_times[i] && now - m->crash_times[i] < CRASH_WINDOW_NS)
			recent++;
	if (recent >= 3) {
		/* Deaths at the same moment (a bad deploy, a signal to all)
		 * are one step; only a loop that goes on doubles the wait,
		 * once per wait (the floor's workers die faster than that). */
		if (m->backoff_ns == 0) {
			m->backoff_ns = BACKOFF_MIN_NS;
			m->backoff_raised_ns = now;
		} else if (now >= m->backoff_raised_ns + m->backoff_ns) {
			m->backoff_ns = m->backoff_ns * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS
									   : m->backoff_ns * 2;
			m->backoff_raised_ns = now;
		}
		mq_log_warn("%d workers died young within %llus (before their first request or "
			    "within %dms of starting); restarts slowed: next in %llums, keeping %d "
			    "of %d workers running", recent,
			    (unsigned long long)(CRASH_WINDOW_NS / 1000000000),
			    m->cfg->crash_uptime_ms, (unsigned long long)(m->backoff_ns / MS),
			    floor_workers(m->cfg), m->cfg->workers);
		m->next_spawn_ns = now + m->backoff_ns;
		show_backoff(m);
	}
}

static void forget_old_crashes(struct master *m, uint64_t now)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(m->crash_times); i++)
		if (m->crash_times[i] && now - m->crash_times[i] >= 3 * CRASH_WINDOW_NS)
			m->crash_times[i] = 0;
	if (m->backoff_ns) {
		bool any = false;

		for (size_t i = 0; i < MQ_ARRAY_LEN(m->crash_times); i++)
			any |= m->crash_times[i] != 0;
		if (!any) {
			m->backoff_ns = 0;
			show_backoff(m);
		}
	}
}

/* Whether the worker in slot died young: before finishing a request, or
 * within crash_uptime of its start.  Only such deaths are a crash loop; a
 * worker that served and then was killed (the OOM killer, an operator)
 * is replaced at once. */
static bool died_young(const struct master *m, int slot, uint64_t now)
{
	return m->sb->slots[slot].stats.requests == 0 ||
	       now - m->started_ns[slot] < (uint64_t)m->cfg->crash_uptime_ms * MS;
}

static void log_exit(pid_t pid, int slot, int status, bool timed_out, bool young)
{
	struct mq_logline l;
	bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (!mq_logline_start(&l, clean ? MQ_LOG_DEBUG : MQ_LOG_WARN))
		return;
	mq_logline_str(&l, "msg", clean ? "worker exited" : "worker died");
	mq_logline_int(&l, "worker_slot", slot);
	mq_logline_int(&l, "worker_pid", pid);
	if (WIFEXITED(status))
		mq_logline_int(&l, "exit_status", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		mq_logline_str(&l, "signal", sigabbrev_np(WTERMSIG(status)));
	if (timed_out)
		mq_logline_str(&l, "reason", "request_timeout");
	if (!clean && !timed_out)
		mq_logline_str(&l, "young", young ? "yes" : "no");
	mq_logline_emit(&l);
}

static void reap(struct master *m, uint64_t now)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int slot = mq_scoreboard_find(m->sb, pid);
		bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		bool timed_out, young;

		if (slot < 0)
			continue;
		timed_out = m->timed_out[slot];
		young = died_young(m, slot, now);
		log_exit(pid, slot, status, timed_out, young);
		if (clean)
			m->sb->worker_exits++;
		else if (!timed_out)
			m->sb->worker_crashes++;
		if (!clean && !timed_out && young)
			m->sb->worker_young_deaths++;
		if (!clean && !timed_out && young && m->phase == RUNNING &&
		    m->sb->slots[slot].generation == m->generation)
			note_crash(m, now);
		mq_gate_forget(m->sb, slot);
		mq_scoreboard_release(m->sb, slot);
	}
}

/* Kills workers whose request has run past request_timeout. */
static void enforce_timeouts(struct master *m, uint64_t now)
{
	uint64_t limit = (uint64_t)m->cfg->request_timeout_ms * MS;

	for (uint32_t i = 0; i < m->sb->nslots; i++) {
		struct mq_slot *s = &m->sb->slots[i];
		uint64_t started = s->request_mono_ns;

		if (s->state != MQ_W_BUSY || m->timed_out[i] || started == 0 || now < started ||
		    now - started <= limit)
			continue;
		mq_log_error("killing worker slot=%u pid=%d: %s %s ran %llums, past request_timeout "
			     "(request %s)", i, (int)s->pid, s->method, s->route,
			     (unsigned long long)((now - started) / MS), s->request_id);
		m->timed_out[i] = true;
		m->sb->worker_timeouts++;
		kill(s->pid, SIGKILL);
	}
}

static void signal_generation(struct master *m, uint32_t older_than, int sig)
{
	for (uint32_t i = 0; i < m->sb->nslots; i++) {
		struct mq_slot *s = &m->sb->slots[i];

		if (s->state != MQ_W_FREE && s->pid > 0 && s->generation < older_than)
			kill(s->pid, sig);
	}
}

static void begin_stop(struct master *m, uint64_t now)
{
	if (m->phase == STOPPING)
		return;
	mq_log_info("stopping: letting requests in progress finish (up to %dms)",
		    m->cfg->shutdown_timeout_ms);
	mq_sd_notify("STOPPING=1");
	m->phase = STOPPING;
	m->stop_deadline_ns = now + (uint64_t)m->cfg->shutdown_timeout_ms * MS;
	signal_generation(m, UINT32_MAX, SIGTERM);
}

/* Keys that need a restart: the socket is open and privileges dropped. */
static void keep_restart_only_keys(struct mq_config *next, const struct mq_config *cur)
{
	char **keys[][2] = {
		{ &next->listen, (char **)&cur->listen },
		{ &next->scoreboard, (char **)&cur->scoreboard },
		{ &next->user, (char **)&cur->user },
		{ &next->group, (char **)&cur->group },
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(keys); i++) {
		if (strcmp(*keys[i][0], *keys[i][1]) == 0)
			continue;
		mq_log_warn("reload: ignoring the new value \"%s\" (was \"%s\"): listen, scoreboard, "
			    "user and group change only on restart", *keys[i][0], *keys[i][1]);
		free(*keys[i][0]);
		*keys[i][0] = mq_xstrdup(*keys[i][1]);
	}
}

static void reload(struct master *m, uint64_t now)
{
	char err[512];
	struct mq_config *next;

	if (m->phase != RUNNING)
		return;
	mq_sd_notify("RELOADING=1");
	next = mq_config_load(m->config_path, err, sizeof(err));
	if (next && mq_master_check_config(next, err, sizeof(err)) < 0) {
		mq_config_free(next);
		next = NULL;
	}
	if (next == NULL) {
		mq_log_error("reload failed, keeping the running configuration: %s", err);
		mq_sd_notify("READY=1");
		return;
	}
	keep_restart_only_keys(next, m->cfg);
	mq_config_free(m->cfg);
	m->cfg = next;
	mq_log_setup((enum mq_log_level)next->log_level, "master", -1);
	if (mq_config_warning(next))
		mq_log_warn("%s", mq_config_warning(next));
	m->generation++;
	m->sb->generation = m->generation;
	m->backoff_ns = 0;
	m->next_spawn_ns = 0;
	show_backoff(m);
	/* New workers first; the old ones are told to leave once the new
	 * ones are ready (or after READY_WAIT), and finish what they hold. */
	top_up(m, now);
	m->retire_old_at_ns = now + READY_WAIT_NS;
	mq_log_info("reloaded %s: generation %u, %d workers", m->config_path, m->generation,
		    next->workers);
	mq_sd_notify("READY=1");
}

static void retire_old_generation(struct master *m, uint64_t now)
{
	if (m->retire_old_at_ns == 0)
		return;
	if (now < m->retire_old_at_ns &&
	    count_workers(m, m->generation, true) < m->cfg->workers)
		return;
	signal_generation(m, m->generation, SIGTERM);
	m->retire_old_at_ns = 0;
}

static void handle_signals(struct master *m, uint64_t now)
{
	struct signalfd_siginfo si;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(m, now);
			break;
		case SIGHUP:
			reload(m, now);
			break;
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			begin_stop(m, now);
			break;
		}
	}
}

static int live_workers(const struct master *m)
{
	int n = 0;

	for (uint32_t i = 0; i < m->sb->nslots; i++)
		n += m->sb->slots[i].state != MQ_W_FREE;
	return n;
}

/* The poll timeout that wakes the loop by at_ns (when still to come). */
static int wake_within(uint64_t at_ns, uint64_t now, int timeout)
{
	if (at_ns > now && (at_ns - now) / MS < (uint64_t)timeout)
		return (int)((at_ns - now) / MS) + 1;
	return timeout;
}

static int loop(struct master *m)
{
	for (;;) {
		struct pollfd p = { .fd = m->sigfd, .events = POLLIN };
		uint64_t now = mq_now_mono_ns();
		int timeout = 1000;

		handle_signals(m, now);
		reap(m, now);
		if (m->phase == STOPPING) {
			if (live_workers(m) == 0)
				return 0;
			if (now >= m->stop_deadline_ns) {
				mq_log_warn("shutdown_timeout reached; killing %d workers", live_workers(m));
				signal_generation(m, UINT32_MAX, SIGKILL);
				m->stop_deadline_ns = UINT64_MAX;
			}
		}
		enforce_timeouts(m, now);
		forget_old_crashes(m, now);
		top_up(m, now);
		retire_old_generation(m, now);
		timeout = wake_within(m->next_spawn_ns, now, timeout);
		timeout = wake_within(m->next_floor_spawn_ns, now, timeout);
		if (m->retire_old_at_ns)
			timeout = 50;
		poll(&p, 1, timeout);
	}
}

static void cleanup(struct master *m)
{
	if (m->sb) {
		unlink(m->cfg->scoreboard);
		mq_scoreboard_unmap(m->sb, mq_scoreboard_size(m->sb->nslots));
	}
	mq_listen_close(&m->listener);
	if (m->sigfd >= 0)
		close(m->sigfd);
	mq_router_free(m->router);
	mq_config_free(m->cfg);
}

int mq_master_run(const char *config_path, struct mq_config *cfg)
{
	struct master m = { .config_path = config_path, .cfg = cfg, .sigfd = -1 };
	char err[512];
	int rc = 1;

	m.listener.fd = -1;
	mq_log_setup((enum mq_log_level)cfg->log_level, "master", -1);
	if (mq_config_warning(cfg))
		mq_log_warn("%s", mq_config_warning(cfg));
	m.router = mq_router_new(mq_routes, mq_routes_count, err, sizeof(err));
	if (m.router == NULL) {
		mq_log_error("route table: %s", err);
		goto out;
	}
	if (mq_routes_count > MQ_SB_ROUTE_NOT_FOUND) {
		mq_log_error("route table: %zu routes, but the scoreboard counts %d; raise "
			     "MQ_SB_ROUTES", mq_routes_count, MQ_SB_ROUTE_NOT_FOUND);
		goto out;
	}
	m.sigfd = block_signals();
	if (m.sigfd < 0) {
		mq_log_error("signalfd: %s", strerror(errno));
		goto out;
	}
	if (mq_listen_open(cfg, &m.listener, err, sizeof(err)) < 0) {
		mq_log_error("%s", err);
		goto out;
	}
	m.sb = mq_scoreboard_create(cfg->scoreboard, NSLOTS);
	if (m.sb == NULL) {
		mq_log_error("scoreboard %s: %s", cfg->scoreboard, strerror(errno));
		goto out;
	}
	uid_t uid;
	gid_t gid;
	if (!lookup_user(cfg, &uid, &gid))
		goto out;
	m.generation = m.sb->generation = 1;
	show_backoff(&m);
	top_up(&m, mq_now_mono_ns());
	mq_log_info("marquee-fcgi %s listening on %s with %d workers", PACKAGE_VERSION,
		    m.listener.from_systemd ? "the socket systemd passed" : cfg->listen,
		    cfg->workers);
	mq_sd_notify("READY=1");
	rc = loop(&m);
	mq_log_info("stopped");
out:
	cleanup(&m);
	return rc;
}

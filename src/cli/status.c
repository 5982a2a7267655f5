/*
 * status.c: `marquee status`: the scoreboard, as a table.
 */
#include "core/common.h"

#include <signal.h>
#include <time.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/scoreboard.h"

static void print_duration(uint64_t ns)
{
	uint64_t s = ns / 1000000000u;

	if (s >= 86400)
		printf("%llud%02lluh", (unsigned long long)(s / 86400), (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		printf("%lluh%02llum", (unsigned long long)(s / 3600), (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		printf("%llum%02llus", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
	else
		printf("%.3fs", (double)ns / 1e9);
}

static void print_slot(uint32_t i, const struct mq_slot *s, uint64_t now_mono, uint64_t now_real)
{
	printf("%4u  %7d  %3u  %-8s  %9llu  %7llu  ", i, (int)s->pid, s->generation,
	       mq_worker_state_name((enum mq_worker_state)s->state),
	       (unsigned long long)s->stats.requests, (unsigned long long)s->rss_kb);
	if (s->started_real_ns && now_real >= s->started_real_ns)
		print_duration(now_real - s->started_real_ns);
	else
		printf("-");
	printf("  ");
	if (s->state == MQ_W_BUSY && s->request_mono_ns && now_mono >= s->request_mono_ns) {
		printf("%s %s (", s->method, s->route);
		print_duration(now_mono - s->request_mono_ns);
		printf(")");
	}
	printf("\n");
}

/* The crash-loop back-off: whether restarts are slowed, and for how long. */
static void print_backoff(const struct mq_scoreboard *sb, uint64_t now_mono)
{
	uint64_t until = sb->backoff_until_mono_ns;

	if (until <= now_mono) {
		printf("restarts not slowed\n");
		return;
	}
	printf("restarts slowed: workers died young; next restart in ");
	print_duration(until - now_mono);
	printf(" (back-off %ums), keeping at least %u workers running\n", sb->backoff_ms,
	       sb->workers_floor);
}

int mq_cli_status(struct mq_config *cfg, int argc, char **argv)
{
	const struct mq_scoreboard *sb;
	uint64_t now_real = mq_now_real_ns(), now_mono = mq_now_mono_ns();
	size_t size;
	int live = 0;

	(void)argc;
	(void)argv;
	sb = mq_scoreboard_open(cfg->scoreboard, &size);
	if (sb == NULL) {
		mq_cli_error("status", "%s: %s (is marquee-fcgi running?)", cfg->scoreboard,
			     strerror(errno));
		return 1;
	}
	if (kill(sb->master_pid, 0) < 0 && errno == ESRCH) {
		mq_cli_error("status", "the master (pid %d) is not running", (int)sb->master_pid);
		mq_scoreboard_unmap(sb, size);
		return 1;
	}
	printf("master pid %d, up ", (int)sb->master_pid);
	print_duration(now_real - sb->started_real_ns);
	printf(", generation %u\n", sb->generation);
	printf("workers started %llu, exited %llu, crashed %llu (%llu young), killed for "
	       "request_timeout %llu\n",
	       (unsigned long long)sb->worker_starts, (unsigned long long)sb->worker_exits,
	       (unsigned long long)sb->worker_crashes, (unsigned long long)sb->worker_young_deaths,
	       (unsigned long long)sb->worker_timeouts);
	print_backoff(sb, now_mono);
	printf("\nslot      pid  gen  state      requests   rss_kb  up      request\n");
	for (uint32_t i = 0; i < sb->nslots; i++) {
		if (sb->slots[i].state == MQ_W_FREE)
			continue;
		print_slot(i, &sb->slots[i], now_mono, now_real);
		live++;
	}
	printf("\n%d workers; %llu requests served by workers since replaced\n", live,
	       (unsigned long long)sb->retired.requests);
	mq_scoreboard_unmap(sb, size);
	return 0;
}

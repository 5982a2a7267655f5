/*
 * metrics.c: GET /metrics, Prometheus text exposition of the scoreboard.
 *
 * Counters are summed over the live workers and over every worker that has
 * been replaced, so they only go up for as long as the master runs.  nginx
 * serves this path to loopback only.
 */
#include "core/buf.h"
#include "core/scoreboard.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/routes.h"

static const char *route_label(int index)
{
	if (index == MQ_SB_ROUTE_NOT_FOUND)
		return "unmatched";
	if (index == MQ_SB_ROUTE_NOT_ALLOWED)
		return "method_not_allowed";
	return mq_routes[index].pattern;
}

static const char *method_label(int index)
{
	return index < (int)mq_routes_count ? mq_method_name(mq_routes[index].method) : "any";
}

static uint64_t route_total(const struct mq_route_stats *rs)
{
	uint64_t n = 0;

	for (int i = 0; i < MQ_SB_STATUSES; i++)
		n += rs->status[i];
	return n;
}

static bool route_used(int index)
{
	return index < (int)mq_routes_count || index == MQ_SB_ROUTE_NOT_FOUND ||
	       index == MQ_SB_ROUTE_NOT_ALLOWED;
}

static void requests(struct mq_buf *b, const struct mq_worker_stats *st)
{
	mq_buf_puts(b, "# HELP marquee_http_requests_total Requests answered, by route, method and status.\n"
		       "# TYPE marquee_http_requests_total counter\n");
	for (int r = 0; r < MQ_SB_ROUTES; r++) {
		if (!route_used(r))
			continue;
		for (int i = 0; i < MQ_SB_STATUSES; i++) {
			uint64_t n = st->routes[r].status[i];
			int code = mq_scoreboard_status_code(i);

			if (n == 0)
				continue;
			mq_buf_printf(b, "marquee_http_requests_total{route=\"%s\",method=\"%s\",status=\"",
				      route_label(r), method_label(r));
			if (code)
				mq_buf_printf(b, "%d", code);
			else
				mq_buf_puts(b, "other");
			mq_buf_printf(b, "\"} %llu\n", (unsigned long long)n);
		}
	}
}

static void latency(struct mq_buf *b, const struct mq_worker_stats *st)
{
	mq_buf_puts(b, "# HELP marquee_http_request_duration_seconds Time from routing to the "
		       "last byte written, by route.\n"
		       "# TYPE marquee_http_request_duration_seconds histogram\n");
	for (int r = 0; r < MQ_SB_ROUTES; r++) {
		const struct mq_route_stats *rs = &st->routes[r];
		uint64_t cumulative = 0, total = route_total(rs);

		if (!route_used(r) || total == 0)
			continue;
		for (int i = 0; i < MQ_SB_LATENCY_BUCKETS; i++) {
			uint64_t bound = mq_scoreboard_latency_bounds_us[i];

			cumulative += rs->latency[i];
			mq_buf_printf(b, "marquee_http_request_duration_seconds_bucket{route=\"%s\","
				      "method=\"%s\",le=\"", route_label(r), method_label(r));
			if (bound == UINT64_MAX)
				mq_buf_puts(b, "+Inf");
			else
				mq_buf_printf(b, "%g", (double)bound / 1e6);
			mq_buf_printf(b, "\"} %llu\n", (unsigned long long)cumulative);
		}
		mq_buf_printf(b, "marquee_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
			      route_label(r), method_label(r), (double)rs->latency_sum_us / 1e6);
		mq_buf_printf(b, "marquee_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
			      route_label(r), method_label(r), (unsigned long long)cumulative);
	}
}

static void counter(struct mq_buf *b, const char *name, const char *help, uint64_t v)
{
	mq_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
		      (unsigned long long)v);
}

static void workers(struct mq_buf *b, const struct mq_scoreboard *sb)
{
	static const enum mq_worker_state states[] = { MQ_W_STARTING, MQ_W_IDLE, MQ_W_BUSY,
						       MQ_W_EXITING };
	int count[MQ_W_EXITING + 1] = { 0 };
	uint64_t rss = 0;

	for (uint32_t i = 0; i < sb->nslots; i++) {
		uint32_t st = sb->slots[i].state;

		if (st != MQ_W_FREE && st <= MQ_W_EXITING) {
			count[st]++;
			rss += sb->slots[i].rss_kb * 1024;
		}
	}
	mq_buf_puts(b, "# HELP marquee_workers Worker processes, by state.\n"
		       "# TYPE marquee_workers gauge\n");
	for (size_t i = 0; i < MQ_ARRAY_LEN(states); i++)
		mq_buf_printf(b, "marquee_workers{state=\"%s\"} %d\n", mq_worker_state_name(states[i]),
			      count[states[i]]);
	mq_buf_printf(b, "# HELP marquee_workers_resident_bytes Resident memory of all live workers "
		      "(sampled every 64 requests).\n# TYPE marquee_workers_resident_bytes gauge\n"
		      "marquee_workers_resident_bytes %llu\n", (unsigned long long)rss);
	mq_buf_puts(b, "# HELP marquee_worker_exits_total Workers that ended, by reason.\n"
		       "# TYPE marquee_worker_exits_total counter\n");
	mq_buf_printf(b, "marquee_worker_exits_total{reason=\"exited\"} %llu\n",
		      (unsigned long long)sb->worker_exits);
	mq_buf_printf(b, "marquee_worker_exits_total{reason=\"crashed\"} %llu\n",
		      (unsigned long long)sb->worker_crashes);
	mq_buf_printf(b, "marquee_worker_exits_total{reason=\"request_timeout\"} %llu\n",
		      (unsigned long long)sb->worker_timeouts);
	counter(b, "marquee_worker_starts_total", "Workers started, first ones included.",
		sb->worker_starts);
	counter(b, "marquee_worker_young_deaths_total", "Crashed workers that died young (before "
		"a request or within [server] crash_uptime of starting).", sb->worker_young_deaths);
	mq_buf_printf(b, "# HELP marquee_pool_restarts_slowed 1 while a crash loop slows the "
		      "restart of workers beyond min_workers.\n# TYPE marquee_pool_restarts_slowed "
		      "gauge\nmarquee_pool_restarts_slowed %d\n",
		      sb->backoff_until_mono_ns > mq_now_mono_ns());
	mq_buf_printf(b, "# HELP marquee_pool_generation Configuration generation (one more per "
		      "reload).\n# TYPE marquee_pool_generation gauge\nmarquee_pool_generation %u\n",
		      sb->generation);
	mq_buf_printf(b, "# HELP marquee_pool_start_time_seconds When the master started.\n"
		      "# TYPE marquee_pool_start_time_seconds gauge\n"
		      "marquee_pool_start_time_seconds %.3f\n", (double)sb->started_real_ns / 1e9);
}

/* GET /metrics: from the pool's scoreboard, which the worker hands every
 * request read-only (r->sb). */
mq_reply mq_metrics(struct mq_req *r)
{
	const struct mq_scoreboard *sb = r->sb;
	struct mq_worker_stats *st = mq_arena_alloc(r->arena, sizeof(*st));
	struct mq_buf b;

	mq_scoreboard_sum(sb, st);
	mq_buf_init(&b, r->arena, 16384);
	requests(&b, st);
	latency(&b, st);
	workers(&b, sb);
	counter(&b, "marquee_db_reconnects_total",
		"Reconnections to PostgreSQL after a lost connection.", st->db_reconnects);
	counter(&b, "marquee_cache_hits_total", "memcached lookups that found a value.",
		st->cache_hits);
	counter(&b, "marquee_cache_misses_total", "memcached lookups that did not (misses and "
		"failures).", st->cache_misses);
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
}

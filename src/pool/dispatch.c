/*
 * dispatch.c: the one place where every request passes.
 */
#include "pool/dispatch.h"

#include "core/config.h"
#include "core/log.h"
#include "core/scoreboard.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/http.h"
#include "http/read_your_writes.h"
#include "http/router.h"
#include "integrations/tmdb.h"
#include "pool/gate.h"
#include "pool/worker.h"

static void access_log(const struct mq_req *r, uint64_t dur_ns)
{
	struct mq_logline l;

	if (!r->ctx.cfg->access_log || !mq_logline_start(&l, MQ_LOG_INFO))
		return;
	mq_logline_str(&l, "msg", "request");
	mq_logline_str(&l, "id", r->request_id);
	mq_logline_str(&l, "method", r->method_name);
	mq_logline_str(&l, "path", r->path);
	mq_logline_str(&l, "route", r->match.route ? r->match.route->pattern : "-");
	mq_logline_int(&l, "status", r->status);
	mq_logline_fmt(&l, "dur_ms", "%.3f", (double)dur_ns / 1e6);
	mq_logline_int(&l, "bytes", (long long)r->bytes_out);
	if (r->user_id)
		mq_logline_int(&l, "user", r->user_id);
	else
		mq_logline_str(&l, "user", "-");
	mq_logline_emit(&l);
}

static size_t body_cap(const struct mq_req *r)
{
	return r->match.route->flags & MQ_RF_UPLOAD ? r->ctx.cfg->upload_max : r->ctx.cfg->body_max;
}

static void not_allowed(struct mq_req *r)
{
	char allow[96];

	mq_methods_format(r->match.allow, allow, sizeof(allow));
	mq_resp_header(r, "Allow", allow);
	mq_problem(r, 405, "%s is not allowed here; allowed: %s.", r->method_name, allow);
}

/* A turn at the gate of the heavy routes, or 503: waited for half of
 * request_timeout at most, well before the master kills a worker that
 * is busy for all of it. */
static bool enter_gate(struct mq_worker *w, struct mq_req *r)
{
	uint64_t deadline = r->started_ns + (uint64_t)w->cfg->request_timeout_ms * 500000ULL;

	if (mq_gate_enter(w->sb, w->slot, w->cfg->heavy_requests, deadline))
		return true;
	mq_resp_header(r, "Retry-After", "1");
	mq_problem(r, 503, "Too many requests like this one are running; try again shortly.");
	return false;
}

static void route(struct mq_worker *w, struct mq_req *r)
{
	const struct mq_route *route;

	switch (mq_router_match(w->router, r->method, r->path, r->arena, &r->match)) {
	case 404:
		mq_problem(r, 404, "There is nothing at %s.", r->path);
		return;
	case 405:
		not_allowed(r);
		return;
	}
	route = r->match.route;
	mq_scoreboard_begin(w->sb, w->slot, r->method_name, route->pattern, r->request_id);
	if (r->content_length > 0 && (uint64_t)r->content_length > body_cap(r)) {
		mq_problem(r, 413, "The body is larger than %zu bytes.", body_cap(r));
		return;
	}
	if (mq_done(mq_auth_request(r)))
		return;
	if ((route->flags & MQ_RF_HEAVY) && !enter_gate(w, r))
		return;
	mq_ryw_begin(r);
	if (!mq_done(route->handler(r)) || !r->responded) {
		mq_log_error("handler for %s %s answered nothing", r->method_name, route->pattern);
		mq_problem(r, 500, "An internal error occurred (request %s).", r->request_id);
	}
	mq_ryw_end(r);
	if (route->flags & MQ_RF_HEAVY)
		mq_gate_leave(w->sb, w->slot);
}

/* A body the handler never read (an early 4xx) would still be on a kept
 * connection, where libfcgi would take it for the next request's header:
 * read it away, or give the connection up if it is too large for that. */
static void discard_body(struct mq_req *r)
{
	char scratch[8192];
	int64_t left = r->content_length;

	if (left <= 0 || r->body_read)
		return;
	if ((uint64_t)left > 2 * (uint64_t)r->ctx.cfg->upload_max) {
		r->fcgi->keepConnection = 0;
		return;
	}
	while (left > 0) {
		int n = FCGX_GetStr(scratch, left < (int64_t)sizeof(scratch) ? (int)left
									     : (int)sizeof(scratch),
				    r->fcgi->in);

		if (n <= 0) {
			r->fcgi->keepConnection = 0;
			return;
		}
		left -= n;
	}
}

/* A handler must finish what it began; a transaction left open would
 * otherwise hold locks and swallow the next requests' writes. */
static void end_transaction(struct mq_req *r)
{
	if (!mq_db_in_transaction(r->ctx.db))
		return;
	mq_log_error("%s %s left a transaction open; rolled back",
		     r->method_name, r->match.route ? r->match.route->pattern : r->path);
	mq_db_rollback(r->ctx.db);
}

void mq_dispatch(struct mq_worker *w, FCGX_Request *fcgi, struct mq_arena *a)
{
	struct mq_ctx services = {
		.cfg = w->cfg, .db = w->db, .cache = w->cache, .tmdb = w->tmdb, .arena = a,
	};
	struct mq_req r;
	const char *why = NULL;
	int status;

	mq_db_check(w->db);
	/* All of a request's calls to TMDb share one [tmdb] timeout, which
	 * the pool's config check keeps below request_timeout. */
	if (w->tmdb)
		mq_tmdb_budget(w->tmdb, w->cfg->tmdb_timeout_ms);
	status = mq_req_init(&r, fcgi, &services, &why);
	r.sb = w->sb;
	mq_scoreboard_begin(w->sb, w->slot, r.method_name, "-", r.request_id);
	if (status != 0)
		mq_problem_ext(&r, status, why, NULL);
	else
		route(w, &r);
	discard_body(&r);
	end_transaction(&r);
	uint64_t dur = mq_now_mono_ns() - r.started_ns;
	int index = r.match.index;
	if (index < 0)
		index = r.status == 405 ? MQ_SB_ROUTE_NOT_ALLOWED : MQ_SB_ROUTE_NOT_FOUND;
	mq_scoreboard_end(w->sb, w->slot, index, r.status, dur);
	access_log(&r, dur);
}

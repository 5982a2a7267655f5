/*
 * dispatch.c: the one place where every request passes.
 */
#include "dispatch.h"

#include "auth.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "router.h"
#include "scoreboard.h"
#include "worker.h"

static void access_log(const struct mq_req *r, uint64_t dur_ns)
{
	struct mq_logline l;

	if (!r->w->cfg->access_log || !mq_logline_start(&l, MQ_LOG_INFO))
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
	return r->match.route->flags & MQ_RF_UPLOAD ? r->w->cfg->upload_max : r->w->cfg->body_max;
}

static void not_allowed(struct mq_req *r)
{
	char allow[96];

	mq_methods_format(r->match.allow, allow, sizeof(allow));
	mq_resp_header(r, "Allow", allow);
	mq_problem(r, 405, "%s is not allowed here; allowed: %s.", r->method_name, allow);
}

static void route(struct mq_req *r)
{
	const struct mq_route *route;

	switch (mq_router_match(r->w->router, r->method, r->path, r->arena, &r->match)) {
	case 404:
		mq_problem(r, 404, "There is nothing at %s.", r->path);
		return;
	case 405:
		not_allowed(r);
		return;
	}
	route = r->match.route;
	mq_scoreboard_begin(r->w->sb, r->w->slot, r->method_name, route->pattern, r->request_id);
	if (r->content_length > 0 && (uint64_t)r->content_length > body_cap(r)) {
		mq_problem(r, 413, "The body is larger than %zu bytes.", body_cap(r));
		return;
	}
	if (mq_auth_request(r) < 0)
		return;
	route->handler(r);
	if (!r->responded) {
		mq_log_error("handler for %s %s answered nothing", r->method_name, route->pattern);
		mq_problem(r, 500, "An internal error occurred (request %s).", r->request_id);
	}
}

void mq_dispatch(struct mq_worker *w, FCGX_Request *fcgi, struct mq_arena *a)
{
	struct mq_req r;
	const char *why = NULL;
	int status;

	mq_db_check(w->db);
	status = mq_req_init(&r, fcgi, w, a, &why);
	mq_scoreboard_begin(w->sb, w->slot, r.method_name, "-", r.request_id);
	if (status != 0)
		mq_problem(&r, status, "%s", why);
	else
		route(&r);
	uint64_t dur = mq_now_mono_ns() - r.started_ns;
	int index = r.match.index;
	if (index < 0)
		index = r.status == 405 ? MQ_SB_ROUTE_NOT_ALLOWED : MQ_SB_ROUTE_NOT_FOUND;
	mq_scoreboard_end(w->sb, w->slot, index, r.status, dur);
	access_log(&r, dur);
}

/*
 * health.c: /healthz (this worker answers) and /readyz (it can do work).
 */
#include "cache/cache.h"
#include "core/json.h"
#include "db/db.h"
#include "http/handlers.h"
#include "http/http.h"

static struct mq_stmt ping = MQ_STMT_READ("SELECT 1");

/* GET /healthz: no dependency is touched, so a load balancer does not take
 * every host out when the database blips. */
mq_reply mq_health_live(struct mq_req *r)
{
	struct json_object *o = mq_json_object(r->arena);

	mq_json_add_str(o, "status", "ok");
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond_json(r, 200, o);
}

/* GET /readyz: 200 when PostgreSQL answers; 503 with the reason when not.
 * memcached is reported but never makes the service unready: without it
 * requests are slower, not failing. */
mq_reply mq_health_ready(struct mq_req *r)
{
	struct json_object *checks = mq_json_object(r->arena);
	struct json_object *o;
	size_t len;
	bool db_up = mq_q(r, &ping, 0, NULL) != NULL;

	mq_cache_get(r->ctx.cache, r->arena, "readyz", &len);
	mq_json_add_str(checks, "database", db_up ? "up" : "down");
	mq_json_add_str(checks, "cache", mq_cache_up(r->ctx.cache) ? "up" : "down");
	mq_resp_header(r, "Cache-Control", "no-store");
	if (!db_up) {
		struct json_object *extra = mq_json_object(r->arena);

		json_object_object_add(extra, "checks", json_object_get(checks));
		return mq_problem_ext(r, 503,
				      mq_arena_printf(r->arena, mq_tr(r->lang.ui, "PostgreSQL is unreachable: %s"),
						      mq_db_error(r->ctx.db)),
				      extra);
	}
	o = mq_json_object(r->arena);
	mq_json_add_str(o, "status", "ready");
	json_object_object_add(o, "checks", json_object_get(checks));
	return mq_respond_json(r, 200, o);
}

/*
 * http.h: one FastCGI request: what came in, and how to answer it.
 *
 * A handler receives a struct mq_req whose route, path parameters, query
 * and headers are already checked.  It answers with exactly one of the
 * mq_respond_* or mq_problem* calls and returns its result, an mq_reply.
 * Every step that may answer for the handler (reading the body, a page, a
 * language) returns an mq_reply too: MQ_NEXT when the request goes on, a
 * reply that is done when it answered, which the handler returns as it is:
 *
 *     mq_reply rc;
 *     if (mq_done(rc = mq_page_parse(r, &p)))
 *             return rc;
 *
 * Every string here lives in the request arena.
 */
#ifndef MQ_HTTP_H
#define MQ_HTTP_H

#include <fcgiapp.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/lang.h"
#include "core/log.h"
#include "db/db.h"
#include "http/query.h"
#include "http/router.h"

/* What a handler returns: whether the request has been answered.  Only
 * the mq_respond and mq_problem families (and MQ_NEXT) make one, and it
 * is a struct so that a bare 0, -1 or bool does not compile in its place:
 * "answered" has one meaning and one type. */
typedef struct mq_reply {
	bool done;
} mq_reply;

#define MQ_NEXT ((mq_reply){ .done = false })

static inline bool mq_done(mq_reply rc)
{
	return rc.done;
}

struct mq_header {
	struct mq_header *next;
	const char *name;
	const char *value;
};

struct mq_scoreboard;

struct mq_req {
	FCGX_Request *fcgi;
	struct mq_ctx ctx;		/* what the domain calls take */
	struct mq_arena *arena;		/* = ctx.arena */
	const struct mq_scoreboard *sb;	/* the pool's, read-only: for /metrics */

	unsigned method;
	const char *method_name;
	const char *path;		/* decoded, as nginx normalised it */
	const char *raw_query;
	struct mq_query query;
	struct mq_match match;
	const char *request_id;

	const char *authorization;
	const char *content_type;
	const char *accept_language;
	struct mq_lang lang;		/* Accept-Language's, or ?language= (http/lang.h) */
	const char *if_none_match;
	int64_t content_length;		/* -1 when absent */
	bool body_read;

	int64_t user_id;		/* 0 when anonymous */
	enum mq_role role;

	/* the answer */
	int status;
	size_t bytes_out;
	bool responded;
	struct mq_header *headers;
	uint64_t started_ns;
};

/* Reads the FastCGI parameters into r (method, path, headers, query);
 * r->ctx is a copy of services (its arena the request's).  Returns 0, or
 * an HTTP status (400, 405, 414) when the request is unusable;
 * r->responded stays false so the caller answers. */
int mq_req_init(struct mq_req *r, FCGX_Request *fcgi, const struct mq_ctx *services,
		const char **why);

/* A FastCGI parameter (e.g. "HTTP_HOST"), or NULL. */
const char *mq_req_param(const struct mq_req *r, const char *name);

/* The client's address as nginx saw it (REMOTE_ADDR), or "-". */
const char *mq_req_client(const struct mq_req *r);

/* Logs a security event for the request (core/ctx.h: mq_event). */
#define mq_req_event(r, ...) mq_event(&(r)->ctx, __VA_ARGS__)

/* The path parameter called name (declared in the route pattern). */
int64_t mq_req_id(const struct mq_req *r, const char *name);
const char *mq_req_str(const struct mq_req *r, const char *name);

/* The same int parameter, and the caller's user id, as the text of a
 * statement parameter (in the request's arena). */
const char *mq_req_id_text(struct mq_req *r, const char *name);
const char *mq_req_user_text(struct mq_req *r);

/* The body, read once and capped, into *body and *len; or the problem
 * (411, 413, 400) answered. */
mq_reply mq_req_body(struct mq_req *r, const char **body, size_t *len);

/* The body as a JSON object: checks Content-Type (415), size (413), syntax,
 * UTF-8 and depth (400); or the problem answered. */
mq_reply mq_req_json(struct mq_req *r, struct json_object **out);

/* Adds a response header (name and value copied into the arena).  A value
 * with a control character is refused (logged, not sent). */
void mq_resp_header(struct mq_req *r, const char *name, const char *value) MQ_NONNULL(1, 2, 3);

/* Answers with a body of the given type (NULL type and body for none). */
mq_reply mq_respond(struct mq_req *r, int status, const char *type, const char *body, size_t len);
mq_reply mq_respond_json(struct mq_req *r, int status, struct json_object *o);

/* Answers {"detail": text}: the short confirmations of actions.
 *
 * Every text a responder is given (detail, fmt, msg) is translated into
 * the request's language (r->lang.ui, core/i18n.h) before it is used, and
 * the problem's title too; every response carries Content-Language and
 * Vary: Accept-Language. */
mq_reply mq_respond_detail(struct mq_req *r, int status, const char *text) MQ_NONNULL(1, 3);

/* Answers 200 with body and a weak ETag, or 304 when If-None-Match has it. */
mq_reply mq_respond_cached(struct mq_req *r, const char *etag, const char *body, size_t len);

/* RFC 9457 problem+json.  detail is printf-style; a text that is not a
 * literal goes to mq_problem_ext, which refuses a NULL, not through "%s". */
mq_reply mq_problem(struct mq_req *r, int status, const char *fmt, ...) MQ_PRINTF(3, 4)
	MQ_NONNULL(1, 3);

/* 400 with "errors": {"field": ["message", ...]}. */
mq_reply mq_problem_fields(struct mq_req *r, struct json_object *errors);

/* 400 with one field's one message. */
mq_reply mq_problem_field(struct mq_req *r, const char *field, const char *msg)
	MQ_NONNULL(1, 2, 3);

/* Another status (404 for an id that names nothing, 409 for a value
 * taken) with detail, and "errors" naming the field with msg. */
mq_reply mq_problem_about(struct mq_req *r, int status, const char *detail, const char *field,
		     const char *msg) MQ_NONNULL(1, 3, 4, 5);

/* A problem with extra members merged in (extra may be NULL). */
mq_reply mq_problem_ext(struct mq_req *r, int status, const char *detail, struct json_object *extra)
	MQ_NONNULL(1, 3);

/* 403 for a premium feature the caller is not entitled to, in the
 * caller's language: with_plan (a whole sentence, marked N_(), whose %s
 * is the plan's name) and "plan": plan ({id, name} from
 * mq_subs_entitled), or without (no plan offers it) and "plan": null. */
mq_reply mq_problem_plan(struct mq_req *r, struct json_object *plan, const char *with_plan,
			 const char *without)
	MQ_NONNULL(1, 3, 4);

/* Answers a failure of the domain or data layers (core/status.h) with
 * the problem it maps to, from the details in r->ctx.err: 404, 400 (naming
 * the field), 409, 403, 413, 415, 503 (+ Retry-After), 504, 502, 500. */
mq_reply mq_fail(struct mq_req *r, enum mq_status status);

/* The failure of the last statement (db/db.h: mq_db_failure), answered. */
mq_reply mq_fail_db(struct mq_req *r);

/* A statement run for the request: db/db.h's mq_db_q on r->ctx. */
static inline PGresult *mq_q(struct mq_req *r, struct mq_stmt *st, int n,
			     const char *const *params)
{
	return mq_db_q(&r->ctx, st, n, params);
}

/* The status line text for an HTTP status ("Not Found"). */
const char *mq_status_text(int status);

/* Computes a weak ETag (W/"...") for a body. */
const char *mq_etag_for(struct mq_arena *a, const char *body, size_t len);

/* True when an If-None-Match header value matches etag (weak comparison). */
bool mq_etag_match(const char *if_none_match, const char *etag);

/* The absolute URL of this request's path (with its final slash) and the query given (NULL:
 * none), for pagination links.  Uses [server] public_url when set. */
const char *mq_req_url(struct mq_req *r, const char *query);

#endif

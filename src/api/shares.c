/*
 * shares.c: share links: POST /api/shares/ {kind, id} -> {url, code,
 * kind, id, title, intents} (201, or 200 for a target the caller shared
 * before), and GET /s/{code}, the link's HTML page for people and for
 * the crawlers of social networks (Open Graph, Twitter Cards), which
 * counts the visit.  A private or removed target is a 404 (an HTML page
 * too, at /s/).
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "social/shares.h"

static const char *const kinds[] = { "movie", "review", "list", NULL };

/* POST /api/shares/ {kind, id} */
mq_reply mq_shares_post(struct mq_req *r)
{
	static const char *const fields[] = { "kind", "id", NULL };
	static const char *const read_only[] = { "url", "code", "title", "intents", NULL };
	struct json_object *out;
	struct mq_form f;
	const char *kind;
	enum mq_status st;
	int64_t id = 0;
	bool created;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	kind = mq_form_enum(&f, "kind", MQ_REQUIRED, kinds);
	mq_form_int(&f, "id", MQ_REQUIRED, 1, INT64_MAX, &id);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_share_create(&r->ctx, r->user_id, kind, id, &out, &created)) != MQ_OK)
		return mq_fail(r, st);
	if (created)
		mq_resp_header(r, "Location", json_object_get_string(json_object_object_get(out, "url")));
	return mq_respond_json(r, created ? 201 : 200, out);
}

/* An HTML page; never framed, no script, images from anywhere https. */
static mq_reply page(struct mq_req *r, int status, const char *doc)
{
	mq_resp_header(r, "Content-Security-Policy",
		       "default-src 'none'; img-src https: http:; base-uri 'none'; "
		       "form-action 'none'; frame-ancestors 'none'");
	mq_resp_header(r, "Cache-Control", "no-cache");
	return mq_respond(r, status, "text/html; charset=utf-8", doc, strlen(doc));
}

/* GET /s/{code}: HEAD is answered alike and not counted. */
mq_reply mq_shares_page(struct mq_req *r)
{
	struct mq_share_target t;
	enum mq_status st;

	st = mq_share_visit(&r->ctx, mq_req_str(r, "code"), r->method != MQ_HEAD, &t);
	if (st == MQ_NOT_FOUND)
		return page(r, 404, mq_share_missing_html(&r->ctx));
	if (st != MQ_OK)
		return mq_fail(r, st);
	return page(r, 200, mq_share_html(&r->ctx, &t));
}

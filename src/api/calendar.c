/*
 * calendar.c: the watchlist's release calendar for calendar clients:
 * POST and DELETE /api/users/me/calendar-token/ (make or rotate, revoke
 * the feed's token) and GET /api/users/me/calendar.ics?token= (the feed,
 * RFC 5545).  Calendar clients send no headers, so the token in the URL
 * is the feed's only credential (a tokenless route: Authorization is not
 * read).  The domain: src/watch/.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "watch/calendar.h"
#include "watch/providers.h"
#include "watch/secrets.h"

#define FEED_PATH "/api/users/me/calendar.ics"

/* POST /api/users/me/calendar-token/: 201 {token, url}; the old token, if
 * any, no longer opens the feed. */
mq_reply mq_calendar_token_post(struct mq_req *r)
{
	struct json_object *o;
	const char *token;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })))
		return rc;
	if ((st = mq_secret_make(&r->ctx, MQ_SECRET_CALENDAR, r->user_id, &token)) != MQ_OK)
		return mq_fail(r, st);
	o = mq_json_object(r->arena);
	mq_json_add_str(o, "token", token);
	mq_json_add_str(o, "url", mq_arena_printf(r->arena, "%s" FEED_PATH "?token=%s",
						  r->ctx.origin, token));
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond_json(r, 201, o);
}

/* DELETE /api/users/me/calendar-token/: 204, or 404 when there was none. */
mq_reply mq_calendar_token_delete(struct mq_req *r)
{
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })))
		return rc;
	if ((st = mq_secret_revoke(&r->ctx, MQ_SECRET_CALENDAR, r->user_id)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond(r, 204, NULL, NULL, 0);
}

/* GET /api/users/me/calendar.ics?token=: the feed with its ETag (304 for
 * If-None-Match); 404 for a token that opens nothing. */
mq_reply mq_calendar_feed(struct mq_req *r)
{
	static const char *const params[] = { "token", NULL };
	const char *token = mq_query_get(&r->query, "token"), *username, *region, *body, *etag;
	enum mq_status st;
	int64_t user;
	size_t len;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, params)))
		return rc;
	if (token == NULL)
		return mq_problem_field(r, "token", "The feed's token is required.");
	if ((st = mq_secret_user(&r->ctx, MQ_SECRET_CALENDAR, token, &user, &username)) != MQ_OK ||
	    (st = mq_watch_region(&r->ctx, user, NULL, &region)) != MQ_OK ||
	    (st = mq_calendar_render(&r->ctx, user, username, region, &body, &len)) != MQ_OK)
		return mq_fail(r, st);
	etag = mq_etag_for(r->arena, body, len);
	mq_resp_header(r, "ETag", etag);
	mq_resp_header(r, "Cache-Control", "private, no-cache");
	if (mq_etag_match(r->if_none_match, etag))
		return mq_respond(r, 304, NULL, NULL, 0);
	return mq_respond(r, 200, "text/calendar; charset=utf-8", body, len);
}

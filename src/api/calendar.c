/*
 * calendar.c: the watchlist's release calendar for calendar clients:
 * GET /api/users/me/calendar.ics?token= (the feed, RFC 5545).  Calendar
 * clients send no headers, so the token in the URL (url_secrets.c makes
 * it) is the feed's only credential (a tokenless route: Authorization is
 * not read).  The domain: src/watch/.
 */
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "watch/calendar.h"
#include "watch/providers.h"
#include "watch/secrets.h"

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

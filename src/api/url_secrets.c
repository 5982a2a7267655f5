/*
 * url_secrets.c: the secrets of a user's private URLs, made (or rotated)
 * and revoked: POST and DELETE /api/users/me/calendar-token/ (the
 * calendar feed's, calendar.c) and /api/users/me/scrobble-secret/ (the
 * media servers' webhooks', scrobble.c).  A secret is shown once, when
 * made; the old one then opens nothing.  The domain: watch/secrets.h.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "watch/secrets.h"

static const char *const servers[] = { "plex", "jellyfin", "emby" };

/* Makes user's secret of kind into *secret, or answers the failure. */
static mq_reply make(struct mq_req *r, enum mq_secret_kind kind, const char **secret)
{
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })))
		return rc;
	if ((st = mq_secret_make(&r->ctx, kind, r->user_id, secret)) != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "Cache-Control", "no-store");
	return MQ_NEXT;
}

/* 204, or 404 when there was none. */
static mq_reply revoke(struct mq_req *r, enum mq_secret_kind kind)
{
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })))
		return rc;
	if ((st = mq_secret_revoke(&r->ctx, kind, r->user_id)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond(r, 204, NULL, NULL, 0);
}

/* POST /api/users/me/calendar-token/: 201 {token, url}. */
mq_reply mq_calendar_token_post(struct mq_req *r)
{
	struct json_object *o;
	const char *token;
	mq_reply rc;

	if (mq_done(rc = make(r, MQ_SECRET_CALENDAR, &token)))
		return rc;
	o = mq_json_object(r->arena);
	mq_json_add_str(o, "token", token);
	mq_json_add_str(o, "url", mq_arena_printf(r->arena, "%s/api/users/me/calendar.ics?token=%s",
						  r->ctx.origin, token));
	return mq_respond_json(r, 201, o);
}

/* DELETE /api/users/me/calendar-token/ */
mq_reply mq_calendar_token_delete(struct mq_req *r)
{
	return revoke(r, MQ_SECRET_CALENDAR);
}

/* POST /api/users/me/scrobble-secret/: 201 {secret, urls: {plex,
 * jellyfin, emby}}. */
mq_reply mq_scrobble_secret_post(struct mq_req *r)
{
	struct json_object *o, *urls;
	const char *secret;
	mq_reply rc;

	if (mq_done(rc = make(r, MQ_SECRET_SCROBBLE, &secret)))
		return rc;
	o = mq_json_object(r->arena);
	urls = json_object_new_object();
	mq_json_add_str(o, "secret", secret);
	for (size_t i = 0; i < MQ_ARRAY_LEN(servers); i++)
		mq_json_add_str(urls, servers[i], mq_arena_printf(r->arena, "%s/api/scrobble/%s/%s/",
								  r->ctx.origin, secret, servers[i]));
	json_object_object_add(o, "urls", urls);
	return mq_respond_json(r, 201, o);
}

/* DELETE /api/users/me/scrobble-secret/ */
mq_reply mq_scrobble_secret_delete(struct mq_req *r)
{
	return revoke(r, MQ_SECRET_SCROBBLE);
}

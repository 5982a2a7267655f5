/*
 * scrobble.c: media servers' webhooks: POST /api/scrobble/{secret}/plex/,
 * .../jellyfin/, .../emby/ (each server's documented payload; the secret
 * in the path, which url_secrets.c makes, is the only credential:
 * tokenless routes).  The domain: src/watch/ (scrobble.h says what each
 * payload must be).
 */
#include <strings.h>

#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/multipart.h"
#include "watch/scrobble.h"
#include "watch/secrets.h"

/* The event's JSON: Plex's "payload" part (multipart/form-data), the
 * others' body (application/json); or the problem answered. */
static mq_reply payload_of(struct mq_req *r, const char *server, const char **json, size_t *len)
{
	const char *type = r->content_type ? r->content_type : "", *body;
	bool plex = strcmp(server, "plex") == 0;
	mq_reply rc;
	size_t n;

	if (plex ? strncasecmp(type, "multipart/form-data", 19) != 0
		 : strncasecmp(type, "application/json", 16) != 0)
		return mq_problem(r, 415, "%s sends %s.", plex ? "Plex" : "This server",
				  plex ? "multipart/form-data" : "application/json");
	if (mq_done(rc = mq_req_body(r, &body, &n)))
		return rc;
	if (!plex) {
		*json = body;
		*len = n;
	} else if (mq_multipart_part(type, body, n, "payload", json, len) != 0) {
		return mq_problem_field(r, "payload", "Plex's webhooks carry the event as a "
					"multipart/form-data part named payload.");
	}
	return MQ_NEXT;
}

/* The answer: 201 recorded, 200 recorded before, 202 accepted and
 * ignored (with why). */
static mq_reply answer(struct mq_req *r, const struct mq_scrobble *s)
{
	struct json_object *o = mq_json_object(r->arena);
	static const char *const outcomes[] = {
		[MQ_SCROBBLE_RECORDED] = "recorded", [MQ_SCROBBLE_DUPLICATE] = "duplicate",
		[MQ_SCROBBLE_IGNORED] = "ignored",
	};
	static const int statuses[] = {
		[MQ_SCROBBLE_RECORDED] = 201, [MQ_SCROBBLE_DUPLICATE] = 200,
		[MQ_SCROBBLE_IGNORED] = 202,
	};

	mq_json_add_str(o, "outcome", outcomes[s->outcome]);
	mq_json_add_str(o, "detail", s->outcome == MQ_SCROBBLE_IGNORED ? s->why
				     : s->outcome == MQ_SCROBBLE_RECORDED ? "Added to the watch history."
				     : "This event was recorded before.");
	if (s->movie)
		mq_json_add_int(o, "movie", s->movie);
	if (s->history_id)
		mq_json_add_int(o, "history_id", s->history_id);
	return mq_respond_json(r, statuses[s->outcome], o);
}

static mq_reply scrobble(struct mq_req *r, const char *server)
{
	const char *json, *username;
	struct mq_scrobble s;
	enum mq_status st;
	int64_t user;
	size_t len;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })))
		return rc;
	if ((st = mq_secret_user(&r->ctx, MQ_SECRET_SCROBBLE, mq_req_str(r, "secret"), &user,
				 &username)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_done(rc = payload_of(r, server, &json, &len)))
		return rc;
	r->user_id = user;	/* for the request's log line */
	if ((st = mq_scrobble_record(&r->ctx, user, server, json, len, &s)) != MQ_OK)
		return mq_fail(r, st);
	return answer(r, &s);
}

/* POST /api/scrobble/{secret}/plex/ */
mq_reply mq_scrobble_plex(struct mq_req *r)
{
	return scrobble(r, "plex");
}

/* POST /api/scrobble/{secret}/jellyfin/ */
mq_reply mq_scrobble_jellyfin(struct mq_req *r)
{
	return scrobble(r, "jellyfin");
}

/* POST /api/scrobble/{secret}/emby/ */
mq_reply mq_scrobble_emby(struct mq_req *r)
{
	return scrobble(r, "emby");
}

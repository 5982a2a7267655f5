/*
 * push.c: Web Push: GET /api/push/key/ (the VAPID public key browsers
 * subscribe with), POST /api/push/subscriptions/ (a browser's
 * PushSubscription.toJSON(): {endpoint, expirationTime?, keys: {p256dh,
 * auth}}), DELETE /api/push/subscriptions/ {endpoint}.  Without [push]
 * vapid_key_file these answer 503.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "integrations/webpush.h"
#include "notify/push.h"

#define ENDPOINT_MAX 2048

/* GET /api/push/key/ -> {public_key} */
mq_reply mq_push_key_get(struct mq_req *r)
{
	struct mq_webpush *w;
	struct json_object *o;
	enum mq_status st;
	char err[256];

	if ((st = mq_push_available(&r->ctx)) != MQ_OK)
		return mq_fail(r, st);
	if ((w = mq_webpush_new(r->ctx.cfg, err, sizeof(err))) == NULL) {
		mq_log_error("push: %s", err);
		return mq_problem(r, 500, "An internal error occurred (request %s).", r->request_id);
	}
	o = mq_json_object(r->arena);
	mq_json_add_str(o, "public_key", mq_webpush_public_key(w));
	mq_webpush_free(w);
	mq_resp_header(r, "Cache-Control", "public, max-age=3600");
	return mq_respond_json(r, 200, o);
}

/* POST /api/push/subscriptions/: 201, or 200 for one the caller has. */
mq_reply mq_push_subscriptions_post(struct mq_req *r)
{
	static const char *const fields[] = { "endpoint", "expirationTime", "keys", NULL };
	static const char *const key_fields[] = { "p256dh", "auth", NULL };
	struct json_object *keys = NULL, *out;
	const char *endpoint, *p256dh = NULL, *auth = NULL;
	struct mq_form f, k;
	enum mq_status st;
	bool created;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	endpoint = mq_form_string(&f, "endpoint", MQ_REQUIRED, 1, ENDPOINT_MAX);
	if (!json_object_object_get_ex(f.body, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_object)) {
		mq_form_error(&f, "keys", "Must be an object: {p256dh, auth}.");
	} else {
		mq_form_begin(&k, r, keys, key_fields, NULL);
		p256dh = mq_form_string(&k, "p256dh", MQ_REQUIRED, 1, 200);
		auth = mq_form_string(&k, "auth", MQ_REQUIRED, 1, 100);
		/* named from the top: keys.p256dh */
		json_object_object_foreach(k.errors, name, msgs) {
			for (size_t i = 0; i < json_object_array_length(msgs); i++)
				mq_form_error(&f, mq_arena_printf(r->arena, "keys.%s", name), "%s",
					      json_object_get_string(json_object_array_get_idx(msgs, i)));
		}
	}
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	st = mq_push_subscribe(&r->ctx, r->user_id, endpoint, p256dh, auth, &out, &created);
	if (st != MQ_OK)
		return mq_fail(r, st);
	return mq_respond_json(r, created ? 201 : 200, out);
}

/* DELETE /api/push/subscriptions/ {endpoint}: 204, or 404 when the
 * caller has no such subscription. */
mq_reply mq_push_subscriptions_delete(struct mq_req *r)
{
	static const char *const fields[] = { "endpoint", NULL };
	const char *endpoint;
	struct mq_form f;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	endpoint = mq_form_string(&f, "endpoint", MQ_REQUIRED, 1, ENDPOINT_MAX);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_push_unsubscribe(&r->ctx, r->user_id, endpoint)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond(r, 204, NULL, NULL, 0);
}

/*
 * notifications.c: a user's notifications and their settings:
 * GET /api/notifications/ (?unread=true), POST /api/notifications/{id}/read/,
 * POST /api/notifications/read-all/, GET/PUT
 * /api/users/me/notification-settings/, and the one-click unsubscribe of
 * mail (RFC 8058), POST /api/notifications/unsubscribe/?token=, which
 * needs no login: the token is signed.
 */
#include "core/json.h"
#include "db/db.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "notify/notifications.h"
#include "notify/settings.h"
#include "notify/unsubscribe.h"

/* GET /api/notifications/: newest first, with unread_count. */
mq_reply mq_notifications_get(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", "unread", NULL };
	const char *unread = mq_query_get(&r->query, "unread");
	struct mq_notification_page n;
	struct json_object *env;
	enum mq_status st;
	struct mq_page p;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	if (unread && strcmp(unread, "true") != 0 && strcmp(unread, "false") != 0)
		return mq_problem_field(r, "unread", "Must be true or false.");
	st = mq_notifications_list(&r->ctx, r->user_id, unread && strcmp(unread, "true") == 0,
				   p.size, p.offset, &n);
	if (st != MQ_OK)
		return mq_fail(r, st);
	if (mq_page_past_end(&p, n.count))
		return mq_page_not_found(r, &p);
	env = mq_page_envelope(r, &p, n.count, n.results);
	mq_json_add_int(env, "unread_count", n.unread);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, env);
}

/* POST /api/notifications/{id}/read/: 204 (also when it was read). */
mq_reply mq_notifications_post_read(struct mq_req *r)
{
	enum mq_status st = mq_notification_read(&r->ctx, r->user_id, mq_req_id_text(r, "id"));

	return st == MQ_OK ? mq_respond(r, 204, NULL, NULL, 0) : mq_fail(r, st);
}

/* POST /api/notifications/read-all/ -> {marked} */
mq_reply mq_notifications_post_read_all(struct mq_req *r)
{
	struct json_object *o;
	enum mq_status st;
	int64_t marked;

	if ((st = mq_notifications_read_all(&r->ctx, r->user_id, &marked)) != MQ_OK)
		return mq_fail(r, st);
	o = mq_json_object(r->arena);
	mq_json_add_int(o, "marked", marked);
	return mq_respond_json(r, 200, o);
}

static mq_reply show_settings(struct mq_req *r)
{
	struct json_object *out;
	enum mq_status st;

	if ((st = mq_notify_settings(&r->ctx, r->user_id, &out)) != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, out);
}

/* GET /api/users/me/notification-settings/ */
mq_reply mq_notification_settings_get(struct mq_req *r)
{
	return show_settings(r);
}

/* The channels of kind's value v into values (-1: not given), errors
 * into f. */
static void read_channels(struct mq_form *f, const char *kind, struct json_object *v,
			  int values[3])
{
	bool fixed = strcmp(kind, MQ_NOTIFY_FIXED_KIND) == 0;

	values[0] = values[1] = values[2] = -1;
	if (!json_object_is_type(v, json_type_object)) {
		mq_form_error(f, kind, "Must be an object of channels: in_app, email, push.");
		return;
	}
	json_object_object_foreach(v, channel, on) {
		const char *field = mq_arena_printf(f->r->arena, "%s.%s", kind, channel);
		int ch = 0;

		while (mq_notify_channels[ch] && strcmp(mq_notify_channels[ch], channel) != 0)
			ch++;
		if (mq_notify_channels[ch] == NULL)
			mq_form_error(f, field, "Unknown channel (in_app, email or push).");
		else if (!json_object_is_type(on, json_type_boolean))
			mq_form_error(f, field, "Must be true or false.");
		else if (fixed && !json_object_get_boolean(on))
			mq_form_error(f, field, "Security notifications cannot be switched off.");
		else
			values[ch] = json_object_get_boolean(on);
	}
}

/* PUT /api/users/me/notification-settings/ {kind: {channel: bool}}: the
 * kinds and channels given are set, the others kept; answers them all. */
mq_reply mq_notification_settings_put(struct mq_req *r)
{
	struct mq_form f;
	enum mq_status st;
	mq_reply rc;
	int values[MQ_NOTIFY_KIND_COUNT][3];

	if (mq_done(rc = mq_form_read(&f, r, mq_notify_kinds, NULL)))
		return rc;
	for (int k = 0; mq_notify_kinds[k]; k++) {
		struct json_object *v;

		values[k][0] = values[k][1] = values[k][2] = -1;
		if (json_object_object_get_ex(f.body, mq_notify_kinds[k], &v))
			read_channels(&f, mq_notify_kinds[k], v, values[k]);
	}
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	for (int k = 0; mq_notify_kinds[k]; k++) {
		if (!mq_notify_kind_switchable(mq_notify_kinds[k]) ||
		    (values[k][0] < 0 && values[k][1] < 0 && values[k][2] < 0))
			continue;
		if ((st = mq_notify_setting_set(&r->ctx, r->user_id, mq_notify_kinds[k], values[k])) != MQ_OK)
			return mq_fail(r, st);
	}
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	return show_settings(r);
}

/* The body of an unsubscribe: RFC 8058's "List-Unsubscribe=One-Click"
 * (form-encoded or multipart, as mail providers send it), a JSON object
 * (the web app's), or none.  Answers 400 or 415 for anything else. */
static mq_reply one_click_body(struct mq_req *r)
{
	const char *type = r->content_type ? r->content_type : "", *body;
	size_t len;
	mq_reply rc;

	if (r->content_length <= 0 && *type == '\0')
		return MQ_NEXT;
	if (strncmp(type, "application/json", 16) == 0) {
		struct mq_form f;
		static const char *const none[] = { NULL };

		if (mq_done(rc = mq_form_read(&f, r, none, NULL)))
			return rc;
		return mq_form_end(&f);
	}
	if (strncmp(type, "application/x-www-form-urlencoded", 33) != 0 &&
	    strncmp(type, "multipart/form-data", 19) != 0)
		return mq_problem(r, 415, "Send List-Unsubscribe=One-Click as a form, or no body.");
	if (mq_done(rc = mq_req_body(r, &body, &len)))
		return rc;
	if (memmem(body, len, "List-Unsubscribe", 16) == NULL || memmem(body, len, "One-Click", 9) == NULL)
		return mq_problem_field(r, "List-Unsubscribe", "Must be One-Click (RFC 8058).");
	return MQ_NEXT;
}

/* POST /api/notifications/unsubscribe/?token=: the token's kind of mail
 * is switched off for its user. */
mq_reply mq_notifications_post_unsubscribe(struct mq_req *r)
{
	static const char *const allowed[] = { "token", NULL };
	const char *token = mq_query_get(&r->query, "token"), *kind;
	struct json_object *o;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = one_click_body(r)))
		return rc;
	if (token == NULL)
		return mq_problem_field(r, "token", "The link's token is required.");
	if ((st = mq_unsubscribe(&r->ctx, token, &kind)) != MQ_OK)
		return mq_fail(r, st);
	o = mq_json_object(r->arena);
	mq_json_add_str(o, "detail", "You will get no more of these mails.");
	mq_json_add_str(o, "kind", kind);
	return mq_respond_json(r, 200, o);
}

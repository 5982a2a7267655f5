/*
 * oauth.c: social login (accounts/social_login.h): the providers
 * configured (GET /api/auth/oauth/providers/, for sign-in buttons), GET
 * /api/auth/oauth/{provider}/start/ and .../callback/, which the browser
 * goes through, POST /api/auth/oauth/exchange/, which the client calls
 * with the one-time code the browser brought back, and the caller's
 * identities at /api/users/me/identities/.
 *
 * The browser never carries a token: it ends at the client's redirect_uri
 * with a code good for one exchange, for [oauth] code_ttl.  Redirects are
 * 302 with no body, not cached, and no Referer leaves with the code.
 */
#include "accounts/account.h"
#include "accounts/sessions.h"
#include "accounts/social_login.h"
#include "core/json.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "integrations/oauth.h"

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

static mq_reply redirect(struct mq_req *r, const char *location)
{
	mq_resp_header(r, "Location", location);
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond(r, 302, NULL, NULL, 0);
}

/* GET /api/auth/oauth/providers/: the [oauth.NAME] sections, in the
 * config's order, as a client shows them: name, display name, kind and
 * where a sign-in starts.  Nothing secret (no client id, no endpoint). */
mq_reply mq_oauth_providers(struct mq_req *r)
{
	static const char *const none[] = { NULL };
	const struct mq_config *cfg = r->ctx.cfg;
	struct json_object *out, *list;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, none)))
		return rc;
	out = mq_json_object(r->arena);
	list = json_object_new_array();
	json_object_object_add(out, "providers", list);
	for (size_t i = 0; i < cfg->oauth_provider_count; i++) {
		const struct mq_oauth_provider *p = &cfg->oauth_providers[i];
		struct json_object *o = json_object_new_object();

		mq_json_add_str(o, "name", p->name);
		mq_json_add_str(o, "display_name", p->display_name);
		mq_json_add_str(o, "kind", p->kind_name);
		mq_json_add_str(o, "start", mq_arena_printf(r->arena, "/api/auth/oauth/%s/start/", p->name));
		json_object_array_add(list, o);
	}
	return mq_respond_json(r, 200, out);
}

/* GET /api/auth/oauth/{provider}/start/?redirect_uri=&state= */
mq_reply mq_oauth_start(struct mq_req *r)
{
	static const char *const allowed[] = { "redirect_uri", "state", NULL };
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	const char *uri = mq_query_get(&r->query, "redirect_uri");
	const char *state = mq_query_get(&r->query, "state"), *location;
	const struct mq_oauth_provider *provider;
	enum mq_status st;
	mq_reply rc;

	/* a provider there is none of is a 404 whatever the query says */
	if ((st = mq_oauth_provider(&r->ctx, mq_req_str(r, "provider"), &provider)) != MQ_OK)
		return mq_fail(r, st);
	mq_form_check_query(&f, allowed);
	if (uri == NULL || *uri == '\0' || strlen(uri) > MQ_OAUTH_REDIRECT_MAX || !printable(uri))
		mq_form_error(&f, "redirect_uri", "Required: one of this server's registered "
						  "redirect URIs.");
	if (state && (*state == '\0' || strlen(state) > MQ_OAUTH_CLIENT_STATE_MAX ||
		      !printable(state)))
		mq_form_error(&f, "state", "1 to %d printable ASCII characters.",
			      MQ_OAUTH_CLIENT_STATE_MAX);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_social_start(&r->ctx, mq_req_str(r, "provider"), uri, state, &location)) != MQ_OK)
		return mq_fail(r, st);
	return redirect(r, location);
}

/* GET /api/auth/oauth/{provider}/callback/?code=&state= (or ?error=):
 * the provider sends the browser here.  An iss must be the provider's
 * (RFC 9207); its other parameters (scope, ...) are let be. */
mq_reply mq_oauth_callback(struct mq_req *r)
{
	struct mq_social_callback cb = { mq_query_get(&r->query, "state"),
					 mq_query_get(&r->query, "code"),
					 mq_query_get(&r->query, "error"),
					 mq_query_get(&r->query, "iss") };
	const char *location;
	enum mq_status st;

	st = mq_social_finish(&r->ctx, mq_req_str(r, "provider"), &cb, &location);
	if (st != MQ_OK)
		return mq_fail(r, st);
	return redirect(r, location);
}

/* POST /api/auth/oauth/exchange/ {code} -> {access, refresh, user} */
mq_reply mq_oauth_exchange(struct mq_req *r)
{
	static const char *const fields[] = { "code", NULL };
	struct json_object *out = mq_json_object(r->arena), *user;
	const char *code;
	struct mq_form f;
	enum mq_status st;
	PGresult *u;
	mq_reply rc;
	int64_t id;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	code = mq_form_string(&f, "code", MQ_REQUIRED, 1, 256);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	if ((st = mq_social_spend_code(&r->ctx, code, &u)) != MQ_OK)
		return mq_fail(r, st);
	id = mq_row_int(u, 0, 0);
	/* role and token_version follow the user's columns */
	st = mq_sessions_sign_in(&r->ctx, out, id, PQgetvalue(u, 0, PQnfields(u) - 2),
				 mq_row_int(u, 0, PQnfields(u) - 1), mq_req_client(r));
	if (st != MQ_OK)
		return mq_fail(r, st);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	user = mq_row_columns(u, 0, 0, PQnfields(u) - 2);
	mq_account_finish(&r->ctx, user);
	json_object_object_add(out, "user", user);
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond_json(r, 200, out);
}

/* GET /api/users/me/identities/ */
mq_reply mq_identities_get(struct mq_req *r)
{
	static const char *const params[] = { "page", "page_size", NULL };
	struct json_object *list;
	enum mq_status st;
	struct mq_page p;
	int64_t count;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, params)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	st = mq_identities_list(&r->ctx, r->user_id, p.limit_s, p.offset_s, &count, &list);
	if (st != MQ_OK)
		return mq_fail(r, st);
	return mq_page_respond(r, &p, count, list);
}

/* DELETE /api/users/me/identities/{provider}/ */
mq_reply mq_identities_delete(struct mq_req *r)
{
	enum mq_status st = mq_identities_remove(&r->ctx, r->user_id, mq_req_str(r, "provider"));

	if (st != MQ_OK)
		return mq_fail(r, st);
	return mq_respond(r, 204, NULL, NULL, 0);
}

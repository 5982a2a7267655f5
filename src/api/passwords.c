/*
 * passwords.c: changing a password, and resetting a forgotten one by mail.
 *
 * Either way the user's token version goes up and every refresh token is
 * revoked, so every session elsewhere ends at once; every reset link still
 * unused stops working, and the account's address is told by mail.
 */
#include "accounts/password.h"
#include "accounts/sessions.h"
#include "accounts/tokens.h"
#include "cache/cache.h"
#include "core/config.h"
#include "core/json.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "notify/outbox.h"

static struct mq_stmt own_hash = MQ_STMT_READ(
	"SELECT password_hash, token_version FROM users WHERE id = $1 AND deleted_at IS NULL");

/* The new hash, and every session gone; the new version and role back.
 * $3, when given, is the hash the caller checked the old password
 * against: a password replaced meanwhile (a reset) must not be
 * overwritten by a request that proved only the one before. */
static struct mq_stmt set_password = MQ_STMT(
	"UPDATE users SET password_hash = $2, token_version = token_version + 1, "
	"  updated_at = now() "
	"WHERE id = $1 AND is_active AND deleted_at IS NULL "
	"AND ($3::text IS NULL OR password_hash = $3) "
	"RETURNING role, token_version, email");

/* Reset links mailed before were for the password that is now gone.
 * Verification links stay: they prove the address, which has not
 * changed, not the password. */
static struct mq_stmt void_resets = MQ_STMT(
	"UPDATE user_tokens SET used_at = now() "
	"WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL");

/* A reset request is only queued, whatever the address: `marquee outbox`
 * resolves it (an active account with the address gets the mail, and its
 * earlier reset links are voided).  So an address with an account costs
 * exactly the work of one without; answering sooner for an unknown
 * address told them apart by timing.  $5: the mail may go (the address
 * is within its mail limit). */
static struct mq_stmt queue_reset = MQ_STMT(
	"WITH q AS (INSERT INTO password_reset_requests "
	"           (email, token_hash, expires_at, subject, may_mail, body) "
	"           VALUES ($1, $2, now() + $3 * interval '1 millisecond', $4, $5, $6)) "
	"SELECT pg_notify('marquee_outbox', '')");

static struct mq_stmt reset_valid = MQ_STMT_READ(
	"SELECT 1 FROM user_tokens WHERE token_hash = $1 AND purpose = 'reset_password' "
	"AND used_at IS NULL AND expires_at > now()");

static struct mq_stmt use_reset = MQ_STMT(
	"UPDATE user_tokens SET used_at = now() "
	"WHERE token_hash = $1 AND purpose = 'reset_password' AND used_at IS NULL "
	"AND expires_at > now() RETURNING user_id");

/* Queues "your password was changed" (ASVS 2.2.3), in the open
 * transaction.  A failure is the database's. */
static enum mq_status notify_changed(struct mq_ctx *c, const char *email)
{
	return mq_outbox_queue(c, email, mq_tr(c->lang, "Your Marquee password was changed"),
			       mq_tr(c->lang, "The password of your Marquee account was just changed, and "
			       "every session of the account was ended.\n\n"
			       "If it was you, there is nothing more to do.\n\n"
			       "If it was not, somebody else knows your password or can read "
			       "your mail: ask for a password reset from the sign-in page at "
			       "once, and secure this mailbox.\n"));
}

/* Sets the password, ends every session, voids the reset links and mails
 * the notice, in the open transaction.  old_hash: see set_password (NULL
 * for a reset).  The users row (role, version, email) into *row, or the
 * failure answered (rolled back). */
static mq_reply replace_password(struct mq_req *r, const char *user_id, const char *hash,
				 const char *old_hash, PGresult **row)
{
	const char *params[] = { user_id, hash, old_hash };
	PGresult *res = mq_q(r, &set_password, 3, params);
	enum mq_status st;

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		if (old_hash)
			return mq_problem(r, 409, "Your password was changed by another request "
						  "meanwhile; try again with the current one.");
		return mq_problem(r, 404, "This account is no longer active.");
	}
	if ((st = mq_sessions_end_all(&r->ctx, user_id)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_q(r, &void_resets, 1, &user_id) == NULL)
		return mq_fail_db(r);
	if ((st = notify_changed(&r->ctx, PQgetvalue(res, 0, 2))) != MQ_OK)
		return mq_fail(r, st);
	*row = res;
	return MQ_NEXT;
}

/* The new password of a form, checked; NULL (an error recorded) if bad. */
static const char *new_password(struct mq_form *f)
{
	const char *pw = mq_form_string(f, "new_password", MQ_REQUIRED, 1, MQ_PASSWORD_MAX_BYTES);
	const char *why = pw ? mq_password_problem(f->r->ctx.cfg, pw) : NULL;

	if (why) {
		mq_form_error(f, "new_password", "%s", mq_tr(f->r->lang.ui, why));
		return NULL;
	}
	return pw;
}

/* Wrong old passwords are limited like failed logins ([auth]
 * login_max_failures per window), per account: a stolen access token
 * must not become an unlimited oracle for the password.  The key holds
 * the token version, so a new password starts afresh.  Reserved before
 * the check (see sessions.c); fails open while memcached is down. */
static const char *change_key(struct mq_req *r, PGresult *own)
{
	return mq_arena_printf(r->arena, "password-change-fail:v%s:%lld", PQgetvalue(own, 0, 1),
			       (long long)r->user_id);
}

static bool change_allowed(struct mq_req *r, const char *key)
{
	const struct mq_config *cfg = r->ctx.cfg;

	return cfg->login_max_failures == 0 ||
	       mq_cache_incr(r->ctx.cache, key, cfg->login_failure_window_ms / 1000) <=
		       (uint64_t)cfg->login_max_failures;
}

static mq_reply change_refused(struct mq_req *r)
{
	mq_req_event(r, MQ_LOG_WARN, "password_change_locked", r->user_id, NULL);
	mq_resp_header(r, "Retry-After",
		       mq_arena_printf(r->arena, "%d", r->ctx.cfg->login_failure_window_ms / 1000));
	return mq_problem(r, 429, "Too many wrong passwords for this account; try again later.");
}

/* The current hash into *hash when old is the right password, else the
 * refusal answered. */
static mq_reply check_old(struct mq_req *r, struct mq_form *f, const char *id, const char *old,
			  const char **hash)
{
	PGresult *res = mq_q(r, &own_hash, 1, &id);
	const char *key;

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "This account is no longer active.");
	*hash = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
	key = change_key(r, res);
	if (!change_allowed(r, key))
		return change_refused(r);
	if (!mq_password_verify(r->ctx.cfg, *hash, old)) {
		mq_req_event(r, MQ_LOG_WARN, "password_change_failed", r->user_id, NULL);
		mq_form_error(f, "old_password", "The current password is wrong.");
		return mq_form_end(f);
	}
	mq_cache_delete(r->ctx.cache, key);
	return MQ_NEXT;
}

/* POST /api/users/password/change/ {old_password, new_password}
 * -> {access, refresh}: this session goes on with new tokens. */
mq_reply mq_passwords_change(struct mq_req *r)
{
	static const char *const fields[] = { "old_password", "new_password", NULL };
	struct json_object *out;
	const char *id = mq_req_user_text(r);
	const char *old, *pw, *old_hash = NULL;
	char hash[MQ_PASSWORD_HASH_MAX];
	struct mq_form f;
	enum mq_status st;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	old = mq_form_string(&f, "old_password", MQ_REQUIRED, 1, MQ_PASSWORD_MAX_BYTES);
	pw = new_password(&f);
	if (mq_done(rc = mq_form_end(&f)) || mq_done(rc = check_old(r, &f, id, old, &old_hash)))
		return rc;
	if (mq_password_hash(r->ctx.cfg, pw, hash) < 0)
		return mq_problem(r, 503, "The server is short of memory; try again shortly.");
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (mq_done(rc = replace_password(r, id, hash, old_hash, &res)))
		return rc;
	out = mq_json_object(r->arena);
	st = mq_sessions_issue(&r->ctx, out, r->user_id, PQgetvalue(res, 0, 0),
			       mq_row_int(res, 0, 1), NULL);
	if (st != MQ_OK)
		return mq_fail(r, st);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	mq_req_event(r, MQ_LOG_INFO, "password_changed", r->user_id, NULL);
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond_json(r, 200, out);
}

/* POST /api/users/password-reset/ {email}: always 202 with the same body,
 * after the same work (queue_reset), so it tells nobody whether an
 * address has an account.  Past the per-address mail limit nothing is
 * mailed, and the answer is the same. */
mq_reply mq_passwords_reset(struct mq_req *r)
{
	static const char *const fields[] = { "email", NULL };
	const struct mq_config *cfg = r->ctx.cfg;
	const char *email, *token, *hash, *body, *mail;
	struct mq_form f;
	char ttl[24];
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	email = mq_form_string(&f, "email", MQ_REQUIRED, 1, 254);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	mq_token_new(r->arena, &token, &hash);
	snprintf(ttl, sizeof(ttl), "%d", cfg->password_reset_ttl_ms);
	body = mq_arena_printf(r->arena,
			       mq_tr(r->ctx.lang, "Somebody asked to reset the password of your Marquee account.\n\n"
			       "Choose a new one within %s here:\n\n%s\n\n"
			       "If it was not you, ignore this message: your password stays as "
			       "it is.\n"),
			       mq_outbox_duration(&r->ctx, cfg->password_reset_ttl_ms),
			       mq_outbox_link(&r->ctx, "reset-password", token));
	mail = mq_outbox_allow(&r->ctx, "reset_password", email) ? "true" : "false";
	/* in the language of the request: whoever asks reads it */
	const char *params[] = { email, hash, ttl,
				 mq_tr(r->ctx.lang, "Reset your Marquee password"), mail, body };
	if (mq_q(r, &queue_reset, 6, params) == NULL)
		return mq_fail_db(r);
	return mq_respond_detail(r, 202, "If an account has this address, a reset link is on its way.");
}

static mq_reply bad_link(struct mq_form *f)
{
	mq_form_error(f, "token", "This link is invalid, used or expired.");
	return mq_form_end(f);
}

/* POST /api/users/password-reset/confirm/ {token, new_password} */
mq_reply mq_passwords_reset_confirm(struct mq_req *r)
{
	static const char *const fields[] = { "token", "new_password", NULL };
	char hash[MQ_PASSWORD_HASH_MAX];
	const char *token, *pw, *token_hash;
	struct mq_form f;
	PGresult *res, *row;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	token = mq_form_string(&f, "token", MQ_REQUIRED, 1, 256);
	pw = new_password(&f);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	/* The token first: a bad one must not cost a password hash. */
	token_hash = mq_token_hash(r->arena, token);
	res = token_hash ? mq_q(r, &reset_valid, 1, &token_hash) : NULL;
	if (token_hash && res == NULL)
		return mq_fail_db(r);
	if (res == NULL || PQntuples(res) == 0)
		return bad_link(&f);
	if (mq_password_hash(r->ctx.cfg, pw, hash) < 0)
		return mq_problem(r, 503, "The server is short of memory; try again shortly.");
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	res = mq_q(r, &use_reset, 1, &token_hash);
	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {	/* used by a concurrent request */
		mq_db_rollback(r->ctx.db);
		return bad_link(&f);
	}
	if (mq_done(rc = replace_password(r, PQgetvalue(res, 0, 0), hash, NULL, &row)))
		return rc;
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	mq_req_event(r, MQ_LOG_INFO, "password_reset", mq_row_int(res, 0, 0), NULL);
	return mq_respond_detail(r, 200, "Your password has been reset; log in with it.");
}

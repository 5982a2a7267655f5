/*
 * verification.c: confirming an email address with the token mailed at
 * registration, and mailing a new one.
 */
#include "accounts/tokens.h"
#include "accounts/verification.h"
#include "http/form.h"
#include "http/handlers.h"
#include "notify/outbox.h"

static struct mq_stmt use_verify = MQ_STMT(
	"WITH t AS (UPDATE user_tokens SET used_at = now() "
	"           WHERE token_hash = $1 AND purpose = 'verify_email' AND used_at IS NULL "
	"           AND expires_at > now() RETURNING user_id) "
	"UPDATE users u SET email_verified_at = coalesce(email_verified_at, now()) "
	"FROM t WHERE u.id = t.user_id AND u.deleted_at IS NULL RETURNING u.id");

static struct mq_stmt unverified = MQ_STMT(
	"SELECT email FROM users WHERE id = $1 AND email_verified_at IS NULL AND deleted_at IS NULL");

static struct mq_stmt void_verify = MQ_STMT(
	"UPDATE user_tokens SET used_at = now() "
	"WHERE user_id = $1 AND purpose = 'verify_email' AND used_at IS NULL");

/* POST /api/users/verify-email/ {token} */
mq_reply mq_verification_verify(struct mq_req *r)
{
	static const char *const fields[] = { "token", NULL };
	const char *token, *hash;
	struct mq_form f;
	PGresult *res = NULL;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	token = mq_form_string(&f, "token", MQ_REQUIRED, 1, 256);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	hash = mq_token_hash(r->arena, token);
	if (hash && (res = mq_q(r, &use_verify, 1, &hash)) == NULL)
		return mq_fail_db(r);
	if (res == NULL || PQntuples(res) == 0) {
		mq_form_error(&f, "token", "This link is invalid, used or expired.");
		return mq_form_end(&f);
	}
	return mq_respond_detail(r, 200, "Your email address is confirmed.");
}

/* POST /api/users/verify-email/resend/: a new link; earlier ones stop
 * working.  Limited per address (mq_outbox_allow): whoever registered
 * with somebody else's address must not be able to flood it. */
mq_reply mq_verification_resend(struct mq_req *r)
{
	const char *id = mq_req_user_text(r);
	PGresult *res = mq_q(r, &unverified, 1, &id);
	enum mq_status st;

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 409, "Your email address is already confirmed.");
	if (!mq_outbox_allow(&r->ctx, "verify_email", PQgetvalue(res, 0, 0))) {
		mq_resp_header(r, "Retry-After",
			       mq_arena_printf(r->arena, "%d", MQ_OUTBOX_WINDOW_S));
		return mq_problem(r, 429, "Enough confirmation links were mailed to this address "
					  "for now; try again later.");
	}
	if (mq_db_begin(r->ctx.db) < 0 || mq_q(r, &void_verify, 1, &id) == NULL)
		return mq_fail_db(r);
	if ((st = mq_verification_send(&r->ctx, r->user_id, PQgetvalue(res, 0, 0))) != MQ_OK)
		return mq_fail(r, st);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	return mq_respond_detail(r, 202, "A new confirmation link is on its way.");
}

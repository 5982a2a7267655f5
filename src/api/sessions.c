/*
 * sessions.c: login, refresh-token rotation, logout.
 *
 * A login starts a family of refresh tokens.  Each refresh spends the
 * token it presents and issues the next of the family; a spent token
 * presented again means two parties hold the family, so the whole family
 * is revoked and both must log in again.
 */
#include "accounts/account.h"
#include "accounts/password.h"
#include "accounts/sessions.h"
#include "accounts/tokens.h"
#include "cache/cache.h"
#include "core/config.h"
#include "core/json.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"

/* Column 5: the login as the database folds it to find the account,
 * which the limit counts under (attempt_keys). */
static struct mq_stmt find_login = MQ_STMT_READ(
	"SELECT u.id, u.password_hash, u.role, u.token_version, u.is_active, lower($1) "
	"FROM users u RIGHT JOIN (SELECT) one "
	"ON (lower(u.username) = lower($1) OR lower(u.email) = lower($1)) AND u.deleted_at IS NULL");

/* Only while the account is still as find_login saw it: a password
 * change, reset, deactivation or role change that committed while the
 * password was being checked moved the version or the hash, and this
 * login must not outlive it (its new family would escape the revocation,
 * and a rehash would put back a hash of the old password).  If that
 * request still holds the row, this waits for it and checks again. */
static struct mq_stmt logged_in = MQ_STMT(
	"UPDATE users u SET last_login_at = now(), "
	"  password_hash = coalesce($2, password_hash) "
	"WHERE u.id = $1 AND u.token_version = $3 AND u.password_hash = $4 "
	"AND u.is_active AND u.deleted_at IS NULL RETURNING " MQ_USER_PRIVATE);

/* Spends a live token; no row when it is unknown, spent, revoked or old,
 * or when any token of its family is revoked.  That last test closes the
 * races with revoke_all and revoke_family: their statement snapshot
 * misses a token a concurrent refresh inserts, but they always revoke
 * the token that refresh spent, so the one that slipped through dies at
 * its first use. */
static struct mq_stmt spend_refresh = MQ_STMT(
	"UPDATE refresh_tokens t SET spent_at = now() "
	"WHERE t.token_hash = $1 AND t.spent_at IS NULL AND t.revoked_at IS NULL "
	"AND t.expires_at > now() "
	"AND NOT EXISTS (SELECT 1 FROM refresh_tokens o "
	"                WHERE o.family = t.family AND o.revoked_at IS NOT NULL) "
	"RETURNING t.user_id, t.family");

static struct mq_stmt find_refresh = MQ_STMT(
	"SELECT family, spent_at IS NOT NULL, user_id FROM refresh_tokens WHERE token_hash = $1");

static struct mq_stmt revoke_family = MQ_STMT(
	"UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL");

static struct mq_stmt revoke_family_of = MQ_STMT(
	"UPDATE refresh_tokens SET revoked_at = now() "
	"WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = $1) "
	"AND revoked_at IS NULL");

static struct mq_stmt refresh_user = MQ_STMT(
	"SELECT role, token_version FROM users WHERE id = $1 AND is_active AND deleted_at IS NULL");

/*
 * Failed logins.  Each attempt is counted in memcached before its password
 * is checked (the increment reserves it, so parallel guesses cannot slip
 * past the limit between a check and an increment), under two keys:
 *
 *   the name and the client's address: past [auth] login_max_failures,
 *       that address is refused with 429 for the window;
 *   the name alone, from every address: past ACCOUNT_FACTOR times as
 *       many, everyone is.  One attacker can thus not lock the owner out;
 *       only a crowd of addresses can, for a window.
 *
 * The name is the login lower-cased by the database, in the statement
 * that looks the account up, so that every spelling that finds an
 * account counts against it: C's tolower() left "secalİce" (U+0130) and
 * a Kelvin sign (U+212A) as they were, while lower() in PostgreSQL folds
 * them to "secalice" and "k", and each such letter was a fresh count of
 * guesses (issue 12, finding 2).  An account's username and its address
 * are counted apart, so that a 429 for one never tells that
 * the other belongs to the same account (the price: twice the guesses).
 * Unknown names are counted alike, so a 429 tells nothing either.  The
 * keys hold the account's token version, which replacing the password
 * moves: the counts start afresh then.  A success gives its reservation
 * back and clears its address's count.
 *
 * When memcached does not answer nothing is counted and the limit is off
 * (fails open, on purpose: nginx's per-address limit still holds, and a
 * cache outage must not lock everybody out).
 */
#define ACCOUNT_FACTOR 10

struct attempt {
	const char *per_addr, *per_name;
};

static void attempt_keys(struct mq_req *r, PGresult *account, struct attempt *a)
{
	const char *version = PQgetisnull(account, 0, 0) ? "0" : PQgetvalue(account, 0, 3);
	const char *name = PQgetvalue(account, 0, 5);

	a->per_addr = mq_arena_printf(r->arena, "login-fail:v%s:%s %s", version,
				      mq_req_client(r), name);
	a->per_name = mq_arena_printf(r->arena, "login-fail:v%s:* %s", version, name);
}

/* Reserves one attempt; false when it is one too many. */
static bool attempt_allowed(struct mq_req *r, const struct attempt *a)
{
	const struct mq_config *cfg = r->ctx.cfg;
	uint64_t max = (uint64_t)cfg->login_max_failures;
	int window = cfg->login_failure_window_ms / 1000;

	if (max == 0)
		return true;
	/* An address past its limit stops counting against the name, or it
	 * alone could reach the name's limit. */
	if (mq_cache_incr(r->ctx.cache, a->per_addr, window) > max)
		return false;
	return mq_cache_incr(r->ctx.cache, a->per_name, window) <= max * ACCOUNT_FACTOR;
}

static void attempt_succeeded(struct mq_req *r, const struct attempt *a)
{
	if (r->ctx.cfg->login_max_failures == 0)
		return;
	mq_cache_delete(r->ctx.cache, a->per_addr);
	mq_cache_decr(r->ctx.cache, a->per_name);
}

static mq_reply too_many(struct mq_req *r, int64_t user_id)
{
	mq_req_event(r, MQ_LOG_WARN, "login_locked", user_id, NULL);
	mq_resp_header(r, "Retry-After",
		       mq_arena_printf(r->arena, "%d", r->ctx.cfg->login_failure_window_ms / 1000));
	return mq_problem(r, 429, "Too many failed logins for this account; try again later.");
}

static mq_reply failed(struct mq_req *r, int64_t user_id, const char *why)
{
	mq_req_event(r, MQ_LOG_WARN, "login_failed", user_id, "reason", why, NULL);
	return mq_problem(r, 401, "Unable to log in with the provided credentials.");
}

/* Records the login and starts a session into out, if the account is
 * still as account (find_login's row) says: the user row into *u, or the
 * failure answered (a lost race as a failed login). */
static mq_reply start_session(struct mq_req *r, PGresult *account, const char *rehash,
			      struct json_object *out, PGresult **u)
{
	const char *params[] = { PQgetvalue(account, 0, 0), rehash, PQgetvalue(account, 0, 3),
				 PQgetvalue(account, 0, 1) };
	int64_t id = mq_row_int(account, 0, 0);
	enum mq_status st;

	if (mq_db_begin(r->ctx.db) < 0 || (*u = mq_q(r, &logged_in, 4, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(*u) == 0) {
		mq_db_rollback(r->ctx.db);
		return failed(r, id, "account changed");
	}
	st = mq_sessions_sign_in(&r->ctx, out, id, PQgetvalue(account, 0, 2),
				 mq_row_int(account, 0, 3), mq_req_client(r));
	if (st != MQ_OK)
		return mq_fail(r, st);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	return MQ_NEXT;
}

/* POST /api/users/login/ {username or email, password} -> {access, refresh, user} */
mq_reply mq_sessions_login(struct mq_req *r)
{
	static const char *const fields[] = { "username", "email", "password", NULL };
	const struct mq_config *cfg = r->ctx.cfg;
	struct json_object *out, *user;
	const char *login, *password, *hash = NULL, *rehash = NULL;
	char fresh[MQ_PASSWORD_HASH_MAX];
	struct attempt attempt;
	struct mq_form f;
	PGresult *res, *u;
	mq_reply rc;
	int64_t id;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	if (mq_form_has(&f, "email") && mq_form_has(&f, "username"))
		mq_form_error(&f, "email", "Give a username or an email, not both.");
	login = mq_form_string(&f, mq_form_has(&f, "email") ? "email" : "username", MQ_REQUIRED, 1,
			       254);
	password = mq_form_string(&f, "password", MQ_REQUIRED, 1, MQ_PASSWORD_MAX_BYTES);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	res = mq_q(r, &find_login, 1, &login);
	if (res == NULL)
		return mq_fail_db(r);
	id = PQgetisnull(res, 0, 0) ? 0 : mq_row_int(res, 0, 0);
	attempt_keys(r, res, &attempt);
	if (!attempt_allowed(r, &attempt))
		return too_many(r, id);
	/* The same work whether or not the account exists. */
	if (id && !PQgetisnull(res, 0, 1) && PQgetvalue(res, 0, 4)[0] == 't')
		hash = PQgetvalue(res, 0, 1);
	if (!mq_password_verify(cfg, hash, password))
		return failed(r, id, id ? "password" : "no account");
	if (mq_password_needs_rehash(cfg, hash) && mq_password_hash(cfg, password, fresh) == 0)
		rehash = fresh;
	out = mq_json_object(r->arena);
	if (mq_done(rc = start_session(r, res, rehash, out, &u)))
		return rc;
	attempt_succeeded(r, &attempt);
	user = mq_row_object(u, 0);
	mq_account_finish(&r->ctx, user);
	json_object_object_add(out, "user", user);
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond_json(r, 200, out);
}

/* The refresh token of a body that must hold only it, or 400 answered. */
static mq_reply refresh_field(struct mq_req *r, const char **token)
{
	static const char *const fields[] = { "refresh", NULL };
	struct mq_form f;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	*token = mq_form_string(&f, "refresh", MQ_REQUIRED, 1, 256);
	return mq_form_end(&f);
}

static mq_reply invalid_refresh(struct mq_req *r, const char *why)
{
	mq_resp_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
	return mq_problem_ext(r, 401, why, NULL);
}

/* A token that could not be spent.  If it was spent before, two parties
 * hold its family (a stolen copy): the family is revoked.  A token of a
 * family with a revoked member (which slipped past a revocation) takes
 * the rest of its family with it.  Commits; answers 401. */
static mq_reply refused(struct mq_req *r, const char *hash)
{
	PGresult *res = mq_q(r, &find_refresh, 1, &hash), *rev;
	const char *family;
	bool spent;

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return invalid_refresh(r, N_("The refresh token is invalid or expired."));
	}
	family = PQgetvalue(res, 0, 0);
	spent = PQgetvalue(res, 0, 1)[0] == 't';
	rev = mq_q(r, &revoke_family, 1, &family);
	if (rev == NULL || mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (!spent)
		return invalid_refresh(r, N_("The refresh token is invalid or expired."));
	mq_req_event(r, MQ_LOG_WARN, "refresh_reuse", mq_row_int(res, 0, 2), "family", family,
		     "revoked", PQcmdTuples(rev), NULL);
	return invalid_refresh(r, N_("This refresh token was already used; its session is "
				  "revoked. Log in again."));
}

/* POST /api/users/token/refresh/ {refresh} -> {access, refresh} */
mq_reply mq_sessions_refresh(struct mq_req *r)
{
	const char *token, *hash;
	struct json_object *out;
	enum mq_status st;
	PGresult *res, *u;
	mq_reply rc;

	if (mq_done(rc = refresh_field(r, &token)))
		return rc;
	hash = mq_token_hash(r->arena, token);
	if (hash == NULL)
		return invalid_refresh(r, N_("The refresh token is invalid or expired."));
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	res = mq_q(r, &spend_refresh, 1, &hash);
	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return refused(r, hash);
	const char *uid = PQgetvalue(res, 0, 0);
	u = mq_q(r, &refresh_user, 1, &uid);
	if (u == NULL)
		return mq_fail_db(r);
	if (PQntuples(u) == 0) {
		mq_db_rollback(r->ctx.db);
		return invalid_refresh(r, N_("This account is no longer active."));
	}
	out = mq_json_object(r->arena);
	st = mq_sessions_issue(&r->ctx, out, mq_row_int(res, 0, 0), PQgetvalue(u, 0, 0),
			       mq_row_int(u, 0, 1), PQgetvalue(res, 0, 1));
	if (st != MQ_OK)
		return mq_fail(r, st);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	mq_resp_header(r, "Cache-Control", "no-store");
	return mq_respond_json(r, 200, out);
}

/* POST /api/users/logout/ {refresh}: revokes the token's family.  204
 * whether or not the token was known: nothing to learn from it. */
mq_reply mq_sessions_logout(struct mq_req *r)
{
	const char *token, *hash;
	mq_reply rc;

	if (mq_done(rc = refresh_field(r, &token)))
		return rc;
	hash = mq_token_hash(r->arena, token);
	if (hash && mq_q(r, &revoke_family_of, 1, &hash) == NULL)
		return mq_fail_db(r);
	return mq_respond(r, 204, NULL, NULL, 0);
}

/*
 * social_login.c: sign-in through identity providers (see social_login.h).
 */
#include "accounts/social_login.h"

#include <ctype.h>
#include <sodium.h>

#include "accounts/account.h"
#include "accounts/sessions.h"
#include "accounts/tokens.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "db/rows.h"
#include "integrations/oauth.h"

#define USERNAME_TRIES 8

/* A new sign-in; expired ones go on the way (the index makes it cheap). */
static struct mq_stmt insert_state = MQ_STMT(
	"WITH gone AS (DELETE FROM oauth_states WHERE expires_at < now()) "
	"INSERT INTO oauth_states (state_hash, provider, nonce, code_verifier, redirect_uri, "
	"                          client_state, expires_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond')");

/* Spent by its first callback, live or not. */
static struct mq_stmt spend_state = MQ_STMT(
	"DELETE FROM oauth_states WHERE state_hash = $1 AND provider = $2 "
	"RETURNING expires_at > now(), nonce, code_verifier, redirect_uri, client_state");

static struct mq_stmt find_identity = MQ_STMT(
	"UPDATE user_identities i SET last_used_at = now(), email = $3, email_verified = $4 "
	"FROM users u WHERE i.provider = $1 AND i.subject = $2 AND u.id = i.user_id "
	"RETURNING u.id, u.is_active AND u.deleted_at IS NULL");

static struct mq_stmt find_by_email = MQ_STMT(
	"SELECT id, is_active, email_verified_at IS NOT NULL FROM users "
	"WHERE lower(email) = lower($1) AND deleted_at IS NULL FOR UPDATE");

static struct mq_stmt insert_identity = MQ_STMT(
	"INSERT INTO user_identities (user_id, provider, subject, email, email_verified) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id");

/* Linked by a verified address an account never verified itself: what its
 * registrant set (a password, sessions) goes. */
static struct mq_stmt take_over = MQ_STMT(
	"UPDATE users SET password_hash = NULL, email_verified_at = now(), "
	"  token_version = token_version + 1, updated_at = now() WHERE id = $1");

static struct mq_stmt insert_user = MQ_STMT(
	"INSERT INTO users (username, email, password_hash, email_verified_at, display_name) "
	"VALUES ($1, $2, NULL, now(), left(coalesce($3, ''), 100)) "
	"ON CONFLICT DO NOTHING RETURNING id");

static struct mq_stmt insert_code = MQ_STMT(
	"WITH gone AS (DELETE FROM oauth_codes WHERE expires_at < now()) "
	"INSERT INTO oauth_codes (code_hash, user_id, provider, expires_at) "
	"VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')");

/* A login like a password's: last_login_at moves (and analytics count a
 * sign-in). */
static struct mq_stmt spend_code = MQ_STMT(
	"WITH c AS (DELETE FROM oauth_codes WHERE code_hash = $1 RETURNING user_id, expires_at) "
	"UPDATE users u SET last_login_at = now() FROM c "
	"WHERE u.id = c.user_id AND c.expires_at > now() AND u.is_active AND u.deleted_at IS NULL "
	"RETURNING " MQ_USER_PRIVATE ", u.role, u.token_version");

static struct mq_stmt identities = MQ_STMT_READ(
	"SELECT provider, email, email_verified, rfc3339(created_at) AS created_at, "
	"       rfc3339(last_used_at) AS last_used_at "
	"FROM user_identities WHERE user_id = $1 ORDER BY provider LIMIT $2 OFFSET $3");

static struct mq_stmt count_identities = MQ_STMT_READ(
	"SELECT count(*) FROM user_identities WHERE user_id = $1");

/* Only while another way in remains: a password, or another identity.
 * The user's row is locked first, so two removals cannot each see the
 * other's identity as the one that remains. */
static struct mq_stmt remove_identity = MQ_STMT(
	"WITH me AS (SELECT id, password_hash IS NOT NULL AS has_password FROM users "
	"            WHERE id = $1 FOR UPDATE), "
	"target AS (SELECT i.id FROM user_identities i, me WHERE i.user_id = me.id "
	"           AND i.provider = $2), "
	"others AS (SELECT count(*) AS n FROM user_identities i, me "
	"           WHERE i.user_id = me.id AND i.provider <> $2), "
	"gone AS (DELETE FROM user_identities WHERE id = (SELECT id FROM target) "
	"         AND ((SELECT has_password FROM me) OR (SELECT n FROM others) > 0) RETURNING 1) "
	"SELECT EXISTS (SELECT 1 FROM target), EXISTS (SELECT 1 FROM gone)");

/* ---- start ---- */

/* A random token of 43 base64url characters (PKCE's shortest verifier). */
static const char *random_token(struct mq_ctx *c)
{
	const char *token, *hash;

	mq_token_new(c->arena, &token, &hash);
	return token;
}

enum mq_status mq_social_start(struct mq_ctx *c, const char *provider, const char *redirect_uri,
			       const char *client_state, const char **location)
{
	const struct mq_oauth_provider *p;
	const char *state, *state_hash, *nonce = random_token(c), *verifier = random_token(c);
	enum mq_status st;

	if ((st = mq_oauth_provider(c, provider, &p)) != MQ_OK)
		return st;
	if (!mq_oauth_redirect_allowed(c->cfg, redirect_uri))
		return mq_fail_field(c, MQ_INVALID, "redirect_uri",
				     N_("Not one of this server's registered redirect URIs."),
				     N_("The redirect URI is not registered."));
	mq_token_new(c->arena, &state, &state_hash);
	if ((st = mq_oauth_authorize_url(c, p, state, nonce, verifier, location)) != MQ_OK)
		return st;
	const char *params[] = { state_hash, p->name, nonce, verifier, redirect_uri, client_state,
				 mq_arena_int(c->arena, c->cfg->oauth_state_ttl_ms) };
	if (mq_db_q(c, &insert_state, 7, params) == NULL)
		return mq_db_failure(c);
	mq_event(c, MQ_LOG_INFO, "oauth_started", 0, "provider", p->name, NULL);
	return MQ_OK;
}

/* ---- the account ---- */

/* A username from what the provider calls the user: its letters, digits,
 * '_', '.' and '-', starting with a letter or digit, 3 to 30 of them. */
static char *base_username(struct mq_ctx *c, const struct mq_oauth_user *u)
{
	const char *from = u->username ? u->username : u->email ? u->email : "user";
	size_t len = strcspn(from, "@"), n = 0;
	char *out = mq_arena_alloc(c->arena, 31);

	for (size_t i = 0; i < len && n < 24; i++) {
		unsigned char ch = (unsigned char)from[i];

		if (isalnum(ch) || ((ch == '_' || ch == '.' || ch == '-') && n > 0))
			out[n++] = (char)ch;
	}
	out[n] = '\0';
	if (n < 3)
		snprintf(out, 31, "user");
	return out;
}

/* Makes the account of u (whose address is verified): the username taken
 * from the provider's, with a number after it when taken.  *id, or
 * MQ_CONFLICT when the address was taken meanwhile. */
static enum mq_status create_account(struct mq_ctx *c, const struct mq_oauth_user *u,
				     int64_t *id)
{
	const char *base = base_username(c, u), *name = base;

	for (int i = 0; i < USERNAME_TRIES; i++) {
		const char *params[] = { name, u->email, u->name };
		PGresult *res = mq_db_q(c, &insert_user, 3, params);

		if (res == NULL)
			return mq_db_failure(c);
		if (PQntuples(res) == 1) {
			*id = mq_row_int(res, 0, 0);
			mq_event(c, MQ_LOG_INFO, "oauth_account_created", *id, NULL);
			return MQ_OK;
		}
		res = mq_db_q(c, &find_by_email, 1, &u->email);
		if (res == NULL)
			return mq_db_failure(c);
		if (PQntuples(res) > 0)
			break;
		name = mq_arena_printf(c->arena, "%s-%u", base, (unsigned)randombytes_uniform(100000));
	}
	mq_db_rollback(c->db);
	return mq_fail_with(c, MQ_CONFLICT, NULL, "An account could not be made; try again.");
}

static enum mq_status link_identity(struct mq_ctx *c, const struct mq_oauth_provider *p,
			   const struct mq_oauth_user *u, int64_t id)
{
	const char *params[] = { mq_arena_int(c->arena, id), p->name, u->subject, u->email,
				 u->email_verified ? "true" : "false" };
	PGresult *res = mq_db_q(c, &insert_identity, 5, params);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0) {
		mq_db_rollback(c->db);
		return mq_fail_with(c, MQ_CONFLICT, NULL,
				    "The account with this address is already linked to another "
				    "%s account.", p->name);
	}
	return MQ_OK;
}

/* The account u's verified address links to (taking it over if it never
 * verified the address itself), or a new one. */
static enum mq_status by_email(struct mq_ctx *c, const struct mq_oauth_provider *p,
			       const struct mq_oauth_user *u, int64_t *id)
{
	PGresult *res = mq_db_q(c, &find_by_email, 1, &u->email);
	enum mq_status st;

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0) {
		if ((st = create_account(c, u, id)) != MQ_OK)
			return st;
		return link_identity(c, p, u, *id);
	}
	*id = mq_row_int(res, 0, 0);
	if (PQgetvalue(res, 0, 1)[0] != 't') {
		mq_db_rollback(c->db);
		return mq_fail_with(c, MQ_FORBIDDEN, NULL, "This account is deactivated.");
	}
	if (PQgetvalue(res, 0, 2)[0] != 't') {
		const char *uid = PQgetvalue(res, 0, 0);

		if (mq_db_q(c, &take_over, 1, &uid) == NULL)
			return mq_db_failure(c);
		if ((st = mq_sessions_end_all(c, uid)) != MQ_OK)
			return st;
		mq_event(c, MQ_LOG_WARN, "oauth_unverified_account_claimed", *id, "provider",
			 p->name, NULL);
	}
	if ((st = link_identity(c, p, u, *id)) == MQ_OK)
		mq_event(c, MQ_LOG_INFO, "oauth_linked", *id, "provider", p->name, NULL);
	return st;
}

/* The user u signs in as, in the open transaction. */
static enum mq_status account_of(struct mq_ctx *c, const struct mq_oauth_provider *p,
				 const struct mq_oauth_user *u, int64_t *id)
{
	const char *params[] = { p->name, u->subject, u->email,
				 u->email_verified ? "true" : "false" };
	PGresult *res = mq_db_q(c, &find_identity, 4, params);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 1) {
		*id = mq_row_int(res, 0, 0);
		if (PQgetvalue(res, 0, 1)[0] == 't')
			return MQ_OK;
		mq_db_rollback(c->db);
		return mq_fail_with(c, MQ_FORBIDDEN, NULL, "This account is deactivated.");
	}
	if (u->email == NULL || !u->email_verified) {
		mq_db_rollback(c->db);
		mq_event(c, MQ_LOG_INFO, "oauth_no_verified_email", 0, "provider", p->name, NULL);
		return mq_fail_with(c, MQ_FORBIDDEN, NULL,
				    "%s gave no verified email address, which a Marquee account "
				    "needs; verify one there and sign in again.", p->name);
	}
	if (mq_email_problem(u->email)) {
		mq_db_rollback(c->db);
		return mq_fail_with(c, MQ_FORBIDDEN, NULL, "%s's email address is not usable here.",
				    p->name);
	}
	return by_email(c, p, u, id);
}

/* ---- finish ---- */

/* uri with the members of pairs (NULL-terminated, values NULL skipped)
 * added to its query. */
static const char *with_query(struct mq_ctx *c, const char *uri, const char *const *pairs)
{
	char *out = mq_arena_strdup(c->arena, uri);

	for (size_t i = 0; pairs[i]; i += 2) {
		char *v;

		if (pairs[i + 1] == NULL)
			continue;
		v = mq_arena_alloc(c->arena, strlen(pairs[i + 1]) * 3 + 1);
		for (size_t k = 0, n = 0;; k++) {
			unsigned char ch = (unsigned char)pairs[i + 1][k];

			if (ch == '\0') {
				v[n] = '\0';
				break;
			}
			if (isalnum(ch) || strchr("-._~", ch))
				v[n++] = (char)ch;
			else
				n += (size_t)snprintf(v + n, 4, "%%%02X", ch);
		}
		out = mq_arena_printf(c->arena, "%s%c%s=%s", out, strchr(out, '?') ? '&' : '?',
				      pairs[i], v);
	}
	return out;
}

/* The provider's error code, if it is one of RFC 6749's words. */
static const char *error_code(const char *error)
{
	size_t n = strspn(error, "abcdefghijklmnopqrstuvwxyz_");

	return n > 0 && n <= 64 && error[n] == '\0' ? error : "server_error";
}

static enum mq_status new_code(struct mq_ctx *c, const struct mq_oauth_provider *p, int64_t id,
			       const char **code)
{
	const char *hash;

	mq_token_new(c->arena, code, &hash);
	const char *params[] = { hash, mq_arena_int(c->arena, id), p->name,
				 mq_arena_int(c->arena, c->cfg->oauth_code_ttl_ms) };
	if (mq_db_q(c, &insert_code, 4, params) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

enum mq_status mq_social_finish(struct mq_ctx *c, const char *provider,
				const struct mq_social_callback *cb, const char **location)
{
	const char *state = cb->state, *code = cb->code, *error = cb->error;
	const struct mq_oauth_provider *p;
	const char *hash = state ? mq_token_hash(c->arena, state) : NULL, *one_time;
	struct mq_oauth_user u;
	PGresult *s = NULL;
	enum mq_status st;
	int64_t id;

	if ((st = mq_oauth_provider(c, provider, &p)) != MQ_OK)
		return st;
	const char *params[] = { hash, p->name };
	if (hash && (s = mq_db_q(c, &spend_state, 2, params)) == NULL)
		return mq_db_failure(c);
	/* unknown, spent, expired, or for a redirect_uri taken off the list since */
	if (s == NULL || PQntuples(s) == 0 || PQgetvalue(s, 0, 0)[0] != 't' ||
	    !mq_oauth_redirect_allowed(c->cfg, PQgetvalue(s, 0, 3))) {
		mq_event(c, MQ_LOG_WARN, "oauth_bad_state", 0, "provider", p->name, NULL);
		return mq_fail_field(c, MQ_INVALID, "state", N_("This sign-in is unknown, used or expired."),
				     N_("This sign-in is unknown, used or expired; start it again."));
	}
	const char *redirect = PQgetvalue(s, 0, 3);
	const char *client_state = PQgetisnull(s, 0, 4) ? NULL : PQgetvalue(s, 0, 4);
	if (error) {
		const char *back[] = { "error", error_code(error), "state", client_state, NULL };

		*location = with_query(c, redirect, back);
		return MQ_OK;
	}
	if (code == NULL || *code == '\0')
		return mq_fail_field(c, MQ_INVALID, "code", N_("The provider sent no code."),
				     N_("The provider sent no code."));
	/* RFC 9207: an issuer that names itself must be this one (a mix-up) */
	if (cb->iss && p->kind == MQ_OAUTH_OIDC && strcmp(cb->iss, p->issuer) != 0) {
		mq_event(c, MQ_LOG_WARN, "oauth_refused", 0, "provider", p->name, "reason",
			 "the callback's iss is another issuer", NULL);
		return mq_fail_with(c, MQ_FORBIDDEN, NULL,
				    "The sign-in through %s could not be verified; start it again.",
				    p->name);
	}
	if ((st = mq_oauth_identify(c, p, code, PQgetvalue(s, 0, 2), PQgetvalue(s, 0, 1), &u)) != MQ_OK)
		return st;
	if (mq_db_begin(c->db) < 0)
		return mq_db_failure(c);
	if ((st = account_of(c, p, &u, &id)) != MQ_OK || (st = new_code(c, p, id, &one_time)) != MQ_OK)
		return st;
	if (mq_db_commit(c->db) < 0)
		return mq_db_failure(c);
	mq_event(c, MQ_LOG_INFO, "oauth_signed_in", id, "provider", p->name, NULL);
	const char *back[] = { "code", one_time, "state", client_state, NULL };
	*location = with_query(c, redirect, back);
	return MQ_OK;
}

/* ---- the one-time code ---- */

enum mq_status mq_social_spend_code(struct mq_ctx *c, const char *code, PGresult **user)
{
	const char *hash = mq_token_hash(c->arena, code);

	if (hash && (*user = mq_db_q(c, &spend_code, 1, &hash)) == NULL)
		return mq_db_failure(c);
	if (hash == NULL || PQntuples(*user) == 0) {
		mq_db_rollback(c->db);
		mq_event(c, MQ_LOG_WARN, "oauth_bad_code", 0, NULL);
		return mq_fail_field(c, MQ_INVALID, "code", N_("This code is invalid, used or expired."),
				     N_("This code is invalid, used or expired."));
	}
	return MQ_OK;
}

/* ---- identities ---- */

enum mq_status mq_identities_list(struct mq_ctx *c, int64_t user_id, const char *limit,
				  const char *offset, int64_t *count, struct json_object **out)
{
	const char *params[] = { mq_arena_int(c->arena, user_id), limit, offset };
	PGresult *n = mq_db_q(c, &count_identities, 1, params), *res;

	if (n == NULL || (res = mq_db_q(c, &identities, 3, params)) == NULL)
		return mq_db_failure(c);
	*count = mq_row_int(n, 0, 0);
	*out = mq_rows_array(c->arena, res);
	return MQ_OK;
}

enum mq_status mq_identities_remove(struct mq_ctx *c, int64_t user_id, const char *provider)
{
	const char *params[] = { mq_arena_int(c->arena, user_id), provider };
	PGresult *res = mq_db_q(c, &remove_identity, 2, params);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQgetvalue(res, 0, 0)[0] != 't')
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No %s identity is linked to your account.",
				    provider);
	if (PQgetvalue(res, 0, 1)[0] != 't')
		return mq_fail_with(c, MQ_CONFLICT, NULL,
				    "This is the last way to sign in to your account: set a "
				    "password (through a password reset) or link another provider "
				    "first.");
	mq_event(c, MQ_LOG_INFO, "oauth_unlinked", user_id, "provider", provider, NULL);
	return MQ_OK;
}

/*
 * sessions.c: the refresh-token families a user's sessions are (see
 * sessions.h); api/sessions.c logs in, refreshes and logs out with them.
 */
#include "accounts/sessions.h"

#include "accounts/access_token.h"
#include "accounts/tokens.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "notify/sign_in.h"

static struct mq_stmt insert_refresh = MQ_STMT(
	"INSERT INTO refresh_tokens (user_id, family, token_hash, expires_at) "
	"VALUES ($1, coalesce($2::uuid, gen_random_uuid()), $3, "
	"        now() + $4 * interval '1 millisecond') RETURNING family");

static struct mq_stmt revoke_all = MQ_STMT(
	"UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL");

enum mq_status mq_sessions_issue(struct mq_ctx *c, struct json_object *o, int64_t user_id,
				 const char *role, int64_t version, const char *family)
{
	const struct mq_config *cfg = c->cfg;
	const char *token, *hash, *access;
	char id[24], ttl[24];

	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	snprintf(ttl, sizeof(ttl), "%lld", (long long)cfg->refresh_ttl_ms);
	mq_token_new(c->arena, &token, &hash);
	const char *params[] = { id, family, hash, ttl };
	PGresult *res = mq_db_q(c, &insert_refresh, 4, params);
	if (res == NULL)
		return mq_db_failure(c);
	/* the access token names the session, which auth.c checks is alive */
	access = mq_jwt_issue(c->arena, cfg, user_id, role, version, PQgetvalue(res, 0, 0));
	if (access == NULL) {
		mq_log_error("cannot sign access tokens: is [auth] jwt_key_file 32 bytes or more?");
		mq_db_rollback(c->db);
		return mq_fail_with(c, MQ_INTERNAL, NULL, "Tokens cannot be signed.");
	}
	mq_json_add_str(o, "access", access);
	mq_json_add_str(o, "refresh", token);
	return MQ_OK;
}

enum mq_status mq_sessions_sign_in(struct mq_ctx *c, struct json_object *o, int64_t user_id,
				   const char *role, int64_t version, const char *address)
{
	enum mq_status st = mq_sessions_issue(c, o, user_id, role, version, NULL);

	return st == MQ_OK ? mq_notify_sign_in(c, user_id, address) : st;
}

enum mq_status mq_sessions_end_all(struct mq_ctx *c, const char *user_id)
{
	PGresult *res = mq_db_q(c, &revoke_all, 1, &user_id);

	if (res == NULL)
		return mq_db_failure(c);
	mq_event(c, MQ_LOG_INFO, "sessions_revoked", strtoll(user_id, NULL, 10), "tokens",
		 PQcmdTuples(res), NULL);
	return MQ_OK;
}

/*
 * secrets.c: calendar tokens and scrobble secrets (see secrets.h).
 */
#include "watch/secrets.h"

#include "accounts/tokens.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/rows.h"

struct kind {
	struct mq_stmt make, revoke, find;
	const char *what;	/* for the security log */
};

#define KIND(table, column, what) { \
	MQ_STMT("INSERT INTO " table " (user_id, " column ") VALUES ($1, $2) " \
		"ON CONFLICT (user_id) DO UPDATE SET " column " = excluded." column ", " \
		"created_at = now()"), \
	MQ_STMT("DELETE FROM " table " WHERE user_id = $1 RETURNING user_id"), \
	MQ_STMT_READ("SELECT u.id, u.username FROM " table " t JOIN users u ON u.id = t.user_id " \
		     "WHERE t." column " = $1 AND u.is_active"), \
	what }

static struct kind kinds[] = {
	[MQ_SECRET_CALENDAR] = KIND("calendar_tokens", "token_hash", "calendar_token"),
	[MQ_SECRET_SCROBBLE] = KIND("scrobble_secrets", "secret_hash", "scrobble_secret"),
};

enum mq_status mq_secret_make(struct mq_ctx *c, enum mq_secret_kind kind, int64_t user,
			      const char **secret)
{
	const char *hash, *id = mq_arena_int(c->arena, user);

	mq_token_new(c->arena, secret, &hash);
	if (mq_db_q(c, &kinds[kind].make, 2, (const char *[]){ id, hash }) == NULL)
		return mq_db_failure(c);
	mq_event(c, MQ_LOG_INFO, mq_arena_printf(c->arena, "%s_made", kinds[kind].what), user, NULL);
	return MQ_OK;
}

enum mq_status mq_secret_revoke(struct mq_ctx *c, enum mq_secret_kind kind, int64_t user)
{
	PGresult *res = mq_db_q(c, &kinds[kind].revoke, 1,
				(const char *[]){ mq_arena_int(c->arena, user) });

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "There is none to revoke.");
	mq_event(c, MQ_LOG_INFO, mq_arena_printf(c->arena, "%s_revoked", kinds[kind].what), user,
		 NULL);
	return MQ_OK;
}

enum mq_status mq_secret_user(struct mq_ctx *c, enum mq_secret_kind kind, const char *secret,
			      int64_t *user, const char **username)
{
	const char *hash = secret ? mq_token_hash(c->arena, secret) : NULL;
	PGresult *res;

	if (hash == NULL)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No such URL.");
	if ((res = mq_db_q(c, &kinds[kind].find, 1, &hash)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No such URL.");
	*user = mq_row_int(res, 0, 0);
	*username = mq_arena_strdup(c->arena, PQgetvalue(res, 0, 1));
	return MQ_OK;
}

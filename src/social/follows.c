/*
 * follows.c: follows and blocks (see follows.h).
 */
#include "social/follows.h"

#include "accounts/account.h"
#include "core/arena.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "social/social.h"

static struct mq_stmt find_user = MQ_STMT_READ(
	"SELECT id FROM users WHERE lower(username) = lower($1) AND is_active AND deleted_at IS NULL");

static struct mq_stmt insert_follow = MQ_STMT(
	"INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING "
	"RETURNING 1");

static struct mq_stmt followers_of = MQ_STMT_READ(
	"SELECT followers_count FROM users WHERE id = $1");
static struct mq_stmt following_of = MQ_STMT_READ(
	"SELECT following_count FROM users WHERE id = $1");

static struct mq_stmt delete_follow = MQ_STMT(
	"DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2");

static struct mq_stmt insert_block = MQ_STMT(
	"INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING "
	"RETURNING 1");

static struct mq_stmt delete_block = MQ_STMT(
	"DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2");

/* $1 the user, $2 $3 the page.  Who (the other side) is active; the
 * count is the profile's, kept by the database (no count of every row). */
#define FOLLOW_PAGE(me, other, counted) MQ_STMT_READ( \
	"SELECT (SELECT " counted " FROM users WHERE id = $1) AS total, u.username, u.display_name, " \
	"u.avatar_path, rfc3339(f.created_at) AS followed_at " \
	"FROM follows f JOIN users u ON u.id = f." other " " \
	"WHERE f." me " = $1 AND u.is_active AND u.deleted_at IS NULL " \
	"ORDER BY f.created_at DESC, f." other " DESC LIMIT $2 OFFSET $3")

static struct mq_stmt followers_page = FOLLOW_PAGE("followee_id", "follower_id", "followers_count");
static struct mq_stmt following_page = FOLLOW_PAGE("follower_id", "followee_id", "following_count");

enum mq_status mq_social_user(struct mq_ctx *c, const char *username, int64_t *id)
{
	PGresult *res = mq_db_q(c, &find_user, 1, &username);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No user %s.", username);
	*id = mq_row_int(res, 0, 0);
	return MQ_OK;
}

enum mq_status mq_social_refused(struct mq_ctx *c, const char *detail)
{
	if (strcmp(mq_db_sqlstate(c->db), MQ_SQLSTATE_BLOCKED) != 0)
		return mq_db_failure(c);
	mq_db_rollback(c->db);
	return mq_fail_with(c, MQ_FORBIDDEN, NULL, "%s", mq_tr(c->lang, detail));
}

/* The other user of a pair, who must not be me; into *them. */
static enum mq_status other(struct mq_ctx *c, int64_t me, const char *username, int64_t *them,
			    const char *self)
{
	enum mq_status st = mq_social_user(c, username, them);

	if (st == MQ_OK && *them == me)
		return mq_fail_with(c, MQ_INVALID, "username", "%s", mq_tr(c->lang, self));
	return st;
}

/* Runs st with (me, them): rows into *res. */
static enum mq_status pair(struct mq_ctx *c, struct mq_stmt *st, int64_t me, int64_t them,
			   PGresult **res)
{
	const char *p[] = { mq_arena_int(c->arena, me), mq_arena_int(c->arena, them) };

	*res = mq_db_q(c, st, 2, p);
	return *res ? MQ_OK : MQ_INTERNAL;
}

enum mq_status mq_follow(struct mq_ctx *c, int64_t me, const char *username, bool *created,
			 int64_t *followers)
{
	enum mq_status st;
	PGresult *res;
	int64_t them;

	if ((st = other(c, me, username, &them, N_("You cannot follow yourself."))) != MQ_OK)
		return st;
	if (pair(c, &insert_follow, me, them, &res) != MQ_OK)
		return mq_social_refused(c, N_("You cannot follow this user."));
	*created = PQntuples(res) > 0;
	const char *id = mq_arena_int(c->arena, them);
	if ((res = mq_db_q(c, &followers_of, 1, &id)) == NULL)
		return mq_db_failure(c);
	*followers = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	return MQ_OK;
}

/* Deletes the pair (me, username) with st: MQ_OK whether or not it was
 * there, MQ_NOT_FOUND when there is no such user. */
static enum mq_status unpair(struct mq_ctx *c, struct mq_stmt *st, int64_t me, const char *username)
{
	enum mq_status s;
	PGresult *res;
	int64_t them;

	if ((s = mq_social_user(c, username, &them)) != MQ_OK)
		return s;
	return pair(c, st, me, them, &res) == MQ_OK ? MQ_OK : mq_db_failure(c);
}

enum mq_status mq_unfollow(struct mq_ctx *c, int64_t me, const char *username)
{
	return unpair(c, &delete_follow, me, username);
}

enum mq_status mq_block(struct mq_ctx *c, int64_t me, const char *username, bool *created)
{
	enum mq_status st;
	PGresult *res;
	int64_t them;

	if ((st = other(c, me, username, &them, N_("You cannot block yourself."))) != MQ_OK)
		return st;
	if (pair(c, &insert_block, me, them, &res) != MQ_OK)
		return mq_db_failure(c);
	*created = PQntuples(res) > 0;
	return MQ_OK;
}

enum mq_status mq_unblock(struct mq_ctx *c, int64_t me, const char *username)
{
	return unpair(c, &delete_block, me, username);
}

enum mq_status mq_follow_list(struct mq_ctx *c, const char *username, bool followers,
			      int64_t limit, int64_t offset, struct json_object **results,
			      int64_t *count)
{
	enum mq_status st;
	PGresult *res;
	int64_t id;

	if ((st = mq_social_user(c, username, &id)) != MQ_OK)
		return st;
	const char *p[] = { mq_arena_int(c->arena, id), mq_arena_int(c->arena, limit),
			    mq_arena_int(c->arena, offset) };
	if ((res = mq_db_q(c, followers ? &followers_page : &following_page, 3, p)) == NULL)
		return mq_db_failure(c);
	*results = mq_json_array(c->arena);
	*count = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *u = mq_row_columns(res, i, 1, PQnfields(res));

		mq_account_finish(c, u);
		json_object_array_add(*results, u);
	}
	if (PQntuples(res) > 0)
		*count = mq_row_int(res, 0, 0);
	else if ((res = mq_db_q(c, followers ? &followers_of : &following_of, 1, p)) != NULL &&
		 PQntuples(res) > 0)
		*count = mq_row_int(res, 0, 0);
	return MQ_OK;
}

/*
 * push.c: Web Push subscriptions (see push.h).
 */
#include "notify/push.h"

#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/webpush.h"

/* $1 user, $2 endpoint, $3 p256dh, $4 auth, $5 the most a user keeps.
 * created: the endpoint was no subscription of the user's before (the
 * subquery sees the table as it was before the statement). */
static struct mq_stmt subscribe = MQ_STMT(
	"WITH s AS (INSERT INTO push_subscriptions AS s (user_id, endpoint, p256dh, auth) "
	"           VALUES ($1, $2, $3, $4) "
	"           ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, "
	"             p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, "
	"             created_at = CASE WHEN s.user_id = EXCLUDED.user_id THEN s.created_at "
	"                               ELSE now() END "
	"           RETURNING id, endpoint, rfc3339(created_at) AS created_at, "
	"             (SELECT o.user_id FROM push_subscriptions o WHERE o.endpoint = $2) "
	"               IS DISTINCT FROM $1 AS created), "
	"old AS (DELETE FROM push_subscriptions WHERE id IN ("
	"          SELECT id FROM push_subscriptions WHERE user_id = $1 AND endpoint <> $2 "
	"          ORDER BY id DESC OFFSET $5::int - 1)) "
	"SELECT * FROM s");

static struct mq_stmt unsubscribe = MQ_STMT(
	"DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2 RETURNING 1");

enum mq_status mq_push_available(struct mq_ctx *c)
{
	if (mq_webpush_configured(c->cfg))
		return MQ_OK;
	return mq_fail_retry(c, 86400, "Push notifications are not configured on this server.");
}

enum mq_status mq_push_subscribe(struct mq_ctx *c, int64_t user, const char *endpoint,
				 const char *p256dh, const char *auth, struct json_object **out,
				 bool *created)
{
	const char *why;
	enum mq_status st;
	PGresult *res;

	if ((st = mq_push_available(c)) != MQ_OK)
		return st;
	if ((why = mq_webpush_endpoint_problem(c->cfg, endpoint)) != NULL)
		return mq_fail_field(c, MQ_INVALID, "endpoint", why, why);
	if ((why = mq_webpush_key_problem(p256dh)) != NULL)
		return mq_fail_field(c, MQ_INVALID, "keys.p256dh", why, why);
	if ((why = mq_webpush_auth_problem(auth)) != NULL)
		return mq_fail_field(c, MQ_INVALID, "keys.auth", why, why);
	const char *p[] = { mq_arena_int(c->arena, user), endpoint, p256dh, auth,
			    mq_arena_int(c->arena, c->cfg->push_max_subscriptions) };
	if ((res = mq_db_q(c, &subscribe, 5, p)) == NULL)
		return mq_db_failure(c);
	*out = mq_json_object(c->arena);
	json_object_object_add(*out, "id", json_object_new_int64(mq_row_int(res, 0, 0)));
	mq_json_add_str(*out, "endpoint", PQgetvalue(res, 0, 1));
	mq_json_add_str(*out, "created_at", PQgetvalue(res, 0, 2));
	*created = PQgetvalue(res, 0, 3)[0] == 't';
	return MQ_OK;
}

enum mq_status mq_push_unsubscribe(struct mq_ctx *c, int64_t user, const char *endpoint)
{
	const char *p[] = { mq_arena_int(c->arena, user), endpoint };
	PGresult *res = mq_db_q(c, &unsubscribe, 2, p);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No push subscription of yours has this endpoint.");
	return MQ_OK;
}

/*
 * settings.c: notification settings (see settings.h).
 */
#include "notify/settings.h"

#include "core/arena.h"
#include "core/json.h"
#include "db/db.h"

const char *const mq_notify_kinds[MQ_NOTIFY_KIND_COUNT + 1] = {
	"follow", "reply", "like", "watchlist_review", "recommendations", MQ_NOTIFY_FIXED_KIND, NULL,
};
const char *const mq_notify_channels[4] = { "in_app", "email", "push", NULL };

bool mq_notify_kind_switchable(const char *kind)
{
	for (int i = 0; mq_notify_kinds[i]; i++)
		if (strcmp(kind, mq_notify_kinds[i]) == 0)
			return strcmp(kind, MQ_NOTIFY_FIXED_KIND) != 0;
	return false;
}

static struct mq_stmt prefs = MQ_STMT_READ(
	"SELECT kind, in_app, email, push, fixed FROM notification_prefs($1)");

/* $3 $4 $5: each channel's new value, or NULL to keep it. */
static struct mq_stmt set_pref = MQ_STMT(
	"INSERT INTO notification_settings AS s (user_id, kind, in_app, email, push) "
	"VALUES ($1, $2, $3::bool, $4::bool, $5::bool) "
	"ON CONFLICT (user_id, kind) DO UPDATE SET "
	"  in_app = coalesce(EXCLUDED.in_app, s.in_app), email = coalesce(EXCLUDED.email, s.email), "
	"  push = coalesce(EXCLUDED.push, s.push), updated_at = now()");

enum mq_status mq_notify_settings(struct mq_ctx *c, int64_t user, struct json_object **out)
{
	const char *id = mq_arena_int(c->arena, user);
	PGresult *res = mq_db_q(c, &prefs, 1, &id);

	if (res == NULL)
		return mq_db_failure(c);
	*out = mq_json_object(c->arena);
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *k = json_object_new_object();

		for (int ch = 0; ch < 4; ch++)
			json_object_object_add(k, ch < 3 ? mq_notify_channels[ch] : "fixed",
					       json_object_new_boolean(PQgetvalue(res, i, ch + 1)[0] == 't'));
		json_object_object_add(*out, PQgetvalue(res, i, 0), k);
	}
	return MQ_OK;
}

enum mq_status mq_notify_setting_set(struct mq_ctx *c, int64_t user, const char *kind,
				     const int values[3])
{
	const char *p[5] = { mq_arena_int(c->arena, user), kind };

	for (int ch = 0; ch < 3; ch++)
		p[2 + ch] = values[ch] < 0 ? NULL : values[ch] ? "true" : "false";
	return mq_db_q(c, &set_pref, 5, p) ? MQ_OK : mq_db_failure(c);
}

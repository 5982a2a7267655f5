/*
 * unsubscribe.c: signed one-click unsubscribe tokens (see unsubscribe.h).
 */
#include "notify/unsubscribe.h"

#include <time.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/mac.h"
#include "db/db.h"
#include "notify/settings.h"

#define KEY_CONTEXT "marquee unsubscribe v1"

static struct mq_stmt mail_off = MQ_STMT(
	"INSERT INTO notification_settings AS s (user_id, kind, email) "
	"SELECT id, $2, false FROM users WHERE id = $1 "
	"ON CONFLICT (user_id, kind) DO UPDATE SET email = false, updated_at = now()");

const char *mq_unsubscribe_token(struct mq_ctx *c, int64_t user, const char *kind)
{
	char m[MQ_MAC_TEXT_LEN + 1];
	long long exp = (long long)time(NULL) + c->cfg->notify_unsubscribe_ttl_ms / 1000;
	const char *text = mq_arena_printf(c->arena, "%lld.%s.%lld", (long long)user, kind, exp);

	if (!mq_mac(c->cfg, KEY_CONTEXT, text, m))
		return NULL;
	return mq_arena_printf(c->arena, "%s.%s", text, m);
}

static enum mq_status refused(struct mq_ctx *c, const char *why)
{
	return mq_fail_field(c, MQ_INVALID, "token", why, why);
}

enum mq_status mq_unsubscribe(struct mq_ctx *c, const char *token, const char **kind)
{
	char k[32];
	const char *dot = strrchr(token, '.');
	long long user, exp;
	int used = 0;

	if (dot == NULL || strlen(token) > 120 ||
	    sscanf(token, "%lld.%31[a-z_].%lld%n", &user, k, &exp, &used) != 3 ||
	    token + used != dot || user <= 0 || !mq_notify_kind_switchable(k))
		return refused(c, N_("This unsubscribe link is not valid."));
	const char *text = mq_arena_strndup(c->arena, token, (size_t)(dot - token));
	if (!mq_mac_ok(c->cfg, KEY_CONTEXT, text, dot + 1))
		return refused(c, N_("This unsubscribe link is not valid."));
	if (exp < (long long)time(NULL))
		return refused(c, N_("This unsubscribe link has expired; change your settings instead."));
	const char *p[] = { mq_arena_int(c->arena, user), mq_arena_strdup(c->arena, k) };
	if (mq_db_q(c, &mail_off, 2, p) == NULL)
		return mq_db_failure(c);
	*kind = p[1];
	return MQ_OK;
}

/*
 * unsubscribe.c: signed one-click unsubscribe tokens (see unsubscribe.h).
 */
#include "notify/unsubscribe.h"

#include <sodium.h>
#include <time.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "notify/settings.h"

#define KEY_CONTEXT "marquee unsubscribe v1"
#define MAC_TEXT_LEN 43	/* 32 bytes, base64url */

static struct mq_stmt mail_off = MQ_STMT(
	"INSERT INTO notification_settings AS s (user_id, kind, email) "
	"SELECT id, $2, false FROM users WHERE id = $1 "
	"ON CONFLICT (user_id, kind) DO UPDATE SET email = false, updated_at = now()");

/* The MAC of text, base64url, into out; false without a key. */
static bool mac(const struct mq_config *cfg, const char *text, char out[MAC_TEXT_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char key[crypto_auth_hmacsha256_BYTES], tag[crypto_auth_hmacsha256_BYTES];

	if (cfg->jwt_key.value == NULL || cfg->jwt_key.len == 0)
		return false;
	/* a key of its own: a token is never a MAC another use could accept */
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)cfg->jwt_key.value, cfg->jwt_key.len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)KEY_CONTEXT, strlen(KEY_CONTEXT));
	crypto_auth_hmacsha256_final(&st, key);
	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)text, strlen(text));
	crypto_auth_hmacsha256_final(&st, tag);
	sodium_memzero(key, sizeof(key));
	sodium_bin2base64(out, MAC_TEXT_LEN + 1, tag, sizeof(tag),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return true;
}

const char *mq_unsubscribe_token(struct mq_ctx *c, int64_t user, const char *kind)
{
	char m[MAC_TEXT_LEN + 1];
	long long exp = (long long)time(NULL) + c->cfg->notify_unsubscribe_ttl_ms / 1000;
	const char *text = mq_arena_printf(c->arena, "%lld.%s.%lld", (long long)user, kind, exp);

	if (!mac(c->cfg, text, m))
		return NULL;
	return mq_arena_printf(c->arena, "%s.%s", text, m);
}

static enum mq_status refused(struct mq_ctx *c, const char *why)
{
	return mq_fail_field(c, MQ_INVALID, "token", why, why);
}

enum mq_status mq_unsubscribe(struct mq_ctx *c, const char *token, const char **kind)
{
	char m[MAC_TEXT_LEN + 1], k[32];
	const char *dot = strrchr(token, '.');
	long long user, exp;
	int used = 0;

	if (dot == NULL || strlen(token) > 120 ||
	    sscanf(token, "%lld.%31[a-z_].%lld%n", &user, k, &exp, &used) != 3 ||
	    token + used != dot || user <= 0 || !mq_notify_kind_switchable(k))
		return refused(c, "This unsubscribe link is not valid.");
	const char *text = mq_arena_strndup(c->arena, token, (size_t)(dot - token));
	if (!mac(c->cfg, text, m) || strlen(dot + 1) != MAC_TEXT_LEN ||
	    sodium_memcmp(m, dot + 1, MAC_TEXT_LEN) != 0)
		return refused(c, "This unsubscribe link is not valid.");
	if (exp < (long long)time(NULL))
		return refused(c, "This unsubscribe link has expired; change your settings instead.");
	const char *p[] = { mq_arena_int(c->arena, user), mq_arena_strdup(c->arena, k) };
	if (mq_db_q(c, &mail_off, 2, p) == NULL)
		return mq_db_failure(c);
	*kind = p[1];
	return MQ_OK;
}

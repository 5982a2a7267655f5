/*
 * verification.c: proving an email address is the user's.
 */
#include "accounts/verification.h"

#include "accounts/tokens.h"
#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "notify/outbox.h"

static struct mq_stmt insert_email_token = MQ_STMT(
	"INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) "
	"VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')");

enum mq_status mq_verification_send(struct mq_ctx *c, int64_t user_id, const char *email)
{
	const char *token, *hash;
	char ttl[24];

	mq_token_new(c->arena, &token, &hash);
	snprintf(ttl, sizeof(ttl), "%d", c->cfg->verify_email_ttl_ms);
	const char *params[] = { mq_arena_int(c->arena, user_id), "verify_email", hash, ttl };
	if (mq_db_q(c, &insert_email_token, 4, params) == NULL)
		return mq_db_failure(c);
	return mq_outbox_queue(
		c, email, mq_tr(c->lang, "Confirm your email address for Marquee"),
		mq_arena_printf(c->arena,
				mq_tr(c->lang, "Welcome to Marquee!\n\n"
				"Confirm your email address by opening this link within %s:\n\n"
				"%s\n\n"
				"If you did not create an account, ignore this message.\n"),
				mq_outbox_duration(c, c->cfg->verify_email_ttl_ms),
				mq_outbox_link(c, "verify-email", token)));
}

/*
 * outbox.c: the request side of the outbox; cli/outbox.c sends.
 */
#include "core/common.h"

#include <ctype.h>

#include "cache/cache.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "notify/outbox.h"

static struct mq_stmt queue = MQ_STMT(
	"WITH m AS (INSERT INTO outbox (recipient, subject, body) VALUES ($1, $2, $3) "
	"RETURNING id) "
	"SELECT pg_notify('marquee_outbox', id::text) FROM m");

enum mq_status mq_outbox_queue(struct mq_ctx *c, const char *to, const char *subject,
			       const char *body)
{
	const char *params[] = { to, subject, body };

	return mq_db_q(c, &queue, 3, params) ? MQ_OK : mq_db_failure(c);
}

bool mq_outbox_allow(struct mq_ctx *c, const char *purpose, const char *to)
{
	char *key = mq_arena_printf(c->arena, "mail:%s:%s", purpose, to);

	/* Addresses are one account whatever their case. */
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return mq_cache_incr(c->cache, key, MQ_OUTBOX_WINDOW_S) <= MQ_OUTBOX_PER_WINDOW;
}

const char *mq_outbox_base(struct mq_ctx *c)
{
	static bool warned;
	const struct mq_config *cfg = c->cfg;
	const char *base = *cfg->mail_link_base ? cfg->mail_link_base : cfg->public_url;

	/* Never the request's Host header: whoever asks for a password reset
	 * would choose where the victim's link points. */
	if (*base == '\0') {
		if (!warned)
			mq_log_error("[mail] link_base and [server] public_url are both empty; "
				     "mailed links point to http://localhost");
		warned = true;
		base = "http://localhost";
	}
	size_t blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	return mq_arena_strndup(c->arena, base, blen);
}

const char *mq_outbox_link(struct mq_ctx *c, const char *path, const char *token)
{
	return mq_arena_printf(c->arena, "%s/%s?token=%s", mq_outbox_base(c), path, token);
}

const char *mq_outbox_duration(struct mq_ctx *c, int ms)
{
	int minutes = (ms + 59999) / 60000;

	if (minutes % 60 == 0)
		return mq_arena_printf(c->arena, mq_trn(c->lang, "%d hour", "%d hours",
							(unsigned long)minutes / 60), minutes / 60);
	return mq_arena_printf(c->arena, mq_trn(c->lang, "%d minute", "%d minutes",
						(unsigned long)minutes), minutes);
}

/*
 * sign_in.c: new sign-ins (see sign_in.h).
 */
#include "notify/sign_in.h"

#include "core/arena.h"
#include "db/db.h"

/* known: the addresses before this statement (its snapshot). */
static struct mq_stmt signed_in = MQ_STMT(
	"WITH known AS (SELECT count(*) AS n FROM sign_ins WHERE user_id = $1), "
	"seen AS (INSERT INTO sign_ins AS s (user_id, address) VALUES ($1, left($2, 64)) "
	"         ON CONFLICT (user_id, address) DO UPDATE SET last_at = now() "
	"         RETURNING s.xmax = 0 AS fresh) "
	"SELECT notify($1, 'new_sign_in', NULL, NULL, NULL, NULL, NULL, "
	"              jsonb_build_object('address', left($2, 64))) "
	"FROM seen, known WHERE seen.fresh AND known.n > 0");

enum mq_status mq_notify_sign_in(struct mq_ctx *c, int64_t user, const char *address)
{
	const char *p[] = { mq_arena_int(c->arena, user), address };

	return mq_db_q(c, &signed_in, 2, p) ? MQ_OK : mq_db_failure(c);
}

/*
 * likes.c: likes of reviews (see likes.h).
 */
#include "social/likes.h"

#include "core/arena.h"
#include "db/db.h"
#include "db/rows.h"
#include "social/social.h"

static struct mq_stmt insert_like = MQ_STMT(
	"INSERT INTO review_likes (review_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING "
	"RETURNING 1");

static struct mq_stmt delete_like = MQ_STMT(
	"DELETE FROM review_likes WHERE review_id = $1 AND user_id = $2");

static struct mq_stmt likes_of = MQ_STMT_READ("SELECT likes_count FROM reviews WHERE id = $1");

/* The review's likes into *count, or MQ_NOT_FOUND. */
static enum mq_status counted(struct mq_ctx *c, const char *review, int64_t *count)
{
	PGresult *res = mq_db_q(c, &likes_of, 1, &review);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No review with id %s.", review);
	*count = mq_row_int(res, 0, 0);
	return MQ_OK;
}

enum mq_status mq_like(struct mq_ctx *c, int64_t me, const char *review, bool *created,
		       int64_t *count)
{
	const char *p[] = { review, mq_arena_int(c->arena, me) };
	PGresult *res = mq_db_q(c, &insert_like, 2, p);

	if (res == NULL) {
		if (strcmp(mq_db_sqlstate(c->db), "23503") == 0)	/* no such review */
			return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No review with id %s.", review);
		return mq_social_refused(c, N_("You cannot like this user's reviews."));
	}
	*created = PQntuples(res) > 0;
	return counted(c, review, count);
}

enum mq_status mq_unlike(struct mq_ctx *c, int64_t me, const char *review, int64_t *count)
{
	const char *p[] = { review, mq_arena_int(c->arena, me) };

	if (mq_db_q(c, &delete_like, 2, p) == NULL)
		return mq_db_failure(c);
	return counted(c, review, count);
}

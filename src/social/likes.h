/*
 * likes.h: likes of reviews.  A review's likes_count is kept by the
 * database; its author is told (notifications, collapsed while unread).
 */
#ifndef MQ_SOCIAL_LIKES_H
#define MQ_SOCIAL_LIKES_H

#include "core/ctx.h"

/* me likes review (*created false when they did already), and into
 * *count its likes now.  MQ_NOT_FOUND when there is no such review,
 * MQ_FORBIDDEN when its author blocks me, or the database's failure. */
enum mq_status mq_like(struct mq_ctx *c, int64_t me, const char *review, bool *created,
		       int64_t *count);

/* me no longer likes review (MQ_OK whether or not they did); into
 * *count its likes now.  MQ_NOT_FOUND when there is no such review. */
enum mq_status mq_unlike(struct mq_ctx *c, int64_t me, const char *review, int64_t *count);

#endif

/*
 * verification.h: proving an email address is the user's: a token mailed
 * to it, spent by POST /api/users/verify-email/.
 */
#ifndef MQ_VERIFICATION_H
#define MQ_VERIFICATION_H

#include "core/ctx.h"

/* Queues the "confirm your address" mail with a fresh token; inside the
 * caller's transaction. */
enum mq_status mq_verification_send(struct mq_ctx *c, int64_t user_id, const char *email);

#endif

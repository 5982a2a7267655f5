/*
 * sign_in.h: a sign-in from an address the user has not signed in from
 * is a security notice (new_sign_in), after their first.
 */
#ifndef MQ_NOTIFY_SIGN_IN_H
#define MQ_NOTIFY_SIGN_IN_H

#include "core/ctx.h"

/* Records that user signed in from address, in the caller's transaction
 * (the login's): the first sign-in from an address, when the user has
 * signed in before from another, tells them.  A failure is the
 * database's (the transaction rolled back). */
enum mq_status mq_notify_sign_in(struct mq_ctx *c, int64_t user, const char *address);

#endif

/*
 * social.h: what the social domain's files share.
 */
#ifndef MQ_SOCIAL_H
#define MQ_SOCIAL_H

#include "core/ctx.h"

/* The SQLSTATE of every refusal for a block (insufficient_privilege,
 * raised by sql/0012_social.sql's guards). */
#define MQ_SQLSTATE_BLOCKED "42501"

/* The failure of the last statement: MQ_FORBIDDEN with detail when a
 * block refused it, else the database's failure (db.h). */
enum mq_status mq_social_refused(struct mq_ctx *c, const char *detail) MQ_NONNULL(1, 2);

#endif

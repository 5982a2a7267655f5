/*
 * secrets.h: the secrets in a user's private URLs: the calendar feed's
 * token (calendar clients cannot send headers) and the media servers'
 * webhook secret.  One of each per user, random (accounts/tokens.h),
 * stored as its SHA-256 only; making one replaces the old (a rotation),
 * and a revoked or replaced one opens nothing.
 */
#ifndef MQ_WATCH_SECRETS_H
#define MQ_WATCH_SECRETS_H

#include "core/ctx.h"

enum mq_secret_kind { MQ_SECRET_CALENDAR, MQ_SECRET_SCROBBLE };

/* A new secret of kind for user into *secret (arena), replacing the
 * old.  The database's failure. */
enum mq_status mq_secret_make(struct mq_ctx *c, enum mq_secret_kind kind, int64_t user,
			      const char **secret);

/* Revokes user's secret of kind: MQ_NOT_FOUND when there was none. */
enum mq_status mq_secret_revoke(struct mq_ctx *c, enum mq_secret_kind kind, int64_t user);

/* The active user whose secret of kind secret is into *user, and their
 * name into *username (arena).  MQ_NOT_FOUND for any secret that is not
 * one (malformed, revoked, replaced, of a deactivated account). */
enum mq_status mq_secret_user(struct mq_ctx *c, enum mq_secret_kind kind, const char *secret,
			      int64_t *user, const char **username);

#endif

/*
 * unsubscribe.h: one-click unsubscribe links of notification mail
 * (RFC 8058): a token that names a user and a kind, signed, with an
 * expiry; presenting it switches that kind's mail off, without a login.
 *
 * A token is "<user>.<kind>.<expiry (Unix time)>.<HMAC-SHA-256>",
 * the MAC base64url, keyed by a key derived from [auth] jwt_key_file
 * for this use alone.  Nothing is stored: a token stays good until it
 * expires ([notify] unsubscribe_ttl), and using it twice is harmless.
 */
#ifndef MQ_NOTIFY_UNSUBSCRIBE_H
#define MQ_NOTIFY_UNSUBSCRIBE_H

#include "core/ctx.h"

/* A token for user and kind, good for [notify] unsubscribe_ttl (arena);
 * NULL when there is no key to sign with. */
const char *mq_unsubscribe_token(struct mq_ctx *c, int64_t user, const char *kind);

/* Switches off the mail of the token's kind for its user; into *kind
 * the kind (arena).  MQ_INVALID (field "token") for a token that is not
 * ours, forged, or expired, saying which; or the database's failure. */
enum mq_status mq_unsubscribe(struct mq_ctx *c, const char *token, const char **kind);

#endif

/*
 * social_login.h: signing in through an identity provider (integrations/
 * oauth.h does the talking): the sign-in's state kept between its start
 * and the provider's callback, the account it signs in as (found by the
 * identity, linked by a verified address, or made), and the one-time code
 * the client swaps for our tokens.
 *
 * Accounts are linked by an address the provider says it verified, and
 * never by another: an unverified address would let whoever typed it
 * into a provider take the account that has it.  An account whose own
 * address was never verified, linked so, loses its password and its
 * sessions (whoever registered it with that address before its owner may
 * have set them) and is marked verified.
 */
#ifndef MQ_SOCIAL_LOGIN_H
#define MQ_SOCIAL_LOGIN_H

#include <json-c/json.h>

#include "core/ctx.h"
#include "db/db.h"

#define MQ_OAUTH_CLIENT_STATE_MAX 512
#define MQ_OAUTH_REDIRECT_MAX 2048

/* Starts a sign-in through provider for the client at redirect_uri (one
 * of [oauth] redirect_uris), which gets client_state (may be NULL) back
 * with the code.  The provider's URL the browser goes to into *location.
 * MQ_NOT_FOUND (no such provider), MQ_INVALID (redirect_uri), or the
 * provider's failures (oauth.h). */
enum mq_status mq_social_start(struct mq_ctx *c, const char *provider, const char *redirect_uri,
			       const char *client_state, const char **location);

/* The provider's callback: spends the sign-in of state (whatever comes
 * next), then with code signs in, links or makes the account and mints a
 * one-time code; or with error (the user declined) does nothing.  Where
 * the browser goes (the client's redirect_uri with code, or error, and
 * its state) into *location.  An iss (RFC 9207) must be the issuer's.  MQ_INVALID for an unknown, used or expired
 * state; MQ_FORBIDDEN for a refused code or an unverifiable ID token, an
 * inactive account, or no verified address to make an account with;
 * MQ_CONFLICT when the address's account cannot be linked. */
struct mq_social_callback {
	const char *state, *code, *error;	/* NULL when absent */
	const char *iss;			/* RFC 9207's, when the provider sends it */
};

enum mq_status mq_social_finish(struct mq_ctx *c, const char *provider,
				const struct mq_social_callback *cb, const char **location);

/* Spends a one-time code (in the caller's transaction): the user's row
 * (MQ_USER_PRIVATE columns, then role and token_version) into *user.
 * MQ_INVALID when the code is unknown, used or expired (rolled back). */
enum mq_status mq_social_spend_code(struct mq_ctx *c, const char *code, PGresult **user);

/* A page (limit, offset: SQL parameters) of the user's identities:
 * [{provider, email, email_verified, created_at, last_used_at}] by
 * provider, owned by the arena, and how many there are. */
enum mq_status mq_identities_list(struct mq_ctx *c, int64_t user_id, const char *limit,
				  const char *offset, int64_t *count, struct json_object **out);

/* Unlinks the caller's identity at provider.  MQ_NOT_FOUND when there is
 * none; MQ_CONFLICT when it is the account's last way to sign in (no
 * password, no other identity). */
enum mq_status mq_identities_remove(struct mq_ctx *c, int64_t user_id, const char *provider);

#endif

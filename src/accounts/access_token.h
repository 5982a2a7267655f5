/*
 * access_token.h: access tokens: HS256 JWTs signed with [auth] jwt_key_file.
 *
 * libjwt 1.10 takes the algorithm from the token's own header, accepts
 * any token when given no key, and checks no claim: verification here
 * always passes the key, demands HS256 after decoding, caps the length,
 * and checks typ, exp, iat, sub, sid and the token version itself.
 */
#ifndef MQ_ACCESS_TOKEN_H
#define MQ_ACCESS_TOKEN_H

#include "core/common.h"

struct mq_arena;
struct mq_config;

#define MQ_JWT_MAX_LEN 1024

struct mq_claims {
	int64_t user_id;	/* sub */
	int64_t version;	/* ver: the user's token version when issued */
	int64_t issued_at;	/* iat */
	int64_t expires_at;	/* exp */
	char sid[37];		/* sid: the session (refresh family), a UUID */
	/* no role: the token carries one for clients, but auth.c takes the
	 * caller's role from the database, so a demotion acts at once */
};

/* A signed access token for the user's session sid (the UUID of its
 * refresh family), valid for [auth] access_ttl, in the arena; NULL on
 * failure. */
const char *mq_jwt_issue(struct mq_arena *a, const struct mq_config *cfg, int64_t user_id,
			 const char *role, int64_t version, const char *sid) MQ_NONNULL(1, 2, 4, 6);

/* Checks signature, algorithm and claims.  Returns 0 with the claims
 * (strings in the arena), or -1 with *why set. */
int mq_jwt_verify(struct mq_arena *a, const struct mq_config *cfg, const char *token,
		  struct mq_claims *c, const char **why);

#endif

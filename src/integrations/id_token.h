/*
 * id_token.h: an OpenID Connect ID token, checked in full (OpenID Connect
 * Core 1.0, 3.1.3.7): its JWS signature against the provider's JWKS
 * (jwk.h: RS256 or ES256, nothing else), then iss, aud (and azp), exp,
 * iat, nonce and sub.  Pure functions of their arguments, unit-tested in
 * t/unit/test_id_token.c; fetching the JWKS is oauth.c's.
 */
#ifndef MQ_ID_TOKEN_H
#define MQ_ID_TOKEN_H

#include <json-c/json.h>

#include "core/common.h"
#include "integrations/jwk.h"

struct mq_arena;

#define MQ_ID_TOKEN_MAX 16384

struct mq_id_token {
	enum mq_jws_alg alg;
	const char *kid;		/* NULL when the header names none */
	struct json_object *claims;	/* the payload, an object */
	const char *signing_input;	/* header.payload, as signed */
	size_t signing_len;
	uint8_t *sig;
	size_t sig_len;
	/* the claims the sign-in uses, after mq_id_token_check */
	const char *sub;
	const char *email;		/* NULL when absent */
	bool email_verified;		/* true, or the string "true" */
	const char *name;		/* NULL when absent */
	const char *preferred_username;	/* NULL when absent */
};

/* What the token must say. */
struct mq_id_token_expect {
	const char *issuer;
	const char *client_id;
	const char *nonce;
	int64_t now;		/* seconds since the epoch */
	int64_t skew;		/* seconds of leeway for exp and iat */
	int64_t max_age;	/* iat no older than this (seconds) */
};

enum mq_id_token_result {
	MQ_ID_TOKEN_OK,
	MQ_ID_TOKEN_UNKNOWN_KID,	/* no key of the set fits: fetch it again, once */
	MQ_ID_TOKEN_INVALID,		/* anything else: refused */
};

/* Splits and decodes jwt (three base64url parts, a JSON header with a
 * supported alg, a JSON object payload); allocations in the arena.
 * MQ_ID_TOKEN_INVALID with *why for anything else. */
enum mq_id_token_result mq_id_token_parse(struct mq_arena *a, const char *jwt,
					  struct mq_id_token *t, const char **why);

/* Checks t's signature with the key of jwks ({"keys": [...]}) named by its
 * kid (without a kid: the set's only key of its algorithm's type).
 * MQ_ID_TOKEN_UNKNOWN_KID when the set has no such key. */
enum mq_id_token_result mq_id_token_verify(struct mq_arena *a, const struct mq_id_token *t,
					   struct json_object *jwks, const char **why);

/* Checks t's claims against e and fills t's sub, email, ... */
enum mq_id_token_result mq_id_token_check(struct mq_id_token *t,
					  const struct mq_id_token_expect *e, const char **why);

#endif

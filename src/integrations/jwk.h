/*
 * jwk.h: the public keys of an identity provider (RFC 7517 JSON Web Keys,
 * as its jwks_uri serves them) as OpenSSL keys, and the JWS signatures
 * an ID token carries (RFC 7515, RFC 7518): RS256 and ES256 only.
 *
 * Nothing else is taken: not "none", not HS256 (an HMAC "signed" with a
 * public key anybody can fetch), not a key whose type, curve or stated
 * algorithm does not match the token's algorithm, not an RSA key under
 * 2048 bits, not an EC point off the curve.
 */
#ifndef MQ_JWK_H
#define MQ_JWK_H

#include <json-c/json.h>

#include "core/common.h"

struct mq_arena;
typedef struct evp_pkey_st EVP_PKEY;

enum mq_jws_alg { MQ_JWS_UNSUPPORTED, MQ_JWS_RS256, MQ_JWS_ES256 };

/* The algorithm a JWS header names, MQ_JWS_UNSUPPORTED for any other
 * (none, HS256, PS256, ... and NULL). */
enum mq_jws_alg mq_jws_alg(const char *name);

/* The key of jwk (one member of a JWKS's "keys") for alg, owned by the
 * arena; NULL with *why set when the JWK cannot be that: kty RSA with n
 * and e for RS256, kty EC with crv P-256, x and y for ES256, "use" sig
 * when present, "alg" the same when present. */
EVP_PKEY *mq_jwk_key(struct mq_arena *a, struct json_object *jwk, enum mq_jws_alg alg,
		     const char **why);

/* True when sig is key's signature of data[0..len) under alg: RSASSA
 * PKCS#1 v1.5 with SHA-256, or ECDSA P-256 SHA-256 as JOSE writes it
 * (R and S, 32 bytes each, big-endian). */
bool mq_jws_verify(EVP_PKEY *key, enum mq_jws_alg alg, const void *data, size_t len,
		   const uint8_t *sig, size_t sig_len);

/* base64url without padding (JOSE's) of s, into the arena with a NUL
 * after it; -1 when s is not that. */
ssize_t mq_jose_decode(struct mq_arena *a, const char *s, size_t len, uint8_t **out);

#endif

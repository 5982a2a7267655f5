/*
 * id_token.c: an ID token's signature and claims (see id_token.h).
 */
#include "integrations/id_token.h"

#include "core/arena.h"
#include "core/json.h"

#define JSON_DEPTH 16

static enum mq_id_token_result invalid(const char **why, const char *reason)
{
	*why = reason;
	return MQ_ID_TOKEN_INVALID;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A JSON object of base64url text s[0..len), or NULL. */
static struct json_object *object_of(struct mq_arena *a, const char *s, size_t len)
{
	struct json_object *o = NULL;
	const char *err;
	uint8_t *bin;
	ssize_t n = mq_jose_decode(a, s, len, &bin);

	if (n <= 0 || mq_json_parse(a, (const char *)bin, (size_t)n, JSON_DEPTH, &o, &err) < 0 ||
	    !json_object_is_type(o, json_type_object))
		return NULL;
	return o;
}

enum mq_id_token_result mq_id_token_parse(struct mq_arena *a, const char *jwt,
					  struct mq_id_token *t, const char **why)
{
	const char *dot1 = jwt ? strchr(jwt, '.') : NULL, *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	struct json_object *header;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	if (jwt == NULL || strlen(jwt) > MQ_ID_TOKEN_MAX)
		return invalid(why, "no ID token, or one that is too long");
	if (dot2 == NULL || strchr(dot2 + 1, '.'))
		return invalid(why, "the ID token is not a signed JWT (three parts)");
	if ((header = object_of(a, jwt, (size_t)(dot1 - jwt))) == NULL)
		return invalid(why, "the ID token's header is not base64url JSON");
	if ((t->alg = mq_jws_alg(str(header, "alg"))) == MQ_JWS_UNSUPPORTED)
		return invalid(why, "the ID token's algorithm is not RS256 or ES256");
	if (json_object_object_get_ex(header, "crit", NULL))
		return invalid(why, "the ID token has critical header parameters");
	t->kid = str(header, "kid");
	if ((t->claims = object_of(a, dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL)
		return invalid(why, "the ID token's payload is not base64url JSON");
	if ((n = mq_jose_decode(a, dot2 + 1, strlen(dot2 + 1), &t->sig)) <= 0)
		return invalid(why, "the ID token's signature is not base64url");
	t->sig_len = (size_t)n;
	t->signing_input = jwt;
	t->signing_len = (size_t)(dot2 - jwt);
	return MQ_ID_TOKEN_OK;
}

/* The key of jwks that t names, or NULL (*unknown when none is named so). */
static EVP_PKEY *key_for(struct mq_arena *a, const struct mq_id_token *t, struct json_object *jwks,
			 const char **why)
{
	const char *kty = t->alg == MQ_JWS_RS256 ? "RSA" : "EC";
	struct json_object *keys, *found = NULL;
	size_t n, matches = 0;

	*why = NULL;
	if (jwks == NULL || !json_object_object_get_ex(jwks, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		return NULL;
	n = json_object_array_length(keys);
	for (size_t i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		const char *kid = json_object_is_type(k, json_type_object) ? str(k, "kid") : NULL;
		const char *type = json_object_is_type(k, json_type_object) ? str(k, "kty") : NULL;

		if (t->kid ? (kid && strcmp(kid, t->kid) == 0) : (type && strcmp(type, kty) == 0)) {
			found = k;
			matches++;
		}
	}
	if (matches != 1)	/* none, or no way to tell which */
		return NULL;
	return mq_jwk_key(a, found, t->alg, why);
}

enum mq_id_token_result mq_id_token_verify(struct mq_arena *a, const struct mq_id_token *t,
					   struct json_object *jwks, const char **why)
{
	EVP_PKEY *key = key_for(a, t, jwks, why);

	if (key == NULL && *why)
		return invalid(why, *why);
	if (key == NULL) {
		*why = "no key of the provider's set has the ID token's kid";
		return MQ_ID_TOKEN_UNKNOWN_KID;
	}
	if (!mq_jws_verify(key, t->alg, t->signing_input, t->signing_len, t->sig, t->sig_len))
		return invalid(why, "the ID token's signature does not verify");
	return MQ_ID_TOKEN_OK;
}

/* A NumericDate claim: an integer (a JSON number with no fraction is
 * taken, as some providers write 1.7e9 so). */
static bool number(struct json_object *claims, const char *key, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(claims, key, &v))
		return false;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return true;
	}
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (d >= 0 && d < 1e12 && d == (double)(int64_t)d) {
			*out = (int64_t)d;
			return true;
		}
	}
	return false;
}

/* aud is the client, alone or among others; with others azp must be it. */
static bool audience_ok(struct json_object *claims, const char *client_id)
{
	struct json_object *aud;
	const char *azp = str(claims, "azp");
	bool listed = false;
	size_t n;

	if (!json_object_object_get_ex(claims, "aud", &aud))
		return false;
	if (json_object_is_type(aud, json_type_string))
		return strcmp(json_object_get_string(aud), client_id) == 0 &&
		       (azp == NULL || strcmp(azp, client_id) == 0);
	if (!json_object_is_type(aud, json_type_array) || (n = json_object_array_length(aud)) == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(aud, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), client_id) == 0)
			listed = true;
	}
	if (!listed)
		return false;
	if (n > 1)
		return azp && strcmp(azp, client_id) == 0;
	return azp == NULL || strcmp(azp, client_id) == 0;
}

static bool verified(struct json_object *claims)
{
	struct json_object *v;

	if (!json_object_object_get_ex(claims, "email_verified", &v))
		return false;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	/* some providers (older Cognito, ...) write the string */
	return json_object_is_type(v, json_type_string) &&
	       strcmp(json_object_get_string(v), "true") == 0;
}

enum mq_id_token_result mq_id_token_check(struct mq_id_token *t,
					  const struct mq_id_token_expect *e, const char **why)
{
	struct json_object *c = t->claims;
	const char *iss = str(c, "iss"), *nonce = str(c, "nonce"), *sub = str(c, "sub");
	int64_t exp, iat;

	if (iss == NULL || strcmp(iss, e->issuer) != 0)
		return invalid(why, "the ID token's issuer (iss) is not the provider's");
	if (!audience_ok(c, e->client_id))
		return invalid(why, "the ID token is not for this client (aud, azp)");
	if (!number(c, "exp", &exp) || exp + e->skew <= e->now)
		return invalid(why, "the ID token has expired (exp)");
	if (!number(c, "iat", &iat) || iat - e->skew > e->now || iat + e->max_age < e->now)
		return invalid(why, "the ID token's issue time (iat) is not now");
	if (nonce == NULL || e->nonce == NULL || strcmp(nonce, e->nonce) != 0)
		return invalid(why, "the ID token's nonce is not this sign-in's");
	if (sub == NULL || *sub == '\0' || strlen(sub) > 255)
		return invalid(why, "the ID token has no subject (sub)");
	t->sub = sub;
	t->email = str(c, "email");
	t->email_verified = t->email && verified(c);
	t->name = str(c, "name");
	t->preferred_username = str(c, "preferred_username");
	return MQ_ID_TOKEN_OK;
}

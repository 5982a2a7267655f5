/*
 * fuzz_jwt.c: access-token verification (accounts/access_token.c, on
 * libjwt) with the fixed key FZ_JWT_KEY.
 *
 * Input: a first byte choosing how the rest is used:
 *   0  the token as a client sends it;
 *   1  "header JSON" NUL "payload JSON", signed here with the key, so
 *      that libjwt's JSON and the claim checks are reached;
 *   2  the same signed with another key.
 * What must hold: a token is accepted only when its signature is the key's
 * HMAC-SHA256 of its first two parts, its header says HS256, and its
 * claims are the ones access_token.h lists (the session's among them),
 * unexpired.
 */
#include "harness.h"

#include <json-c/json.h>
#include <sodium.h>
#include <strings.h>
#include <time.h>

#include "accounts/access_token.h"
#include "core/config.h"

static char *b64url(struct mq_arena *a, const void *bin, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = mq_arena_alloc(a, cap);

	return sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static char *sign(struct mq_arena *a, const char *key, const char *signing_input)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)signing_input,
				      strlen(signing_input));
	crypto_auth_hmacsha256_final(&st, mac);
	return b64url(a, mac, sizeof(mac));
}

static void put_json(void *o)
{
	json_object_put(o);
}

/* The JSON of base64url part s[0..n), or NULL. */
static struct json_object *part(struct mq_arena *a, const char *s, size_t n)
{
	unsigned char *bin = mq_arena_alloc(a, n + 1);
	size_t len;
	struct json_object *o;

	if (sodium_base642bin(bin, n, s, n, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return NULL;
	bin[len] = '\0';
	o = json_tokener_parse((const char *)bin);
	if (o)
		mq_arena_defer(a, put_json, o);
	return o;
}

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

/* What an accepted token must be. */
static void check_accepted(struct mq_arena *a, const char *token, const struct mq_claims *c)
{
	const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	struct json_object *header, *payload, *v;
	char *signing_input;

	FZ_CHECK(dot1 && dot2 && strchr(dot2 + 1, '.') == NULL);
	signing_input = mq_arena_strndup(a, token, (size_t)(dot2 - token));
	FZ_CHECK(strcmp(sign(a, FZ_JWT_KEY, signing_input), dot2 + 1) == 0);
	header = part(a, token, (size_t)(dot1 - token));
	payload = part(a, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	FZ_CHECK(header && payload);
	/* (libjwt reads the name of the algorithm in any case: "hs256" is
	 * HS256, harmless, as the signature was checked with the key) */
	FZ_CHECK(str_member(header, "alg") && strcasecmp(str_member(header, "alg"), "HS256") == 0);
	FZ_CHECK(str_member(payload, "typ") && strcmp(str_member(payload, "typ"), "access") == 0);
	/* (with leading zeros too: "09" is user 9, harmless, as only the key
	 * makes a token) */
	FZ_CHECK(str_member(payload, "sub") &&
		 strspn(str_member(payload, "sub"), "0123456789") == strlen(str_member(payload, "sub")) &&
		 strtoll(str_member(payload, "sub"), NULL, 10) == c->user_id);
	FZ_CHECK(c->user_id >= 1 && c->version >= 1 && c->issued_at >= 1);
	FZ_CHECK(c->expires_at > (int64_t)time(NULL) && c->issued_at <= c->expires_at);
	FZ_CHECK(json_object_object_get_ex(payload, "exp", &v) &&
		 json_object_get_int64(v) == c->expires_at);
	FZ_CHECK(json_object_object_get_ex(payload, "ver", &v) &&
		 json_object_get_int64(v) == c->version);
	/* the session: a UUID as PostgreSQL writes one */
	FZ_CHECK(str_member(payload, "sid") && strcmp(str_member(payload, "sid"), c->sid) == 0);
	FZ_CHECK(strlen(c->sid) == 36 && strspn(c->sid, "0123456789abcdef-") == 36);
	for (int i = 0; i < 36; i++)
		FZ_CHECK((c->sid[i] == '-') == (i == 8 || i == 13 || i == 18 || i == 23));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mq_config *cfg = fz_config();
	struct mq_arena *a = mq_arena_new(0);
	const char *token, *why = NULL;
	char *header, *payload;
	struct mq_claims c;
	int mode;

	if (size == 0)
		goto out;
	mode = data[0] % 3;
	if (mode == 0) {
		token = fz_cstr(a, data + 1, size - 1);
	} else {
		fz_split(a, data + 1, size - 1, '\0', &header, &payload);
		token = mq_arena_printf(a, "%s.%s", b64url(a, header, strlen(header)),
					b64url(a, payload, strlen(payload)));
		token = mq_arena_printf(a, "%s.%s", token,
					sign(a, mode == 1 ? FZ_JWT_KEY : "another key, not the service's", token));
	}
	if (mq_jwt_verify(a, cfg, token, &c, &why) == 0) {
		FZ_CHECK(mode != 2);
		check_accepted(a, token, &c);
	} else {
		FZ_CHECK(why != NULL && *why != '\0');
	}
out:
	mq_arena_destroy(a);
	return 0;
}

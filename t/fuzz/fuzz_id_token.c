/*
 * fuzz_id_token.c: ID tokens (integrations/id_token.c) and the JWKs they
 * are checked with (integrations/jwk.c), as an identity provider, or
 * somebody in its place, sends them.
 *
 * Input: a first byte choosing how the rest is used:
 *   0  a token, checked against FZ_JWKS, public keys whose private halves
 *      were thrown away when it was made;
 *   1  "JWKS JSON" NUL "token": a key set of the fuzzer's own.
 * What must hold: a token parses only as three base64url parts whose
 * header names RS256 or ES256 (never none, HS256 or another), its signing
 * input is exactly its first two parts; a token never verifies against
 * FZ_JWKS (that would be a forgery); whatever verifies passes the claim
 * checks only with the expected issuer, audience, nonce and a subject.
 */
#include "harness.h"

#include <json-c/json.h>

#include "core/json.h"
#include "integrations/id_token.h"

#define FZ_ISS "https://idp.fuzz"
#define FZ_CLIENT "fuzz-client"
#define FZ_NONCE "fuzz-nonce-0123456789"

/* An RSA (2048 bits) and a P-256 key, made with CryptX for this target. */
static const char FZ_JWKS[] =
	"{\"keys\":[{\"e\":\"AQAB\",\"kid\":\"fz-rsa\",\"kty\":\"RSA\",\"n\":\"usYOpX"
	"orhFRuvaEGjcUQNZO0b_VcKQELYpz9mH2qlX3Orf8ZT8Qa5aDg_nEw2dFNXQ8sQPoTAVNVva1eFU"
	"DhwNMzDu6YCUKcKJ4g2CZNh2_arygTSGROF8jRzMFLCMVI8YmLwVzMcG6rr4I2tgQL_FS6AtwX6h"
	"-ElRmkEW86q2uxV6-xL0piHE1D4cAdSWoOWZho4AwHDgcuN8Uv2Lb3LoXIOeGmJNzqolG9djJdv9"
	"hOq8W6GeTe86Z9LWAh-7YQvH4RX5bp7VKOy78ySuMA62Kc5RcWEaW1YVOa1zFwCJjw_7ZCQ25t4-"
	"iIZ53ze4TmTN5OVQAHG5t7DWXMm_qp3Q\"},{\"crv\":\"P-256\",\"kid\":\"fz-ec\",\"k"
	"ty\":\"EC\",\"x\":\"9P0J-Scd49et1TkXSsO1fpCrSM_durml2_qa7zLC-Ms\",\"y\":\"w3"
	"ZT2hXrxVMEsTTZ84L15D2tmePqrEm7G0jBNyrSa9E\"}]}";

static void checked(struct mq_arena *a, const char *jwt, struct json_object *jwks, bool forged)
{
	static const struct mq_id_token_expect e = {
		.issuer = FZ_ISS, .client_id = FZ_CLIENT, .nonce = FZ_NONCE, .now = 1800000000,
		.skew = 60, .max_age = 600,
	};
	struct mq_id_token t;
	enum mq_id_token_result r;
	const char *why = NULL;
	struct json_object *v;

	if (mq_id_token_parse(a, jwt, &t, &why) != MQ_ID_TOKEN_OK) {
		FZ_CHECK(why != NULL);
		return;
	}
	FZ_CHECK(t.alg == MQ_JWS_RS256 || t.alg == MQ_JWS_ES256);
	FZ_CHECK(t.signing_input == jwt && jwt[t.signing_len] == '.');
	FZ_CHECK(memchr(jwt, '.', t.signing_len) != NULL);
	FZ_CHECK(t.sig_len > 0 && json_object_is_type(t.claims, json_type_object));
	r = mq_id_token_verify(a, &t, jwks, &why);
	FZ_CHECK(r == MQ_ID_TOKEN_OK || why != NULL);
	if (r != MQ_ID_TOKEN_OK)
		return;
	FZ_CHECK(!forged);
	if (mq_id_token_check(&t, &e, &why) != MQ_ID_TOKEN_OK)
		return;
	FZ_CHECK(json_object_object_get_ex(t.claims, "iss", &v) &&
		 strcmp(json_object_get_string(v), FZ_ISS) == 0);
	FZ_CHECK(t.sub && *t.sub && json_object_object_get_ex(t.claims, "nonce", &v) &&
		 strcmp(json_object_get_string(v), FZ_NONCE) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(16384);
	struct json_object *jwks = NULL;
	const char *err;
	char *head, *tail;

	if (size == 0)
		goto out;
	if (data[0] == 0) {
		FZ_CHECK(mq_json_parse(a, FZ_JWKS, strlen(FZ_JWKS), 16, &jwks, &err) == 0);
		checked(a, fz_cstr(a, data + 1, size - 1), jwks, true);
	} else {
		fz_split(a, data + 1, size - 1, '\0', &head, &tail);
		if (mq_json_parse(a, head, strlen(head), 16, &jwks, &err) < 0)
			jwks = NULL;
		checked(a, tail, jwks, false);
	}
out:
	mq_arena_destroy(a);
	return 0;
}

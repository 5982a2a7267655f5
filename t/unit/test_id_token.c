/*
 * test_id_token.c: JWKs as OpenSSL keys (jwk.c) and ID tokens checked in
 * full (id_token.c), with keys made here: RS256 and ES256 tokens that
 * verify; every way of being refused (alg none, HS256 keyed with the
 * public key, a key of the wrong type or curve, a short RSA key, a point
 * off the curve, a changed payload or signature, an unknown kid, the
 * claims iss, aud, azp, exp, iat, nonce, sub); the redirect allow-list.
 */
#include "core/common.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/config.h"
#include "integrations/id_token.h"
#include "integrations/jwk.h"
#include "integrations/oauth.h"
#include "integrations/webpush.h"
#include "unit.h"

#define NOW 1800000000LL
#define ISS "https://idp.example"
#define CLIENT "client-1"
#define NONCE "n-0123456789abcdef"

static struct mq_arena *a;
static EVP_PKEY *rsa, *ec;

static void setup(void)
{
	a = mq_arena_new(8192);
	if (rsa == NULL) {
		rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	}
	ck_assert_ptr_nonnull(rsa);
	ck_assert_ptr_nonnull(ec);
}

static void teardown(void)
{
	mq_arena_destroy(a);
}

static void json_free(void *o)
{
	json_object_put(o);
}

static const char *b64(const void *bin, size_t len)
{
	char *s = mq_base64url(bin, len);
	const char *out = mq_arena_strdup(a, s);

	free(s);
	return out;
}

static const char *b64s(const char *text)
{
	return b64(text, strlen(text));
}

static const char *bn_b64(EVP_PKEY *k, const char *param)
{
	BIGNUM *bn = NULL;
	uint8_t buf[1024];
	int n;

	ck_assert(EVP_PKEY_get_bn_param(k, param, &bn) == 1);
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	return b64(buf, (size_t)n);
}

/* The public JWK of k, with the kid and the extra members given. */
static struct json_object *jwk_of(EVP_PKEY *k, const char *kid, const char *extra)
{
	const char *text;
	struct json_object *o;

	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
		text = mq_arena_printf(a, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"%s}",
				       kid, bn_b64(k, OSSL_PKEY_PARAM_RSA_N),
				       bn_b64(k, OSSL_PKEY_PARAM_RSA_E), extra);
	} else {
		uint8_t pt[65];
		size_t n = 0;

		ck_assert(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
							  sizeof(pt), &n) == 1 && n == 65);
		text = mq_arena_printf(a, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"%s\",\"x\":\"%s\","
				       "\"y\":\"%s\"%s}", kid, b64(pt + 1, 32), b64(pt + 33, 32), extra);
	}
	o = json_tokener_parse(text);
	ck_assert_ptr_nonnull(o);
	mq_arena_defer(a, json_free, o);
	return o;
}

static struct json_object *set_of(struct json_object *jwk)
{
	struct json_object *o = json_object_new_object(), *keys = json_object_new_array();

	json_object_array_add(keys, json_object_get(jwk));
	json_object_object_add(o, "keys", keys);
	mq_arena_defer(a, json_free, o);
	return o;
}

/* header.payload signed with k (RS256 or ES256 by its type). */
static const char *sign(EVP_PKEY *k, const char *header, const char *payload)
{
	const char *data = mq_arena_printf(a, "%s.%s", b64s(header), b64s(payload));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sig[512], raw[64];
	size_t n = sizeof(sig);

	ck_assert(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1);
	ck_assert(EVP_DigestSign(md, sig, &n, (const uint8_t *)data, strlen(data)) == 1);
	EVP_MD_CTX_free(md);
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC) {
		const uint8_t *p = sig;
		ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
		const BIGNUM *r, *sv;

		ECDSA_SIG_get0(s, &r, &sv);
		BN_bn2binpad(r, raw, 32);
		BN_bn2binpad(sv, raw + 32, 32);
		ECDSA_SIG_free(s);
		return mq_arena_printf(a, "%s.%s", data, b64(raw, 64));
	}
	return mq_arena_printf(a, "%s.%s", data, b64(sig, n));
}

static const char *claims(const char *extra)
{
	return mq_arena_printf(a, "{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT "\",\"sub\":\"u-1\","
			       "\"iat\":%lld,\"exp\":%lld,\"nonce\":\"" NONCE "\","
			       "\"email\":\"u@example.test\",\"email_verified\":true%s}",
			       NOW - 5, NOW + 300, extra);
}

static const struct mq_id_token_expect expect = {
	.issuer = ISS, .client_id = CLIENT, .nonce = NONCE, .now = NOW, .skew = 60, .max_age = 600,
};

/* The whole check of jwt against jwks: parse, verify, claims. */
static enum mq_id_token_result check(const char *jwt, struct json_object *jwks, const char **why)
{
	struct mq_id_token t;
	enum mq_id_token_result r;

	*why = NULL;
	if ((r = mq_id_token_parse(a, jwt, &t, why)) != MQ_ID_TOKEN_OK ||
	    (r = mq_id_token_verify(a, &t, jwks, why)) != MQ_ID_TOKEN_OK)
		return r;
	return mq_id_token_check(&t, &expect, why);
}

START_TEST(rs256_and_es256_verify)
{
	const char *why;
	struct mq_id_token t;
	const char *jwt = sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims(""));

	ck_assert_int_eq(check(jwt, set_of(jwk_of(rsa, "r1", "")), &why), MQ_ID_TOKEN_OK);
	jwt = sign(ec, "{\"alg\":\"ES256\",\"kid\":\"e1\"}", claims(""));
	ck_assert_int_eq(check(jwt, set_of(jwk_of(ec, "e1", ",\"use\":\"sig\",\"alg\":\"ES256\"")), &why),
			 MQ_ID_TOKEN_OK);
	/* no kid: the set's only key of the type */
	jwt = sign(ec, "{\"alg\":\"ES256\"}", claims(""));
	ck_assert_int_eq(check(jwt, set_of(jwk_of(ec, "e1", "")), &why), MQ_ID_TOKEN_OK);
	ck_assert_int_eq(mq_id_token_parse(a, jwt, &t, &why), MQ_ID_TOKEN_OK);
	ck_assert_int_eq(mq_id_token_check(&t, &expect, &why), MQ_ID_TOKEN_OK);
	ck_assert_str_eq(t.sub, "u-1");
	ck_assert_str_eq(t.email, "u@example.test");
	ck_assert(t.email_verified);
}
END_TEST

START_TEST(algorithms_refused)
{
	struct json_object *jwks = set_of(jwk_of(rsa, "r1", ""));
	const char *good = sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims(""));
	const char *payload = strchr(good, '.') + 1, *why;
	char *body = mq_arena_strndup(a, payload, (size_t)(strchr(payload, '.') - payload));
	uint8_t mac[32];
	const char *data;

	/* alg none, with or without a signature */
	ck_assert_int_eq(check(mq_arena_printf(a, "%s.%s.", b64s("{\"alg\":\"none\"}"), body), jwks, &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(check(mq_arena_printf(a, "%s.%s.AAAA", b64s("{\"alg\":\"none\",\"kid\":\"r1\"}"),
					       body), jwks, &why), MQ_ID_TOKEN_INVALID);
	/* HS256 keyed with the public key's n, as a confused verifier would */
	data = mq_arena_printf(a, "%s.%s", b64s("{\"alg\":\"HS256\",\"kid\":\"r1\"}"), body);
	crypto_auth_hmacsha256(mac, (const uint8_t *)data, strlen(data), (const uint8_t *)"n");
	ck_assert_int_eq(check(mq_arena_printf(a, "%s.%s", data, b64(mac, 32)), jwks, &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_str_eq(why, "the ID token's algorithm is not RS256 or ES256");
	ck_assert_int_eq(check(sign(rsa, "{\"alg\":\"PS256\",\"kid\":\"r1\"}", claims("")), jwks, &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(check(sign(rsa, "{\"alg\":\"rs256\",\"kid\":\"r1\"}", claims("")), jwks, &why),
			 MQ_ID_TOKEN_INVALID);
	/* ES256 said, an RSA key named: the key's type must match */
	ck_assert_int_eq(check(sign(ec, "{\"alg\":\"ES256\",\"kid\":\"r1\"}", claims("")), jwks, &why),
			 MQ_ID_TOKEN_INVALID);
	/* crit headers are not understood */
	ck_assert_int_eq(check(sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r1\",\"crit\":[\"b64\"]}", claims("")),
			       jwks, &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(check(good, jwks, &why), MQ_ID_TOKEN_OK);
}
END_TEST

START_TEST(tampering_refused)
{
	struct json_object *jwks = set_of(jwk_of(rsa, "r1", ""));
	struct json_object *ecs = set_of(jwk_of(ec, "e1", ""));
	const char *good = sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims("")), *why;
	const char *other = sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims(",\"name\":\"x\""));
	const char *es = sign(ec, "{\"alg\":\"ES256\",\"kid\":\"e1\"}", claims(""));
	char *swapped = mq_arena_strdup(a, good), *flipped = mq_arena_strdup(a, es);
	const char *sig_other = strrchr(other, '.');
	EVP_PKEY *rsa2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	/* another payload under this signature */
	swapped = mq_arena_printf(a, "%.*s%s", (int)(strrchr(good, '.') - good), good, sig_other);
	ck_assert_int_eq(check(swapped, jwks, &why), MQ_ID_TOKEN_INVALID);
	ck_assert_str_eq(why, "the ID token's signature does not verify");
	/* a bit of an ES256 signature */
	flipped[strlen(flipped) - 3] = flipped[strlen(flipped) - 3] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(check(flipped, ecs, &why), MQ_ID_TOKEN_INVALID);
	/* a key of the same kid that is not the one that signed */
	ck_assert_int_eq(check(sign(rsa2, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims("")), jwks, &why),
			 MQ_ID_TOKEN_INVALID);
	EVP_PKEY_free(rsa2);
	/* an unknown kid: fetch again */
	ck_assert_int_eq(check(sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r2\"}", claims("")), jwks, &why),
			 MQ_ID_TOKEN_UNKNOWN_KID);
	ck_assert_int_eq(check(good, NULL, &why), MQ_ID_TOKEN_UNKNOWN_KID);
	/* malformed tokens */
	ck_assert_int_eq(check("a.b", jwks, &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(check("a.b.c.d", jwks, &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(check("", jwks, &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(check(mq_arena_printf(a, "%s.%s.x", b64s("{\"alg\":\"RS256\"}"), b64s("[1]")),
			       jwks, &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(check(mq_arena_printf(a, "%s+", good), jwks, &why), MQ_ID_TOKEN_INVALID);
}
END_TEST

START_TEST(jwk_conversion)
{
	const char *why;
	struct json_object *o;
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);

	ck_assert_ptr_nonnull(mq_jwk_key(a, jwk_of(rsa, "r", ""), MQ_JWS_RS256, &why));
	ck_assert_ptr_nonnull(mq_jwk_key(a, jwk_of(ec, "e", ""), MQ_JWS_ES256, &why));
	ck_assert_ptr_null(mq_jwk_key(a, jwk_of(rsa, "r", ""), MQ_JWS_ES256, &why));
	ck_assert_ptr_null(mq_jwk_key(a, jwk_of(ec, "e", ""), MQ_JWS_RS256, &why));
	ck_assert_ptr_null(mq_jwk_key(a, jwk_of(rsa, "r", ""), MQ_JWS_UNSUPPORTED, &why));
	ck_assert_ptr_null(mq_jwk_key(a, jwk_of(rsa, "r", ",\"use\":\"enc\""), MQ_JWS_RS256, &why));
	ck_assert_ptr_null(mq_jwk_key(a, jwk_of(rsa, "r", ",\"alg\":\"RS512\""), MQ_JWS_RS256, &why));
	ck_assert_ptr_null(mq_jwk_key(a, jwk_of(small, "s", ""), MQ_JWS_RS256, &why));
	ck_assert_str_eq(why, "the RSA key is shorter than 2048 bits or its exponent is wrong");
	EVP_PKEY_free(small);
	/* a point off the curve, another curve, missing or short members */
	static const char *const bad[] = {
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\","
		"\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}",
		"{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}",
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}",
		"{\"kty\":\"RSA\",\"n\":\"AQAB\"}",
		"{\"kty\":\"RSA\",\"n\":\"+/+/\",\"e\":\"AQAB\"}",
		"[1]",
	};
	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++) {
		o = json_tokener_parse(bad[i]);
		ck_assert_ptr_null(mq_jwk_key(a, o, i < 3 ? MQ_JWS_ES256 : MQ_JWS_RS256, &why));
		if (i == 0)
			ck_assert_str_eq(why, "the point is not on the curve P-256");
		json_object_put(o);
	}
	ck_assert_int_eq(mq_jws_alg("RS256"), MQ_JWS_RS256);
	ck_assert_int_eq(mq_jws_alg("ES256"), MQ_JWS_ES256);
	ck_assert_int_eq(mq_jws_alg("none"), MQ_JWS_UNSUPPORTED);
	ck_assert_int_eq(mq_jws_alg("HS256"), MQ_JWS_UNSUPPORTED);
	ck_assert_int_eq(mq_jws_alg(NULL), MQ_JWS_UNSUPPORTED);
}
END_TEST

/* The claims of a token signed well, with extra members replacing the usual. */
static enum mq_id_token_result claims_check(const char *payload, const char **why)
{
	struct mq_id_token t;

	ck_assert_int_eq(mq_id_token_parse(a, sign(ec, "{\"alg\":\"ES256\"}", payload), &t, why),
			 MQ_ID_TOKEN_OK);
	return mq_id_token_check(&t, &expect, why);
}

static const char *with(const char *aud, const char *more, long long iat, long long exp)
{
	return mq_arena_printf(a, "{\"iss\":\"" ISS "\",\"aud\":%s,\"sub\":\"u-1\",\"iat\":%lld,"
			       "\"exp\":%lld,\"nonce\":\"" NONCE "\"%s}", aud, iat, exp, more);
}

START_TEST(claims_checked)
{
	const char *why;
	struct mq_id_token t;

	ck_assert_int_eq(claims_check(with("\"" CLIENT "\"", "", NOW, NOW + 60), &why), MQ_ID_TOKEN_OK);
	ck_assert_int_eq(claims_check(with("[\"" CLIENT "\"]", "", NOW, NOW + 60), &why), MQ_ID_TOKEN_OK);
	ck_assert_int_eq(claims_check(with("[\"" CLIENT "\",\"x\"]", ",\"azp\":\"" CLIENT "\"", NOW,
					   NOW + 60), &why), MQ_ID_TOKEN_OK);
	/* within the skew */
	ck_assert_int_eq(claims_check(with("\"" CLIENT "\"", "", NOW + 30, NOW - 30), &why), MQ_ID_TOKEN_OK);
	/* aud and azp */
	ck_assert_int_eq(claims_check(with("\"other\"", "", NOW, NOW + 60), &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(with("[\"other\"]", "", NOW, NOW + 60), &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(with("[\"" CLIENT "\",\"x\"]", "", NOW, NOW + 60), &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(with("\"" CLIENT "\"", ",\"azp\":\"x\"", NOW, NOW + 60), &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(with("[]", "", NOW, NOW + 60), &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(with("1", "", NOW, NOW + 60), &why), MQ_ID_TOKEN_INVALID);
	/* exp and iat */
	ck_assert_int_eq(claims_check(with("\"" CLIENT "\"", "", NOW - 3600, NOW - 61), &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_str_eq(why, "the ID token has expired (exp)");
	ck_assert_int_eq(claims_check(with("\"" CLIENT "\"", "", NOW + 120, NOW + 600), &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(with("\"" CLIENT "\"", "", NOW - 3600, NOW + 600), &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(mq_arena_printf(a, "{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT "\","
						       "\"sub\":\"u\",\"iat\":%lld,\"nonce\":\"" NONCE
						       "\"}", NOW), &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(mq_arena_printf(a, "{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT "\","
						       "\"sub\":\"u\",\"iat\":\"%lld\",\"exp\":%lld,"
						       "\"nonce\":\"" NONCE "\"}", NOW, NOW + 60), &why),
			 MQ_ID_TOKEN_INVALID);
	/* iss, nonce, sub */
	ck_assert_int_eq(claims_check(mq_arena_printf(a, "{\"iss\":\"" ISS "/\",\"aud\":\"" CLIENT "\","
						       "\"sub\":\"u\",\"iat\":%lld,\"exp\":%lld,"
						       "\"nonce\":\"" NONCE "\"}", NOW, NOW + 60), &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_str_eq(why, "the ID token's issuer (iss) is not the provider's");
	ck_assert_int_eq(claims_check(mq_arena_printf(a, "{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT "\","
						       "\"sub\":\"u\",\"iat\":%lld,\"exp\":%lld,"
						       "\"nonce\":\"other\"}", NOW, NOW + 60), &why),
			 MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(mq_arena_printf(a, "{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT "\","
						       "\"sub\":\"u\",\"iat\":%lld,\"exp\":%lld}", NOW,
						       NOW + 60), &why), MQ_ID_TOKEN_INVALID);
	ck_assert_int_eq(claims_check(mq_arena_printf(a, "{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT "\","
						       "\"sub\":\"\",\"iat\":%lld,\"exp\":%lld,"
						       "\"nonce\":\"" NONCE "\"}", NOW, NOW + 60), &why),
			 MQ_ID_TOKEN_INVALID);
	/* email_verified: true or "true", nothing else */
	ck_assert_int_eq(mq_id_token_parse(a, sign(ec, "{\"alg\":\"ES256\"}",
						   with("\"" CLIENT "\"", ",\"email\":\"e@x.test\","
							"\"email_verified\":\"true\"", NOW, NOW + 60)),
					   &t, &why), MQ_ID_TOKEN_OK);
	ck_assert_int_eq(mq_id_token_check(&t, &expect, &why), MQ_ID_TOKEN_OK);
	ck_assert(t.email_verified);
	ck_assert_int_eq(mq_id_token_parse(a, sign(ec, "{\"alg\":\"ES256\"}",
						   with("\"" CLIENT "\"", ",\"email\":\"e@x.test\","
							"\"email_verified\":1", NOW, NOW + 60)),
					   &t, &why), MQ_ID_TOKEN_OK);
	ck_assert_int_eq(mq_id_token_check(&t, &expect, &why), MQ_ID_TOKEN_OK);
	ck_assert(!t.email_verified);
}
END_TEST

START_TEST(redirect_allow_list)
{
	char err[256];
	struct mq_config *cfg = mq_config_load(NULL, err, sizeof(err));

	ck_assert_ptr_nonnull(cfg);
	free(cfg->oauth_redirect_uris);
	cfg->oauth_redirect_uris = mq_xstrdup("https://app.test/cb  http://127.0.0.1:3000/cb");
	ck_assert_int_eq(mq_oauth_check_config(cfg, err, sizeof(err)), 0);
	ck_assert(mq_oauth_redirect_allowed(cfg, "https://app.test/cb"));
	ck_assert(mq_oauth_redirect_allowed(cfg, "http://127.0.0.1:3000/cb"));
	ck_assert(!mq_oauth_redirect_allowed(cfg, "https://app.test/cb/"));
	ck_assert(!mq_oauth_redirect_allowed(cfg, "https://app.test/c"));
	ck_assert(!mq_oauth_redirect_allowed(cfg, "https://app.test/cb?x"));
	ck_assert(!mq_oauth_redirect_allowed(cfg, "https://app.test/cb  http://127.0.0.1:3000/cb"));
	ck_assert(!mq_oauth_redirect_allowed(cfg, ""));
	free(cfg->oauth_redirect_uris);
	cfg->oauth_redirect_uris = mq_xstrdup("http://app.test/cb");
	ck_assert_int_eq(mq_oauth_check_config(cfg, err, sizeof(err)), -1);
	free(cfg->oauth_redirect_uris);
	cfg->oauth_redirect_uris = mq_xstrdup("https://me@app.test/cb");
	ck_assert_int_eq(mq_oauth_check_config(cfg, err, sizeof(err)), -1);
	free(cfg->oauth_redirect_uris);
	cfg->oauth_redirect_uris = mq_xstrdup("https://app.test/cb#x");
	ck_assert_int_eq(mq_oauth_check_config(cfg, err, sizeof(err)), -1);
	mq_config_free(cfg);
	/* PKCE S256: RFC 7636, appendix B */
	ck_assert_str_eq(mq_oauth_challenge(a, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
			 "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("id_token");
	TCase *tc = tcase_create("id_token");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rs256_and_es256_verify);
	tcase_add_test(tc, algorithms_refused);
	tcase_add_test(tc, tampering_refused);
	tcase_add_test(tc, jwk_conversion);
	tcase_add_test(tc, claims_checked);
	tcase_add_test(tc, redirect_allow_list);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

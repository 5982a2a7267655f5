/*
 * jwk.c: JSON Web Keys as OpenSSL 3 keys, and JWS signatures (see jwk.h).
 */
#include "integrations/jwk.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core/arena.h"
#include "integrations/webpush.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BYTES 1024	/* 8192 bits */
#define P256_COORD 32

enum mq_jws_alg mq_jws_alg(const char *name)
{
	if (name && strcmp(name, "RS256") == 0)
		return MQ_JWS_RS256;
	if (name && strcmp(name, "ES256") == 0)
		return MQ_JWS_ES256;
	return MQ_JWS_UNSUPPORTED;
}

ssize_t mq_jose_decode(struct mq_arena *a, const char *s, size_t len, uint8_t **out)
{
	char *text = mq_arena_strndup(a, s, len);
	uint8_t *bin = mq_arena_alloc(a, len * 3 / 4 + 2);
	ssize_t n = mq_base64url_decode(text, bin, len * 3 / 4 + 1);

	if (n < 0 || strlen(text) != len)
		return -1;
	bin[n] = '\0';
	*out = bin;
	return n;
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A base64url member of the JWK, decoded: its length, or -1. */
static ssize_t bytes(struct mq_arena *a, struct json_object *jwk, const char *key, uint8_t **out)
{
	const char *v = member(jwk, key);

	return v ? mq_jose_decode(a, v, strlen(v), out) : -1;
}

static void pkey_free(void *key)
{
	EVP_PKEY_free(key);
}

static EVP_PKEY *rsa_key(struct mq_arena *a, struct json_object *jwk, const char **why)
{
	uint8_t *n_bin, *e_bin;
	ssize_t n_len = bytes(a, jwk, "n", &n_bin), e_len = bytes(a, jwk, "e", &e_bin);
	OSSL_PARAM_BLD *b = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *n = NULL, *e = NULL;

	if (n_len <= 0 || e_len <= 0 || n_len > RSA_MAX_BYTES || e_len > 8) {
		*why = "an RSA key needs n and e in base64url";
		return NULL;
	}
	if ((n = BN_bin2bn(n_bin, (int)n_len, NULL)) == NULL ||
	    (e = BN_bin2bn(e_bin, (int)e_len, NULL)) == NULL)
		goto out;
	if (BN_num_bits(n) < RSA_MIN_BITS || !BN_is_odd(e) || BN_is_one(e)) {
		*why = "the RSA key is shorter than 2048 bits or its exponent is wrong";
		goto out;
	}
	if ((b = OSSL_PARAM_BLD_new()) == NULL || !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(b)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		*why = "OpenSSL does not take the RSA key";
		key = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_free(n);
	BN_free(e);
	return key;
}

static EVP_PKEY *ec_key(struct mq_arena *a, struct json_object *jwk, const char **why)
{
	const char *crv = member(jwk, "crv");
	uint8_t point[MQ_WEBPUSH_KEY_LEN], *x, *y;
	EVP_PKEY *key;

	if (crv == NULL || strcmp(crv, "P-256") != 0) {
		*why = "an ES256 key is on the curve P-256";
		return NULL;
	}
	if (bytes(a, jwk, "x", &x) != P256_COORD || bytes(a, jwk, "y", &y) != P256_COORD) {
		*why = "a P-256 key needs x and y of 32 bytes in base64url";
		return NULL;
	}
	point[0] = 0x04;
	memcpy(point + 1, x, P256_COORD);
	memcpy(point + 1 + P256_COORD, y, P256_COORD);
	if ((key = mq_p256_key(point, NULL, 0)) == NULL)
		*why = "the point is not on the curve P-256";
	return key;
}

EVP_PKEY *mq_jwk_key(struct mq_arena *a, struct json_object *jwk, enum mq_jws_alg alg,
		     const char **why)
{
	const char *kty = json_object_is_type(jwk, json_type_object) ? member(jwk, "kty") : NULL;
	const char *use = kty ? member(jwk, "use") : NULL, *stated = kty ? member(jwk, "alg") : NULL;
	static const char *const names[] = { "", "RS256", "ES256" };
	EVP_PKEY *key;

	*why = NULL;
	if (alg == MQ_JWS_UNSUPPORTED) {
		*why = "the algorithm is not RS256 or ES256";
		return NULL;
	}
	if (kty == NULL || strcmp(kty, alg == MQ_JWS_RS256 ? "RSA" : "EC") != 0) {
		*why = "the key's type does not match the algorithm";
		return NULL;
	}
	if ((use && strcmp(use, "sig") != 0) || (stated && strcmp(stated, names[alg]) != 0)) {
		*why = "the key is not for this algorithm's signatures";
		return NULL;
	}
	key = alg == MQ_JWS_RS256 ? rsa_key(a, jwk, why) : ec_key(a, jwk, why);
	if (key)
		mq_arena_defer(a, pkey_free, key);
	else if (*why == NULL)
		*why = "the key cannot be read";
	return key;
}

/* JOSE's R || S as the DER ECDSA-Sig-Value OpenSSL verifies, into der
 * (72 bytes at most); its length, or 0. */
static size_t es256_der(const uint8_t *sig, uint8_t der[80])
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, P256_COORD, NULL), *sv = BN_bin2bn(sig + P256_COORD, P256_COORD, NULL);
	uint8_t *p = der;
	int n = 0;

	if (s && r && sv && ECDSA_SIG_set0(s, r, sv) == 1) {
		r = sv = NULL;	/* s owns them */
		n = i2d_ECDSA_SIG(s, &p);
	}
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(s);
	return n > 0 ? (size_t)n : 0;
}

bool mq_jws_verify(EVP_PKEY *key, enum mq_jws_alg alg, const void *data, size_t len,
		   const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[80];
	bool ok = false;

	if (md == NULL || key == NULL)
		goto out;
	if (alg == MQ_JWS_ES256) {
		if (sig_len != 2 * P256_COORD || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
		    (sig_len = es256_der(sig, der)) == 0)
			goto out;
		sig = der;
	} else if (alg != MQ_JWS_RS256 || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		goto out;
	}
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
out:
	EVP_MD_CTX_free(md);
	return ok;
}

/*
 * webpush.c: Web Push (see webpush.h).
 *
 * Encryption (RFC 8291 section 3, one record of RFC 8188's aes128gcm):
 *
 *   ecdh_secret = ECDH(as_private, ua_public)
 *   PRK_key     = HMAC-SHA-256(auth_secret, ecdh_secret)
 *   IKM         = HMAC-SHA-256(PRK_key, "WebPush: info" 0x00 ua_public as_public 0x01)
 *   PRK         = HMAC-SHA-256(salt, IKM)
 *   CEK         = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm" 0x00 0x01)[0..16)
 *   NONCE       = HMAC-SHA-256(PRK, "Content-Encoding: nonce" 0x00 0x01)[0..12)
 *   body        = salt, rs (4096), idlen (65), as_public,
 *                 AES-128-GCM(CEK, NONCE, plaintext 0x02) with its 16-byte tag
 *
 * (each HKDF expand is one block, so one HMAC).  t/unit/test_webpush.c
 * checks it against RFC 8291's worked example, byte for byte.
 */
#include "integrations/webpush.h"

#include <stdarg.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "core/config.h"
#include "core/i18n.h"
#include "integrations/loopback.h"

#define RECORD_SIZE 4096
#define TAG_LEN 16
#define RESPONSE_MAX (64 * 1024)

struct mq_webpush {
	const struct mq_config *cfg;
	EVP_PKEY *key;
	char *public_key;	/* base64url */
	CURL *curl;
};

char *mq_base64url(const uint8_t *bin, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = mq_xmalloc(n);

	sodium_bin2base64(out, n, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

ssize_t mq_base64url_decode(const char *s, uint8_t *out, size_t max)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n;

	/* libsodium 1.0.18 reads some bytes outside the alphabet (0xc5, ...)
	 * as digits: the same key would have many spellings */
	if (s[strspn(s, alphabet)] != '\0' ||
	    sodium_base642bin(out, max, s, strlen(s), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	return (ssize_t)n;
}

/* ---- keys ---- */

/* The uncompressed point of key into out; false when it is not one. */
static bool public_point(EVP_PKEY *key, uint8_t out[MQ_WEBPUSH_KEY_LEN])
{
	size_t n = 0;

	return EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out,
					       MQ_WEBPUSH_KEY_LEN, &n) == 1 &&
	       n == MQ_WEBPUSH_KEY_LEN && out[0] == 0x04;
}

EVP_PKEY *mq_p256_key(const uint8_t point[MQ_WEBPUSH_KEY_LEN], const uint8_t *priv, size_t priv_len)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *d = NULL;

	if (b == NULL || !OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
							 "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point, MQ_WEBPUSH_KEY_LEN))
		goto out;
	if (priv && ((d = BN_bin2bn(priv, (int)priv_len, NULL)) == NULL ||
		     !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d)))
		goto out;
	if ((params = OSSL_PARAM_BLD_to_param(b)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	EVP_PKEY_CTX_free(ctx);
	/* fromdata decodes the point; the check says it is on the curve */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (ctx == NULL || EVP_PKEY_public_check(ctx) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_clear_free(d);
	return key;
}

const char *mq_webpush_key_problem(const char *p256dh)
{
	uint8_t point[MQ_WEBPUSH_KEY_LEN + 1];
	EVP_PKEY *key;

	if (mq_base64url_decode(p256dh, point, sizeof(point)) != MQ_WEBPUSH_KEY_LEN ||
	    point[0] != 0x04)
		return N_("Must be a P-256 public key: 65 bytes (uncompressed), base64url.");
	if ((key = mq_p256_key(point, NULL, 0)) == NULL)
		return N_("Is not a point on P-256.");
	EVP_PKEY_free(key);
	return NULL;
}

const char *mq_webpush_auth_problem(const char *auth)
{
	uint8_t secret[MQ_WEBPUSH_AUTH_LEN + 1];

	if (mq_base64url_decode(auth, secret, sizeof(secret)) != MQ_WEBPUSH_AUTH_LEN)
		return N_("Must be 16 bytes, base64url.");
	return NULL;
}

/* ---- encryption ---- */

static void hmac(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
		 uint8_t out[32])
{
	unsigned int n = 32;

	HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n);
}

/* The ECDH secret of our key and theirs. */
static int ecdh(EVP_PKEY *ours, EVP_PKEY *theirs, uint8_t secret[32])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL);
	size_t n = 32;
	int rc = -1;

	if (ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, theirs) == 1 &&
	    EVP_PKEY_derive(ctx, secret, &n) == 1 && n == 32)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* The content encryption key and nonce (see the top of this file). */
static void derive(const uint8_t secret[32], const uint8_t auth[MQ_WEBPUSH_AUTH_LEN],
		   const uint8_t ua_public[MQ_WEBPUSH_KEY_LEN],
		   const uint8_t as_public[MQ_WEBPUSH_KEY_LEN], const uint8_t salt[MQ_WEBPUSH_SALT_LEN],
		   uint8_t cek[16], uint8_t nonce[12])
{
	static const char info[] = "WebPush: info";	/* with its NUL */
	static const char cek_info[] = "Content-Encoding: aes128gcm\0\1";
	static const char nonce_info[] = "Content-Encoding: nonce\0\1";
	uint8_t key_info[sizeof(info) + 2 * MQ_WEBPUSH_KEY_LEN + 1];
	uint8_t prk_key[32], ikm[32], prk[32], t[32];

	hmac(auth, MQ_WEBPUSH_AUTH_LEN, secret, 32, prk_key);
	memcpy(key_info, info, sizeof(info));
	memcpy(key_info + sizeof(info), ua_public, MQ_WEBPUSH_KEY_LEN);
	memcpy(key_info + sizeof(info) + MQ_WEBPUSH_KEY_LEN, as_public, MQ_WEBPUSH_KEY_LEN);
	key_info[sizeof(key_info) - 1] = 0x01;
	hmac(prk_key, 32, key_info, sizeof(key_info), ikm);
	hmac(salt, MQ_WEBPUSH_SALT_LEN, ikm, 32, prk);
	hmac(prk, 32, (const uint8_t *)cek_info, sizeof(cek_info) - 1, t);
	memcpy(cek, t, 16);
	hmac(prk, 32, (const uint8_t *)nonce_info, sizeof(nonce_info) - 1, t);
	memcpy(nonce, t, 12);
	sodium_memzero(prk_key, sizeof(prk_key));
	sodium_memzero(ikm, sizeof(ikm));
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
}

/* The body for ua_public and auth from the sender's key pair as_key and
 * salt (mq_webpush_encrypt makes both afresh; the tests give RFC 8291's). */
static int encrypt_with(EVP_PKEY *as_key, const uint8_t salt[MQ_WEBPUSH_SALT_LEN],
			const uint8_t ua_public[MQ_WEBPUSH_KEY_LEN],
			const uint8_t auth[MQ_WEBPUSH_AUTH_LEN], const void *plaintext, size_t len,
			uint8_t **body, size_t *body_len)
{
	uint8_t as_public[MQ_WEBPUSH_KEY_LEN], secret[32], cek[16], nonce[12];
	EVP_PKEY *ua = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t *out = NULL, *p, *record = NULL;
	int n, rc = -1;

	if (len > MQ_WEBPUSH_PLAINTEXT_MAX || !public_point(as_key, as_public) ||
	    (ua = mq_p256_key(ua_public, NULL, 0)) == NULL || ecdh(as_key, ua, secret) < 0)
		goto out;
	derive(secret, auth, ua_public, as_public, salt, cek, nonce);
	/* the one record: the plaintext and the last record's delimiter */
	record = mq_xmalloc(len + 1);
	memcpy(record, plaintext, len);
	record[len] = 0x02;
	out = mq_xmalloc(MQ_WEBPUSH_HEADER_LEN + len + 1 + TAG_LEN);
	memcpy(out, salt, MQ_WEBPUSH_SALT_LEN);
	p = out + MQ_WEBPUSH_SALT_LEN;
	*p++ = (RECORD_SIZE >> 24) & 0xff;
	*p++ = (RECORD_SIZE >> 16) & 0xff;
	*p++ = (RECORD_SIZE >> 8) & 0xff;
	*p++ = RECORD_SIZE & 0xff;
	*p++ = MQ_WEBPUSH_KEY_LEN;
	memcpy(p, as_public, MQ_WEBPUSH_KEY_LEN);
	p += MQ_WEBPUSH_KEY_LEN;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, cek, nonce) != 1 ||
	    EVP_EncryptUpdate(ctx, p, &n, record, (int)len + 1) != 1 || n != (int)len + 1 ||
	    EVP_EncryptFinal_ex(ctx, p + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, p + len + 1) != 1)
		goto out;
	*body = out;
	*body_len = MQ_WEBPUSH_HEADER_LEN + len + 1 + TAG_LEN;
	out = NULL;
	rc = 0;
out:
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(cek, sizeof(cek));
	EVP_CIPHER_CTX_free(ctx);
	EVP_PKEY_free(ua);
	free(record);
	free(out);
	return rc;
}

int mq_webpush_encrypt(const uint8_t ua_public[MQ_WEBPUSH_KEY_LEN],
		       const uint8_t auth[MQ_WEBPUSH_AUTH_LEN], const void *plaintext, size_t len,
		       uint8_t **body, size_t *body_len)
{
	uint8_t salt[MQ_WEBPUSH_SALT_LEN];
	EVP_PKEY *as_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	int rc;

	if (as_key == NULL)
		return -1;
	randombytes_buf(salt, sizeof(salt));
	rc = encrypt_with(as_key, salt, ua_public, auth, plaintext, len, body, body_len);
	EVP_PKEY_free(as_key);
	return rc;
}

/* ---- VAPID ---- */

bool mq_webpush_configured(const struct mq_config *cfg)
{
	return cfg->push_vapid_key.value != NULL;
}

struct mq_webpush *mq_webpush_new(const struct mq_config *cfg, char *err, size_t errlen)
{
	struct mq_webpush *w;
	uint8_t point[MQ_WEBPUSH_KEY_LEN];
	BIO *bio;
	char *name = NULL;
	size_t n;

	if (!mq_webpush_configured(cfg)) {
		snprintf(err, errlen, "[push] vapid_key_file is not set");
		return NULL;
	}
	if (strncmp(cfg->push_subject, "mailto:", 7) != 0 &&
	    strncmp(cfg->push_subject, "https://", 8) != 0) {
		snprintf(err, errlen, "[push] subject must be a mailto: or https: URL");
		return NULL;
	}
	w = mq_xcalloc(1, sizeof(*w));
	w->cfg = cfg;
	bio = BIO_new_mem_buf(cfg->push_vapid_key.value, (int)cfg->push_vapid_key.len);
	w->key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (w->key == NULL || !EVP_PKEY_is_a(w->key, "EC") ||
	    EVP_PKEY_get_utf8_string_param(w->key, OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0, &n) != 1 ||
	    (name = mq_xmalloc(n + 1)) == NULL ||
	    EVP_PKEY_get_utf8_string_param(w->key, OSSL_PKEY_PARAM_GROUP_NAME, name, n + 1, NULL) != 1 ||
	    strcmp(name, "prime256v1") != 0 || !public_point(w->key, point)) {
		snprintf(err, errlen, "[push] vapid_key_file (%s) is not a P-256 private key in PEM",
			 cfg->push_vapid_key.source ? cfg->push_vapid_key.source : "?");
		free(name);
		mq_webpush_free(w);
		return NULL;
	}
	free(name);
	w->public_key = mq_base64url(point, sizeof(point));
	if ((w->curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "libcurl failed to initialise");
		mq_webpush_free(w);
		return NULL;
	}
	return w;
}

void mq_webpush_free(struct mq_webpush *w)
{
	if (w == NULL)
		return;
	EVP_PKEY_free(w->key);
	free(w->public_key);
	if (w->curl)
		curl_easy_cleanup(w->curl);
	free(w);
}

const char *mq_webpush_public_key(const struct mq_webpush *w)
{
	return w->public_key;
}

/* An ES256 signature of data: r and s, 32 bytes each (JWS's form, not
 * DER's). */
static int es256(EVP_PKEY *key, const char *data, uint8_t sig[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t n = sizeof(der);
	ECDSA_SIG *s = NULL;
	const BIGNUM *r, *sv;
	int rc = -1;

	if (md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, der, &n, (const unsigned char *)data, strlen(data)) == 1 &&
	    (s = d2i_ECDSA_SIG(NULL, &p, (long)n)) != NULL) {
		ECDSA_SIG_get0(s, &r, &sv);
		if (BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(sv, sig + 32, 32) == 32)
			rc = 0;
	}
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(md);
	return rc;
}

/* A JSON string's text for s (the audience and subject come from URLs,
 * which may hold a quote or a backslash only escaped). */
static void json_text(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\%c", ch);
		else if (ch < 0x20)
			n += (size_t)snprintf(out + n, size - n, "\\u%04x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

char *mq_webpush_vapid_jwt(struct mq_webpush *w, const char *audience, time_t exp)
{
	static const char header[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
	char aud[600], sub[600], claims[1400], *h, *c, *signing, *s, *jwt;
	uint8_t sig[64];
	size_t len;

	json_text(aud, sizeof(aud), audience);
	json_text(sub, sizeof(sub), w->cfg->push_subject);
	snprintf(claims, sizeof(claims), "{\"aud\":\"%s\",\"exp\":%lld,\"sub\":\"%s\"}", aud,
		 (long long)exp, sub);
	h = mq_base64url((const uint8_t *)header, strlen(header));
	c = mq_base64url((const uint8_t *)claims, strlen(claims));
	len = strlen(h) + 1 + strlen(c) + 1;
	signing = mq_xmalloc(len);
	snprintf(signing, len, "%s.%s", h, c);
	free(h);
	free(c);
	if (es256(w->key, signing, sig) < 0) {
		free(signing);
		return NULL;
	}
	s = mq_base64url(sig, sizeof(sig));
	len = strlen(signing) + 1 + strlen(s) + 1;
	jwt = mq_xmalloc(len);
	snprintf(jwt, len, "%s.%s", signing, s);
	free(signing);
	free(s);
	return jwt;
}

/* ---- delivery ---- */

/* True when host is suffix or a subdomain of it. */
static bool host_matches(const char *host, const char *suffix, size_t slen)
{
	size_t hlen = strlen(host);

	if (hlen == slen)
		return strncasecmp(host, suffix, slen) == 0;
	return hlen > slen && host[hlen - slen - 1] == '.' &&
	       strncasecmp(host + hlen - slen, suffix, slen) == 0;
}

static bool host_listed(const char *list, const char *host)
{
	for (const char *p = list; *p;) {
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, " ,");
		if (n && host_matches(host, p, n))
			return true;
		p += n;
	}
	return false;
}

const char *mq_webpush_endpoint_problem(const struct mq_config *cfg, const char *endpoint)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL;
	const char *why = NULL;

	if (u == NULL)
		return N_("Cannot be read.");
	if (curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		why = N_("Must be an absolute https URL.");
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		why = N_("Must not hold a user name.");
	else if (strcmp(scheme, "https") != 0 &&
		 !(strcmp(scheme, "http") == 0 && mq_loopback_url(endpoint)))
		why = N_("Must be an https URL.");
	else if (!host_listed(cfg->push_endpoint_hosts, host))
		why = N_("Is not the URL of a push service this server sends to.");
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return why;
}

/* The endpoint's origin ("https://host[:port]"), RFC 8292's audience. */
static char *origin_of(const char *endpoint)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
	size_t n;

	if (u && curl_url_set(u, CURLUPART_URL, endpoint, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		n = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) + 5;
		out = mq_xmalloc(n);
		snprintf(out, n, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* The answer's body is not read: only counted against a cap. */
static size_t discard(char *data, size_t size, size_t nmemb, void *arg)
{
	size_t *seen = arg, n = size * nmemb;

	(void)data;
	*seen += n;
	return *seen > RESPONSE_MAX ? 0 : n;
}

/* Appends one header line made of fmt to *h; false when out of memory. */
static bool add_header(struct curl_slist **h, const char *fmt, ...) MQ_PRINTF(2, 3);

static bool add_header(struct curl_slist **h, const char *fmt, ...)
{
	struct curl_slist *next;
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if ((next = curl_slist_append(*h, line)) == NULL)
		return false;
	*h = next;
	return true;
}

/* The request's headers; NULL when a topic or an urgency would not be a
 * header's value (both come from code, but a header is no place to
 * find out). */
static struct curl_slist *headers(struct mq_webpush *w, const struct mq_push_message *m,
				  const char *jwt)
{
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct curl_slist *h = NULL;

	if ((m->topic && (strspn(m->topic, b64url) != strlen(m->topic) || strlen(m->topic) > 32)) ||
	    (m->urgency && strspn(m->urgency, "abcdefghijklmnopqrstuvwxyz-") != strlen(m->urgency)))
		return NULL;
	/* (Expect: none, so that no service must answer 100 Continue first) */
	if (!add_header(&h, "Content-Type: application/octet-stream") || !add_header(&h, "Expect:") ||
	    !add_header(&h, "Content-Encoding: aes128gcm") ||
	    !add_header(&h, "Authorization: vapid t=%s, k=%s", jwt, w->public_key) ||
	    !add_header(&h, "TTL: %d", w->cfg->push_ttl_ms / 1000) ||
	    (m->topic && !add_header(&h, "Topic: %s", m->topic)) ||
	    (m->urgency && !add_header(&h, "Urgency: %s", m->urgency))) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

static enum mq_push_result classify(long code, char *err, size_t errlen)
{
	snprintf(err, errlen, "push service answered %ld", code);
	if (code >= 200 && code < 300)
		return MQ_PUSH_SENT;
	if (code == 404 || code == 410)
		return MQ_PUSH_GONE;
	if (code == 429 || code >= 500)
		return MQ_PUSH_RETRY;
	return MQ_PUSH_REFUSED;
}

enum mq_push_result mq_webpush_send(struct mq_webpush *w, const struct mq_push_message *m,
				    char *err, size_t errlen, int *retry_after)
{
	uint8_t ua[MQ_WEBPUSH_KEY_LEN + 1], auth[MQ_WEBPUSH_AUTH_LEN + 1], *body = NULL;
	enum mq_push_result result = MQ_PUSH_REFUSED;
	struct curl_slist *h = NULL;
	char *aud = NULL, *jwt = NULL;
	const char *why;
	size_t body_len, seen = 0;
	curl_off_t after = 0;
	long code = 0;
	CURLcode rc;

	*retry_after = 0;
	if ((why = mq_webpush_endpoint_problem(w->cfg, m->endpoint)) != NULL) {
		snprintf(err, errlen, "endpoint refused: %s", why);
		return MQ_PUSH_GONE;
	}
	if (mq_base64url_decode(m->p256dh, ua, sizeof(ua)) != MQ_WEBPUSH_KEY_LEN ||
	    mq_base64url_decode(m->auth, auth, sizeof(auth)) != MQ_WEBPUSH_AUTH_LEN ||
	    mq_webpush_encrypt(ua, auth, m->payload, m->len, &body, &body_len) < 0) {
		snprintf(err, errlen, "the message cannot be encrypted for this subscription");
		return MQ_PUSH_GONE;
	}
	/* valid for 12 hours, of the 24 RFC 8292 allows */
	if ((aud = origin_of(m->endpoint)) == NULL ||
	    (jwt = mq_webpush_vapid_jwt(w, aud, time(NULL) + 12 * 3600)) == NULL ||
	    (h = headers(w, m, jwt)) == NULL) {
		snprintf(err, errlen, "the request cannot be made");
		goto out;
	}
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, m->endpoint);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR,
			 mq_loopback_url(m->endpoint) ? "http,https" : "https");
	curl_easy_setopt(w->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(w->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(w->curl, CURLOPT_WRITEDATA, &seen);
	curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)w->cfg->push_timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, (long)w->cfg->push_timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(w->curl);
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && code)) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		result = MQ_PUSH_RETRY;
		goto out;
	}
	result = classify(code, err, errlen);
	if (curl_easy_getinfo(w->curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
		*retry_after = after > 86400 ? 86400 : (int)after;
out:
	curl_slist_free_all(h);
	free(body);
	free(aud);
	free(jwt);
	return result;
}

/*
 * test_webpush.c: Web Push encryption against RFC 8291's worked example
 * (section 5 and appendix A), byte for byte; a round trip through a
 * decryption written here as a browser would do it; the VAPID JWT
 * (RFC 8292) verified with its public key; which endpoints and keys are
 * taken.  Includes webpush.c to reach its static helpers.
 */
#include "../../src/integrations/webpush.c"

#include "unit.h"

/* RFC 8291, section 5 and appendix A. */
#define UA_PUBLIC "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
#define UA_PRIVATE "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
#define AS_PUBLIC "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
#define AS_PRIVATE "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
#define AUTH "BTBZMqHH6r4Tts7J_aSIgg"
#define SALT "DGv6ra1nlYgDCS1FRnbzlw"
#define PLAINTEXT "When I grow up, I want to be a watermelon"
#define ECDH_SECRET "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"
#define CEK "oIhVW04MRdy2XN9CiKLxTg"
#define NONCE "4h_95klXJ5E_qnoN"
#define BODY "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmY" \
	     "WAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexS" \
	     "gSxsj_Qulcy4a-fN"

static struct mq_config *cfg;

static void setup(void)
{
	char err[256];

	cfg = mq_config_load(NULL, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void teardown(void)
{
	mq_config_free(cfg);
	curl_global_cleanup();
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = mq_xstrdup(value);
}

/* base64url s decoded into out, which must hold exactly n bytes. */
static void decode(const char *s, uint8_t *out, size_t n)
{
	uint8_t buf[4096];
	ssize_t got = mq_base64url_decode(s, buf, sizeof(buf));

	ck_assert_int_eq(got, (ssize_t)n);
	memcpy(out, buf, n);
}

static EVP_PKEY *key_of(const char *pub, const char *priv)
{
	uint8_t point[MQ_WEBPUSH_KEY_LEN], d[32];
	EVP_PKEY *k;

	decode(pub, point, sizeof(point));
	decode(priv, d, sizeof(d));
	k = mq_p256_key(point, d, sizeof(d));
	ck_assert_ptr_nonnull(k);
	return k;
}

static void ck_b64(const uint8_t *bin, size_t len, const char *want)
{
	char *got = mq_base64url(bin, len);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(rfc8291_intermediate_values)
{
	EVP_PKEY *as = key_of(AS_PUBLIC, AS_PRIVATE), *ua = key_of(UA_PUBLIC, UA_PRIVATE);
	uint8_t secret[32], auth[16], salt[16], ua_pub[65], as_pub[65], cek[16], nonce[12];

	ck_assert_int_eq(ecdh(as, ua, secret), 0);
	ck_b64(secret, 32, ECDH_SECRET);
	/* the receiver's side gives the same secret */
	ck_assert_int_eq(ecdh(ua, as, secret), 0);
	ck_b64(secret, 32, ECDH_SECRET);
	decode(AUTH, auth, sizeof(auth));
	decode(SALT, salt, sizeof(salt));
	decode(UA_PUBLIC, ua_pub, sizeof(ua_pub));
	ck_assert(public_point(as, as_pub));
	ck_b64(as_pub, 65, AS_PUBLIC);
	derive(secret, auth, ua_pub, as_pub, salt, cek, nonce);
	ck_b64(cek, 16, CEK);
	ck_b64(nonce, 12, NONCE);
	EVP_PKEY_free(as);
	EVP_PKEY_free(ua);
}
END_TEST

START_TEST(rfc8291_example_byte_for_byte)
{
	EVP_PKEY *as = key_of(AS_PUBLIC, AS_PRIVATE);
	uint8_t auth[16], salt[16], ua_pub[65], *body;
	size_t len;

	decode(AUTH, auth, sizeof(auth));
	decode(SALT, salt, sizeof(salt));
	decode(UA_PUBLIC, ua_pub, sizeof(ua_pub));
	ck_assert_int_eq(encrypt_with(as, salt, ua_pub, auth, PLAINTEXT, strlen(PLAINTEXT), &body, &len), 0);
	ck_assert_uint_eq(len, MQ_WEBPUSH_HEADER_LEN + strlen(PLAINTEXT) + 1 + 16);
	ck_b64(body, len, BODY);
	free(body);
	EVP_PKEY_free(as);
}
END_TEST

/* What a browser does with a body: the plaintext into out (NUL-ended),
 * or -1 when it cannot be opened. */
static int browser_decrypt(const uint8_t *body, size_t len, EVP_PKEY *ua, const uint8_t auth[16],
			   char *out, size_t outlen)
{
	uint8_t ua_pub[65], secret[32], cek[16], nonce[12], plain[4096];
	const uint8_t *salt = body, *as_pub = body + 21, *ct = body + MQ_WEBPUSH_HEADER_LEN;
	size_t ctlen = len - MQ_WEBPUSH_HEADER_LEN - 16;
	EVP_PKEY *as;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, m, ok;

	if (len < MQ_WEBPUSH_HEADER_LEN + 17 || body[20] != 65 ||
	    ((uint32_t)body[16] << 24 | body[17] << 16 | body[18] << 8 | body[19]) != 4096)
		return -1;
	as = mq_p256_key(as_pub, NULL, 0);
	ck_assert_ptr_nonnull(as);
	ck_assert(public_point(ua, ua_pub));
	ck_assert_int_eq(ecdh(ua, as, secret), 0);
	derive(secret, auth, ua_pub, as_pub, salt, cek, nonce);
	ok = EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, cek, nonce) == 1 &&
	     EVP_DecryptUpdate(c, plain, &n, ct, (int)ctlen) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(ct + ctlen)) == 1 &&
	     EVP_DecryptFinal_ex(c, plain + n, &m) == 1;
	EVP_CIPHER_CTX_free(c);
	EVP_PKEY_free(as);
	/* the last record ends in 0x02, after any padding of zeros */
	while (ok && n > 0 && plain[n - 1] == 0)
		n--;
	if (!ok || n == 0 || plain[n - 1] != 0x02 || (size_t)n > outlen)
		return -1;
	memcpy(out, plain, (size_t)n - 1);
	out[n - 1] = '\0';
	return 0;
}

START_TEST(round_trip_with_fresh_keys)
{
	EVP_PKEY *ua = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t ua_pub[65], auth[16], *body, *other;
	char text[4096], big[MQ_WEBPUSH_PLAINTEXT_MAX + 2];
	size_t len, olen;

	ck_assert(public_point(ua, ua_pub));
	randombytes_buf(auth, sizeof(auth));
	ck_assert_int_eq(mq_webpush_encrypt(ua_pub, auth, "{\"title\":\"hé\"}", 15, &body, &len), 0);
	ck_assert_int_eq(browser_decrypt(body, len, ua, auth, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "{\"title\":\"hé\"}");
	/* a fresh key and salt each time */
	ck_assert_int_eq(mq_webpush_encrypt(ua_pub, auth, "{\"title\":\"hé\"}", 15, &other, &olen), 0);
	ck_assert_uint_eq(len, olen);
	ck_assert(memcmp(body, other, 16) != 0);
	ck_assert(memcmp(body + 21, other + 21, 65) != 0);
	/* a bit flipped anywhere is refused (GCM's tag) */
	body[len - 20] ^= 1;
	ck_assert_int_eq(browser_decrypt(body, len, ua, auth, text, sizeof(text)), -1);
	body[len - 20] ^= 1;
	/* another auth secret opens nothing */
	auth[0] ^= 1;
	ck_assert_int_eq(browser_decrypt(body, len, ua, auth, text, sizeof(text)), -1);
	free(body);
	free(other);
	/* the largest plaintext fits, one more byte does not */
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(mq_webpush_encrypt(ua_pub, auth, big, MQ_WEBPUSH_PLAINTEXT_MAX, &body, &len), 0);
	ck_assert_uint_le(len, 4096);
	free(body);
	ck_assert_int_eq(mq_webpush_encrypt(ua_pub, auth, big, MQ_WEBPUSH_PLAINTEXT_MAX + 1, &body, &len), -1);
	EVP_PKEY_free(ua);
}
END_TEST

/* A new P-256 key in PEM, as [push] vapid_key_file would hold it. */
static void vapid_key(EVP_PKEY **key)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *pem;
	long n;

	*key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(PEM_write_bio_PrivateKey(b, *key, NULL, NULL, 0, NULL, NULL) == 1);
	n = BIO_get_mem_data(b, &pem);
	free(cfg->push_vapid_key.value);
	cfg->push_vapid_key.value = mq_xstrndup(pem, (size_t)n);
	cfg->push_vapid_key.len = (size_t)n;
	BIO_free(b);
}

static char *part(const char *jwt, int i)
{
	const char *p = jwt;
	size_t n;

	for (; i > 0; i--)
		p = strchr(p, '.') + 1;
	n = strcspn(p, ".");
	return mq_xstrndup(p, n);
}

START_TEST(vapid_jwt_verifies)
{
	uint8_t raw[64], point[65], text[600];
	EVP_PKEY *key, *pub;
	struct mq_webpush *w;
	char err[256], *jwt, *seg, *signing;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ssize_t n;
	int dlen;

	vapid_key(&key);
	set(&cfg->push_subject, "mailto:ops@marquee.test");
	w = mq_webpush_new(cfg, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	/* the public key served to browsers is the key's */
	ck_assert(public_point(key, point));
	ck_b64(point, 65, mq_webpush_public_key(w));
	jwt = mq_webpush_vapid_jwt(w, "https://push.example.net", 1900000000);
	ck_assert_ptr_nonnull(jwt);
	seg = part(jwt, 0);
	n = mq_base64url_decode(seg, text, sizeof(text) - 1);
	text[n] = 0;
	ck_assert_str_eq((char *)text, "{\"typ\":\"JWT\",\"alg\":\"ES256\"}");
	free(seg);
	seg = part(jwt, 1);
	n = mq_base64url_decode(seg, text, sizeof(text) - 1);
	text[n] = 0;
	ck_assert_str_eq((char *)text, "{\"aud\":\"https://push.example.net\",\"exp\":1900000000,"
			 "\"sub\":\"mailto:ops@marquee.test\"}");
	free(seg);
	/* r and s, 32 bytes each, verify with the public key alone */
	seg = part(jwt, 2);
	ck_assert_int_eq(mq_base64url_decode(seg, raw, sizeof(raw)), 64);
	free(seg);
	ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL));
	dlen = i2d_ECDSA_SIG(sig, &der);
	pub = mq_p256_key(point, NULL, 0);
	signing = mq_xstrndup(jwt, (size_t)(strrchr(jwt, '.') - jwt));
	ck_assert(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1);
	ck_assert(EVP_DigestVerify(md, der, (size_t)dlen, (unsigned char *)signing, strlen(signing)) == 1);
	/* and not for another text */
	EVP_MD_CTX_reset(md);
	signing[0] ^= 1;
	ck_assert(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1);
	ck_assert(EVP_DigestVerify(md, der, (size_t)dlen, (unsigned char *)signing, strlen(signing)) != 1);
	free(signing);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
	free(jwt);
	mq_webpush_free(w);
}
END_TEST

START_TEST(vapid_key_and_subject_are_checked)
{
	EVP_PKEY *key;
	char err[256];

	ck_assert(!mq_webpush_configured(cfg));
	ck_assert_ptr_null(mq_webpush_new(cfg, err, sizeof(err)));
	vapid_key(&key);
	EVP_PKEY_free(key);
	set(&cfg->push_subject, "ops@marquee.test");
	ck_assert_ptr_null(mq_webpush_new(cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "subject"));
	set(&cfg->push_subject, "https://marquee.test/contact");
	free(cfg->push_vapid_key.value);
	cfg->push_vapid_key.value = mq_xstrdup("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
	cfg->push_vapid_key.len = strlen(cfg->push_vapid_key.value);
	ck_assert_ptr_null(mq_webpush_new(cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "P-256"));
}
END_TEST

START_TEST(endpoints)
{
	static const char *const yes[] = {
		"https://fcm.googleapis.com/fcm/send/abc",
		"https://updates.push.services.mozilla.com/wpush/v2/gAAA",
		"https://wns2-by3p.notify.windows.com/w/?token=x",
		"https://web.push.apple.com/QGc",
	};
	static const char *const no[] = {
		"http://fcm.googleapis.com/fcm/send/abc",	/* not https */
		"https://fcm.googleapis.com.evil.example/x",
		"https://evilfcm.googleapis.com.example/x",
		"https://xfcm.googleapis.com/x",		/* not a subdomain */
		"https://169.254.169.254/latest/meta-data",
		"https://fcm.googleapis.com@evil.example/x",
		"https://user@fcm.googleapis.com/x",
		"http://127.0.0.1:9/push",			/* loopback, but not listed */
		"ftp://fcm.googleapis.com/x", "not a url", "",
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(yes); i++)
		ck_assert_msg(mq_webpush_endpoint_problem(cfg, yes[i]) == NULL, "%s refused", yes[i]);
	for (size_t i = 0; i < MQ_ARRAY_LEN(no); i++)
		ck_assert_msg(mq_webpush_endpoint_problem(cfg, no[i]) != NULL, "%s taken", no[i]);
	set(&cfg->push_endpoint_hosts, "127.0.0.1");
	ck_assert_ptr_null(mq_webpush_endpoint_problem(cfg, "http://127.0.0.1:9/push/1"));
	ck_assert_ptr_nonnull(mq_webpush_endpoint_problem(cfg, "http://127.0.0.2:9/push/1"));
}
END_TEST

START_TEST(subscription_keys)
{
	ck_assert_ptr_null(mq_webpush_key_problem(UA_PUBLIC));
	ck_assert_ptr_null(mq_webpush_auth_problem(AUTH));
	/* the x coordinate changed: no longer on the curve */
	ck_assert_ptr_nonnull(mq_webpush_key_problem(
		"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcyaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"));
	ck_assert_ptr_nonnull(mq_webpush_key_problem(AS_PRIVATE));	/* 32 bytes */
	ck_assert_ptr_nonnull(mq_webpush_key_problem("BCVx+sr7N/eNg"));
	ck_assert_ptr_nonnull(mq_webpush_key_problem(""));
	ck_assert_ptr_nonnull(mq_webpush_auth_problem(SALT "AA"));
	ck_assert_ptr_nonnull(mq_webpush_auth_problem("short"));
	ck_assert_ptr_nonnull(mq_webpush_auth_problem(""));
	/* a byte outside the alphabet, which libsodium 1.0.18 reads as a
	 * digit (found by fuzz_social) */
	ck_assert_ptr_nonnull(mq_webpush_auth_problem("BTBZMqHH\xc5r4Tts7J_aSIgg"));
	ck_assert_ptr_nonnull(mq_webpush_auth_problem("BTBZMqHH6r4Tts7J_aSIg\xc5"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webpush");
	TCase *tc = tcase_create("webpush");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rfc8291_intermediate_values);
	tcase_add_test(tc, rfc8291_example_byte_for_byte);
	tcase_add_test(tc, round_trip_with_fresh_keys);
	tcase_add_test(tc, vapid_jwt_verifies);
	tcase_add_test(tc, vapid_key_and_subject_are_checked);
	tcase_add_test(tc, endpoints);
	tcase_add_test(tc, subscription_keys);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

/*
 * webpush.h: Web Push to browsers: a message encrypted for one
 * subscription (RFC 8291, the aes128gcm content coding of RFC 8188),
 * signed for with VAPID (RFC 8292, ES256) and delivered to its push
 * service (RFC 8030), with OpenSSL's libcrypto and libcurl.
 */
#ifndef MQ_WEBPUSH_H
#define MQ_WEBPUSH_H

#include "core/common.h"

struct mq_config;
struct mq_webpush;

#define MQ_WEBPUSH_KEY_LEN 65	/* an uncompressed P-256 point */
#define MQ_WEBPUSH_AUTH_LEN 16
#define MQ_WEBPUSH_SALT_LEN 16
/* The header of the one record: salt, record size, key id length, key. */
#define MQ_WEBPUSH_HEADER_LEN (MQ_WEBPUSH_SALT_LEN + 4 + 1 + MQ_WEBPUSH_KEY_LEN)
/* The largest plaintext sent: the body stays within the 4096 bytes every
 * push service takes (header, padding delimiter and tag besides). */
#define MQ_WEBPUSH_PLAINTEXT_MAX 3072

/* Whether [push] has a key: push is on. */
bool mq_webpush_configured(const struct mq_config *cfg);

/* Loads [push] vapid_key_file (a P-256 private key in PEM) and checks
 * [push] subject.  NULL with the reason in err. */
struct mq_webpush *mq_webpush_new(const struct mq_config *cfg, char *err, size_t errlen);
void mq_webpush_free(struct mq_webpush *w);

/* The VAPID public key, base64url (the applicationServerKey browsers
 * subscribe with); owned by w. */
const char *mq_webpush_public_key(const struct mq_webpush *w);

/* Whether endpoint may be sent to: https on a host of [push]
 * endpoint_hosts (the host or a subdomain), or http to this machine when
 * it is listed there.  NULL when it may, else why not. */
const char *mq_webpush_endpoint_problem(const struct mq_config *cfg, const char *endpoint);

/* Whether a subscription's p256dh (base64url) is a point on P-256, and
 * its auth (base64url) 16 bytes: NULL, or what is wrong. */
const char *mq_webpush_key_problem(const char *p256dh);
const char *mq_webpush_auth_problem(const char *auth);

/* RFC 8291: plaintext encrypted for the subscription's key ua_public and
 * auth secret, with a fresh key pair and salt: the body to send, in a
 * buffer the caller frees.  Returns 0, or -1 (a key that is no point, a
 * plaintext over MQ_WEBPUSH_PLAINTEXT_MAX, libcrypto failing). */
int mq_webpush_encrypt(const uint8_t ua_public[MQ_WEBPUSH_KEY_LEN],
		       const uint8_t auth[MQ_WEBPUSH_AUTH_LEN], const void *plaintext, size_t len,
		       uint8_t **body, size_t *body_len);

/* RFC 8292: the JWT naming audience (the push service's origin), valid
 * until exp, signed with the VAPID key; malloc'd. */
char *mq_webpush_vapid_jwt(struct mq_webpush *w, const char *audience, time_t exp);

enum mq_push_result {
	MQ_PUSH_SENT,		/* the push service took it (201) */
	MQ_PUSH_GONE,		/* 404 or 410: the subscription is no more */
	MQ_PUSH_RETRY,		/* unreachable, 429, 5xx: try again later */
	MQ_PUSH_REFUSED,	/* refused for good (another 4xx) */
};

struct mq_push_message {
	const char *endpoint;
	const char *p256dh;	/* base64url, as the browser gave them */
	const char *auth;
	const char *payload;	/* what the service worker's push event reads */
	size_t len;
	const char *topic;	/* replaces an undelivered message of the topic; or NULL */
	const char *urgency;	/* "normal", "high", ...; or NULL */
};

/* Sends m: encrypted, with VAPID, TTL ([push] ttl), Topic and Urgency.
 * Returns what came of it, with the reason in err when not sent and
 * *retry_after (seconds, 0 for none) from a 429 or 503. */
enum mq_push_result mq_webpush_send(struct mq_webpush *w, const struct mq_push_message *m,
				    char *err, size_t errlen, int *retry_after);

/* base64url without padding of bin[0..len), malloc'd; and back: the
 * bytes into out (at most max), their number, or -1 when s is not
 * base64url. */
char *mq_base64url(const uint8_t *bin, size_t len);
ssize_t mq_base64url_decode(const char *s, uint8_t *out, size_t max);

/* A P-256 key (OpenSSL's EVP_PKEY, the caller's to free) of the
 * uncompressed point (and the scalar priv, if given), or NULL when the
 * point is not on the curve.  Web Push's keys, and ES256's JWKs (jwk.h). */
typedef struct evp_pkey_st EVP_PKEY;
EVP_PKEY *mq_p256_key(const uint8_t point[MQ_WEBPUSH_KEY_LEN], const uint8_t *priv,
		      size_t priv_len);

#endif

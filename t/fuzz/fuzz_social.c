/*
 * fuzz_social.c: what a browser, a mail's link or a page's next link
 * hands the social and notification code: a Web Push subscription's
 * endpoint and keys (integrations/webpush.c, as POST
 * /api/push/subscriptions/ checks them), a one-click unsubscribe token
 * (notify/unsubscribe.c, POST /api/notifications/unsubscribe/) and the
 * feed's ?before= cursor (social/feed.c).
 *
 * Input: a first byte choosing how the rest is used:
 *   0  endpoint NUL p256dh NUL auth, as a subscription gives them;
 *   1  a token as a link gives it;
 *   2  user id (8 bytes) kind NUL position byte: a token issued here for
 *      that user and kind, with one byte changed;
 *   3  a feed cursor.
 * What must hold: an endpoint is taken only when it is https (or http to
 * this machine) on a listed host or its subdomain, without a user name,
 * and has an origin VAPID can name; a p256dh taken is a 65-byte point
 * that a message can be encrypted for, an auth taken is 16 bytes, both
 * their canonical base64url; no token is taken but one issued, unchanged;
 * a cursor taken is base64url, names a positive id, and the cursor made
 * for that id names it again.
 */
#include "harness.h"

#include <sodium.h>

#include "core/config.h"
#include "core/ctx.h"
#include "notify/unsubscribe.h"
#include "social/feed.h"

/* origin_of() is static: this target is compiled with it. */
#include "integrations/webpush.c"

/* The listed hosts: a push service, and this machine (http allowed). */
#define HOSTS "push.example.com 127.0.0.1 localhost"

static const struct mq_config *config(void)
{
	static struct mq_config cfg;

	if (cfg.push_endpoint_hosts == NULL) {
		cfg = *fz_config();
		cfg.push_endpoint_hosts = HOSTS;
	}
	return &cfg;
}

/* Is host one of HOSTS or a subdomain of one, written apart from
 * host_matches(). */
static bool listed(const char *host, size_t n)
{
	static const char *const hosts[] = { "push.example.com", "127.0.0.1", "localhost", NULL };

	for (int i = 0; hosts[i]; i++) {
		size_t k = strlen(hosts[i]);

		if (n >= k && strncasecmp(host + n - k, hosts[i], k) == 0 &&
		    (n == k || host[n - k - 1] == '.'))
			return true;
	}
	return false;
}

static void endpoint(const char *e)
{
	const char *why = mq_webpush_endpoint_problem(config(), e), *host;
	char *origin;
	size_t n;

	if (why != NULL)
		return;
	origin = origin_of(e);
	FZ_CHECK(origin != NULL);
	if (strncmp(origin, "https://", 8) == 0) {
		host = origin + 8;
	} else {
		FZ_CHECK(strncmp(origin, "http://", 7) == 0 && mq_loopback_url(e));
		host = origin + 7;
	}
	/* origin is scheme://host[:port] and nothing else */
	n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	FZ_CHECK(strcspn(host, "/?#@ ") == strlen(host));
	FZ_CHECK(listed(host, n));
	free(origin);
}

/* s is the canonical base64url of n bytes at bin. */
static bool canonical(const char *s, const uint8_t *bin, size_t n)
{
	char *again = mq_base64url(bin, n);
	bool same = strcmp(again, s) == 0;

	free(again);
	return same;
}

static void keys(const char *p256dh, const char *auth)
{
	uint8_t point[MQ_WEBPUSH_KEY_LEN], secret[MQ_WEBPUSH_AUTH_LEN] = { 0 }, *body = NULL;
	const char *why = mq_webpush_key_problem(p256dh);
	size_t len = 0;
	int rc;

	if (mq_webpush_auth_problem(auth) == NULL) {
		FZ_CHECK(mq_base64url_decode(auth, secret, sizeof(secret)) == MQ_WEBPUSH_AUTH_LEN);
		FZ_CHECK(canonical(auth, secret, sizeof(secret)));
	}
	if (mq_base64url_decode(p256dh, point, sizeof(point)) != MQ_WEBPUSH_KEY_LEN) {
		FZ_CHECK(why != NULL);
		return;
	}
	rc = mq_webpush_encrypt(point, secret, "{}", 2, &body, &len);
	if (why == NULL) {
		FZ_CHECK(point[0] == 0x04 && canonical(p256dh, point, sizeof(point)));
		FZ_CHECK(rc == 0 && len == MQ_WEBPUSH_HEADER_LEN + 2 + 1 + 16);
		/* the header names the server's key, never the client's */
		FZ_CHECK(memcmp(body + MQ_WEBPUSH_HEADER_LEN - MQ_WEBPUSH_KEY_LEN, point,
				MQ_WEBPUSH_KEY_LEN) != 0);
	} else {
		/* a key refused is one no message can be encrypted for */
		FZ_CHECK(rc < 0);
	}
	free(body);
}

static struct mq_ctx ctx(struct mq_arena *a)
{
	struct mq_ctx c = { .cfg = fz_config(), .arena = a, .request_id = "-", .client = "-" };

	return c;
}

/* No database here: a token that got past the checks would crash at
 * mq_db_q(), and the input would be kept. */
static void refused(struct mq_arena *a, const char *token)
{
	struct mq_ctx c = ctx(a);
	const char *kind = NULL;

	FZ_CHECK(mq_unsubscribe(&c, token, &kind) == MQ_INVALID && kind == NULL);
	FZ_CHECK(c.err.field != NULL && strcmp(c.err.field, "token") == 0);
}

static void tampered(struct mq_arena *a, const uint8_t *data, size_t size)
{
	struct mq_ctx c = ctx(a);
	char *kind, *rest, *token;
	int64_t user;
	size_t at;

	if (size < sizeof(user))
		return;
	memcpy(&user, data, sizeof(user));
	fz_split(a, data + sizeof(user), size - sizeof(user), '\0', &kind, &rest);
	if ((token = (char *)mq_unsubscribe_token(&c, user, kind)) == NULL)
		return;
	at = (unsigned char)rest[0] % strlen(token);
	token = mq_arena_strdup(a, token);
	token[at] = token[at] == 'A' ? 'B' : 'A';
	refused(a, token);
}

static void cursor(struct mq_arena *a, const char *text)
{
	struct mq_ctx c = ctx(a);
	int64_t before = 0, again = 0;

	if (!mq_feed_cursor_parse(text, &before))
		return;
	FZ_CHECK(before > 0 && strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					    "0123456789-_") == strlen(text));
	FZ_CHECK(mq_feed_cursor_parse(mq_feed_cursor(&c, before), &again) && again == before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a;
	char *e, *p256dh, *auth;
	size_t at;

	if (size == 0)
		return 0;
	a = mq_arena_new(0);
	switch (data[0] % 4) {
	case 0:
		fz_split(a, data + 1, size - 1, '\0', &e, &p256dh);
		at = 1 + strlen(e) + 1;
		if (at < size)
			fz_split(a, data + at, size - at, '\0', &p256dh, &auth);
		else
			auth = "";
		endpoint(e);
		keys(p256dh, auth);
		break;
	case 1:
		refused(a, fz_cstr(a, data + 1, size - 1));
		break;
	case 2:
		tampered(a, data + 1, size - 1);
		break;
	default:
		cursor(a, fz_cstr(a, data + 1, size - 1));
		break;
	}
	mq_arena_destroy(a);
	return 0;
}

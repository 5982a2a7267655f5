/*
 * payments.h: the payment gateway's HTTP API (Stripe's shape: form-encoded
 * POSTs, JSON answers, Bearer secret key, Idempotency-Key), through
 * libcurl, never trusted.
 *
 * Every POST carries an Idempotency-Key the caller derives from a row of
 * its own (payment_requests' id, a user's id), so a call retried after a
 * timeout, a 500 or a lost answer is the same call to the gateway: it
 * answers as it did the first time, and never makes a second customer,
 * session or change.  Nothing the gateway does (slowness, errors, 429,
 * redirects, huge or malformed bodies) reaches a caller as anything but
 * one of the statuses below.  A circuit breaker in memcached (as TMDb's:
 * [payments] breaker_threshold failures open it for breaker_cooloff)
 * stops every worker calling a gateway that is down.
 *
 * The secret key is sent in the Authorization header only, and never
 * logged: logs name the method, the path and the key's absence.
 */
#ifndef MQ_PAYMENTS_H
#define MQ_PAYMENTS_H

#include <json-c/json.h>

#include "core/arena.h"
#include "core/status.h"

struct mq_config;
struct mq_ctx;
struct mq_pay;

/* The API version whose object shapes the code reads (current_period_*
 * on the subscription). */
#define MQ_PAY_API_VERSION "2024-06-20"

enum mq_pay_status {
	MQ_PAY_OK,
	MQ_PAY_NOT_FOUND,	/* 404: no such object */
	MQ_PAY_REFUSED,		/* 400, 402: the gateway refused the request itself */
	MQ_PAY_UNCONFIGURED,	/* no secret key: 503 */
	MQ_PAY_UNAVAILABLE,	/* breaker open, 429, 409 (the same key in flight): 503 */
	MQ_PAY_TIMEOUT,		/* 504 */
	MQ_PAY_BAD_GATEWAY,	/* unreachable, 5xx, 401, redirect, garbage, too big: 502 */
};

struct mq_pay_answer {
	enum mq_pay_status status;
	struct json_object *json;	/* OK: the object, owned by the arena */
	long http_status;
	int retry_after;		/* UNAVAILABLE, UNCONFIGURED: seconds */
	const char *why;		/* failures: what happened, for logs (no secrets) */
};

/* True when [payments] secret_key_file is set. */
bool mq_pay_configured(const struct mq_config *cfg);

/* Checks [payments]: base_url https (http only for a loopback host), no
 * query or fragment; the secrets one printable line; the URLs users are
 * sent back to absolute.  Returns 0, or -1 with the reason in err. */
int mq_pay_check_config(const struct mq_config *cfg, char *err, size_t errlen);

/* A handle for c's config and cache, freed with c's arena.  NULL only
 * when libcurl cannot start. */
struct mq_pay *mq_pay_open(struct mq_ctx *c);

/* POST base_url + path, form-encoded params (name, value pairs,
 * NULL-terminated; escaped here), with Idempotency-Key: key. */
void mq_pay_post(struct mq_pay *p, const char *path, const char *const *params, const char *key,
		 struct mq_pay_answer *out);

/* GET base_url + path with params as the query. */
void mq_pay_get(struct mq_pay *p, const char *path, const char *const *params,
		struct mq_pay_answer *out);

/* DELETE base_url + path (Stripe's immediate cancel), with key. */
void mq_pay_delete(struct mq_pay *p, const char *path, const char *key, struct mq_pay_answer *out);

/* A failed call as a status, its details in c->err: MQ_UNAVAILABLE
 * (with Retry-After), MQ_TIMEOUT, MQ_BAD_GATEWAY, MQ_NOT_FOUND, or
 * MQ_BAD_GATEWAY for a refusal (our request was wrong: logged). */
enum mq_status mq_pay_failure(struct mq_ctx *c, const struct mq_pay_answer *ans);

/* Reading the gateway's objects: a member as a string (NULL when absent
 * or not a string), as an integer (false when absent or not an integer:
 * amounts are never floats), as a bool (false when absent). */
const char *mq_pay_str(struct json_object *o, const char *key);
bool mq_pay_int(struct json_object *o, const char *key, int64_t *out);
bool mq_pay_bool(struct json_object *o, const char *key);

/* A gateway id as we take them: 1 to 255 of [A-Za-z0-9_], so that it is
 * safe in a path. */
bool mq_pay_id_ok(const char *id);

#endif

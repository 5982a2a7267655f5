/*
 * payments.c: calls to the payment gateway (see payments.h): the
 * request, its answer, the circuit breaker.
 */
#include "integrations/payments.h"

#include <ctype.h>
#include <curl/curl.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/json.h"
#include "core/log.h"
#include "integrations/breaker.h"
#include "integrations/http_client.h"
#include "integrations/loopback.h"

#define MAX_DEPTH 32
#define RETRY_AFTER_MAX 300

struct mq_pay {
	const struct mq_config *cfg;
	struct mq_cache *cache;
	struct mq_arena *arena;
	CURL *curl;
};

/* One call in progress. */
struct call {
	const char *method;
	const char *path;	/* for logs */
	const char *url;
	const char *form;	/* POST: the body */
	const char *key;	/* Idempotency-Key, or NULL */
};

static bool printable(const char *s)
{
	for (; s && *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

bool mq_pay_configured(const struct mq_config *cfg)
{
	return cfg->pay_secret_key.len > 0;
}

static bool absolute_or_empty(const char *url)
{
	return *url == '\0' || ((strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) &&
				printable(url));
}

int mq_pay_check_config(const struct mq_config *cfg, char *err, size_t errlen)
{
	const char *url = cfg->pay_base_url, *why = mq_base_url_problem(url);

	if (why)
		snprintf(err, errlen, "[payments] base_url = %s: %s", url, why);
	else if (!printable(cfg->pay_secret_key.value) || !printable(cfg->pay_webhook_secret.value))
		snprintf(err, errlen, "[payments] the secret key and the webhook secret are one line "
			 "of printable characters");
	else if (!absolute_or_empty(cfg->pay_success_url) || !absolute_or_empty(cfg->pay_cancel_url))
		snprintf(err, errlen, "[payments] success_url and cancel_url are absolute URLs");
	else
		return 0;
	return -1;
}

static void pay_close(void *arg)
{
	free(arg);	/* not the handle: the process's (http_client.h) */
}

struct mq_pay *mq_pay_open(struct mq_ctx *c)
{
	struct mq_pay *p = mq_xcalloc(1, sizeof(*p));

	p->cfg = c->cfg;
	p->cache = c->cache;
	p->arena = c->arena;
	if ((p->curl = mq_http_handle()) == NULL) {	/* its connections are kept */
		free(p);
		return NULL;
	}
	mq_arena_defer(c->arena, pay_close, p);
	return p;
}

/* ---- the circuit breaker (in memcached, so all workers share it) ---- */

static struct mq_breaker breaker(struct mq_pay *p)
{
	return (struct mq_breaker){ p->cache, p->arena, "payments", "pay",
				    p->cfg->pay_breaker_threshold, p->cfg->pay_breaker_cooloff_ms };
}

/* ---- the request ---- */

static const char *encode(struct mq_pay *p, const char *const *params)
{
	struct mq_buf q;

	mq_buf_init(&q, p->arena, 256);
	for (size_t i = 0; params && params[i]; i += 2) {
		char *n = curl_easy_escape(p->curl, params[i], 0);
		char *v = curl_easy_escape(p->curl, params[i + 1], 0);

		mq_buf_printf(&q, "%s%s=%s", q.len ? "&" : "", n ? n : "", v ? v : "");
		curl_free(n);
		curl_free(v);
	}
	return q.data;
}

static struct curl_slist *headers(struct mq_pay *p, const struct call *c)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");

	h = curl_slist_append(h, "Stripe-Version: " MQ_PAY_API_VERSION);
	h = curl_slist_append(h, mq_arena_printf(p->arena, "Authorization: Bearer %s",
						  p->cfg->pay_secret_key.value));
	if (c->key)
		h = curl_slist_append(h, mq_arena_printf(p->arena, "Idempotency-Key: %s", c->key));
	return h;
}

static void failed(struct mq_pay_answer *out, enum mq_pay_status st, const char *why)
{
	out->status = st;
	out->why = why;
}

/* The gateway's own words for a refusal: error.message, else the status. */
static const char *error_message(struct mq_pay *p, const struct mq_http_call *h, long code)
{
	struct json_object *o = NULL, *e;
	const char *err;

	if (mq_json_parse(p->arena, h->body.data, h->body.len, MAX_DEPTH, &o, &err) == 0 && o &&
	    json_object_object_get_ex(o, "error", &e) && mq_pay_str(e, "message"))
		return mq_arena_printf(p->arena, "HTTP %ld: %s", code, mq_pay_str(e, "message"));
	return mq_arena_printf(p->arena, "HTTP %ld", code);
}

static void judge(struct mq_pay *p, const struct mq_http_call *h, struct mq_pay_answer *out)
{
	curl_off_t retry = h->retry_after;
	long code = h->code;
	const char *err;

	out->http_status = code;
	if (code == 200) {
		if (mq_json_parse(p->arena, h->body.data, h->body.len, MAX_DEPTH, &out->json, &err) == 0 &&
		    out->json && json_object_is_type(out->json, json_type_object))
			out->status = MQ_PAY_OK;
		else
			failed(out, MQ_PAY_BAD_GATEWAY, "the body is not a JSON object");
	} else if (code == 404) {
		failed(out, MQ_PAY_NOT_FOUND, error_message(p, h, code));
	} else if (code == 400 || code == 402) {
		failed(out, MQ_PAY_REFUSED, error_message(p, h, code));
	} else if (code == 429 || code == 409) {
		out->retry_after = retry <= 0 ? 1 : retry < RETRY_AFTER_MAX ? (int)retry : RETRY_AFTER_MAX;
		failed(out, MQ_PAY_UNAVAILABLE, error_message(p, h, code));
	} else {
		failed(out, MQ_PAY_BAD_GATEWAY, code >= 300 && code < 400 ? "a redirect"
						: error_message(p, h, code));
	}
}

static void perform(struct mq_pay *p, struct call *c, struct mq_pay_answer *out)
{
	struct mq_breaker b = breaker(p);
	const struct mq_config *cfg = p->cfg;
	struct mq_http_call h = { .method = c->method, .url = c->url, .form = c->form,
				  .connect_timeout_ms = cfg->pay_connect_timeout_ms,
				  .timeout_ms = cfg->pay_timeout_ms, .max = cfg->pay_max_response };
	enum mq_http_outcome o;
	int wait;

	memset(out, 0, sizeof(*out));
	if (!mq_pay_configured(cfg)) {
		out->retry_after = 3600;
		failed(out, MQ_PAY_UNCONFIGURED, "no [payments] secret_key_file");
		return;
	}
	if ((wait = mq_breaker_wait(&b)) > 0) {
		out->retry_after = wait;
		failed(out, MQ_PAY_UNAVAILABLE, "circuit breaker open");
		return;
	}
	h.headers = headers(p, c);
	o = mq_http_perform(p->curl, p->arena, &h);
	curl_slist_free_all(h.headers);
	if (o == MQ_HTTP_TIMEOUT)
		failed(out, MQ_PAY_TIMEOUT, "timed out");
	else if (o == MQ_HTTP_TOO_BIG)
		failed(out, MQ_PAY_BAD_GATEWAY, "the body is larger than [payments] max_response");
	else if (o == MQ_HTTP_FAILED)
		failed(out, MQ_PAY_BAD_GATEWAY, h.error);
	else
		judge(p, &h, out);
	mq_breaker_count(&b, out->status == MQ_PAY_TIMEOUT || out->status == MQ_PAY_BAD_GATEWAY);
	if (out->status != MQ_PAY_OK && out->status != MQ_PAY_NOT_FOUND)
		mq_log_warn("payments: %s %s%s%s: %s", c->method, c->path, c->key ? " key=" : "",
			    c->key ? c->key : "", out->why);
}

void mq_pay_post(struct mq_pay *p, const char *path, const char *const *params, const char *key,
		 struct mq_pay_answer *out)
{
	struct call c = { .method = "POST", .path = path, .key = key };

	c.url = mq_arena_printf(p->arena, "%s%s", p->cfg->pay_base_url, path);
	c.form = encode(p, params);
	perform(p, &c, out);
}

void mq_pay_get(struct mq_pay *p, const char *path, const char *const *params,
		struct mq_pay_answer *out)
{
	struct call c = { .method = "GET", .path = path };
	const char *q = encode(p, params);

	c.url = mq_arena_printf(p->arena, "%s%s%s%s", p->cfg->pay_base_url, path, *q ? "?" : "", q);
	perform(p, &c, out);
}

void mq_pay_delete(struct mq_pay *p, const char *path, const char *key, struct mq_pay_answer *out)
{
	struct call c = { .method = "DELETE", .path = path, .key = key };

	c.url = mq_arena_printf(p->arena, "%s%s", p->cfg->pay_base_url, path);
	perform(p, &c, out);
}

enum mq_status mq_pay_failure(struct mq_ctx *c, const struct mq_pay_answer *ans)
{
	switch (ans->status) {
	case MQ_PAY_NOT_FOUND:
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "The payment gateway has no such object.");
	case MQ_PAY_UNCONFIGURED:
		return mq_fail_retry(c, ans->retry_after, "Payments are not configured on this server.");
	case MQ_PAY_UNAVAILABLE:
		return mq_fail_retry(c, ans->retry_after,
				     "The payment gateway is unavailable at the moment; try again later.");
	case MQ_PAY_TIMEOUT:
		return mq_fail_with(c, MQ_TIMEOUT, NULL, "The payment gateway did not answer in time.");
	case MQ_PAY_OK:
	case MQ_PAY_REFUSED:
	case MQ_PAY_BAD_GATEWAY:
		break;
	}
	return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave an unusable answer.");
}

const char *mq_pay_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool mq_pay_int(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

bool mq_pay_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

bool mq_pay_id_ok(const char *id)
{
	size_t n = id ? strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") : 0;

	return n > 0 && n <= 255 && id[n] == '\0';
}

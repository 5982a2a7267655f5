/*
 * tmdb.c: calls to TMDb's API: the URL, the cache, the circuit breaker,
 * the request itself and what its answer means (see tmdb.h).
 */
#include "integrations/tmdb.h"

#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <time.h>

#include "cache/cache.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/json.h"
#include "core/log.h"
#include "core/region.h"
#include "integrations/http_client.h"
#include "integrations/loopback.h"

#define MAX_DEPTH 64		/* TMDb's documents nest 4 deep */
#define BREAKER_OPEN_KEY "tmdb:breaker:open"
#define BREAKER_FAILS_KEY "tmdb:breaker:failures"
#define RETRY_AFTER_MAX 3600	/* a longer Retry-After is a mistake: ask again in an hour */
#define MS 1000000u

struct mq_tmdb {
	const struct mq_config *cfg;
	struct mq_cache *cache;
	CURL *curl;
	time_t open_until;	/* what this process knows of the breaker */
	int failures;		/* counted here when memcached is down */
	uint64_t deadline_ns;	/* monotonic end of the caller's budget, 0 for none */
};

/* One call in progress. */
struct call {
	const char *path;	/* for logs: never the URL, which may hold the key */
	const char *key;	/* the cache key: path and query, without the key */
	const char *url;
	struct mq_buf body;	/* the answer's */
	long timeout_ms;	/* [tmdb] timeout, or less: what is left of the budget */
	bool cut;		/* timeout_ms is the budget's, not [tmdb] timeout */
};

static bool printable(const char *s)
{
	for (; s && *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

/* "en", "en-US"; region "US" or empty. */
static bool valid_language(const char *s)
{
	return strlen(s) >= 2 && islower((unsigned char)s[0]) && islower((unsigned char)s[1]) &&
	       (s[2] == '\0' || (s[2] == '-' && isupper((unsigned char)s[3]) &&
				 isupper((unsigned char)s[4]) && s[5] == '\0'));
}

static bool valid_region(const char *s)
{
	return *s == '\0' || (isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) && !s[2]);
}

int mq_tmdb_check_config(const struct mq_config *cfg, char *err, size_t errlen)
{
	const char *url = cfg->tmdb_base_url, *why = mq_base_url_problem(url);
	char region[3];

	if (why)
		snprintf(err, errlen, "[tmdb] base_url = %s: %s", url, why);
	else if (!valid_language(cfg->tmdb_language))
		snprintf(err, errlen, "[tmdb] language = %s: expected a tag such as en-US",
			 cfg->tmdb_language);
	else if (!valid_region(cfg->tmdb_region))
		snprintf(err, errlen, "[tmdb] region = %s: expected a country code such as US",
			 cfg->tmdb_region);
	else if (!mq_region_parse(cfg->watch_region, region) || strcmp(region, cfg->watch_region))
		snprintf(err, errlen, "[watch] region = %s: expected an ISO 3166-1 country code "
			 "such as US", cfg->watch_region);
	else if (!printable(cfg->tmdb_api_key.value) || !printable(cfg->tmdb_read_token.value))
		snprintf(err, errlen, "[tmdb] the API key and the read token are one line of "
			 "printable characters");
	else
		return 0;
	return -1;
}

struct mq_tmdb *mq_tmdb_new(const struct mq_config *cfg, struct mq_cache *cache)
{
	struct mq_tmdb *t = mq_xcalloc(1, sizeof(*t));

	t->cfg = cfg;
	t->cache = cache;
	t->curl = mq_http_handle();	/* the worker's: its connections are kept */
	if (t->curl == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void mq_tmdb_free(struct mq_tmdb *t)
{
	free(t);	/* not the handle: the process's (http_client.h) */
}

void mq_tmdb_budget(struct mq_tmdb *t, int ms)
{
	t->deadline_ns = ms > 0 ? mq_now_mono_ns() + (uint64_t)ms * MS : 0;
}

/* Milliseconds a call may take: [tmdb] timeout, cut to what is left of
 * the budget (0 when nothing is). */
static long call_timeout_ms(const struct mq_tmdb *t, bool *cut)
{
	uint64_t now = mq_now_mono_ns();
	long left, ms = t->cfg->tmdb_timeout_ms;

	*cut = false;
	if (t->deadline_ns == 0)
		return ms;
	left = t->deadline_ns > now ? (long)((t->deadline_ns - now) / MS) : 0;
	if (left < ms) {
		*cut = true;
		ms = left;
	}
	return ms;
}

bool mq_tmdb_configured(const struct mq_tmdb *t)
{
	return t && (t->cfg->tmdb_api_key.len > 0 || t->cfg->tmdb_read_token.len > 0);
}

static void add_param(struct mq_tmdb *t, struct mq_buf *q, const char *name, const char *value)
{
	char *v = curl_easy_escape(t->curl, value, 0);

	mq_buf_printf(q, "%s%s=%s", q->len ? "&" : "", name, v ? v : "");
	curl_free(v);
}

/* The cache key and the URL of a call. */
static void build(struct mq_tmdb *t, struct mq_arena *a, const char *path,
		  const char *const *params, struct call *c)
{
	const struct mq_config *cfg = t->cfg;
	struct mq_buf q;

	mq_buf_init(&q, a, 256);
	for (size_t i = 0; params && params[i]; i += 2)
		add_param(t, &q, params[i], params[i + 1]);
	add_param(t, &q, "language", cfg->tmdb_language);
	if (*cfg->tmdb_region)
		add_param(t, &q, "region", cfg->tmdb_region);
	c->path = path;
	c->key = mq_arena_printf(a, "tmdb:%s?%s", path, q.data);
	if (cfg->tmdb_read_token.len == 0 && cfg->tmdb_api_key.len > 0)
		add_param(t, &q, "api_key", cfg->tmdb_api_key.value);
	c->url = mq_arena_printf(a, "%s%s?%s", cfg->tmdb_base_url, path, q.data);
}

/* Replaces each number json-c read as infinite or NaN (1e400) with null:
 * rendered again, it would be Infinity, which is not JSON. */
static void finite_only(struct json_object *o)
{
	struct json_object *v;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			v = json_object_array_get_idx(o, i);
			if (json_object_is_type(v, json_type_double) && !isfinite(json_object_get_double(v)))
				json_object_array_put_idx(o, i, NULL);
			else
				finite_only(v);
		}
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val) {
			if (json_object_is_type(val, json_type_double) && !isfinite(json_object_get_double(val)))
				json_object_object_add(o, key, NULL);
			else
				finite_only(val);
		}
	}
}

static struct json_object *parse(struct mq_arena *a, const char *buf, size_t len)
{
	struct json_object *o;
	const char *err;

	/* null (o NULL) is no document either */
	if (mq_json_parse(a, buf, len, MAX_DEPTH, &o, &err) < 0 || o == NULL)
		return NULL;
	finite_only(o);
	return o;
}

/* ---- the cache: "<fresh until, unix time>\n<body>" ---- */

static bool from_cache(struct mq_tmdb *t, struct mq_arena *a, const struct call *c,
		       struct mq_tmdb_answer *out)
{
	size_t len;
	char *v = t->cache ? mq_cache_get(t->cache, a, c->key, &len) : NULL;
	char *nl = v ? memchr(v, '\n', len) : NULL;

	if (nl == NULL)
		return false;
	out->json = parse(a, nl + 1, len - (size_t)(nl + 1 - v));
	if (out->json == NULL)
		return false;
	out->status = MQ_TMDB_OK;
	out->stale = strtoll(v, NULL, 10) <= (long long)time(NULL);
	return true;
}

static void to_cache(struct mq_tmdb *t, struct mq_arena *a, const struct call *c)
{
	const struct mq_config *cfg = t->cfg;
	const char *v;

	if (t->cache == NULL)
		return;
	v = mq_arena_printf(a, "%lld\n%s", (long long)time(NULL) + cfg->tmdb_cache_ttl, c->body.data);
	mq_cache_set(t->cache, c->key, v, strlen(v),
		     cfg->tmdb_stale_ttl > cfg->tmdb_cache_ttl ? cfg->tmdb_stale_ttl : cfg->tmdb_cache_ttl);
}

/* ---- the circuit breaker ---- */

/* Seconds until the breaker closes, or 0 when it is closed. */
static int breaker_wait(struct mq_tmdb *t, struct mq_arena *a)
{
	time_t now = time(NULL), until = t->open_until;
	size_t len;
	char *v;

	if (until <= now && t->cache && (v = mq_cache_get(t->cache, a, BREAKER_OPEN_KEY, &len)))
		until = (time_t)strtoll(v, NULL, 10);
	return until > now ? (int)(until - now) : 0;
}

static void breaker_open(struct mq_tmdb *t, int seconds)
{
	char v[24];

	t->open_until = time(NULL) + seconds;
	t->failures = 0;
	snprintf(v, sizeof(v), "%lld", (long long)t->open_until);
	if (t->cache)
		mq_cache_set(t->cache, BREAKER_OPEN_KEY, v, strlen(v), seconds);
	mq_log_warn("tmdb: circuit breaker open for %ds", seconds);
}

static int cooloff_s(const struct mq_tmdb *t)
{
	return (t->cfg->tmdb_breaker_cooloff_ms + 999) / 1000;
}

/* Counted in memcached over twice the cool-off, so failures spread over
 * hours never add up; here when memcached is down. */
static void breaker_failure(struct mq_tmdb *t)
{
	uint64_t n = t->cache ? mq_cache_incr(t->cache, BREAKER_FAILS_KEY, 2 * cooloff_s(t)) : 0;

	if (n == 0)
		n = (uint64_t)++t->failures;
	if (n >= (uint64_t)t->cfg->tmdb_breaker_threshold) {
		if (t->cache)
			mq_cache_delete(t->cache, BREAKER_FAILS_KEY);
		breaker_open(t, cooloff_s(t));
	}
}

static void breaker_success(struct mq_tmdb *t)
{
	t->failures = 0;
	if (t->cache)
		mq_cache_delete(t->cache, BREAKER_FAILS_KEY);
}

/* ---- the request ---- */

static void failed(struct mq_tmdb_answer *out, enum mq_tmdb_status st, const char *why)
{
	out->status = st;
	out->why = why;
}

/* What TMDb's HTTP answer means. */
static void judge(struct mq_tmdb *t, struct mq_arena *a, const struct mq_http_call *h,
		  struct mq_tmdb_answer *out)
{
	curl_off_t retry = h->retry_after;
	long code = h->code;

	if (code == 200) {
		out->json = parse(a, h->body.data, h->body.len);
		if (out->json && json_object_is_type(out->json, json_type_object))
			out->status = MQ_TMDB_OK;
		else
			failed(out, MQ_TMDB_BAD_GATEWAY, "the body is not a JSON object");
	} else if (code == 404) {
		failed(out, MQ_TMDB_NOT_FOUND, "not found");
	} else if (code == 429) {
		out->retry_after = retry <= 0 ? cooloff_s(t)
				   : retry < RETRY_AFTER_MAX ? (int)retry : RETRY_AFTER_MAX;
		failed(out, MQ_TMDB_UNAVAILABLE, "rate limited (429)");
	} else {
		failed(out, MQ_TMDB_BAD_GATEWAY, code >= 300 && code < 400
		       ? "a redirect" : mq_arena_printf(a, "HTTP %ld", code));
	}
}

static void fetch(struct mq_tmdb *t, struct mq_arena *a, struct call *c, struct mq_tmdb_answer *out)
{
	const struct mq_config *cfg = t->cfg;
	struct mq_http_call h = { .method = "GET", .url = c->url,
				  .connect_timeout_ms = cfg->tmdb_connect_timeout_ms,
				  .timeout_ms = c->timeout_ms, .max = cfg->tmdb_max_response };
	enum mq_http_outcome o;

	h.headers = curl_slist_append(NULL, "Accept: application/json");
	if (cfg->tmdb_read_token.len)
		h.headers = curl_slist_append(h.headers, mq_arena_printf(a, "Authorization: Bearer %s",
									  cfg->tmdb_read_token.value));
	o = mq_http_perform(t->curl, a, &h);
	curl_slist_free_all(h.headers);
	c->body = h.body;
	if (o == MQ_HTTP_TIMEOUT)
		failed(out, MQ_TMDB_TIMEOUT, "timed out");
	else if (o == MQ_HTTP_TOO_BIG)
		failed(out, MQ_TMDB_BAD_GATEWAY, "the body is larger than [tmdb] max_response");
	else if (o == MQ_HTTP_FAILED)
		failed(out, MQ_TMDB_BAD_GATEWAY, h.error);
	else
		judge(t, a, &h, out);
}

/* Calls TMDb and keeps the breaker's count. */
static void call_tmdb(struct mq_tmdb *t, struct mq_arena *a, struct call *c,
		      struct mq_tmdb_answer *out)
{
	fetch(t, a, c, out);
	if (out->status == MQ_TMDB_TIMEOUT && c->cut) {
		out->why = "timed out: the request's time for TMDb is spent";
		mq_log_warn("tmdb: GET %s: %s", c->path, out->why);
		return;	/* our budget, not TMDb's failure: the breaker does not count it */
	}
	switch (out->status) {
	case MQ_TMDB_OK:
		to_cache(t, a, c);
		/* fall through */
	case MQ_TMDB_NOT_FOUND:
		breaker_success(t);
		break;
	case MQ_TMDB_UNAVAILABLE:
		breaker_open(t, out->retry_after);
		break;
	default:
		breaker_failure(t);
		break;
	}
	if (out->status != MQ_TMDB_OK)
		mq_log_warn("tmdb: GET %s: %s", c->path, out->why);
}

void mq_tmdb_get(struct mq_tmdb *t, struct mq_arena *a, const char *path,
		 const char *const *params, struct mq_tmdb_answer *out)
{
	struct mq_tmdb_answer cached = { 0 };
	struct call c = { 0 };
	bool have;
	int wait;

	memset(out, 0, sizeof(*out));
	build(t, a, path, params, &c);
	have = from_cache(t, a, &c, &cached);
	if (have && !cached.stale) {
		*out = cached;
		return;
	}
	if (!mq_tmdb_configured(t)) {
		out->retry_after = cooloff_s(t);
		failed(out, MQ_TMDB_UNCONFIGURED, "no [tmdb] api_key_file or read_token_file");
	} else if ((wait = breaker_wait(t, a)) > 0) {
		out->retry_after = wait;
		failed(out, MQ_TMDB_UNAVAILABLE, "circuit breaker open");
	} else if ((c.timeout_ms = call_timeout_ms(t, &c.cut)) <= 0) {
		failed(out, MQ_TMDB_TIMEOUT, "the request's time for TMDb is spent");
	} else {
		call_tmdb(t, a, &c, out);
		out->fetched = out->status == MQ_TMDB_OK;
	}
	if (have && out->status != MQ_TMDB_OK && out->status != MQ_TMDB_NOT_FOUND)
		*out = cached;	/* stale beats nothing */
}

bool mq_tmdb_image_path_ok(const char *s)
{
	size_t n = s[0] == '/' ? strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789_-") : 0;
	const char *ext = s + 1 + n;

	return n > 0 && n <= 100 && (strcmp(ext, ".jpg") == 0 || strcmp(ext, ".jpeg") == 0 ||
				     strcmp(ext, ".png") == 0 || strcmp(ext, ".webp") == 0);
}

enum mq_status mq_tmdb_failure(struct mq_ctx *c, const struct mq_tmdb_answer *ans,
			       const char *not_found)
{
	switch (ans->status) {
	case MQ_TMDB_OK:
	case MQ_TMDB_NOT_FOUND:
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "%s", mq_tr(c->lang, not_found));
	case MQ_TMDB_UNCONFIGURED:
		return mq_fail_retry(c, ans->retry_after, "TMDb is not configured on this server.");
	case MQ_TMDB_UNAVAILABLE:
		return mq_fail_retry(c, ans->retry_after,
				     "TMDb is unavailable at the moment; try again later.");
	case MQ_TMDB_TIMEOUT:
		return mq_fail_with(c, MQ_TIMEOUT, NULL, "TMDb did not answer in time.");
	case MQ_TMDB_BAD_GATEWAY:
		break;
	}
	return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "TMDb gave an unusable answer.");
}

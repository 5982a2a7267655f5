/*
 * tmdb.h: The Movie Database's API (v3), through libcurl, never trusted.
 *
 * One handle per process (a worker, a CLI run) keeps one curl handle, so
 * connections to TMDb are reused.  A call is answered, in this order:
 * from memcached while the entry is fresh ([tmdb] cache_ttl); by TMDb
 * unless the circuit breaker is open; from the stale entry (kept for
 * stale_ttl) when TMDb failed; else with the failure.  Nothing TMDb does
 * (slowness, errors, 429, redirects, huge or malformed bodies) reaches a
 * caller as anything but one of the statuses below.
 *
 * The breaker's state lives in memcached, so every worker of every host
 * stops calling TMDb at once: breaker_threshold failures (within twice
 * breaker_cooloff) or one 429 open it for breaker_cooloff (for a 429, its
 * Retry-After).  Each worker also remembers what it opened itself, so with
 * memcached down the breaker still works, per worker.
 */
#ifndef MQ_TMDB_H
#define MQ_TMDB_H

#include <json-c/json.h>

#include "core/arena.h"
#include "core/status.h"

struct mq_config;
struct mq_cache;
struct mq_ctx;
struct mq_tmdb;

enum mq_tmdb_status {
	MQ_TMDB_OK,
	MQ_TMDB_NOT_FOUND,	/* TMDb has no such thing (404) */
	MQ_TMDB_UNCONFIGURED,	/* no API key: 503 */
	MQ_TMDB_UNAVAILABLE,	/* breaker open, or TMDb asked us to wait: 503 */
	MQ_TMDB_TIMEOUT,	/* 504 */
	MQ_TMDB_BAD_GATEWAY,	/* unreachable, 5xx, redirect, garbage, too big: 502 */
};

struct mq_tmdb_answer {
	enum mq_tmdb_status status;
	struct json_object *json;	/* OK: the body, a JSON object owned by the arena */
	bool stale;			/* OK from an entry older than cache_ttl */
	bool fetched;			/* OK from TMDb itself, not from memcached */
	int retry_after;		/* UNAVAILABLE, UNCONFIGURED: seconds */
	const char *why;		/* failures: what happened, for logs (no secrets) */
};

/* Checks [tmdb]: base_url https (http only for a loopback host), no
 * query or fragment, language and region well-formed, key and token
 * printable.  Returns 0, or -1 with the reason in err. */
int mq_tmdb_check_config(const struct mq_config *cfg, char *err, size_t errlen);

/* A handle for cfg's [tmdb], caching in cache (which may be NULL).  NULL
 * only when libcurl cannot start. */
struct mq_tmdb *mq_tmdb_new(const struct mq_config *cfg, struct mq_cache *cache);
void mq_tmdb_free(struct mq_tmdb *t);

/* Every call from now on ends within ms milliseconds from now, all of
 * them together (ms <= 0: each within [tmdb] timeout); one past it fails
 * with MQ_TMDB_TIMEOUT without calling TMDb.  A worker sets it for each
 * request, so that however many calls a request makes, TMDb cannot take
 * longer than [tmdb] timeout of it (less than request_timeout). */
void mq_tmdb_budget(struct mq_tmdb *t, int ms);

/* True when an API key or read-access token is configured. */
bool mq_tmdb_configured(const struct mq_tmdb *t);

/* GET base_url + path with params (name, value pairs, NULL-terminated;
 * values escaped here) and the configured language and region.  path is
 * built by the caller from validated values only ("/movie/550").  Fills
 * out; everything in it lives in the arena. */
void mq_tmdb_get(struct mq_tmdb *t, struct mq_arena *a, const char *path,
		 const char *const *params, struct mq_tmdb_answer *out);

/* True for a TMDb image path as TMDb gives them and the catalog keeps them
 * ("/abc_1-x.jpg"): the same rule as tmdb_image_path() in sql/0006. */
bool mq_tmdb_image_path_ok(const char *s);

/* A failed call as a status, its details in c->err: MQ_UNAVAILABLE (with
 * Retry-After), MQ_TIMEOUT or MQ_BAD_GATEWAY; MQ_NOT_FOUND for NOT_FOUND,
 * with not_found as the detail. */
enum mq_status mq_tmdb_failure(struct mq_ctx *c, const struct mq_tmdb_answer *ans,
			       const char *not_found);

#endif

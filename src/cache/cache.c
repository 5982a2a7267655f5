/*
 * cache.c: libmemcached behind a small interface.
 */
#include "cache/cache.h"

#include <ctype.h>
#include <libmemcached/memcached.h>
#include <sodium.h>

#include "core/config.h"
#include "core/log.h"

#define KEY_MAX 250

#define PENDING_MAX 16

struct mq_cache {
	memcached_st *mc;
	/* The same servers, for writes nobody waits on (noreply): storing a
	 * rendered response costs the request no round trip. */
	memcached_st *quiet;
	const struct mq_config *cfg;
	struct mq_cache_stats stats;
	bool up;
	bool warned;
	/* After a time-out, operations are not tried before this
	 * (monotonic ns): libmemcached leaves alone for retry_timeout a
	 * server it cannot connect to, but not one that hangs, whose every
	 * operation would wait out [cache] timeout. */
	uint64_t rest_until_ns;
	/* Generations this process failed to bump while the cache was down;
	 * bumped as soon as it answers again so entries cached before the
	 * write stop being served. */
	int npending;
	char pending[PENDING_MAX][64];
};

static void retry_pending(struct mq_cache *c);

static void add_server(struct mq_cache *c, const char *spec)
{
	memcached_return_t rc;

	if (spec[0] == '/') {
		rc = memcached_server_add_unix_socket(c->mc, spec);
	} else {
		char host[256];
		const char *end, *colon;
		int64_t port = 11211;

		/* "host", "host:port", "[v6]" or "[v6]:port" */
		if (spec[0] == '[') {
			end = strchr(spec, ']');
			colon = end && end[1] == ':' ? end + 1 : NULL;
			if (end == NULL || (end[1] != '\0' && colon == NULL))
				goto bad;
			spec++;
		} else {
			colon = strrchr(spec, ':');
			if (colon && strchr(spec, ':') != colon)
				goto bad;	/* a bare IPv6 address needs [] */
			end = colon ? colon : spec + strlen(spec);
		}
		if ((size_t)(end - spec) >= sizeof(host) || end == spec ||
		    (colon && mq_parse_int64(colon + 1, 1, 65535, &port) < 0))
			goto bad;
		memcpy(host, spec, (size_t)(end - spec));
		host[end - spec] = '\0';
		rc = memcached_server_add(c->mc, host, (in_port_t)port);
	}
	if (rc != MEMCACHED_SUCCESS)
		mq_log_error("[cache] servers: %s: %s", spec, memcached_strerror(c->mc, rc));
	return;
bad:
	mq_log_error("[cache] servers: cannot use \"%s\" (host, host:port, [v6]:port or /socket)",
		     spec);
}

struct mq_cache *mq_cache_new(const struct mq_config *cfg)
{
	struct mq_cache *c = mq_xcalloc(1, sizeof(*c));
	char *list = mq_xstrdup(cfg->cache_servers);
	char *save = NULL;

	c->cfg = cfg;
	c->mc = memcached_create(NULL);
	if (c->mc == NULL)
		abort();
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_DISTRIBUTION,
			       MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, (uint64_t)cfg->cache_timeout_ms);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, (uint64_t)cfg->cache_timeout_ms);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, (uint64_t)cfg->cache_timeout_ms * 1000);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_SND_TIMEOUT, (uint64_t)cfg->cache_timeout_ms * 1000);
	/* A dead server is left alone for retry_timeout, then tried again. */
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT,
			       (uint64_t)(cfg->cache_retry_ms + 999) / 1000);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	for (char *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		add_server(c, tok);
	free(list);
	if ((c->quiet = memcached_clone(NULL, c->mc)) == NULL)
		abort();
	memcached_behavior_set(c->quiet, MEMCACHED_BEHAVIOR_NOREPLY, 1);
	c->up = true;
	return c;
}

void mq_cache_free(struct mq_cache *c)
{
	if (c == NULL)
		return;
	memcached_free(c->quiet);
	memcached_free(c->mc);
	free(c);
}

/* prefix + key; keys memcached would refuse (too long, spaces, control
 * bytes) are replaced by a hash of themselves. */
static void make_key(const struct mq_cache *c, const char *key, char *out, size_t outlen)
{
	size_t plen = strlen(c->cfg->cache_prefix), klen = strlen(key);
	bool safe = plen + klen < outlen;

	for (size_t i = 0; safe && i < klen; i++)
		if (!isgraph((unsigned char)key[i]))
			safe = false;
	if (safe) {
		snprintf(out, outlen, "%s%s", c->cfg->cache_prefix, key);
		return;
	}
	unsigned char h[20];
	char hex[41];

	crypto_generichash(h, sizeof(h), (const unsigned char *)key, klen, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, outlen, "%.180s#%s", c->cfg->cache_prefix, hex);
}

/* True for a failure worth one immediate second try: the first operation
 * after memcached restarted fails on the old connection, and the next one
 * reconnects.  Only while the server was believed up, so a server that is
 * really down costs one failure per request, not two. */
static bool retry_once(const struct mq_cache *c, memcached_return_t rc)
{
	return c->up && (rc == MEMCACHED_CONNECTION_FAILURE ||
			 rc == MEMCACHED_WRITE_FAILURE || rc == MEMCACHED_READ_FAILURE ||
			 rc == MEMCACHED_UNKNOWN_READ_FAILURE || rc == MEMCACHED_ERRNO ||
			 rc == MEMCACHED_SERVER_ERROR);
}

/* True while the cache is left alone after a time-out ([cache]
 * retry_timeout): operations then fail at once, without a call.  Left
 * alone whole, all servers, as one hanging server cannot be told from
 * the others here. */
static bool resting(const struct mq_cache *c)
{
	return c->rest_until_ns && mq_now_mono_ns() < c->rest_until_ns;
}

static void note(struct mq_cache *c, memcached_return_t rc)
{
	bool ok = rc == MEMCACHED_SUCCESS || rc == MEMCACHED_NOTFOUND || rc == MEMCACHED_BUFFERED ||
		  rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_DATA_EXISTS ||
		  rc == MEMCACHED_STORED || rc == MEMCACHED_DELETED || rc == MEMCACHED_END;

	if (!ok) {
		c->stats.errors++;
		if (rc == MEMCACHED_TIMEOUT)
			c->rest_until_ns = mq_now_mono_ns() +
					   (uint64_t)c->cfg->cache_retry_ms * 1000000;
		if (c->up || !c->warned)
			mq_log_warn("cache unavailable: %s", memcached_strerror(c->mc, rc));
		c->warned = true;
		c->up = false;
		return;
	}
	c->rest_until_ns = 0;
	if (!c->up) {
		mq_log_info("cache reachable again");
		c->warned = false;
		c->up = true;
		retry_pending(c);
	}
}

char *mq_cache_get(struct mq_cache *c, struct mq_arena *a, const char *key, size_t *len)
{
	char k[KEY_MAX + 1];
	memcached_return_t rc;
	uint32_t flags;
	size_t vlen = 0;
	char *v, *copy;

	if (resting(c)) {
		c->stats.misses++;
		return NULL;
	}
	make_key(c, key, k, sizeof(k));
	v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	if (v == NULL && retry_once(c, rc))
		v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	note(c, rc);
	if (v == NULL) {
		c->stats.misses++;
		return NULL;
	}
	c->stats.hits++;
	copy = mq_arena_strndup(a, v, vlen);
	free(v);
	*len = vlen;
	return copy;
}

static uint64_t parse_generation(const char *v, size_t len)
{
	char num[24];
	int64_t g;

	snprintf(num, sizeof(num), "%.*s", (int)(len < 23 ? len : 23), v);
	return mq_parse_int64(num, 1, INT64_MAX, &g) == 0 ? (uint64_t)g : 0;
}

static memcached_return_t mget(struct mq_cache *c, const char *const *keys, const size_t *lens)
{
	memcached_return_t rc = memcached_mget(c->mc, keys, lens, 2);

	if (retry_once(c, rc))
		rc = memcached_mget(c->mc, keys, lens, 2);
	return rc;
}

char *mq_cache_get_with_generation(struct mq_cache *c, struct mq_arena *a, const char *kind,
				   const char *key, size_t *len, uint64_t *gen)
{
	char gkey[KEY_MAX + 1], vkey[KEY_MAX + 1], tmp[128];
	const char *keys[2] = { gkey, vkey };
	size_t lens[2];
	memcached_result_st *res;
	memcached_return_t rc;
	char *value = NULL;

	*gen = 0;
	if (resting(c)) {
		c->stats.misses++;
		return NULL;
	}
	snprintf(tmp, sizeof(tmp), "gen:%s", kind);
	make_key(c, tmp, gkey, sizeof(gkey));
	make_key(c, key, vkey, sizeof(vkey));
	lens[0] = strlen(gkey);
	lens[1] = strlen(vkey);
	rc = mget(c, keys, lens);
	note(c, rc);
	if (rc != MEMCACHED_SUCCESS) {
		c->stats.misses++;
		return NULL;
	}
	while ((res = memcached_fetch_result(c->mc, NULL, &rc)) != NULL) {
		const char *k = memcached_result_key_value(res);
		size_t klen = memcached_result_key_length(res);
		const char *v = memcached_result_value(res);
		size_t vlen = memcached_result_length(res);

		if (klen == lens[0] && memcmp(k, gkey, klen) == 0) {
			*gen = parse_generation(v, vlen);
		} else if (klen == lens[1] && memcmp(k, vkey, klen) == 0) {
			value = mq_arena_strndup(a, v, vlen);
			*len = vlen;
		}
		memcached_result_free(res);
	}
	if (value)
		c->stats.hits++;
	else
		c->stats.misses++;
	return value;
}

int mq_cache_set(struct mq_cache *c, const char *key, const char *val, size_t len, int ttl)
{
	char k[KEY_MAX + 1];
	memcached_return_t rc;

	if (resting(c))
		return -1;
	make_key(c, key, k, sizeof(k));
	rc = memcached_set(c->mc, k, strlen(k), val, len, ttl ? ttl : c->cfg->cache_ttl, 0);
	if (retry_once(c, rc))
		rc = memcached_set(c->mc, k, strlen(k), val, len, ttl ? ttl : c->cfg->cache_ttl, 0);
	note(c, rc);
	return rc == MEMCACHED_SUCCESS ? 0 : -1;
}

int mq_cache_set_quiet(struct mq_cache *c, const char *key, const char *val, size_t len)
{
	char k[KEY_MAX + 1];

	if (resting(c) || !c->up)
		return -1;
	make_key(c, key, k, sizeof(k));
	note(c, memcached_set(c->quiet, k, strlen(k), val, len, c->cfg->cache_ttl, 0));
	return c->up ? 0 : -1;
}

int mq_cache_delete(struct mq_cache *c, const char *key)
{
	char k[KEY_MAX + 1];
	memcached_return_t rc;

	if (resting(c))
		return -1;
	make_key(c, key, k, sizeof(k));
	rc = memcached_delete(c->mc, k, strlen(k), 0);
	if (retry_once(c, rc))
		rc = memcached_delete(c->mc, k, strlen(k), 0);
	note(c, rc);
	return rc == MEMCACHED_SUCCESS || rc == MEMCACHED_NOTFOUND ? 0 : -1;
}

/* A fresh generation must not repeat one used before the key was evicted,
 * or entries from that time would come back: start from the clock. */
static uint64_t fresh_generation(void)
{
	return mq_now_real_ns() / 1000;
}

static uint64_t generation(struct mq_cache *c, const char *kind, int attempts)
{
	char key[128], k[KEY_MAX + 1], num[24];
	memcached_return_t rc;
	uint32_t flags;
	size_t vlen = 0;
	uint64_t gen = 0;
	char *v;

	if (resting(c))
		return 0;
	snprintf(key, sizeof(key), "gen:%s", kind);
	make_key(c, key, k, sizeof(k));
	v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	if (v == NULL && retry_once(c, rc))
		v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	note(c, rc);
	if (v != NULL) {
		gen = parse_generation(v, vlen);
		free(v);
		if (gen)
			return gen;
	}
	if (rc != MEMCACHED_NOTFOUND && rc != MEMCACHED_SUCCESS)
		return 0;
	gen = fresh_generation();
	snprintf(num, sizeof(num), "%llu", (unsigned long long)gen);
	/* add, not set: if another worker created it first, use theirs. */
	rc = memcached_add(c->mc, k, strlen(k), num, strlen(num), 0, 0);
	note(c, rc);
	if ((rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_DATA_EXISTS) && attempts > 1)
		return generation(c, kind, attempts - 1);
	return rc == MEMCACHED_SUCCESS ? gen : 0;
}

uint64_t mq_cache_generation(struct mq_cache *c, const char *kind)
{
	return generation(c, kind, 2);
}

uint64_t mq_cache_generation_propose(struct mq_cache *c, const char *kind)
{
	char key[128], k[KEY_MAX + 1], num[24];
	uint64_t gen = fresh_generation();

	if (resting(c) || !c->up)
		return 0;
	snprintf(key, sizeof(key), "gen:%s", kind);
	make_key(c, key, k, sizeof(k));
	snprintf(num, sizeof(num), "%llu", (unsigned long long)gen);
	note(c, memcached_add(c->quiet, k, strlen(k), num, strlen(num), 0, 0));
	return c->up ? gen : 0;
}

static bool bump(struct mq_cache *c, const char *kind)
{
	char key[128], k[KEY_MAX + 1], num[24];
	memcached_return_t rc;
	uint64_t v;

	if (resting(c))
		return false;
	snprintf(key, sizeof(key), "gen:%s", kind);
	make_key(c, key, k, sizeof(k));
	rc = memcached_increment(c->mc, k, strlen(k), 1, &v);
	if (retry_once(c, rc))
		rc = memcached_increment(c->mc, k, strlen(k), 1, &v);
	note(c, rc);
	if (rc == MEMCACHED_SUCCESS)
		return true;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)fresh_generation());
	rc = memcached_set(c->mc, k, strlen(k), num, strlen(num), 0, 0);
	note(c, rc);
	return rc == MEMCACHED_SUCCESS;
}

void mq_cache_bump(struct mq_cache *c, const char *kind)
{
	if (bump(c, kind))
		return;
	for (int i = 0; i < c->npending; i++)
		if (strcmp(c->pending[i], kind) == 0)
			return;
	if (c->npending < PENDING_MAX)
		mq_strlcpy(c->pending[c->npending++], kind, sizeof(c->pending[0]));
	else
		mq_log_error("cache: too many pending generation bumps; %s may be served stale "
			     "until its entries expire", kind);
}

static void retry_pending(struct mq_cache *c)
{
	while (c->npending > 0 && c->up) {
		char kind[64];

		mq_strlcpy(kind, c->pending[c->npending - 1], sizeof(kind));
		c->npending--;
		if (!bump(c, kind))
			mq_cache_bump(c, kind);
	}
}

uint64_t mq_cache_incr(struct mq_cache *c, const char *key, int ttl)
{
	char k[KEY_MAX + 1];
	memcached_return_t rc;
	uint64_t v = 0;

	if (resting(c))
		return 0;
	make_key(c, key, k, sizeof(k));
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = memcached_increment(c->mc, k, strlen(k), 1, &v);
		if (rc == MEMCACHED_SUCCESS)
			break;
		if (rc != MEMCACHED_NOTFOUND)
			break;
		/* First of the window: create it; if another request just
		 * did, add fails and the increment is tried again. */
		rc = memcached_add(c->mc, k, strlen(k), "1", 1, (time_t)ttl, 0);
		if (rc == MEMCACHED_SUCCESS) {
			v = 1;
			break;
		}
	}
	note(c, rc);
	return rc == MEMCACHED_SUCCESS || rc == MEMCACHED_STORED ? v : 0;
}

void mq_cache_decr(struct mq_cache *c, const char *key)
{
	char k[KEY_MAX + 1];
	uint64_t v;

	if (resting(c))
		return;
	make_key(c, key, k, sizeof(k));
	note(c, memcached_decrement(c->mc, k, strlen(k), 1, &v));
}

bool mq_cache_up(struct mq_cache *c)
{
	return c->up;
}

const struct mq_cache_stats *mq_cache_stats(const struct mq_cache *c)
{
	return &c->stats;
}

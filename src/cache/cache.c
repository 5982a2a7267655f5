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

#define NODES_MAX 32	/* as many as [cache] servers may list */

/* What this process knows of one server.  Each is judged on its own: with
 * several servers, one that is down costs only the keys ketama gives it
 * (they miss; they are not moved to the others, see mq_cache_new), and
 * the others' keys hit as before. */
struct node {
	bool up;
	bool warned;
	/* After a time-out, operations on it are not tried before this
	 * (monotonic ns): libmemcached leaves alone for retry_timeout a
	 * server it cannot connect to, but not one that hangs, whose every
	 * operation would wait out [cache] timeout. */
	uint64_t rest_until_ns;
};

struct mq_cache {
	memcached_st *mc;
	/* The same servers, for writes nobody waits on (noreply): storing a
	 * rendered response costs the request no round trip. */
	memcached_st *quiet;
	const struct mq_config *cfg;
	struct mq_cache_stats stats;
	int nnodes;
	struct node nodes[NODES_MAX];
	/* Generations this process failed to bump while the cache was down;
	 * bumped as soon as it answers again so entries cached before the
	 * write stop being served. */
	int npending;
	char pending[PENDING_MAX][64];
};

static void retry_pending(struct mq_cache *c);

/* An entry of [cache] servers, checked by the config's loader. */
static void add_server(struct mq_cache *c, const char *spec)
{
	memcached_return_t rc;
	char host[256];
	int port;

	if (mq_config_cache_server(spec, host, sizeof(host), &port) < 0) {
		mq_log_error("[cache] servers: cannot use \"%s\"", spec);
		return;
	}
	rc = port == 0 ? memcached_server_add_unix_socket(c->mc, host)
		       : memcached_server_add(c->mc, host, (in_port_t)port);
	if (rc != MEMCACHED_SUCCESS)
		mq_log_error("[cache] servers: %s: %s", spec, memcached_strerror(c->mc, rc));
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
	/* A dead server is left alone for retry_timeout after its first
	 * failure, then tried again by the next operation on one of its keys.
	 * It is never ejected (no REMOVE_FAILED_SERVERS / AUTO_EJECT_HOSTS):
	 * its keys miss meanwhile rather than move to the other servers, so
	 * a server that comes back from a freeze or a partition cannot serve
	 * a generation that was bumped on its stand-in while it was away
	 * (generation bumps that failed are kept and made when it answers). */
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT,
			       (uint64_t)(cfg->cache_retry_ms + 999) / 1000);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_REMOVE_FAILED_SERVERS, 0);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	for (char *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		add_server(c, tok);
	free(list);
	if ((c->quiet = memcached_clone(NULL, c->mc)) == NULL)
		abort();
	memcached_behavior_set(c->quiet, MEMCACHED_BEHAVIOR_NOREPLY, 1);
	c->nnodes = (int)memcached_server_count(c->mc);
	if (c->nnodes > NODES_MAX)
		c->nnodes = NODES_MAX;
	for (int i = 0; i < NODES_MAX; i++)
		c->nodes[i].up = true;
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

/* The server ketama gives a (prefixed) key: an index into c->nodes. */
static struct node *node_of(struct mq_cache *c, const char *k)
{
	uint32_t i = c->nnodes > 1 ? memcached_generate_hash(c->mc, k, strlen(k)) : 0;

	return &c->nodes[i < (uint32_t)c->nnodes ? i : 0];
}

static const char *node_name(struct mq_cache *c, const struct node *n)
{
	const memcached_instance_st *in =
		memcached_server_instance_by_position(c->mc, (uint32_t)(n - c->nodes));

	return in ? memcached_server_name(in) : "?";
}

/* True for a failure worth one immediate second try: the first operation
 * after memcached restarted fails on the old connection, and the next one
 * reconnects.  Only while the server was believed up, so a server that is
 * really down costs one failure per request, not two. */
static bool retry_once(const struct node *n, memcached_return_t rc)
{
	return n->up && (rc == MEMCACHED_CONNECTION_FAILURE ||
			 rc == MEMCACHED_WRITE_FAILURE || rc == MEMCACHED_READ_FAILURE ||
			 rc == MEMCACHED_UNKNOWN_READ_FAILURE || rc == MEMCACHED_ERRNO ||
			 rc == MEMCACHED_SERVER_ERROR);
}

/* True while a server is left alone after a time-out ([cache]
 * retry_timeout): operations on its keys then fail at once, without a
 * call. */
static bool resting(const struct node *n)
{
	return n->rest_until_ns && mq_now_mono_ns() < n->rest_until_ns;
}

static bool rc_ok(memcached_return_t rc)
{
	return rc == MEMCACHED_SUCCESS || rc == MEMCACHED_NOTFOUND || rc == MEMCACHED_BUFFERED ||
	       rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_DATA_EXISTS ||
	       rc == MEMCACHED_STORED || rc == MEMCACHED_DELETED || rc == MEMCACHED_END;
}

/* Records how an operation on server n went: logs the first failure of an
 * outage and the recovery, once each per server. */
static void note(struct mq_cache *c, struct node *n, memcached_return_t rc)
{
	if (!rc_ok(rc)) {
		c->stats.errors++;
		if (rc == MEMCACHED_TIMEOUT)
			n->rest_until_ns = mq_now_mono_ns() +
					   (uint64_t)c->cfg->cache_retry_ms * 1000000;
		if (n->up || !n->warned)
			mq_log_warn("cache unavailable: %s%s%s%s", memcached_strerror(c->mc, rc),
				    c->nnodes > 1 ? " (server " : "",
				    c->nnodes > 1 ? node_name(c, n) : "", c->nnodes > 1 ? ")" : "");
		n->warned = true;
		n->up = false;
		return;
	}
	n->rest_until_ns = 0;
	if (!n->up) {
		mq_log_info("cache reachable again%s%s%s", c->nnodes > 1 ? " (server " : "",
			    c->nnodes > 1 ? node_name(c, n) : "", c->nnodes > 1 ? ")" : "");
		n->warned = false;
		n->up = true;
		retry_pending(c);
	}
}

/* One get of the prefixed key k on its server n: an arena copy of the
 * value, or NULL (a miss, or a failure noted against n). */
static char *get_one(struct mq_cache *c, struct node *n, struct mq_arena *a, const char *k,
		     size_t *len)
{
	memcached_return_t rc;
	uint32_t flags;
	size_t vlen = 0;
	char *v, *copy;

	if (resting(n))
		return NULL;
	v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	if (v == NULL && retry_once(n, rc))
		v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	note(c, n, rc);
	if (v == NULL)
		return NULL;
	copy = mq_arena_strndup(a, v, vlen);
	free(v);
	*len = vlen;
	return copy;
}

char *mq_cache_get(struct mq_cache *c, struct mq_arena *a, const char *key, size_t *len)
{
	char k[KEY_MAX + 1];
	char *v;

	make_key(c, key, k, sizeof(k));
	v = get_one(c, node_of(c, k), a, k, len);
	if (v)
		c->stats.hits++;
	else
		c->stats.misses++;
	return v;
}

static uint64_t parse_generation(const char *v, size_t len)
{
	char num[24];
	int64_t g;

	snprintf(num, sizeof(num), "%.*s", (int)(len < 23 ? len : 23), v);
	return mq_parse_int64(num, 1, INT64_MAX, &g) == 0 ? (uint64_t)g : 0;
}

/* The generations (keys[0..n-1]) and the value (keys[n]) when all the
 * keys are on one server node: one round trip. */
static char *get_many(struct mq_cache *c, struct node *node, struct mq_arena *a,
		      const char *const *keys, const size_t *lens, int n, size_t *len,
		      uint64_t *gens)
{
	memcached_result_st *res;
	memcached_return_t rc = memcached_mget(c->mc, keys, lens, (size_t)n + 1);
	char *value = NULL;

	if (retry_once(node, rc))
		rc = memcached_mget(c->mc, keys, lens, (size_t)n + 1);
	note(c, node, rc);
	if (rc != MEMCACHED_SUCCESS)
		return NULL;
	while ((res = memcached_fetch_result(c->mc, NULL, &rc)) != NULL) {
		const char *k = memcached_result_key_value(res);
		size_t klen = memcached_result_key_length(res);
		const char *v = memcached_result_value(res);
		size_t vlen = memcached_result_length(res);

		for (int i = 0; i <= n; i++) {
			if (klen != lens[i] || memcmp(k, keys[i], klen) != 0)
				continue;
			if (i < n) {
				gens[i] = parse_generation(v, vlen);
			} else {
				value = mq_arena_strndup(a, v, vlen);
				*len = vlen;
			}
		}
		memcached_result_free(res);
	}
	/* A server that hangs answers nothing: the fetch times out. */
	if (rc == MEMCACHED_TIMEOUT)
		note(c, node, rc);
	return value;
}

/* The same when the keys are spread over servers: a get from each, so
 * that each answers for itself (an mget across a server that is down
 * says neither which one failed nor, at times, that one did).  Without
 * its generations, a value is of no use: a generation's server that
 * fails ends the lookup. */
static char *get_apart(struct mq_cache *c, struct node *const *nodes, struct mq_arena *a,
		       const char *const *keys, int n, size_t *len, uint64_t *gens)
{
	for (int i = 0; i < n; i++) {
		size_t glen;
		char *g = get_one(c, nodes[i], a, keys[i], &glen);

		if (g == NULL && !nodes[i]->up)
			return NULL;
		gens[i] = g ? parse_generation(g, glen) : 0;
	}
	return get_one(c, nodes[n], a, keys[n], len);
}

char *mq_cache_get_with_generations(struct mq_cache *c, struct mq_arena *a,
				    const char *const *kinds, int n, const char *key, size_t *len,
				    uint64_t *gens)
{
	char k[MQ_CACHE_GENERATIONS_MAX + 1][KEY_MAX + 1], tmp[128];
	const char *keys[MQ_CACHE_GENERATIONS_MAX + 1];
	struct node *nodes[MQ_CACHE_GENERATIONS_MAX + 1];
	size_t lens[MQ_CACHE_GENERATIONS_MAX + 1];
	bool one_server = true;
	char *value;

	if (n > MQ_CACHE_GENERATIONS_MAX)
		n = MQ_CACHE_GENERATIONS_MAX;	/* (a caller's mistake: gens is that long) */
	for (int i = 0; i <= n; i++) {
		if (i < n) {
			gens[i] = 0;
			snprintf(tmp, sizeof(tmp), "gen:%s", kinds[i]);
		}
		make_key(c, i < n ? tmp : key, k[i], sizeof(k[i]));
		keys[i] = k[i];
		lens[i] = strlen(k[i]);
		nodes[i] = node_of(c, k[i]);
		one_server = one_server && nodes[i] == nodes[0];
	}
	if (one_server)
		value = resting(nodes[0]) ? NULL : get_many(c, nodes[0], a, keys, lens, n, len, gens);
	else
		value = get_apart(c, nodes, a, keys, n, len, gens);
	if (value)
		c->stats.hits++;
	else
		c->stats.misses++;
	return value;
}

char *mq_cache_get_with_generation(struct mq_cache *c, struct mq_arena *a, const char *kind,
				   const char *key, size_t *len, uint64_t *gen)
{
	return mq_cache_get_with_generations(c, a, &kind, 1, key, len, gen);
}

int mq_cache_set(struct mq_cache *c, const char *key, const char *val, size_t len, int ttl)
{
	char k[KEY_MAX + 1];
	memcached_return_t rc;
	struct node *n;

	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return -1;
	rc = memcached_set(c->mc, k, strlen(k), val, len, ttl ? ttl : c->cfg->cache_ttl, 0);
	if (retry_once(n, rc))
		rc = memcached_set(c->mc, k, strlen(k), val, len, ttl ? ttl : c->cfg->cache_ttl, 0);
	note(c, n, rc);
	return rc == MEMCACHED_SUCCESS ? 0 : -1;
}

int mq_cache_set_quiet(struct mq_cache *c, const char *key, const char *val, size_t len)
{
	char k[KEY_MAX + 1];
	struct node *n;

	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return -1;
	note(c, n, memcached_set(c->quiet, k, strlen(k), val, len, c->cfg->cache_ttl, 0));
	return n->up ? 0 : -1;
}

int mq_cache_delete(struct mq_cache *c, const char *key)
{
	char k[KEY_MAX + 1];
	memcached_return_t rc;
	struct node *n;

	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return -1;
	rc = memcached_delete(c->mc, k, strlen(k), 0);
	if (retry_once(n, rc))
		rc = memcached_delete(c->mc, k, strlen(k), 0);
	note(c, n, rc);
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
	struct node *n;
	char *v;

	snprintf(key, sizeof(key), "gen:%s", kind);
	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return 0;
	v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	if (v == NULL && retry_once(n, rc))
		v = memcached_get(c->mc, k, strlen(k), &vlen, &flags, &rc);
	note(c, n, rc);
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
	note(c, n, rc);
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
	struct node *n;

	snprintf(key, sizeof(key), "gen:%s", kind);
	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return 0;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)gen);
	note(c, n, memcached_add(c->quiet, k, strlen(k), num, strlen(num), 0, 0));
	return n->up ? gen : 0;
}

static bool bump(struct mq_cache *c, const char *kind)
{
	char key[128], k[KEY_MAX + 1], num[24];
	memcached_return_t rc;
	struct node *n;
	uint64_t v;

	snprintf(key, sizeof(key), "gen:%s", kind);
	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return false;
	rc = memcached_increment(c->mc, k, strlen(k), 1, &v);
	if (retry_once(n, rc))
		rc = memcached_increment(c->mc, k, strlen(k), 1, &v);
	note(c, n, rc);
	if (rc == MEMCACHED_SUCCESS)
		return true;
	if (!rc_ok(rc))
		return false;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)fresh_generation());
	rc = memcached_set(c->mc, k, strlen(k), num, strlen(num), 0, 0);
	note(c, n, rc);
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

/* Makes the bumps that failed, now that a server answers again; those of
 * servers still down stay pending.  Each is tried once per recovery. */
static void retry_pending(struct mq_cache *c)
{
	char kinds[PENDING_MAX][64];
	int n = c->npending;

	memcpy(kinds, c->pending, sizeof(kinds));
	c->npending = 0;
	for (int i = 0; i < n; i++)
		mq_cache_bump(c, kinds[i]);
}

uint64_t mq_cache_incr(struct mq_cache *c, const char *key, int ttl)
{
	char k[KEY_MAX + 1];
	memcached_return_t rc;
	struct node *n;
	uint64_t v = 0;

	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return 0;
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
	note(c, n, rc);
	return rc == MEMCACHED_SUCCESS || rc == MEMCACHED_STORED ? v : 0;
}

void mq_cache_decr(struct mq_cache *c, const char *key)
{
	char k[KEY_MAX + 1];
	struct node *n;
	uint64_t v;

	make_key(c, key, k, sizeof(k));
	if (resting(n = node_of(c, k)))
		return;
	note(c, n, memcached_decrement(c->mc, k, strlen(k), 1, &v));
}

bool mq_cache_up(struct mq_cache *c)
{
	for (int i = 0; i < c->nnodes; i++)
		if (!c->nodes[i].up)
			return false;
	return true;
}

bool mq_cache_key_up(struct mq_cache *c, const char *key)
{
	char k[KEY_MAX + 1];
	struct node *n;

	make_key(c, key, k, sizeof(k));
	n = node_of(c, k);
	return n->up && !resting(n);
}

const struct mq_cache_stats *mq_cache_stats(const struct mq_cache *c)
{
	return &c->stats;
}

/*
 * breaker.c: circuit breakers in memcached (see breaker.h).
 */
#include "integrations/breaker.h"

#include <time.h>

#include "cache/cache.h"
#include "core/arena.h"
#include "core/log.h"

static int cooloff_s(const struct mq_breaker *b)
{
	return (b->cooloff_ms + 999) / 1000;
}

static const char *key(const struct mq_breaker *b, const char *what)
{
	return mq_arena_printf(b->arena, "%s:breaker:%s", b->key, what);
}

int mq_breaker_wait(const struct mq_breaker *b)
{
	size_t len;
	char *v = b->cache ? mq_cache_get(b->cache, b->arena, key(b, "open"), &len) : NULL;
	time_t until = v ? (time_t)strtoll(v, NULL, 10) : 0, now = time(NULL);

	return until > now ? (int)(until - now) : 0;
}

void mq_breaker_count(const struct mq_breaker *b, bool failed)
{
	const char *fails = b->cache ? key(b, "failures") : NULL;
	const char *v;

	if (b->cache == NULL)
		return;
	if (!failed) {
		mq_cache_delete(b->cache, fails);
		return;
	}
	if (mq_cache_incr(b->cache, fails, 2 * cooloff_s(b)) < (uint64_t)b->threshold)
		return;
	mq_cache_delete(b->cache, fails);
	v = mq_arena_printf(b->arena, "%lld", (long long)time(NULL) + cooloff_s(b));
	mq_cache_set(b->cache, key(b, "open"), v, strlen(v), cooloff_s(b));
	mq_log_warn("%s: circuit breaker open for %ds", b->name, cooloff_s(b));
}

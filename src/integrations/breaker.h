/*
 * breaker.h: a circuit breaker in memcached, shared by every worker: past
 * threshold failures of an outside service (counted for twice the
 * cool-off), calls to it stop for the cool-off and answer "unavailable"
 * at once, instead of each waiting out a timeout.  Without memcached
 * nothing is counted and the breaker never opens.
 */
#ifndef MQ_BREAKER_H
#define MQ_BREAKER_H

#include "core/common.h"

struct mq_arena;
struct mq_cache;

struct mq_breaker {
	struct mq_cache *cache;		/* NULL: no breaker */
	struct mq_arena *arena;
	const char *name;		/* for the log: "payments", "oauth google" */
	const char *key;		/* memcached's keys start with it */
	int threshold;
	int cooloff_ms;
};

/* Seconds until the breaker closes, or 0 when it is closed. */
int mq_breaker_wait(const struct mq_breaker *b);

/* Counts a call: a failure (it opens the breaker at the threshold), or a
 * success (the count starts again). */
void mq_breaker_count(const struct mq_breaker *b, bool failed);

#endif

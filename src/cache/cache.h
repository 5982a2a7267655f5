/*
 * cache.h: memcached, as a cache only.
 *
 * Every call may fail (server down, timeout); a failure is a miss, never an
 * error for the caller, so the service answers from PostgreSQL instead.
 * Rendered responses are stored under versioned keys: a generation number
 * per kind of data is part of every key, and a write bumps the generation,
 * so stale entries are never read again and simply expire.
 */
#ifndef MQ_CACHE_H
#define MQ_CACHE_H

#include "core/arena.h"

struct mq_config;
struct mq_cache;

struct mq_cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t errors;
};

/* Creates a handle for [cache] servers ("host:port, /unix/socket, ..."),
 * distributed with ketama.  Never fails for an unreachable server.  Each
 * server is judged apart: one that is down, or left alone after a
 * time-out, makes its own keys miss and no others. */
struct mq_cache *mq_cache_new(const struct mq_config *cfg);
void mq_cache_free(struct mq_cache *c);

/* The value stored under key (prefix added here), copied into the arena
 * and NUL-terminated, or NULL on a miss or any failure. */
char *mq_cache_get(struct mq_cache *c, struct mq_arena *a, const char *key, size_t *len);

/* One round trip for two keys: the current generation of kind (0 when it
 * does not exist yet or the cache is unreachable) and the value under key
 * (an arena copy, or NULL on a miss). */
char *mq_cache_get_with_generation(struct mq_cache *c, struct mq_arena *a, const char *kind,
				   const char *key, size_t *len, uint64_t *gen);

/* The same for a value that depends on up to MQ_CACHE_GENERATIONS_MAX
 * kinds of data: gens[i] is the generation of kinds[i].  Still one round
 * trip when the keys share a server. */
#define MQ_CACHE_GENERATIONS_MAX 2
char *mq_cache_get_with_generations(struct mq_cache *c, struct mq_arena *a,
				    const char *const *kinds, int n, const char *key, size_t *len,
				    uint64_t *gens);

/* Stores value for ttl seconds (0: the configured ttl).  Returns 0 or -1;
 * callers normally ignore the result. */
int mq_cache_set(struct mq_cache *c, const char *key, const char *val, size_t len, int ttl);
int mq_cache_delete(struct mq_cache *c, const char *key);

/* Stores value for the configured ttl without waiting for memcached's
 * answer (noreply), so a failure to store goes unseen; for values nobody
 * waits on (rendered responses).  Returns -1 when the cache is known to
 * be unreachable, else 0. */
int mq_cache_set_quiet(struct mq_cache *c, const char *key, const char *val, size_t len);

/* Adds 1 to the counter under key, created with a lifetime of ttl seconds
 * (the window it counts over).  Returns the new value, or 0 when the cache
 * is unreachable. */
uint64_t mq_cache_incr(struct mq_cache *c, const char *key, int ttl);

/* Takes 1 back from the counter under key (never below 0; nothing when
 * it is absent): gives back what mq_cache_incr reserved. */
void mq_cache_decr(struct mq_cache *c, const char *key);

/* The current generation of a kind of data ("genres"), created on first
 * use.  Returns 0 when the cache is unreachable: callers then skip it. */
uint64_t mq_cache_generation(struct mq_cache *c, const char *kind);

/* For a kind found without a generation: proposes a new one (from the
 * clock, so never one used before) with an add that is not waited for,
 * and returns it; 0 when the cache is unreachable.  Entries tagged with
 * it are served only if the add won: if another worker's generation, or
 * a write's bump, came first, they never are, which is what makes it
 * safe to tag a response rendered before the proposal. */
uint64_t mq_cache_generation_propose(struct mq_cache *c, const char *kind);

/* Moves a kind to a new generation, orphaning everything cached for it. */
void mq_cache_bump(struct mq_cache *c, const char *kind);

/* True when the last operation on each server reached it. */
bool mq_cache_up(struct mq_cache *c);

/* True when the server of key is believed up: its last operation reached
 * it and it is not left alone after a time-out.  A miss on a key whose
 * server is down says nothing about the key. */
bool mq_cache_key_up(struct mq_cache *c, const char *key);

const struct mq_cache_stats *mq_cache_stats(const struct mq_cache *c);

#endif

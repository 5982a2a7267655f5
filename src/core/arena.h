/*
 * arena.h: the request arena.
 *
 * Everything that lives for one request is allocated here and released in
 * one go by mq_arena_reset() once the worker has finished the request.
 * Objects owned by other libraries (PGresult, json_object, jwt_t, curl
 * lists) are handed to the arena with a cleanup so they die with the
 * request.
 */
#ifndef MQ_ARENA_H
#define MQ_ARENA_H

#include "core/common.h"

#include <stdarg.h>

struct mq_arena;

typedef void mq_cleanup_fn(void *ptr);

/* Creates an arena whose blocks are block_size bytes (0: the default). */
struct mq_arena *mq_arena_new(size_t block_size);

/* Runs the cleanups (last registered first) and frees every block but the
 * first, which is kept for the next request. */
void mq_arena_reset(struct mq_arena *a);

/* Resets the arena and frees it.  NULL is accepted. */
void mq_arena_destroy(struct mq_arena *a);

/* Returns n bytes aligned for any type; never NULL (aborts on OOM). */
void *mq_arena_alloc(struct mq_arena *a, size_t n);
void *mq_arena_calloc(struct mq_arena *a, size_t count, size_t size);
char *mq_arena_strdup(struct mq_arena *a, const char *s) MQ_NONNULL(1, 2);
char *mq_arena_strndup(struct mq_arena *a, const char *s, size_t n) MQ_NONNULL(1, 2);
char *mq_arena_printf(struct mq_arena *a, const char *fmt, ...) MQ_PRINTF(2, 3) MQ_NONNULL(1, 2);
/* n in decimal, for a statement parameter. */
const char *mq_arena_int(struct mq_arena *a, int64_t n);
char *mq_arena_vprintf(struct mq_arena *a, const char *fmt, va_list ap) MQ_PRINTF(2, 0)
	MQ_NONNULL(1, 2);

/* Calls fn(ptr) when the arena is next reset.  A NULL ptr is ignored. */
void mq_arena_defer(struct mq_arena *a, mq_cleanup_fn *fn, void *ptr);

/* Bytes handed out since the last reset (for tests and the scoreboard). */
size_t mq_arena_used(const struct mq_arena *a);

/* Number of blocks currently held (1 after a reset). */
size_t mq_arena_blocks(const struct mq_arena *a);

#endif

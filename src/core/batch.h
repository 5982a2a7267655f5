/*
 * batch.h: writes a worker makes after the answer rather than in the
 * request (analytics events, kept movie documents), queued as JSON
 * objects and written by one statement per batch: when 64 are queued or
 * the oldest is a second old, whichever comes first, or all at once when
 * the worker leaves.
 */
#ifndef MQ_BATCH_H
#define MQ_BATCH_H

#include <json-c/json.h>

#include "core/arena.h"
#include "core/common.h"

struct mq_batch {
	struct json_object *items;	/* NULL when empty */
	uint64_t since_ns;		/* when the oldest was queued (monotonic clock) */
};

/* Queues item (taken). */
void mq_batch_add(struct mq_batch *b, struct json_object *item);

/* Milliseconds until the batch is due (0: now), -1 when it is empty. */
int mq_batch_due_ms(const struct mq_batch *b);

/* When the batch is due, or has anything and now: its items as the text
 * of one JSON array (in the arena), their number in *n, and the batch
 * emptied.  Otherwise NULL. */
const char *mq_batch_take(struct mq_batch *b, struct mq_arena *a, bool now, size_t *n);

#endif

/*
 * batch.c: writes queued for after the answer (see batch.h).
 */
#include "core/batch.h"

#define BATCH_MAX 64
#define BATCH_AGE_NS 1000000000ULL

void mq_batch_add(struct mq_batch *b, struct json_object *item)
{
	if (b->items == NULL) {
		b->items = json_object_new_array();
		b->since_ns = mq_now_mono_ns();
	}
	json_object_array_add(b->items, item);
}

int mq_batch_due_ms(const struct mq_batch *b)
{
	uint64_t age;

	if (b->items == NULL)
		return -1;
	age = mq_now_mono_ns() - b->since_ns;
	if (json_object_array_length(b->items) >= BATCH_MAX || age >= BATCH_AGE_NS)
		return 0;
	return (int)((BATCH_AGE_NS - age + 999999) / 1000000);
}

const char *mq_batch_take(struct mq_batch *b, struct mq_arena *a, bool now, size_t *n)
{
	const char *text;

	if (b->items == NULL || (!now && mq_batch_due_ms(b) > 0))
		return NULL;
	*n = json_object_array_length(b->items);
	text = mq_arena_strdup(a, json_object_to_json_string_ext(b->items, JSON_C_TO_STRING_PLAIN));
	json_object_put(b->items);
	b->items = NULL;
	return text;
}

/*
 * capped.c: answers read up to a cap (see capped.h).
 */
#include "integrations/capped.h"

void mq_capped_init(struct mq_capped *b, struct mq_arena *a, size_t max)
{
	mq_buf_init(&b->buf, a, 4096);
	b->max = max;
	b->too_big = false;
}

size_t mq_capped_write(char *data, size_t size, size_t n, void *arg)
{
	struct mq_capped *b = arg;

	if (b->buf.len + size * n > b->max) {
		b->too_big = true;
		return 0;
	}
	mq_buf_append(&b->buf, data, size * n);
	return size * n;
}

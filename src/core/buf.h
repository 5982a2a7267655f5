/*
 * buf.h: a growing string in the request arena.
 */
#ifndef MQ_BUF_H
#define MQ_BUF_H

#include "core/arena.h"

struct mq_buf {
	struct mq_arena *arena;
	char *data;	/* always NUL-terminated */
	size_t len;
	size_t cap;
};

void mq_buf_init(struct mq_buf *b, struct mq_arena *a, size_t initial);
void mq_buf_append(struct mq_buf *b, const char *s, size_t n);
void mq_buf_puts(struct mq_buf *b, const char *s) MQ_NONNULL(1, 2);
void mq_buf_printf(struct mq_buf *b, const char *fmt, ...) MQ_PRINTF(2, 3) MQ_NONNULL(1, 2);

#endif

/*
 * buf.c: append, doubling the arena allocation when full (the old copy is
 * simply left for the arena's reset).
 */
#include "core/buf.h"

#include <stdarg.h>

void mq_buf_init(struct mq_buf *b, struct mq_arena *a, size_t initial)
{
	b->arena = a;
	b->cap = initial ? initial : 256;
	b->len = 0;
	b->data = mq_arena_alloc(a, b->cap);
	b->data[0] = '\0';
}

static void reserve(struct mq_buf *b, size_t extra)
{
	size_t cap = b->cap;
	char *p;

	if (b->len + extra < b->cap)
		return;
	while (cap <= b->len + extra)
		cap *= 2;
	p = mq_arena_alloc(b->arena, cap);
	memcpy(p, b->data, b->len + 1);
	b->data = p;
	b->cap = cap;
}

void mq_buf_append(struct mq_buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void mq_buf_puts(struct mq_buf *b, const char *s)
{
	mq_buf_append(b, s, strlen(s));
}

void mq_buf_printf(struct mq_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if ((size_t)n >= b->cap - b->len) {
		reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

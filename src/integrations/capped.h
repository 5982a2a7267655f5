/*
 * capped.h: an outside service's answer, read by libcurl into the arena up
 * to a cap (its [SECTION] max_response): past it the transfer stops, and
 * the caller answers "too large" rather than hold what a broken or hostile
 * server sends without end.
 */
#ifndef MQ_CAPPED_H
#define MQ_CAPPED_H

#include "core/buf.h"

struct mq_capped {
	struct mq_buf buf;	/* what came, NUL-terminated */
	size_t max;
	bool too_big;		/* the transfer stopped at max */
};

/* An empty body of at most max bytes, in the arena. */
void mq_capped_init(struct mq_capped *b, struct mq_arena *a, size_t max);

/* CURLOPT_WRITEFUNCTION, with CURLOPT_WRITEDATA a struct mq_capped. */
size_t mq_capped_write(char *data, size_t size, size_t n, void *arg);

#endif

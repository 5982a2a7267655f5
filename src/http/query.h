/*
 * query.h: URL query strings and percent-decoding.
 */
#ifndef MQ_QUERY_H
#define MQ_QUERY_H

#include "core/arena.h"

struct mq_param {
	const char *key;
	const char *value;
};

struct mq_query {
	struct mq_param *params;
	int count;
};

struct mq_query_limits {
	int max_params;
	int max_length;
};

/* Decodes %XX escapes (and '+' as a space when plus_is_space) of s[0..n)
 * into a new arena string.  Returns NULL on a malformed escape, an encoded
 * NUL or invalid UTF-8. */
char *mq_percent_decode(struct mq_arena *a, const char *s, size_t n, bool plus_is_space);

/* Parses a raw query string (without '?') into key/value pairs, decoded, in
 * order, repeated keys kept.  Returns 0, or -1 with *err set to a short
 * reason fit for a 400 detail. */
int mq_query_parse(struct mq_arena *a, const char *qs, const struct mq_query_limits *lim,
		   struct mq_query *out, const char **err);

/* The first value of key, or NULL. */
const char *mq_query_get(const struct mq_query *q, const char *key);

/* How many times key occurs. */
int mq_query_count(const struct mq_query *q, const char *key);

#endif

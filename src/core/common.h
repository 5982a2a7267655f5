/*
 * common.h: what every Marquee source file includes first.
 *
 * Feature macros, the standard headers nearly everything needs, allocation
 * wrappers that abort on out-of-memory, and the banned-function list.
 */
#ifndef MQ_COMMON_H
#define MQ_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "autoconfig.h"	/* from configure */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define MQ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MQ_UNUSED __attribute__((unused))
#define MQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* Parameters that are never NULL (1-based): -Wnonnull refuses a NULL the
 * compiler sees, and UBSan (nonnull-attribute, in the test build) one
 * that comes at run time.  On every function that prints or stores text:
 * glibc prints a NULL %s argument as "(null)", which no sanitizer
 * reports, and a client then reads "detail": "(null)". */
#define MQ_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define MQ_NORETURN __attribute__((noreturn))
#define MQ_STRINGIFY_(x) #x
#define MQ_STRINGIFY(x) MQ_STRINGIFY_(x)	/* a macro's value as a string literal */

/* Allocation that cannot fail: out of memory aborts the process (a worker
 * is replaced by the master; a CLI run ends).  Never returns NULL. */
void *mq_xmalloc(size_t n);
void *mq_xcalloc(size_t count, size_t size);
void *mq_xrealloc(void *p, size_t n);
char *mq_xstrdup(const char *s);
char *mq_xstrndup(const char *s, size_t n);

/* Copies at most size-1 bytes of src into dst and NUL-terminates it.
 * Returns strlen(src), so a result >= size means truncation. */
size_t mq_strlcpy(char *dst, const char *src, size_t size);

/* Parses a whole string as a base-10 integer in [min, max].  Returns 0 and
 * stores the value, or -1 on junk, empty input, overflow or out of range. */
int mq_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Monotonic and wall clocks in nanoseconds. */
uint64_t mq_now_mono_ns(void);
uint64_t mq_now_real_ns(void);

/* FNV-1a, 64 bits, of the bytes of s onto h: start from MQ_FNV1A_BASIS.
 * Quick and well spread, for tables and fingerprints; not for secrets. */
#define MQ_FNV1A_BASIS 14695981039346656037ULL
uint64_t mq_fnv1a(uint64_t h, const char *s);

#include "core/banned.h"

#endif

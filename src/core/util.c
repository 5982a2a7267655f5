/*
 * util.c: allocation wrappers, bounded string copy, integer parsing, clocks,
 * a hash.
 */
#include "core/common.h"

#include <time.h>
#include <unistd.h>

static MQ_NORETURN void out_of_memory(size_t n)
{
	char msg[96];
	int len = snprintf(msg, sizeof(msg),
			   "level=fatal msg=\"out of memory\" bytes=%zu\n", n);

	if (len > 0 && write(STDERR_FILENO, msg, (size_t)len) < 0) {
		/* nothing more we can do */
	}
	abort();
}

void *mq_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *mq_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(count * size);
	return p;
}

void *mq_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		out_of_memory(n);
	return q;
}

char *mq_xstrdup(const char *s)
{
	return mq_xstrndup(s, strlen(s));
}

char *mq_xstrndup(const char *s, size_t n)
{
	char *p = mq_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t mq_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int mq_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	/* strtoll accepts leading space and '+'; a query value must not. */
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t mq_now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t mq_now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t mq_fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

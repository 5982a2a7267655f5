/*
 * log.c: logfmt writer.
 */
#include "core/log.h"

#include <time.h>
#include <unistd.h>

static enum mq_log_level min_level = MQ_LOG_INFO;
static const char *log_role = "marquee";
static int log_slot = -1;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void mq_log_setup(enum mq_log_level level, const char *role, int slot)
{
	min_level = level;
	log_role = role;
	log_slot = slot;
}

enum mq_log_level mq_log_level(void)
{
	return min_level;
}

int mq_log_level_parse(const char *name)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(level_names); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static void put(struct mq_logline *l, const char *s, size_t n)
{
	/* Keep room for the final newline. */
	size_t room = sizeof(l->buf) - 1 - l->len;

	if (n > room) {
		n = room;
		l->truncated = true;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f)
			return true;
	}
	return false;
}

static void put_value(struct mq_logline *l, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	if (!needs_quotes(s, n)) {
		put(l, s, n);
		return;
	}
	put(l, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			put(l, esc, 2);
		} else if (c == '\n') {
			put(l, "\\n", 2);
		} else if (c < ' ' || c == 0x7f) {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			put(l, esc, 4);
		} else {
			put(l, (const char *)&s[i], 1);
		}
	}
	put(l, "\"", 1);
}

void mq_logline_strn(struct mq_logline *l, const char *key, const char *val, size_t n)
{
	put(l, " ", 1);
	put(l, key, strlen(key));
	put(l, "=", 1);
	put_value(l, val ? val : "", val ? n : 0);
}

void mq_logline_str(struct mq_logline *l, const char *key, const char *val)
{
	mq_logline_strn(l, key, val, val ? strlen(val) : 0);
}

void mq_logline_int(struct mq_logline *l, const char *key, long long val)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", val);

	put(l, " ", 1);
	put(l, key, strlen(key));
	put(l, "=", 1);
	put(l, num, (size_t)n);
}

void mq_logline_fmt(struct mq_logline *l, const char *key, const char *fmt, ...)
{
	char tmp[MQ_LOGLINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	mq_logline_strn(l, key, tmp, (size_t)n);
}

bool mq_logline_start(struct mq_logline *l, enum mq_log_level level)
{
	struct timespec ts;
	struct tm tm;
	char head[64];
	size_t n;

	l->len = 0;
	l->truncated = false;
	if (level < min_level)
		return false;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(head, sizeof(head), "ts=%Y-%m-%dT%H:%M:%S", &tm);
	put(l, head, n);
	n = (size_t)snprintf(head, sizeof(head), ".%03ldZ", ts.tv_nsec / 1000000);
	put(l, head, n);
	mq_logline_str(l, "level", level_names[level]);
	mq_logline_str(l, "proc", log_role);
	if (log_slot >= 0)
		mq_logline_int(l, "slot", log_slot);
	mq_logline_int(l, "pid", (long long)getpid());
	return true;
}

void mq_logline_emit(struct mq_logline *l)
{
	size_t off = 0;

	if (l->len == 0)
		return;
	l->buf[l->len++] = '\n';
	while (off < l->len) {
		ssize_t w = write(STDERR_FILENO, l->buf + off, l->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	l->len = 0;
}

void mq_log(enum mq_log_level level, const char *fmt, ...)
{
	struct mq_logline l;
	char msg[MQ_LOGLINE_MAX];
	va_list ap;
	int n;

	if (!mq_logline_start(&l, level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	mq_logline_strn(&l, "msg", msg, (size_t)n);
	mq_logline_emit(&l);
}

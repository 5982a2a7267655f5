/*
 * query.c: query-string parsing and percent-decoding.
 */
#include "http/query.h"

#include "core/i18n.h"
#include "core/utf8.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *mq_percent_decode(struct mq_arena *a, const char *s, size_t n, bool plus_is_space)
{
	char *out = mq_arena_alloc(a, n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return NULL;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			out[o++] = ' ';
		} else if (c == '\0') {
			return NULL;
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	return mq_utf8_valid(out, o) ? out : NULL;
}

int mq_query_parse(struct mq_arena *a, const char *qs, const struct mq_query_limits *lim,
		   struct mq_query *out, const char **err)
{
	size_t len = qs ? strlen(qs) : 0;
	int pairs = 0;

	out->params = NULL;
	out->count = 0;
	if (len == 0)
		return 0;
	if (len > (size_t)lim->max_length) {
		*err = N_("The query string is too long.");
		return -1;
	}
	for (size_t i = 0; i <= len; i++)
		if (i == len || qs[i] == '&')
			pairs++;
	if (pairs > lim->max_params) {
		/* Empty pieces ("a=1&&b=2") count too: cheaper to refuse
		 * than to scan twice, and no client sends hundreds. */
		*err = N_("The query string has too many parameters.");
		return -1;
	}
	out->params = mq_arena_calloc(a, (size_t)pairs, sizeof(*out->params));
	for (const char *p = qs; *p;) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		struct mq_param *prm;

		if (end == p) {
			p = end + 1;
			continue;
		}
		prm = &out->params[out->count];
		prm->key = mq_percent_decode(a, p, (size_t)((eq ? eq : end) - p), true);
		prm->value = eq ? mq_percent_decode(a, eq + 1, (size_t)(end - eq - 1), true)
				: mq_arena_strdup(a, "");
		if (prm->key == NULL || prm->value == NULL) {
			*err = N_("The query string has a malformed percent-escape or invalid UTF-8.");
			return -1;
		}
		out->count++;
		p = amp ? amp + 1 : end;
	}
	return 0;
}

const char *mq_query_get(const struct mq_query *q, const char *key)
{
	for (int i = 0; i < q->count; i++)
		if (strcmp(q->params[i].key, key) == 0)
			return q->params[i].value;
	return NULL;
}

int mq_query_count(const struct mq_query *q, const char *key)
{
	int n = 0;

	for (int i = 0; i < q->count; i++)
		if (strcmp(q->params[i].key, key) == 0)
			n++;
	return n;
}

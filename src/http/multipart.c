/*
 * multipart.c: the parts of a multipart/form-data body (see multipart.h).
 */
#include "http/multipart.h"

#include <strings.h>

bool mq_multipart_is(const char *content_type)
{
	return content_type && strncasecmp(content_type, "multipart/form-data", 19) == 0 &&
	       (content_type[19] == ';' || content_type[19] == ' ' || content_type[19] == '\0');
}

/* The boundary parameter of content_type into out (NUL-terminated);
 * false when there is none of 1 to 70 characters. */
static bool boundary(const char *content_type, char out[71])
{
	const char *p = content_type;
	size_t n;

	for (; (p = strchr(p, ';')) != NULL; p++) {
		const char *v = p + 1;

		v += strspn(v, " \t");
		if (strncasecmp(v, "boundary=", 9) != 0)
			continue;
		v += 9;
		if (*v == '"') {
			v++;
			n = strcspn(v, "\"");
			if (v[n] != '"')
				return false;
		} else {
			n = strcspn(v, "; \t");
		}
		if (n == 0 || n > 70)
			return false;
		memcpy(out, v, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* Whether the headers h[0..n) say form-data with name="name" (or the
 * token name unquoted, as RFC 2183's parameters allow and some senders
 * write it). */
static bool named(const char *h, size_t n, const char *name)
{
	size_t want = strlen(name);

	for (size_t i = 0; i + 5 + want <= n; i++) {
		const char *v = h + i + 5;
		size_t left = n - i - 5;

		if ((i > 0 && h[i - 1] != ';' && h[i - 1] != ' ' && h[i - 1] != '\t') ||
		    strncasecmp(h + i, "name=", 5) != 0)
			continue;
		if (left >= want + 2 && v[0] == '"' && memcmp(v + 1, name, want) == 0 &&
		    v[1 + want] == '"')
			return true;
		if (left >= want && memcmp(v, name, want) == 0 &&
		    (left == want || strchr("; \t\r\n", v[want]) != NULL))
			return true;
	}
	return false;
}

int mq_multipart_part(const char *content_type, const char *body, size_t len, const char *name,
		      const char **data, size_t *n)
{
	char b[71], delim[76];
	const char *p, *end = body + len, *h, *next;
	size_t dl;

	if (!mq_multipart_is(content_type) || !boundary(content_type, b))
		return -1;
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	/* the first delimiter may open the body, without its CRLF */
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
		p = body + dl - 2;
	else if ((p = memmem(body, len, delim, dl)) != NULL)
		p += dl;
	else
		return -1;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 1;	/* the closing delimiter: no such part */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return -1;
		p += 2;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			h = p - 2;	/* no headers at all */
		else if ((h = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) == NULL)
			return -1;
		if ((next = memmem(h + 4, (size_t)(end - h - 4), delim, dl)) == NULL)
			return -1;
		if (h > p && named(p, (size_t)(h - p), name)) {
			*data = h + 4;
			*n = (size_t)(next - h - 4);
			return 0;
		}
		p = next + dl;
	}
}

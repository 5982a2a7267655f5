/*
 * multipart.c: a field of a multipart/form-data body (see multipart.h).
 */
#include "http/multipart.h"

#include <ctype.h>
#include <strings.h>

#include "core/common.h"

#define BOUNDARY_MAX 70	/* RFC 2046 5.1.1 */

/* The boundary parameter of a multipart/form-data type, or NULL. */
static const char *boundary_of(struct mq_arena *a, const char *type)
{
	const char *p;
	size_t n;

	if (type == NULL || strncasecmp(type, "multipart/form-data", 19) != 0 ||
	    (type[19] != '\0' && type[19] != ';' && type[19] != ' ' && type[19] != '\t'))
		return NULL;
	for (p = type + 19; (p = strchr(p, ';')) != NULL;) {
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (strncasecmp(p, "boundary=", 9) != 0)
			continue;
		p += 9;
		if (*p == '"') {
			n = strcspn(++p, "\"");
			if (p[n] != '"')
				return NULL;
		} else {
			n = strcspn(p, "; \t");
		}
		return n >= 1 && n <= BOUNDARY_MAX ? mq_arena_strndup(a, p, n) : NULL;
	}
	return NULL;
}

/* Whether a parameter's value (v: after "name=") is name. */
static bool value_is(const char *v, const char *name)
{
	size_t want = strlen(name);

	if (*v == '"')
		return strncmp(v + 1, name, want) == 0 && v[1 + want] == '"';
	return strncmp(v, name, want) == 0 &&
	       (v[want] == '\0' || v[want] == ';' || isspace((unsigned char)v[want]));
}

/* Whether a part's headers (h, n bytes, CRLF-separated) name it name. */
static bool named(struct mq_arena *a, const char *h, size_t n, const char *name)
{
	const char *text = mq_arena_strndup(a, h, n), *line = text;

	while (*line) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *l = mq_arena_strndup(a, line, len), *q;

		if (strncasecmp(l, "Content-Disposition:", 20) == 0)
			for (q = l; (q = strstr(q, "name=")) != NULL; q += 5)
				if (q[-1] == ' ' || q[-1] == ';')
					return value_is(q + 5, name);
		line += len + (end ? 2 : 0);
	}
	return false;
}

int mq_multipart_part(struct mq_arena *a, const char *type, const char *body, size_t len,
		      const char *name, const char **part, size_t *part_len)
{
	const char *b = boundary_of(a, type), *p, *end = body + len;
	const char *delim;
	size_t dn;

	if (b == NULL)
		return -1;
	delim = mq_arena_printf(a, "\r\n--%s", b);
	dn = strlen(delim);
	/* the first delimiter may open the body, without its CRLF */
	if (len >= dn - 2 && memcmp(body, delim + 2, dn - 2) == 0)
		p = body + dn - 2;
	else if ((p = memmem(body, len, delim, dn)) != NULL)
		p += dn;
	else
		return -1;
	for (;;) {
		const char *heads, *content = NULL, *data, *next;

		if (end - p >= 2 && memcmp(p, "--", 2) == 0)
			return -1;	/* the closing delimiter: no such part */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || memcmp(p, "\r\n", 2) != 0)
			return -1;
		heads = p + 2;
		if (end - heads >= 2 && memcmp(heads, "\r\n", 2) == 0)
			data = heads + 2;	/* a part without headers: no name */
		else if ((content = memmem(heads, (size_t)(end - heads), "\r\n\r\n", 4)) != NULL)
			data = content + 4;
		else
			return -1;
		if ((next = memmem(data, (size_t)(end - data), delim, dn)) == NULL)
			return -1;
		if (content && named(a, heads, (size_t)(content - heads), name)) {
			*part = data;
			*part_len = (size_t)(next - data);
			return 0;
		}
		p = next + dn;
	}
}

/*
 * fuzz_multipart.c: a field of a multipart/form-data body
 * (http/multipart.c: mq_multipart_part), as Plex posts its webhooks.
 *
 * Input: the Content-Type header's value, a newline, then the body.
 * What must hold of a part found: it lies within the body, right after a
 * blank line that ends its headers, right before the delimiter "\r\n--"
 * and the boundary the type names, and holds no such delimiter itself;
 * and the type names a boundary of 1 to 70 characters.
 */
#include "harness.h"

#include <ctype.h>

#include "http/multipart.h"

/* The boundary the type names, read here apart from multipart.c, or NULL:
 * the type multipart/form-data (any case), then parameters, one of them
 * boundary= (any case), its value quoted or not. */
static const char *boundary(struct mq_arena *a, const char *type)
{
	char *t = mq_arena_strdup(a, type), *p;
	size_t n;

	for (p = t; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strncmp(t, "multipart/form-data", 19) != 0 || strchr("; \t", t[19]) == NULL)
		return NULL;
	for (p = t + 19; (p = strchr(p, ';')) != NULL; ) {
		p += 1 + strspn(p + 1, " \t");
		if (strncmp(p, "boundary=", 9) == 0)
			break;
	}
	if (p == NULL)
		return NULL;
	p = (char *)type + (p - t) + 9;	/* the value as written */
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
	} else {
		n = strcspn(p, "; \t");
	}
	return mq_arena_strndup(a, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	const uint8_t *nl = memchr(data, '\n', size);
	size_t tlen = nl ? (size_t)(nl - data) : size;
	char *type = fz_cstr(a, data, tlen);
	const char *body = nl ? (const char *)nl + 1 : "";
	size_t len = nl ? size - tlen - 1 : 0;
	const char *part, *b, *delim;
	size_t n;

	if (mq_multipart_part(type, body, len, "payload", &part, &n) == 0) {
		b = boundary(a, type);
		FZ_CHECK(b != NULL && strlen(b) >= 1 && strlen(b) <= 70);
		delim = mq_arena_printf(a, "\r\n--%s", b);
		FZ_CHECK(part >= body + 4 && part + n <= body + len);
		FZ_CHECK(memcmp(part - 4, "\r\n\r\n", 4) == 0);
		FZ_CHECK(part + n + strlen(delim) <= body + len);
		FZ_CHECK(memcmp(part + n, delim, strlen(delim)) == 0);
		FZ_CHECK(memmem(part, n, delim, strlen(delim)) == NULL);
	}
	mq_arena_destroy(a);
	return 0;
}

/*
 * harness.c: a configuration, NUL-terminated inputs and an in-memory
 * FastCGI request for the fuzz targets (see harness.h).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <sodium.h>

#include "core/config.h"
#include "core/json.h"
#include "core/log.h"

void fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	abort();
}

const struct mq_config *fz_config(void)
{
	static struct mq_config *cfg;
	char err[256];

	if (cfg)
		return cfg;
	if (sodium_init() < 0)
		fz_fail(__FILE__, __LINE__, "sodium_init");
	/* Only the targets' own checks speak: the code under test logs
	 * what a client did wrong, which is noise here. */
	mq_log_setup((enum mq_log_level)(MQ_LOG_ERROR + 1), "fuzz", -1);
	cfg = mq_config_load(NULL, err, sizeof(err));
	if (cfg == NULL)
		fz_fail(__FILE__, __LINE__, err);
	cfg->jwt_key.value = mq_xstrdup(FZ_JWT_KEY);
	cfg->jwt_key.len = strlen(FZ_JWT_KEY);
	return cfg;
}

char *fz_cstr(struct mq_arena *a, const uint8_t *data, size_t size)
{
	return mq_arena_strndup(a, (const char *)data, size);
}

void fz_split(struct mq_arena *a, const uint8_t *data, size_t size, char sep, char **head,
	      char **tail)
{
	const uint8_t *at = memchr(data, sep, size);
	size_t n = at ? (size_t)(at - data) : size;

	*head = fz_cstr(a, data, n);
	*tail = at ? fz_cstr(a, at + 1, size - n - 1) : fz_cstr(a, data, 0);
}

bool fz_utf8_ok(const char *str, size_t n)
{
	/* first byte: the ranges of the bytes that may follow it */
	static const struct { uint8_t lo, hi, n, lo1, hi1; } table[] = {
		{ 0x00, 0x7f, 0, 0, 0 },       { 0xc2, 0xdf, 1, 0x80, 0xbf },
		{ 0xe0, 0xe0, 2, 0xa0, 0xbf }, { 0xe1, 0xec, 2, 0x80, 0xbf },
		{ 0xed, 0xed, 2, 0x80, 0x9f }, { 0xee, 0xef, 2, 0x80, 0xbf },
		{ 0xf0, 0xf0, 3, 0x90, 0xbf }, { 0xf1, 0xf3, 3, 0x80, 0xbf },
		{ 0xf4, 0xf4, 3, 0x80, 0x8f },
	};
	const uint8_t *s = (const uint8_t *)str, *end = s + n;

	while (s < end) {
		size_t k = 0;

		while (k < MQ_ARRAY_LEN(table) && !(*s >= table[k].lo && *s <= table[k].hi))
			k++;
		if (k == MQ_ARRAY_LEN(table) || end - s <= table[k].n)
			return false;
		if (table[k].n > 0 && (s[1] < table[k].lo1 || s[1] > table[k].hi1))
			return false;
		for (size_t i = 2; i <= table[k].n; i++)
			if (s[i] < 0x80 || s[i] > 0xbf)
				return false;
		s += 1 + table[k].n;
	}
	return true;
}

/* ---- FastCGI streams in memory ---- */

static struct {
	FCGX_Request fcgi;
	FCGX_Stream in, out;
	unsigned char chunk[512];	/* the writer's buffer, emptied into resp */
	char *resp;
	size_t len, cap;
} io;

static void in_fill(FCGX_Stream *s)
{
	s->isClosed = 1;	/* the body was all there was */
}

static void out_empty(FCGX_Stream *s, int doClose)
{
	size_t n = (size_t)(s->wrNext - io.chunk);

	(void)doClose;
	if (io.len + n + 1 > io.cap) {
		io.cap = (io.len + n + 1) * 2;
		io.resp = mq_xrealloc(io.resp, io.cap);
	}
	memcpy(io.resp + io.len, io.chunk, n);
	io.len += n;
	io.resp[io.len] = '\0';
	s->wrNext = io.chunk;
}

FCGX_Request *fz_fcgi(char **envp, const char *body, size_t len)
{
	fz_request_end();
	io.in = (FCGX_Stream){
		.rdNext = (unsigned char *)body, .wrNext = (unsigned char *)body + len,
		.stop = (unsigned char *)body + len, .stopUnget = (unsigned char *)body,
		.isReader = 1, .fillBuffProc = in_fill,
	};
	io.out = (FCGX_Stream){
		.rdNext = io.chunk + sizeof(io.chunk), .wrNext = io.chunk,
		.stop = io.chunk + sizeof(io.chunk), .emptyBuffProc = out_empty,
	};
	io.fcgi = (FCGX_Request){ .in = &io.in, .out = &io.out, .envp = envp, .ipcFd = -1,
				  .keepConnection = 1 };
	return &io.fcgi;
}

int fz_request(struct mq_req *r, struct mq_arena *a, char **envp, const char *body,
	       size_t len, const char **why)
{
	static struct mq_ctx services;

	services = (struct mq_ctx){ .cfg = fz_config(), .arena = a };
	return mq_req_init(r, fz_fcgi(envp, body, len), &services, why);
}

const char *fz_response(size_t *len)
{
	out_empty(&io.out, 0);
	*len = io.len;
	return io.resp ? io.resp : "";
}

/* The value of header name in head (the lines before the blank one), or
 * NULL. */
static const char *header(struct mq_arena *a, const char *head, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = head; *p;) {
		const char *eol = strstr(p, "\r\n");

		FZ_CHECK(eol != NULL);
		if ((size_t)(eol - p) > n + 1 && strncasecmp(p, name, n) == 0 && p[n] == ':')
			return mq_arena_strndup(a, p + n + 2, (size_t)(eol - p - n - 2));
		p = eol + 2;
	}
	return NULL;
}

int fz_check_response(struct mq_arena *a)
{
	size_t len;
	const char *resp = fz_response(&len), *end, *type, *cl, *err;
	struct json_object *v;
	char *head;
	int status = 0, n = 0;

	FZ_CHECK(len > 0);
	FZ_CHECK(sscanf(resp, "Status: %3d %*[^\r]\r\n%n", &status, &n) == 1 && n > 0);
	FZ_CHECK(status >= 100 && status <= 599);
	end = strstr(resp, "\r\n\r\n");
	FZ_CHECK(end != NULL);
	head = mq_arena_strndup(a, resp, (size_t)(end - resp) + 2);
	/* no control character in a header line but its CRLF */
	for (const char *p = head; *p; p++)
		FZ_CHECK((unsigned char)*p >= ' ' || (p[0] == '\r' && p[1] == '\n') ||
			 (p[0] == '\n' && p > head && p[-1] == '\r'));
	end += 4;
	len -= (size_t)(end - resp);
	type = header(a, head, "Content-Type");
	cl = header(a, head, "Content-Length");
	if (status != 204 && status != 304)
		FZ_CHECK(cl != NULL);
	if (len > 0) {
		FZ_CHECK(cl != NULL && strtoull(cl, NULL, 10) == len);
		FZ_CHECK(type != NULL);
	}
	if (len > 0 && (strncmp(type, "application/json", 16) == 0 ||
			strcmp(type, "application/problem+json") == 0))
		FZ_CHECK(mq_json_parse(a, end, len, 64, &v, &err) == 0);
	/* glibc prints a NULL string as "(null)" (issue 12, finding 4) */
	FZ_CHECK(memmem(end, len, "\"detail\":\"(null)\"", 17) == NULL);
	if (status >= 400 && len > 0)
		FZ_CHECK(strcmp(type, "application/problem+json") == 0);
	return status;
}

void fz_request_end(void)
{
	io.len = 0;
	if (io.resp)
		io.resp[0] = '\0';
}

/*
 * harness.h: what the libFuzzer targets of t/fuzz share.
 *
 * Each target is one fuzz_<name>.c defining LLVMFuzzerTestOneInput; its
 * seed corpus is t/fuzz/corpus/<name>/.  Run one with ./dev fuzz <name>
 * [seconds]; ./dev test replays every corpus (t/ops/fuzz.t).
 *
 * A target checks more than "did not crash": FZ_CHECK states what must
 * hold of the parser's answer (a decoded string is valid UTF-8, what was
 * accepted renders as JSON that parses again, ...) and aborts, which
 * libFuzzer reports like a crash, with the input saved.
 */
#ifndef MQ_FUZZ_HARNESS_H
#define MQ_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/common.h"
#include "http/http.h"

#define FZ_CHECK(cond)                                                                    \
	do {                                                                              \
		if (!(cond))                                                              \
			fz_fail(__FILE__, __LINE__, #cond);                               \
	} while (0)

_Noreturn void fz_fail(const char *file, int line, const char *what);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Well-formed UTF-8 by the Unicode Standard's table 3-7, written apart
 * from core/utf8.c so that the two check each other. */
bool fz_utf8_ok(const char *s, size_t n);

/* The fixed key access tokens are signed with in the targets (32 bytes). */
#define FZ_JWT_KEY "fuzz-key-0123456789abcdef0123456"

/* The configuration every target uses: the built-in defaults, with
 * FZ_JWT_KEY as [auth] jwt_key_file's secret.  Made once. */
const struct mq_config *fz_config(void);

/* A NUL-terminated copy of data[0..size), in the arena. */
char *fz_cstr(struct mq_arena *a, const uint8_t *data, size_t size);

/* Splits data at the first occurrence of sep: *head gets what is before
 * it, *tail what follows (both NUL-terminated, in the arena).  Without sep
 * all of it is the head and the tail is empty. */
void fz_split(struct mq_arena *a, const uint8_t *data, size_t size, char sep, char **head,
	      char **tail);

/* A FastCGI request whose parameters are envp ("NAME=value", NULL-
 * terminated) and whose stdin is body; what is written to its stdout is
 * kept for fz_response().  Valid until the next call. */
FCGX_Request *fz_fcgi(char **envp, const char *body, size_t len);

/* A request as the worker would see it: FastCGI parameters envp
 * ("NAME=value", NULL-terminated), body as its stdin, the response
 * written to memory.  Fills r with mq_req_init's result; returns what
 * mq_req_init returned (0, or the status to answer).  The request lives
 * until fz_request_end(). */
int fz_request(struct mq_req *r, struct mq_arena *a, char **envp, const char *body,
	       size_t len, const char **why);

/* What the request answered: the whole FastCGI stdout (headers, a blank
 * line, the body), NUL-terminated; "" when nothing was written. */
const char *fz_response(size_t *len);

/* Checks what was answered: one well-formed status line, a body that is
 * strict JSON when the Content-Type says JSON, and a status from 100 to
 * 599.  Returns the status. */
int fz_check_response(struct mq_arena *a);

void fz_request_end(void);

#endif

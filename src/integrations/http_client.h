/*
 * http_client.h: one HTTP call to an outside service (TMDb, the payment
 * gateway) through libcurl, as every integration makes it: https only
 * (http for a loopback fake), no redirect followed, connect and total
 * timeouts, the body capped (decoded bytes), our User-Agent; and what
 * came of it, classified once.  What an answer means (a 404, a 429, the
 * body) is the caller's.
 *
 * mq_http_handle() is the process's easy handle, made on first use (in a
 * worker: after the fork) and kept, so that its connection cache (and
 * TLS sessions) serve every call of the process: a worker handles one
 * request at a time, and each call resets the handle's options first.
 */
#ifndef MQ_HTTP_CLIENT_H
#define MQ_HTTP_CLIENT_H

#include <curl/curl.h>

#include "core/arena.h"
#include "core/buf.h"

enum mq_http_outcome {
	MQ_HTTP_ANSWERED,	/* an HTTP answer: code and body */
	MQ_HTTP_TIMEOUT,	/* no answer within timeout_ms */
	MQ_HTTP_TOO_BIG,	/* a body over max */
	MQ_HTTP_FAILED,		/* unreachable, TLS, reset...: error says */
};

struct mq_http_call {
	/* what to send */
	const char *method;		/* "GET", "POST" (form) or "DELETE" */
	const char *url;
	const char *form;		/* POST: the body */
	struct curl_slist *headers;	/* the caller's, freed by the caller */
	long connect_timeout_ms;
	long timeout_ms;
	size_t max;			/* the largest body taken */
	/* what came back */
	long code;			/* ANSWERED: the HTTP status */
	struct mq_buf body;		/* in the arena given */
	curl_off_t retry_after;		/* Retry-After in seconds, 0 when none */
	const char *error;		/* FAILED: libcurl's words (arena) */
	bool too_big;
};

/* The process's easy handle (see above); NULL only when libcurl cannot
 * make one.  Never freed by callers. */
CURL *mq_http_handle(void);

/* Makes call with handle h, its response body in a's memory; returns what
 * came of it (the details in call). */
enum mq_http_outcome mq_http_perform(CURL *h, struct mq_arena *a, struct mq_http_call *call);

#endif

/*
 * http_client.c: one call to an outside service, and the process's curl
 * handle (see http_client.h).
 */
#include "integrations/http_client.h"

#include "integrations/loopback.h"

static CURL *shared;

CURL *mq_http_handle(void)
{
	if (shared == NULL)
		shared = curl_easy_init();
	return shared;
}

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct mq_http_call *c = arg;

	if (c->body.len + size * n > c->max) {
		c->too_big = true;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	}
	mq_buf_append(&c->body, data, size * n);
	return size * n;
}

static void set_options(CURL *h, struct mq_http_call *c)
{
	curl_easy_reset(h);	/* keeps the connection cache */
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, mq_loopback_url(c->url) ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);	/* a redirect is a bad answer */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 c->connect_timeout_ms < c->timeout_ms ? c->connect_timeout_ms : c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");	/* the cap counts decoded bytes */
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "Marquee/" PACKAGE_VERSION);
	if (strcmp(c->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->form ? c->form : "");
	} else if (strcmp(c->method, "DELETE") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
	}
}

enum mq_http_outcome mq_http_perform(CURL *h, struct mq_arena *a, struct mq_http_call *c)
{
	CURLcode rc;

	mq_buf_init(&c->body, a, 4096);
	c->code = 0;
	c->retry_after = 0;
	c->error = NULL;
	c->too_big = false;
	set_options(h, c);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->code);
	curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &c->retry_after);
	/* the headers are the caller's, freed after this: no dangling pointer */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return MQ_HTTP_TIMEOUT;
	if (c->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return MQ_HTTP_TOO_BIG;
	if (rc != CURLE_OK) {
		c->error = mq_arena_strdup(a, curl_easy_strerror(rc));
		return MQ_HTTP_FAILED;
	}
	return MQ_HTTP_ANSWERED;
}

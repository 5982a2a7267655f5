/*
 * store.c: PUT and DELETE of media files on a WebDAV media host, with
 * libcurl.
 */
#include "storage/store.h"

#include <ctype.h>
#include <curl/curl.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/log.h"

/* What the media host may answer a PUT or DELETE with: nginx's dav module
 * sends an empty body or a short error page. */
#define ANSWER_MAX 4096

static CURL *handle;

bool mq_media_store_on(const struct mq_ctx *c)
{
	return c->cfg->media_store && c->cfg->media_store[0] != '\0';
}

/* Relative paths come from mq_media_dir_new (subdir/prefix-hex/name.ext):
 * only these characters, so nothing needs escaping in the URL. */
static bool path_ok(const char *p)
{
	if (*p == '\0' || *p == '/' || strstr(p, "..") != NULL)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-/", *p))
			return false;
	return true;
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
	size_t *seen = arg;

	(void)data;
	*seen += size * n;
	return *seen > ANSWER_MAX ? 0 : size * n;
}

/* Runs method on relpath; the HTTP status goes to *status (0 when no answer
 * came).  Returns libcurl's result. */
static CURLcode call(struct mq_ctx *c, const char *method, const char *relpath,
		     const void *data, size_t len, long *status)
{
	const struct mq_config *cfg = c->cfg;
	struct curl_slist *headers = NULL;
	size_t seen = 0;
	CURLcode rc;

	*status = 0;
	if (handle == NULL && (handle = curl_easy_init()) == NULL)
		return CURLE_FAILED_INIT;
	curl_easy_reset(handle);
	headers = curl_slist_append(headers, "Expect:");	/* no 100-continue wait */
	curl_easy_setopt(handle, CURLOPT_URL,
			 mq_arena_printf(c->arena, "%s%s", cfg->media_store, relpath));
	curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method);
	if (data) {
		curl_easy_setopt(handle, CURLOPT_POSTFIELDS, data);
		curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->media_store_timeout_ms);
	curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, (long)cfg->media_store_timeout_ms);
	curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(handle, CURLOPT_WRITEDATA, &seen);
	rc = curl_easy_perform(handle);
	if (rc == CURLE_OK)
		curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(headers);
	return rc;
}

enum mq_status mq_media_store_put(struct mq_ctx *c, const char *relpath, const void *data,
				  size_t len)
{
	CURLcode rc;
	long status;

	if (!path_ok(relpath)) {
		mq_log_error("media store: refusing the path %s", relpath);
		return mq_fail_with(c, MQ_INTERNAL, NULL, "The image could not be stored.");
	}
	rc = call(c, "PUT", relpath, data ? data : "", len, &status);
	if (rc == CURLE_OK && (status == 201 || status == 204 || status == 200))
		return MQ_OK;
	if (rc != CURLE_OK)
		mq_log_error("media store: PUT %s: %s", relpath, curl_easy_strerror(rc));
	else
		mq_log_error("media store: PUT %s: HTTP %ld", relpath, status);
	if (rc == CURLE_OK && status == 507)
		return mq_fail_retry(c, MQ_MEDIA_STORE_RETRY_S,
				     "There is no room to store the image; try again later.");
	if (rc != CURLE_OK || status >= 500)
		return mq_fail_retry(c, MQ_MEDIA_STORE_RETRY_S,
				     "The media store is unavailable; try again shortly.");
	return mq_fail_with(c, MQ_INTERNAL, NULL, "The image could not be stored.");
}

void mq_media_store_delete(struct mq_ctx *c, const char *relpath)
{
	CURLcode rc;
	long status;

	if (!path_ok(relpath))
		return;
	rc = call(c, "DELETE", relpath, NULL, 0, &status);
	if (rc != CURLE_OK)
		mq_log_warn("media store: DELETE %s: %s", relpath, curl_easy_strerror(rc));
	else if (status != 204 && status != 200 && status != 404)
		mq_log_warn("media store: DELETE %s: HTTP %ld", relpath, status);
}

void mq_media_store_close(void)
{
	if (handle)
		curl_easy_cleanup(handle);
	handle = NULL;
}

/*
 * smtp.c: libcurl's SMTP client, TLS required unless the server is on
 * this host.
 */
#include "integrations/smtp.h"

#include <curl/curl.h>
#include <sodium.h>
#include <time.h>

#include "core/config.h"
#include "integrations/loopback.h"

struct mq_smtp {
	const struct mq_config *cfg;
	CURL *curl;
	char from_addr[256];
};

struct upload {
	const char *data;
	size_t len, off;
};

const char *mq_smtp_address(const char *from, char *buf, size_t len)
{
	const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt)
		snprintf(buf, len, "%.*s", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(buf, len, "%s", from);
	return buf;
}

struct mq_smtp *mq_smtp_new(const struct mq_config *cfg, char *err, size_t errlen)
{
	struct mq_smtp *s;

	if (strncmp(cfg->smtp_url, "smtp://", 7) != 0 && strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "[mail] smtp_url = %s: use smtp:// or smtps://", cfg->smtp_url);
		return NULL;
	}
	if (!cfg->smtp_require_tls && !mq_loopback_url(cfg->smtp_url)) {
		snprintf(err, errlen, "[mail] require_tls = off is only allowed for a server on "
			 "this host (%s is not)", cfg->smtp_url);
		return NULL;
	}
	s = mq_xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->curl = curl_easy_init();
	if (s->curl == NULL) {
		free(s);
		snprintf(err, errlen, "libcurl failed to initialise");
		return NULL;
	}
	if (strlen(mq_smtp_address(cfg->mail_from, s->from_addr, sizeof(s->from_addr))) >= 255) {
		snprintf(err, errlen, "[mail] from: the address is longer than 254 characters");
		mq_smtp_free(s);
		return NULL;
	}
	return s;
}

void mq_smtp_free(struct mq_smtp *s)
{
	if (s == NULL)
		return;
	curl_easy_cleanup(s->curl);
	free(s);
}

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

/* The Subject as RFC 2047 encoded words when it is not ASCII (a
 * translated subject, a title): "=?UTF-8?B?...?=" words of at most 45
 * bytes of text each, never splitting a character, separated by spaces
 * (which readers drop between encoded words); malloc'd. */
static char *subject_header(const char *subject)
{
	size_t n = strlen(subject), cap = n * 2 + 64, at = 0;
	char *out;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)subject[i] >= 0x80)
			goto encode;
	return mq_xstrdup(subject);
encode:
	out = mq_xmalloc(cap + n / 45 * 16);
	for (size_t i = 0, k; i < n; i += k) {
		k = n - i < 45 ? n - i : 45;
		while (i + k < n && ((unsigned char)subject[i + k] & 0xC0) == 0x80)
			k--;	/* back to a character's first byte */
		at += (size_t)snprintf(out + at, 16, "%s=?UTF-8?B?", i ? " " : "");
		sodium_bin2base64(out + at, sodium_base64_ENCODED_LEN(k, sodium_base64_VARIANT_ORIGINAL),
				  (const unsigned char *)subject + i, k, sodium_base64_VARIANT_ORIGINAL);
		at += strlen(out + at);
		at += (size_t)snprintf(out + at, 3, "?=");
	}
	return out;
}

/* Headers (with the extra ones, already checked) and body, lines ending
 * in CRLF, in a buffer sized for them (From comes from the configuration
 * and may be of any length), which the caller frees. */
static char *compose(const struct mq_smtp *s, const char *to, const char *subject,
		     const char *body, const char *message_id, const char *const *extra,
		     size_t *len)
{
#define HEAD "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\n" \
	     "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" \
	     "Content-Transfer-Encoding: 8bit\r\n\r\n"
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	size_t cap, n;
	char *out;
	int hn;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	char *subj = subject_header(subject);
	hn = snprintf(NULL, 0, HEAD, date, s->cfg->mail_from, to, subj, message_id);
	if (hn < 0) {
		free(subj);
		return NULL;
	}
	/* Each body byte takes at most two (a CR added before LF). */
	cap = (size_t)hn + strlen(body) * 2 + 1;
	for (int i = 0; extra && extra[i]; i++)
		cap += strlen(extra[i]) + 2;
	out = mq_xmalloc(cap);
	n = (size_t)snprintf(out, cap, HEAD, date, s->cfg->mail_from, to, subj, message_id);
	free(subj);
#undef HEAD
	/* the extra lines go before the blank line that ends the header */
	n -= 2;
	for (int i = 0; extra && extra[i]; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\r\n", extra[i]);
	n += (size_t)snprintf(out + n, cap - n, "\r\n");
	for (const char *p = body; *p; p++) {
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			out[n++] = '\r';
		out[n++] = *p;
	}
	out[n] = '\0';
	*len = n;
	return out;
}

int mq_smtp_send(struct mq_smtp *s, const char *to, const char *subject, const char *body,
		 const char *message_id, char *err, size_t errlen, bool *permanent)
{
	return mq_smtp_send_headers(s, to, subject, body, message_id, NULL, err, errlen, permanent);
}

int mq_smtp_send_headers(struct mq_smtp *s, const char *to, const char *subject, const char *body,
			 const char *message_id, const char *const *headers, char *err,
			 size_t errlen, bool *permanent)
{
	const struct mq_config *cfg = s->cfg;
	struct curl_slist *rcpt = NULL;
	struct upload u = { 0 };
	char mail_from[260];
	long code = 0;
	CURLcode rc;

	*permanent = false;
	bool broken = strpbrk(to, "\r\n") || strpbrk(subject, "\r\n");

	for (int i = 0; headers && headers[i]; i++)
		broken = broken || strpbrk(headers[i], "\r\n");
	if (broken) {
		snprintf(err, errlen, "a header would contain a line break");
		*permanent = true;
		return -1;
	}
	u.data = compose(s, to, subject, body, message_id, headers, &u.len);
	if (u.data == NULL) {
		snprintf(err, errlen, "the message could not be composed");
		*permanent = true;
		return -1;
	}
	snprintf(mail_from, sizeof(mail_from), "<%s>", s->from_addr);
	rcpt = curl_slist_append(NULL, to);
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(s->curl, CURLOPT_USE_SSL, cfg->smtp_require_tls ? (long)CURLUSESSL_ALL
									 : (long)CURLUSESSL_NONE);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->smtp_timeout_ms);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, (long)cfg->smtp_timeout_ms);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	if (*cfg->smtp_username) {
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, cfg->smtp_username);
		curl_easy_setopt(s->curl, CURLOPT_PASSWORD,
				 cfg->smtp_password.value ? cfg->smtp_password.value : "");
	}
	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	free((char *)u.data);
	if (rc == CURLE_OK)
		return 0;
	*permanent = code >= 500 && code < 600;
	snprintf(err, errlen, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
	return -1;
}

/*
 * smtp.h: sending one message over SMTP with libcurl.
 */
#ifndef MQ_SMTP_H
#define MQ_SMTP_H

#include "core/common.h"

struct mq_config;
struct mq_smtp;

/* Checks [mail] (plain SMTP only to a loopback host) and prepares a
 * handle.  NULL with the reason in err. */
struct mq_smtp *mq_smtp_new(const struct mq_config *cfg, char *err, size_t errlen);
void mq_smtp_free(struct mq_smtp *s);

/* Sends a text/plain UTF-8 message with the given Message-ID.  Returns 0
 * once the server accepted it, or -1 with the reason in err; *permanent is
 * set when the server refused it for good (a 5xx answer). */
int mq_smtp_send(struct mq_smtp *s, const char *to, const char *subject, const char *body,
		 const char *message_id, char *err, size_t errlen, bool *permanent);

/* The same with more header lines ("Name: value", NULL-terminated; NULL
 * for none), each refused (permanently) when it holds a line break. */
int mq_smtp_send_headers(struct mq_smtp *s, const char *to, const char *subject, const char *body,
			 const char *message_id, const char *const *headers, char *err,
			 size_t errlen, bool *permanent);

/* The address part of a From value ("Marquee <a@b>" -> "a@b"), in buf. */
const char *mq_smtp_address(const char *from, char *buf, size_t len);

#endif

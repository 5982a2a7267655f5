/*
 * outbox.h: queueing email in the transaction of the change behind it.
 */
#ifndef MQ_OUTBOX_H
#define MQ_OUTBOX_H

#include "core/ctx.h"

/* Mails one address may be sent for one purpose within the window. */
#define MQ_OUTBOX_PER_WINDOW 3
#define MQ_OUTBOX_WINDOW_S 3600

/* Counts a mail of purpose ("verify_email", "reset_password") to to, and
 * says whether it may go: false past MQ_OUTBOX_PER_WINDOW within
 * MQ_OUTBOX_WINDOW_S seconds, so a request cannot be looped to flood
 * somebody's mailbox.  Counted in memcached; while it does not answer,
 * every mail may go (nginx's per-address limit still holds). */
bool mq_outbox_allow(struct mq_ctx *c, const char *purpose, const char *to);

/* Inserts a message into the outbox and wakes `marquee outbox` (NOTIFY,
 * delivered at COMMIT).  Call inside the caller's transaction.  A failure
 * is the database's. */
enum mq_status mq_outbox_queue(struct mq_ctx *c, const char *to, const char *subject,
			       const char *body);

/* The base of the links mail carries: [mail] link_base, else [server]
 * public_url, without a final slash (arena). */
const char *mq_outbox_base(struct mq_ctx *c);

/* The absolute link a message carries: [mail] link_base (else [server]
 * public_url) + "/" + path + "?token=" + token.  Never built from the
 * request's Host header, which the client chooses. */
const char *mq_outbox_link(struct mq_ctx *c, const char *path, const char *token);

/* A lifetime for a message's text: "24 hours", "15 minutes", "90 minutes". */
const char *mq_outbox_duration(struct mq_ctx *c, int ms);

#endif

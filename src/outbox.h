/*
 * outbox.h: queueing email in the transaction of the change behind it.
 */
#ifndef MQ_OUTBOX_H
#define MQ_OUTBOX_H

struct mq_req;

/* Inserts a message into the outbox and wakes `marquee outbox` (NOTIFY,
 * delivered at COMMIT).  Call inside the request's transaction.  Returns 0,
 * or -1 when the statement failed (answer with mq_fail_db). */
int mq_outbox_queue(struct mq_req *r, const char *to, const char *subject, const char *body);

/* The absolute link a message carries: [mail] link_base (else [server]
 * public_url) + "/" + path + "?token=" + token.  Never built from the
 * request's Host header, which the client chooses. */
const char *mq_outbox_link(struct mq_req *r, const char *path, const char *token);

/* A lifetime for a message's text: "24 hours", "15 minutes", "90 minutes". */
const char *mq_outbox_duration(struct mq_req *r, int ms);

#endif

/*
 * deliver.h: sending notifications' deliveries (email and Web Push), for
 * `marquee outbox` (cli/outbox.c), which runs them beside its mail.
 *
 * The outbox pattern with a lease: a sender claims up to [notify] batch
 * due deliveries in one statement (FOR UPDATE SKIP LOCKED; the claim
 * moves each a lease ahead and names itself in deliveries.lease) and
 * commits; before each send it renews that one's lease, still naming
 * itself (a delivery another sender claimed meanwhile is left to it),
 * sends, and marks it, naming itself again.  A sender killed mid-batch
 * leaves its claimed deliveries due again once their lease has run out,
 * and sends nothing twice but the one it was killed between sending and
 * marking: the only window, as for any sender that cannot make the
 * receiver's acceptance and its own record one transaction (a mail keeps
 * its Message-ID, a push its notification id, for the receiver to tell).
 *
 * What is sent is worded when it is sent (render.h), with the user's
 * settings then: mail switched off since (an unsubscribe), an address
 * not confirmed, or a user gone finish as 'skipped'.
 */
#ifndef MQ_NOTIFY_DELIVER_H
#define MQ_NOTIFY_DELIVER_H

#include "core/ctx.h"

struct mq_smtp;
struct mq_webpush;

struct mq_deliverer {
	struct mq_ctx *c;		/* its arena is reset after each batch */
	struct mq_smtp *smtp;
	struct mq_webpush *push;	/* NULL: push is off ([push] has no key) */
	const char *domain;		/* of Message-IDs: <delivery-ID@domain> */
};

enum mq_deliver_outcome {
	MQ_DELIVER_IDLE,	/* nothing was due */
	MQ_DELIVER_DONE,	/* a batch was handled; there may be more */
	MQ_DELIVER_DOWN,	/* the database failed */
};

/* Claims a batch of due deliveries and sends each. */
enum mq_deliver_outcome mq_deliver_batch(struct mq_deliverer *d);

/* Milliseconds until the next delivery is due (0: now), or -1 when
 * none waits; -2 when the database failed. */
int64_t mq_deliver_next_ms(struct mq_ctx *c);

/* Deletes deliveries finished a week ago and notifications read 90 days
 * ago.  Returns how many rows went, or -1 when the database failed. */
int64_t mq_deliver_prune(struct mq_ctx *c);

#endif

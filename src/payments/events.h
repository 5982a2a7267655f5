/*
 * events.h: the gateway's webhooks (POST /api/payments/webhook/), taken
 * in, and processed after their commit (the outbox pattern).
 *
 * Taking one in checks its signature (integrations/pay_signature.h)
 * against the raw body and records the event once by its id (a replay is
 * a no-op), then commits and answers: nothing else happens in the
 * request.  `marquee payments work` (and `marquee payments sync`) then
 * claim the events due (FOR UPDATE SKIP LOCKED) and, for each, read the
 * object it is about again from the gateway (payments/sync.h): the state
 * is the gateway's, whatever order events arrive in.  An event whose
 * processing fails is retried with back-off.
 */
#ifndef MQ_PAYMENTS_EVENTS_H
#define MQ_PAYMENTS_EVENTS_H

#include "core/ctx.h"

struct mq_pay;

/* Verifies and records a delivery: header is its Stripe-Signature (NULL
 * when absent), body its raw body.  *duplicate true when the event was
 * recorded before.  MQ_INVALID for a delivery that is not genuine (bad,
 * stale or missing signature) or not an event, with nothing written;
 * MQ_UNAVAILABLE when no webhook secret is configured. */
enum mq_status mq_events_receive(struct mq_ctx *c, const char *header, const char *body,
				 size_t len, bool *duplicate);

/* Processes up to limit events due, *n how many were claimed. */
enum mq_status mq_events_process(struct mq_ctx *c, struct mq_pay *g, int limit, int64_t *n);

/* Milliseconds until the next event is due (0: now), -1 when none
 * waits, -2 when the database failed. */
int64_t mq_events_next_ms(struct mq_ctx *c);

#endif

/*
 * sync.h: our copy of the gateway's subscriptions and invoices, and the
 * state machine that decides what a subscription gives.
 *
 * The gateway is the truth.  A subscription's row is written only from
 * the gateway's own subscription object, read back from it (after a
 * webhook, a change we made, or by `marquee payments sync`), never from
 * the order events arrived in: whatever order deliveries come in, the
 * row ends as the gateway's object is.
 *
 * The state machine (Stripe's statuses): incomplete -> active | trialing
 * -> past_due -> active (paid again) | unpaid | canceled;
 * incomplete -> incomplete_expired.  canceled and incomplete_expired are
 * final: a final row never changes again (a new subscription is a new
 * row).  past_due_since is set when a row enters past_due and cleared when
 * it leaves.  What a state gives is decided in one place, the SQL function
 * subscription_entitled(status, past_due_since, grace) (sql/0015): active
 * and trialing give the plan's features (a cancellation at the period's
 * end keeps the status active until then), past_due gives them for
 * [payments] grace_period, anything else nothing.
 */
#ifndef MQ_PAYMENTS_SYNC_H
#define MQ_PAYMENTS_SYNC_H

#include <json-c/json.h>

#include "core/ctx.h"

struct mq_pay;

/* True for the statuses a subscription never leaves. */
bool mq_sub_status_final(const char *status);

/* True for a status the gateway may send (Stripe's eight). */
bool mq_sub_status_known(const char *status);

/* Writes the gateway's subscription object sub into our row (made when
 * new).  MQ_NOT_FOUND when its customer or price is not one of ours (a
 * subscription of another application on the same account: ignored);
 * MQ_BAD_GATEWAY for an object without what we need. */
enum mq_status mq_sync_apply_subscription(struct mq_ctx *c, struct json_object *sub);

/* Reads subscription id (a gateway id) and its invoices from the gateway
 * and writes them. */
enum mq_status mq_sync_subscription(struct mq_ctx *c, struct mq_pay *g, const char *id);

/* Reads checkout session id from the gateway: complete, it finishes our
 * request and syncs its subscription; expired, it fails the request. */
enum mq_status mq_sync_checkout(struct mq_ctx *c, struct mq_pay *g, const char *id);

/* What `marquee payments sync` does: processes the events due, then
 * syncs every checkout still open (younger than a day) and every
 * subscription that is not final.  Counts into *synced and *failed. */
enum mq_status mq_sync_all(struct mq_ctx *c, int64_t *synced, int64_t *failed);

#endif

/*
 * refunds.h: giving back money paid (admin POST
 * /api/admin/payments/{id}/refund/), and the refunds the gateway reports
 * (its charge.refunded events, refunds made in its dashboard).
 *
 * A payment is an invoice paid: its charge at the gateway.  A refund is a
 * row first (refunds), whose id makes the call's Idempotency-Key, so the
 * same request again after a timeout, a 500 or a lost answer is the same
 * refund to the gateway, never a second.  How much of a payment was given
 * back (invoices.amount_refunded) is only ever what the gateway says its
 * charge has refunded, read back from it, never a sum we keep: whether
 * the webhook comes before or after our own call's answer, the amount is
 * counted once.
 */
#ifndef MQ_PAYMENTS_REFUNDS_H
#define MQ_PAYMENTS_REFUNDS_H

#include <json-c/json.h>

#include "core/ctx.h"

struct mq_pay;

/* Refunds amount (minor units; all that is left when has_amount is
 * false) of payment invoice, asked by admin: *out {id, amount, currency,
 * status, created_at, payment: {...}}.  The same request again while the
 * gateway has not answered the first (a retry) is that refund again,
 * with the same key.  MQ_NOT_FOUND for no such payment; MQ_CONFLICT for
 * an invoice not paid, or a refund of another amount unanswered;
 * MQ_INVALID (field amount) for more than is left, or a refund the
 * gateway refused; the gateway's failures (502, 503, 504), after which
 * the same request again is the same refund. */
enum mq_status mq_refund_create(struct mq_ctx *c, int64_t admin, int64_t invoice, bool has_amount,
				int64_t amount, struct json_object **out);

/* A payment (invoice) as GET /api/payments/ shows it, of any user, into
 * *out; MQ_NOT_FOUND. */
enum mq_status mq_refund_payment(struct mq_ctx *c, int64_t invoice, struct json_object **out);

/* Reads charge id back from the gateway and writes what it has refunded
 * into its invoice (a charge of no invoice of ours is let be). */
enum mq_status mq_sync_charge(struct mq_ctx *c, struct mq_pay *g, const char *id);

/* Sends again each refund the gateway has not answered for a minute
 * (`marquee payments sync`); counts into *synced and *failed. */
enum mq_status mq_refunds_resend(struct mq_ctx *c, struct mq_pay *g, int64_t *synced,
				 int64_t *failed);

#endif

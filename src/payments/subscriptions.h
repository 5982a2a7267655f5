/*
 * subscriptions.h: a user's subscription (POST/GET/PUT/DELETE
 * /api/subscriptions/), invoices (GET /api/payments/) and entitlements.
 *
 * Subscribing makes a checkout session at the gateway and gives its URL:
 * the subscription itself exists once the gateway says it does (its
 * webhook, or `marquee payments sync`).  Every call that asks the gateway
 * for something is a payment_requests row first, whose id is the call's
 * Idempotency-Key; a call that failed (the gateway down, slow, or its
 * answer lost) leaves its row pending, and the same call again reuses it,
 * and so the key: the gateway then does nothing twice.
 */
#ifndef MQ_PAYMENTS_SUBSCRIPTIONS_H
#define MQ_PAYMENTS_SUBSCRIPTIONS_H

#include <json-c/json.h>

#include "core/ctx.h"
#include "payments/plans.h"

/* A checkout for plan: {checkout_url, checkout_id, expires_at, plan}
 * into *out; *created false when an open checkout of the user's for the
 * plan was given again.  MQ_CONFLICT when the user has a subscription
 * that is not over (change its plan instead); MQ_NOT_FOUND (field plan)
 * for a plan not on offer; the gateway's failures (503, 504, 502). */
enum mq_status mq_subs_checkout(struct mq_ctx *c, int64_t user, int64_t plan,
				struct json_object **out, bool *created);

/* {subscription: {...} | null, entitlements: [...]}: the user's current
 * subscription (the newest not over, else the newest) and the features
 * it gives now. */
enum mq_status mq_subs_current(struct mq_ctx *c, int64_t user, struct json_object **out);

/* Moves the user's subscription to plan (the gateway prorates); *out as
 * mq_subs_current.  MQ_NOT_FOUND when there is none to change,
 * MQ_CONFLICT for the plan it has or one in another currency. */
enum mq_status mq_subs_change(struct mq_ctx *c, int64_t user, int64_t plan,
			      struct json_object **out);

/* Cancels the user's subscription at the end of its period (immediately:
 * now); *out as mq_subs_current.  MQ_NOT_FOUND when there is none. */
enum mq_status mq_subs_cancel(struct mq_ctx *c, int64_t user, bool immediately,
			      struct json_object **out);

/* A payment (an invoice) as GET /api/payments/ shows it, and the joins
 * it needs (invoices i): its status is the invoice's, or refunded /
 * partially_refunded once some of it was given back. */
#define MQ_PAYMENT_COLUMNS \
	"i.id, i.number, CASE WHEN i.amount_refunded = 0 THEN i.status " \
	"  WHEN i.amount_refunded < i.amount_paid THEN 'partially_refunded' " \
	"  ELSE 'refunded' END AS status, i.amount_due, i.amount_paid, i.amount_refunded, " \
	"  i.currency, i.billing_reason, rfc3339(i.period_start) AS period_start, " \
	"  rfc3339(i.period_end) AS period_end, rfc3339(i.created_at) AS created_at, " \
	"  rfc3339(i.paid_at) AS paid_at, i.hosted_url AS invoice_url, p.name AS plan " \
	"FROM invoices i LEFT JOIN subscriptions s ON s.id = i.subscription_id " \
	"LEFT JOIN plans p ON p.id = s.plan_id "

/* The user's invoices, newest first. */
enum mq_status mq_subs_invoices(struct mq_ctx *c, int64_t user, int64_t limit, int64_t offset,
				struct mq_pay_page *out);

/* Whether user may use feature now (*ok); when not, *plan the cheapest
 * plan on offer that gives it ({id, name}, or NULL when none does). */
enum mq_status mq_subs_entitled(struct mq_ctx *c, int64_t user, const char *feature, bool *ok,
				struct json_object **plan);

#endif

/*
 * sync.c: writing the gateway's subscriptions and invoices into our rows
 * (see sync.h).
 */
#include "payments/sync.h"

#include <ctype.h>

#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/payments.h"
#include "payments/events.h"
#include "payments/refunds.h"

#define OPEN_BATCH "500"

static const char *const statuses[] = { "incomplete", "incomplete_expired", "trialing", "active",
					"past_due", "canceled", "unpaid", "paused", NULL };

/* pc's user has a live subscription other than $1 (with $4 a live status). */
#define LIVE_OTHER \
	"$4 NOT IN ('canceled', 'incomplete_expired') AND EXISTS (SELECT 1 FROM subscriptions o " \
	"WHERE o.user_id = pc.user_id AND o.gateway_id <> $1 " \
	"AND o.status NOT IN ('canceled', 'incomplete_expired'))"

/* $1 gateway id, $2 customer, $3 price, $4 status, $5 $6 the period,
 * $7 cancel_at_period_end, $8 canceled_at, $9 ended_at, $10 created (unix
 * times).  A final row is left as it is (the WHERE of DO UPDATE); a row
 * whose customer or price is not ours is not written, nor a new live one
 * of a user who has a live one (the index subscriptions_live refuses it
 * anyway: this keeps the job's transaction alive).  old_status: the
 * row's status before, null when it is new or was not written; the last
 * column: the user, when this is a second live subscription of theirs. */
static struct mq_stmt apply_sub = MQ_STMT(
	"WITH old AS (SELECT status FROM subscriptions WHERE gateway_id = $1), "
	"up AS (INSERT INTO subscriptions AS s (gateway_id, user_id, plan_id, status, "
	"         current_period_start, current_period_end, cancel_at_period_end, canceled_at, "
	"         ended_at, past_due_since, created_at) "
	"       SELECT $1, pc.user_id, pp.plan_id, $4, to_timestamp($5::bigint), "
	"         to_timestamp($6::bigint), $7::bool, to_timestamp($8::bigint), "
	"         to_timestamp($9::bigint), CASE WHEN $4 = 'past_due' THEN now() END, "
	"         coalesce(to_timestamp($10::bigint), now()) "
	"       FROM payment_customers pc JOIN plan_prices pp ON pp.gateway_id = $3 "
	"       WHERE pc.gateway_id = $2 AND NOT (" LIVE_OTHER ") "
	"       ON CONFLICT (gateway_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, "
	"         status = EXCLUDED.status, current_period_start = EXCLUDED.current_period_start, "
	"         current_period_end = EXCLUDED.current_period_end, "
	"         cancel_at_period_end = EXCLUDED.cancel_at_period_end, "
	"         canceled_at = EXCLUDED.canceled_at, ended_at = EXCLUDED.ended_at, "
	"         past_due_since = CASE WHEN EXCLUDED.status = 'past_due' "
	"                               THEN coalesce(s.past_due_since, now()) END, "
	"         updated_at = CASE WHEN (s.status, s.plan_id, s.current_period_end, "
	"                                 s.cancel_at_period_end) IS DISTINCT FROM "
	"                                (EXCLUDED.status, EXCLUDED.plan_id, "
	"                                 EXCLUDED.current_period_end, EXCLUDED.cancel_at_period_end) "
	"                           THEN now() ELSE s.updated_at END, "
	"         synced_at = now() "
	"       WHERE s.status NOT IN ('canceled', 'incomplete_expired') "
	"       RETURNING s.id, s.user_id, s.status) "
	"SELECT up.id, up.user_id, up.status, (SELECT status FROM old) AS old_status, "
	"  EXISTS (SELECT 1 FROM old) AS known, "
	"  (SELECT pc.user_id FROM payment_customers pc WHERE pc.gateway_id = $2 AND " LIVE_OTHER ") "
	"FROM (SELECT 1) one LEFT JOIN up ON true");

/* $1 gateway id, $2 subscription, $3 customer, $4 number, $5 status,
 * $6 amount_due, $7 amount_paid, $8 currency, $9 billing_reason,
 * $10 hosted URL, $11 $12 the period, $13 created, $14 paid_at, $15 its
 * charge, $16 what the charge has refunded (null: not known).  Only
 * invoices of our customers; what was refunded only ever grows. */
static struct mq_stmt apply_invoice = MQ_STMT(
	"INSERT INTO invoices AS i (gateway_id, subscription_id, user_id, number, status, "
	"  amount_due, amount_paid, currency, billing_reason, hosted_url, period_start, "
	"  period_end, created_at, paid_at, charge_id, amount_refunded) "
	"SELECT $1, (SELECT id FROM subscriptions WHERE gateway_id = $2), pc.user_id, $4, $5, "
	"  $6::bigint, $7::bigint, $8, $9, $10, to_timestamp($11::bigint), to_timestamp($12::bigint), "
	"  to_timestamp($13::bigint), to_timestamp($14::bigint), $15, "
	"  least(coalesce($16::bigint, 0), $7::bigint) "
	"FROM payment_customers pc WHERE pc.gateway_id = $3 "
	"ON CONFLICT (gateway_id) DO UPDATE SET "
	"  subscription_id = coalesce(EXCLUDED.subscription_id, i.subscription_id), "
	"  number = EXCLUDED.number, status = EXCLUDED.status, amount_due = EXCLUDED.amount_due, "
	"  amount_paid = EXCLUDED.amount_paid, currency = EXCLUDED.currency, "
	"  billing_reason = EXCLUDED.billing_reason, hosted_url = EXCLUDED.hosted_url, "
	"  period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end, "
	"  paid_at = EXCLUDED.paid_at, charge_id = coalesce(EXCLUDED.charge_id, i.charge_id), "
	"  amount_refunded = least(greatest(i.amount_refunded, EXCLUDED.amount_refunded), "
	"                          EXCLUDED.amount_paid), synced_at = now()");

static struct mq_stmt checkout_done = MQ_STMT(
	"UPDATE payment_requests SET status = $2, finished_at = now() "
	"WHERE kind = 'checkout' AND gateway_id = $1 AND status = 'pending'");

static struct mq_stmt open_checkouts = MQ_STMT_READ(
	"SELECT gateway_id FROM payment_requests "
	"WHERE kind = 'checkout' AND gateway_id IS NOT NULL AND status = 'pending' "
	"AND created_at > now() - interval '1 day' ORDER BY created_at LIMIT " OPEN_BATCH);

static struct mq_stmt open_subs = MQ_STMT_READ(
	"SELECT gateway_id FROM subscriptions WHERE status NOT IN ('canceled', 'incomplete_expired') "
	"ORDER BY synced_at LIMIT " OPEN_BATCH);

bool mq_sub_status_final(const char *status)
{
	return strcmp(status, "canceled") == 0 || strcmp(status, "incomplete_expired") == 0;
}

bool mq_sub_status_known(const char *status)
{
	for (size_t i = 0; statuses[i]; i++)
		if (strcmp(status, statuses[i]) == 0)
			return true;
	return false;
}

/* A unix time member as a statement parameter; NULL when absent or null. */
static const char *when(struct mq_ctx *c, struct json_object *o, const char *key)
{
	int64_t t;

	return mq_pay_int(o, key, &t) ? mq_arena_int(c->arena, t) : NULL;
}

/* An id member, or the id of the object it expanded to. */
static const char *ref(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return mq_pay_str(v, "id");
	return mq_pay_str(o, key);
}

/* items.data[0].price.id */
static const char *first_price(struct json_object *sub)
{
	struct json_object *items, *data, *price;

	if (!json_object_object_get_ex(sub, "items", &items) ||
	    !json_object_object_get_ex(items, "data", &data) ||
	    !json_object_is_type(data, json_type_array) || json_object_array_length(data) < 1 ||
	    !json_object_object_get_ex(json_object_array_get_idx(data, 0), "price", &price))
		return NULL;
	return ref(json_object_array_get_idx(data, 0), "price");
}

static enum mq_status unusable(struct mq_ctx *c, const char *what, const char *why)
{
	mq_log_warn("payments: a %s from the gateway: %s", what, why);
	return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave an unusable %s.", what);
}

/* Subscription id is a second live one of its user's: left out (and the
 * event about it retried, with back-off, until the first is over), and
 * said for whoever refunds it. */
static enum mq_status second_subscription(struct mq_ctx *c, const char *id, int64_t user)
{
	mq_event(c, MQ_LOG_WARN, "subscription_second", user, "subscription", id, NULL);
	return mq_fail_with(c, MQ_CONFLICT, NULL, "Subscription %s is a second live subscription "
			    "of its user: cancel one at the payment gateway.", id);
}

enum mq_status mq_sync_apply_subscription(struct mq_ctx *c, struct json_object *sub)
{
	const char *id = mq_pay_str(sub, "id"), *customer = ref(sub, "customer");
	const char *status = mq_pay_str(sub, "status"), *price = first_price(sub);
	PGresult *res;

	if (!mq_pay_id_ok(id) || !mq_pay_id_ok(customer) || !mq_pay_id_ok(price))
		return unusable(c, "subscription", "no id, customer or price");
	if (status == NULL || !mq_sub_status_known(status))
		return unusable(c, "subscription", "an unknown status");
	const char *p[] = { id, customer, price, status, when(c, sub, "current_period_start"),
			    when(c, sub, "current_period_end"),
			    mq_pay_bool(sub, "cancel_at_period_end") ? "true" : "false",
			    when(c, sub, "canceled_at"), when(c, sub, "ended_at"), when(c, sub, "created") };
	if ((res = mq_db_q(c, &apply_sub, 10, p)) == NULL) {
		if (strcmp(mq_db_constraint(c->db), "subscriptions_live") != 0)
			return mq_db_failure(c);
		mq_db_failure(c);	/* a concurrent sync made the other: rolled back */
		return second_subscription(c, id, 0);
	}
	if (PQgetisnull(res, 0, 0)) {
		if (PQgetvalue(res, 0, 4)[0] == 't')
			return MQ_OK;	/* final: stays as it is */
		if (!PQgetisnull(res, 0, 5))
			return second_subscription(c, id, mq_row_int(res, 0, 5));
		mq_log_warn("payments: subscription %s is not ours (customer %s, price %s)", id,
			    customer, price);
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "Subscription %s is not ours.", id);
	}
	if (PQgetisnull(res, 0, 3) || strcmp(PQgetvalue(res, 0, 3), status) != 0)
		mq_event(c, MQ_LOG_INFO, "subscription_status", mq_row_int(res, 0, 1), "subscription",
			 PQgetvalue(res, 0, 0), "from", PQgetisnull(res, 0, 3) ? NULL : PQgetvalue(res, 0, 3),
			 "to", status, NULL);
	return MQ_OK;
}

static const char *upper(struct mq_ctx *c, const char *s)
{
	char *u = mq_arena_strdup(c->arena, s);

	for (char *q = u; *q; q++)
		*q = (char)toupper((unsigned char)*q);
	return u;
}

static enum mq_status apply_invoice_object(struct mq_ctx *c, struct json_object *inv)
{
	const char *id = mq_pay_str(inv, "id"), *currency = mq_pay_str(inv, "currency");
	struct json_object *tr = NULL, *charge = NULL;
	int64_t due, paid, refunded;

	/* amounts are integers of minor units: a float is refused, not rounded */
	if (!mq_pay_id_ok(id) || !mq_pay_int(inv, "amount_due", &due) ||
	    !mq_pay_int(inv, "amount_paid", &paid) || due < 0 || paid < 0 || currency == NULL ||
	    strlen(currency) != 3)
		return unusable(c, "invoice", "no id, integer amounts or currency");
	json_object_object_get_ex(inv, "status_transitions", &tr);
	/* the charge, expanded: what it has refunded */
	if (json_object_object_get_ex(inv, "charge", &charge) &&
	    (!json_object_is_type(charge, json_type_object) ||
	     !mq_pay_int(charge, "amount_refunded", &refunded) || refunded < 0))
		charge = NULL;
	const char *p[] = { id, ref(inv, "subscription"), ref(inv, "customer"),
			    mq_pay_str(inv, "number"), mq_pay_str(inv, "status"),
			    mq_arena_int(c->arena, due), mq_arena_int(c->arena, paid),
			    upper(c, currency), mq_pay_str(inv, "billing_reason"),
			    mq_pay_str(inv, "hosted_invoice_url"), when(c, inv, "period_start"),
			    when(c, inv, "period_end"), when(c, inv, "created"), when(c, tr, "paid_at"),
			    ref(inv, "charge"), charge ? mq_arena_int(c->arena, refunded) : NULL };
	if (p[4] == NULL || p[12] == NULL)
		return unusable(c, "invoice", "no status or creation time");
	if (p[14] && !mq_pay_id_ok(p[14]))
		p[14] = NULL;
	if (mq_db_q(c, &apply_invoice, 16, p) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

enum mq_status mq_sync_subscription(struct mq_ctx *c, struct mq_pay *g, const char *id)
{
	struct mq_pay_answer ans;
	struct json_object *data;
	enum mq_status st;

	if (!mq_pay_id_ok(id))
		return unusable(c, "subscription id", id ? id : "none");
	mq_pay_get(g, mq_arena_printf(c->arena, "/v1/subscriptions/%s", id), NULL, &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	if ((st = mq_sync_apply_subscription(c, ans.json)) != MQ_OK)
		return st;
	const char *q[] = { "subscription", id, "limit", "100", "expand[]", "data.charge", NULL };
	mq_pay_get(g, "/v1/invoices", q, &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	if (!json_object_object_get_ex(ans.json, "data", &data) ||
	    !json_object_is_type(data, json_type_array))
		return unusable(c, "list of invoices", "no data array");
	for (size_t i = 0; i < json_object_array_length(data); i++)
		if ((st = apply_invoice_object(c, json_object_array_get_idx(data, i))) != MQ_OK)
			return st;
	return MQ_OK;
}

enum mq_status mq_sync_checkout(struct mq_ctx *c, struct mq_pay *g, const char *id)
{
	struct mq_pay_answer ans;
	const char *status, *sub;

	if (!mq_pay_id_ok(id))
		return unusable(c, "checkout session id", id ? id : "none");
	mq_pay_get(g, mq_arena_printf(c->arena, "/v1/checkout/sessions/%s", id), NULL, &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	status = mq_pay_str(ans.json, "status");
	sub = ref(ans.json, "subscription");
	if (status && strcmp(status, "complete") == 0 && sub) {
		enum mq_status st = mq_sync_subscription(c, g, sub);

		if (st != MQ_OK)
			return st;
	} else if (!status || strcmp(status, "expired") != 0) {
		return MQ_OK;	/* still open */
	}
	const char *p[] = { id, strcmp(status, "expired") == 0 ? "failed" : "done" };
	if (mq_db_q(c, &checkout_done, 2, p) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

/* Syncs each row of stmt's gateway ids with fn. */
static enum mq_status sync_each(struct mq_ctx *c, struct mq_pay *g, struct mq_stmt *stmt,
				enum mq_status (*fn)(struct mq_ctx *, struct mq_pay *, const char *),
				int64_t *synced, int64_t *failed)
{
	PGresult *res = mq_db_q(c, stmt, 0, NULL);

	if (res == NULL)
		return mq_db_failure(c);
	for (int i = 0; i < PQntuples(res); i++) {
		if (fn(c, g, PQgetvalue(res, i, 0)) == MQ_OK) {
			++*synced;
		} else {
			++*failed;
			mq_log_warn("payments sync: %s: %s", PQgetvalue(res, i, 0),
				    c->err.detail ? c->err.detail : "failed");
		}
	}
	return MQ_OK;
}

enum mq_status mq_sync_all(struct mq_ctx *c, int64_t *synced, int64_t *failed)
{
	struct mq_pay *g = mq_pay_open(c);
	enum mq_status st;
	int64_t n;

	*synced = *failed = 0;
	if (g == NULL)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "libcurl did not start.");
	if (!mq_pay_configured(c->cfg))
		return mq_fail_with(c, MQ_UNAVAILABLE, NULL, "[payments] secret_key_file is not set.");
	do
		st = mq_events_process(c, g, 50, &n);
	while (st == MQ_OK && n > 0);
	if (st != MQ_OK)
		return st;
	if ((st = sync_each(c, g, &open_checkouts, mq_sync_checkout, synced, failed)) != MQ_OK ||
	    (st = mq_refunds_resend(c, g, synced, failed)) != MQ_OK)
		return st;
	return sync_each(c, g, &open_subs, mq_sync_subscription, synced, failed);
}

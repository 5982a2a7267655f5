/*
 * refunds.c: refunds asked by administrators, and those the gateway
 * reports (see refunds.h).
 */
#include "payments/refunds.h"

#include "core/arena.h"
#include "core/json.h"
#include "core/log.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/payments.h"
#include "payments/subscriptions.h"

#define RESEND_BATCH "100"

/* $1 invoice, $2 amount (null: what is left), $3 the administrator.  A
 * new row when the payment has none unanswered and the amount is left;
 * otherwise the facts to say why not, and the unanswered one. */
static struct mq_stmt take = MQ_STMT(
	"WITH inv AS (SELECT id, status, charge_id, amount_paid - amount_refunded AS left_, currency "
	"             FROM invoices WHERE id = $1), "
	"pend AS (SELECT id, amount FROM refunds WHERE invoice_id = $1 AND status = 'requested'), "
	"ins AS (INSERT INTO refunds (invoice_id, amount, currency, requested_by) "
	"        SELECT inv.id, coalesce($2::bigint, inv.left_), inv.currency, $3 FROM inv "
	"        WHERE NOT EXISTS (SELECT 1 FROM pend) AND inv.status = 'paid' "
	"          AND inv.charge_id IS NOT NULL "
	"          AND coalesce($2::bigint, inv.left_) BETWEEN 1 AND inv.left_ "
	"        ON CONFLICT DO NOTHING RETURNING id, amount) "
	"SELECT inv.status, inv.charge_id, inv.left_, (SELECT id FROM ins), (SELECT amount FROM ins), "
	"  (SELECT id FROM pend), (SELECT amount FROM pend) FROM inv");

static struct mq_stmt answered = MQ_STMT(
	"UPDATE refunds SET status = $2, gateway_id = $3, last_error = $4, answered_at = now() "
	"WHERE id = $1 AND status = 'requested'");

static struct mq_stmt refund_row = MQ_STMT_READ(
	"SELECT r.id, r.amount, r.currency, r.status, rfc3339(r.created_at) AS created_at, "
	"  i.charge_id FROM refunds r JOIN invoices i ON i.id = r.invoice_id WHERE r.id = $1");

static struct mq_stmt payment = MQ_STMT_READ("SELECT " MQ_PAYMENT_COLUMNS "WHERE i.id = $1");

/* $1 charge, $2 its invoice, $3 amount refunded: only ever more. */
static struct mq_stmt charge_apply = MQ_STMT(
	"UPDATE invoices SET charge_id = coalesce(charge_id, $1), "
	"  amount_refunded = greatest(amount_refunded, least($3::bigint, amount_paid)) "
	"WHERE gateway_id = $2 OR charge_id = $1");

static struct mq_stmt unanswered = MQ_STMT_READ(
	"SELECT id FROM refunds WHERE status = 'requested' AND created_at < now() - interval '1 minute' "
	"ORDER BY id LIMIT " RESEND_BATCH);

static const char *gateway_refund_statuses[] = { "pending", "requires_action", "succeeded",
						 "failed", "canceled", NULL };

enum mq_status mq_refund_payment(struct mq_ctx *c, int64_t invoice, struct json_object **out)
{
	const char *p[] = { mq_arena_int(c->arena, invoice) };
	PGresult *res = mq_db_q(c, &payment, 1, p);

	if (res == NULL)
		return mq_db_failure(c);
	if ((*out = mq_row_owned(c->arena, res)) == NULL)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No such payment.");
	return MQ_OK;
}

enum mq_status mq_sync_charge(struct mq_ctx *c, struct mq_pay *g, const char *id)
{
	struct mq_pay_answer ans;
	const char *invoice;
	struct json_object *v;
	int64_t refunded;

	if (!mq_pay_id_ok(id))
		return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave an unusable charge id.");
	mq_pay_get(g, mq_arena_printf(c->arena, "/v1/charges/%s", id), NULL, &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	invoice = mq_pay_str(ans.json, "invoice");
	if (json_object_object_get_ex(ans.json, "invoice", &v) && json_object_is_type(v, json_type_object))
		invoice = mq_pay_str(v, "id");
	if (!mq_pay_int(ans.json, "amount_refunded", &refunded) || refunded < 0) {
		mq_log_warn("payments: charge %s without an integer amount_refunded", id);
		return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave an unusable charge.");
	}
	if (!mq_pay_id_ok(invoice))
		return MQ_OK;	/* not an invoice's: not ours */
	const char *p[] = { id, invoice, mq_arena_int(c->arena, refunded) };
	if (mq_db_q(c, &charge_apply, 3, p) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

static bool gateway_status_known(const char *s)
{
	for (size_t i = 0; s && gateway_refund_statuses[i]; i++)
		if (strcmp(s, gateway_refund_statuses[i]) == 0)
			return true;
	return false;
}

/* Records the gateway's answer to refund rid: its refund, or a refusal. */
static enum mq_status record_answer(struct mq_ctx *c, const char *rid, const char *status,
				    const char *gateway_id, const char *error)
{
	const char *p[] = { rid, status, gateway_id, error };

	if (mq_db_q(c, &answered, 4, p) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

/* Sends refund rid (its row's amount, of its invoice's charge) with its
 * key, and records the answer; then reads the charge back for what it
 * has refunded (a failure there is the webhook's to repair). */
static enum mq_status send_refund(struct mq_ctx *c, struct mq_pay *g, const char *rid)
{
	const char *p[] = { rid }, *re, *status;
	struct mq_pay_answer ans;
	enum mq_status st;
	PGresult *row;

	if ((row = mq_db_q(c, &refund_row, 1, p)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(row) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No such refund.");
	const char *charge = PQgetvalue(row, 0, 5);
	const char *form[] = { "charge", charge, "amount", PQgetvalue(row, 0, 1),
			       "metadata[refund_id]", rid, NULL };
	mq_pay_post(g, "/v1/refunds", form, mq_arena_printf(c->arena, "marquee-refund-%s", rid), &ans);
	if (ans.status == MQ_PAY_REFUSED || ans.status == MQ_PAY_NOT_FOUND) {
		if ((st = record_answer(c, rid, "refused", NULL, ans.why)) != MQ_OK)
			return st;
		return mq_fail_field(c, MQ_INVALID, "amount", N_("The payment gateway refused the refund."),
				     mq_arena_printf(c->arena, mq_tr(c->lang, "The payment gateway refused the "
						     "refund (%s)."), ans.why));
	}
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	re = mq_pay_str(ans.json, "id");
	status = mq_pay_str(ans.json, "status");
	if (!mq_pay_id_ok(re) || !gateway_status_known(status))
		return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave an unusable refund.");
	if ((st = record_answer(c, rid, status, re, NULL)) != MQ_OK)
		return st;
	if (mq_sync_charge(c, g, charge) != MQ_OK) {
		mq_log_warn("payments: refund %s: the charge not read back: %s", re,
			    c->err.detail ? c->err.detail : "failed");
		c->err = (struct mq_error){ 0 };
	}
	return MQ_OK;
}

/* Why row (of take) made no refund: the status to answer. */
static enum mq_status refused(struct mq_ctx *c, PGresult *row, bool has_amount, int64_t amount)
{
	int64_t left = mq_row_int(row, 0, 2);

	if (strcmp(PQgetvalue(row, 0, 0), "paid") != 0 || PQgetisnull(row, 0, 1))
		return mq_fail_with(c, MQ_CONFLICT, NULL, "This payment was not made (the invoice is %s): "
				    "there is nothing to refund.", PQgetvalue(row, 0, 0));
	if (left <= 0)
		return mq_fail_field(c, MQ_INVALID, "amount", N_("Nothing is left to refund."),
				     N_("This payment was refunded in full."));
	if (has_amount && amount > left)
		return mq_fail_field(c, MQ_INVALID, "amount", N_("At most what is left to refund."),
				     mq_arena_printf(c->arena, mq_tr(c->lang, "At most %lld is left to refund."),
						     (long long)left));
	return mq_fail_with(c, MQ_CONFLICT, NULL, "A refund of this payment is in progress: try "
			    "again in a moment.");
}

enum mq_status mq_refund_create(struct mq_ctx *c, int64_t admin, int64_t invoice, bool has_amount,
				int64_t amount, struct json_object **out)
{
	const char *p[] = { mq_arena_int(c->arena, invoice),
			    has_amount ? mq_arena_int(c->arena, amount) : NULL,
			    mq_arena_int(c->arena, admin) }, *rid;
	struct json_object *pay;
	enum mq_status st;
	struct mq_pay *g;
	PGresult *row;

	if (!mq_pay_configured(c->cfg))
		return mq_fail_retry(c, 3600, "Payments are not configured on this server.");
	if ((g = mq_pay_open(c)) == NULL)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "libcurl did not start.");
	if ((row = mq_db_q(c, &take, 3, p)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(row) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No such payment.");
	if (!PQgetisnull(row, 0, 3)) {
		rid = PQgetvalue(row, 0, 3);
	} else if (!PQgetisnull(row, 0, 5)) {	/* unanswered: this is its retry */
		if (has_amount && amount != mq_row_int(row, 0, 6))
			return mq_fail_with(c, MQ_CONFLICT, NULL, "A refund of %s of this payment is not "
					    "answered yet: ask for it again (the same amount), then "
					    "for more.", PQgetvalue(row, 0, 6));
		rid = PQgetvalue(row, 0, 5);
	} else {
		return refused(c, row, has_amount, amount);
	}
	if ((st = send_refund(c, g, rid)) != MQ_OK)
		return st;
	const char *q[] = { rid };
	if ((row = mq_db_q(c, &refund_row, 1, q)) == NULL)
		return mq_db_failure(c);
	*out = mq_row_owned(c->arena, row);
	json_object_object_del(*out, "charge_id");
	if ((st = mq_refund_payment(c, invoice, &pay)) != MQ_OK)
		return st;
	json_object_object_add(*out, "payment", json_object_get(pay));
	return MQ_OK;
}

enum mq_status mq_refunds_resend(struct mq_ctx *c, struct mq_pay *g, int64_t *synced,
				 int64_t *failed)
{
	PGresult *res = mq_db_q(c, &unanswered, 0, NULL);

	if (res == NULL)
		return mq_db_failure(c);
	for (int i = 0; i < PQntuples(res); i++) {
		enum mq_status st = send_refund(c, g, PQgetvalue(res, i, 0));

		if (st == MQ_OK || st == MQ_INVALID) {	/* refused: answered too */
			++*synced;
		} else {
			++*failed;
			mq_log_warn("payments sync: refund %s: %s", PQgetvalue(res, i, 0),
				    c->err.detail ? c->err.detail : "failed");
		}
		c->err = (struct mq_error){ 0 };
	}
	return MQ_OK;
}

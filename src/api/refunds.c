/*
 * refunds.c: an administrator gives back a payment, or part of it: POST
 * /api/admin/payments/{id}/refund/ {amount?} (integer minor units; all
 * that is left when absent).  The same request again after a 502, 503 or
 * 504 is the same refund to the gateway (the Idempotency-Key is our
 * row's), never a second.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "payments/refunds.h"

/* POST /api/admin/payments/{id}/refund/ -> 201 {id, amount, currency, status, created_at, payment} */
mq_reply mq_admin_payments_refund(struct mq_req *r)
{
	static const char *const fields[] = { "amount", NULL };
	struct json_object *out;
	enum mq_status st;
	struct mq_form f;
	int64_t amount = 0;
	bool has_amount;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	has_amount = mq_form_has(&f, "amount");
	if (has_amount)
		mq_form_int(&f, "amount", MQ_REQUIRED, 1, INT64_MAX / 2, &amount);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	st = mq_refund_create(&r->ctx, r->user_id, mq_req_id(r, "id"), has_amount, amount, &out);
	if (st != MQ_OK)
		return mq_fail(r, st);
	mq_req_event(r, MQ_LOG_INFO, "payment_refunded", r->user_id, "payment",
		     mq_req_id_text(r, "id"), "amount",
		     json_object_get_string(json_object_object_get(out, "amount")), NULL);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 201, out);
}

/*
 * subscriptions.c: a user's subscription: POST /api/subscriptions/ {plan}
 * (a checkout at the gateway: its URL), GET (the current subscription and
 * the entitlements it gives), PUT {plan} (change plan: the gateway
 * prorates), DELETE (cancel at the period's end; ?immediately=true, for
 * administrators, now); GET /api/payments/ (the user's invoices); and the
 * gateway's webhook, POST /api/payments/webhook/, which no token
 * authenticates: only its signature.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "payments/events.h"
#include "payments/subscriptions.h"

/* {plan} from the body, or the 400 answered. */
static mq_reply read_plan(struct mq_req *r, int64_t *plan)
{
	static const char *const fields[] = { "plan", NULL };
	struct mq_form f;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	mq_form_int(&f, "plan", MQ_REQUIRED, 1, INT64_MAX, plan);
	return mq_form_end(&f);
}

static mq_reply answer(struct mq_req *r, int status, struct json_object *o)
{
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, status, o);
}

/* POST /api/subscriptions/ -> 201 {checkout_url, ...}; 200 for the open
 * checkout the user had for the plan. */
mq_reply mq_subscriptions_post(struct mq_req *r)
{
	struct json_object *out;
	enum mq_status st;
	bool created;
	int64_t plan;
	mq_reply rc;

	if (mq_done(rc = read_plan(r, &plan)))
		return rc;
	if ((st = mq_subs_checkout(&r->ctx, r->user_id, plan, &out, &created)) != MQ_OK)
		return mq_fail(r, st);
	if (created)
		mq_req_event(r, MQ_LOG_INFO, "checkout_created", r->user_id, "plan",
			     mq_arena_int(r->arena, plan), NULL);
	return answer(r, created ? 201 : 200, out);
}

/* GET /api/subscriptions/ */
mq_reply mq_subscriptions_get(struct mq_req *r)
{
	struct json_object *out;
	enum mq_status st;

	if ((st = mq_subs_current(&r->ctx, r->user_id, &out)) != MQ_OK)
		return mq_fail(r, st);
	return answer(r, 200, out);
}

/* PUT /api/subscriptions/ {plan} */
mq_reply mq_subscriptions_put(struct mq_req *r)
{
	struct json_object *out;
	enum mq_status st;
	int64_t plan;
	mq_reply rc;

	if (mq_done(rc = read_plan(r, &plan)))
		return rc;
	if ((st = mq_subs_change(&r->ctx, r->user_id, plan, &out)) != MQ_OK)
		return mq_fail(r, st);
	mq_req_event(r, MQ_LOG_INFO, "subscription_plan_changed", r->user_id, "plan",
		     mq_arena_int(r->arena, plan), NULL);
	return answer(r, 200, out);
}

/* DELETE /api/subscriptions/[?immediately=true] */
mq_reply mq_subscriptions_delete(struct mq_req *r)
{
	static const char *const allowed[] = { "immediately", NULL };
	const char *now = mq_query_get(&r->query, "immediately");
	struct json_object *out;
	enum mq_status st;
	bool immediately;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)))
		return rc;
	if (now && strcmp(now, "true") != 0 && strcmp(now, "false") != 0)
		return mq_problem_field(r, "immediately", "Must be true or false.");
	immediately = now && strcmp(now, "true") == 0;
	if (immediately && r->role != MQ_ROLE_ADMIN)
		return mq_problem(r, 403, "Only administrators cancel immediately; a subscription "
				  "is otherwise canceled at the end of its period.");
	if ((st = mq_subs_cancel(&r->ctx, r->user_id, immediately, &out)) != MQ_OK)
		return mq_fail(r, st);
	mq_req_event(r, MQ_LOG_INFO, "subscription_canceled", r->user_id, "when",
		     immediately ? "now" : "period_end", NULL);
	return answer(r, 200, out);
}

/* GET /api/payments/: the caller's invoices, newest first. */
mq_reply mq_payments_list(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", NULL };
	struct mq_pay_page out;
	enum mq_status st;
	struct mq_page p;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	if ((st = mq_subs_invoices(&r->ctx, r->user_id, p.size, p.offset, &out)) != MQ_OK)
		return mq_fail(r, st);
	return mq_page_respond(r, &p, out.count, out.results);
}

/* POST /api/payments/webhook/: 200 {received, duplicate} once the event
 * is recorded (processed after, by `marquee payments work`); 400 for a
 * delivery that is not genuine, with nothing written. */
mq_reply mq_payments_webhook(struct mq_req *r)
{
	struct json_object *out;
	const char *body;
	enum mq_status st;
	bool duplicate;
	size_t len;
	mq_reply rc;

	if (mq_done(rc = mq_req_body(r, &body, &len)))
		return rc;
	st = mq_events_receive(&r->ctx, mq_req_param(r, "HTTP_STRIPE_SIGNATURE"), body, len,
			       &duplicate);
	if (st != MQ_OK)
		return mq_fail(r, st);
	out = mq_json_object(r->arena);
	json_object_object_add(out, "received", json_object_new_boolean(true));
	json_object_object_add(out, "duplicate", json_object_new_boolean(duplicate));
	return answer(r, 200, out);
}

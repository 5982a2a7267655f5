/*
 * subscriptions.c: checkouts, plan changes, cancellations, invoices and
 * entitlements of a user (see subscriptions.h).
 */
#include "payments/subscriptions.h"

#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/payments.h"
#include "payments/sync.h"

#define NOT_OVER "s.status NOT IN ('canceled', 'incomplete_expired')"

/* The plan's columns as plans.c shows them, after the subscription's. */
#define SUB_COLUMNS \
	"s.id, s.status, rfc3339(s.current_period_start) AS current_period_start, " \
	"rfc3339(s.current_period_end) AS current_period_end, s.cancel_at_period_end, " \
	"rfc3339(s.canceled_at) AS canceled_at, " \
	"rfc3339(s.past_due_since + $2::interval) AS grace_until, " \
	"subscription_entitled(s.status, s.past_due_since, $2::interval) AS entitled, " \
	"rfc3339(s.created_at) AS created_at, " \
	"p.id, p.name, p.description, p.billing_interval AS \"interval\", p.price, p.currency, " \
	"to_json(p.features) AS features, p.archived_at IS NOT NULL AS archived "
#define NSUB_COLUMNS 9

static struct mq_stmt current = MQ_STMT_READ(
	"SELECT " SUB_COLUMNS ", s.gateway_id, s.plan_id "
	"FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.user_id = $1 "
	"ORDER BY " NOT_OVER " DESC, s.created_at DESC, s.id DESC LIMIT 1");

static struct mq_stmt customer = MQ_STMT_READ(
	"SELECT pc.gateway_id, u.email FROM users u "
	"LEFT JOIN payment_customers pc ON pc.user_id = u.id WHERE u.id = $1");

static struct mq_stmt customer_add = MQ_STMT(
	"INSERT INTO payment_customers (user_id, gateway_id) VALUES ($1, $2) "
	"ON CONFLICT (user_id) DO UPDATE SET gateway_id = payment_customers.gateway_id "
	"RETURNING gateway_id");

/* Pending requests of the kind that are not this one (another plan or
 * subscription), or too old to reuse, are given up. */
static struct mq_stmt request_close_others = MQ_STMT(
	"UPDATE payment_requests SET status = 'failed', finished_at = now() "
	"WHERE user_id = $1 AND kind = $2 AND status = 'pending' "
	"AND (plan_id IS DISTINCT FROM $3::bigint OR subscription_id IS DISTINCT FROM $4::bigint "
	"     OR created_at < now() - interval '1 day' OR expires_at <= now())");

static struct mq_stmt request_take = MQ_STMT(
	"WITH ins AS (INSERT INTO payment_requests (user_id, kind, plan_id, subscription_id) "
	"             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING "
	"             RETURNING id, gateway_id, url, rfc3339(expires_at) AS expires_at) "
	"SELECT * FROM ins UNION ALL "
	"SELECT id, gateway_id, url, rfc3339(expires_at) FROM payment_requests "
	"WHERE user_id = $1 AND kind = $2 AND status = 'pending' AND NOT EXISTS (SELECT 1 FROM ins)");

static struct mq_stmt request_session = MQ_STMT(
	"UPDATE payment_requests SET gateway_id = $2, url = $3, expires_at = to_timestamp($4::bigint) "
	"WHERE id = $1 RETURNING rfc3339(expires_at)");

static struct mq_stmt request_done = MQ_STMT(
	"UPDATE payment_requests SET status = 'done', finished_at = now() WHERE id = $1");

static struct mq_stmt invoices = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, " MQ_PAYMENT_COLUMNS
	"WHERE i.user_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT $2 OFFSET $3");

static struct mq_stmt entitled = MQ_STMT_READ(
	"SELECT EXISTS (SELECT 1 FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
	"               WHERE s.user_id = $1 AND $2 = ANY (p.features) "
	"               AND subscription_entitled(s.status, s.past_due_since, $3::interval)), "
	"  (SELECT json_build_object('id', id, 'name', name) FROM plans "
	"   WHERE archived_at IS NULL AND $2 = ANY (features) ORDER BY price, id LIMIT 1)");

static const char *grace(struct mq_ctx *c)
{
	return mq_arena_printf(c->arena, "%d milliseconds", c->cfg->pay_grace_ms);
}

static enum mq_status unconfigured(struct mq_ctx *c)
{
	return mq_fail_retry(c, 3600, "Payments are not configured on this server.");
}

/* The user's current subscription row (SUB_COLUMNS, gateway id, plan
 * id), or a result without rows. */
static PGresult *current_row(struct mq_ctx *c, int64_t user)
{
	const char *p[] = { mq_arena_int(c->arena, user), grace(c) };

	return mq_db_q(c, &current, 2, p);
}

static bool row_not_over(PGresult *res)
{
	return PQntuples(res) && !mq_sub_status_final(PQgetvalue(res, 0, 1));
}

static struct json_object *view(struct mq_ctx *c, PGresult *res)
{
	struct json_object *out = mq_json_object(c->arena), *sub, *plan, *features;
	bool ok;

	if (PQntuples(res) == 0) {
		json_object_object_add(out, "subscription", NULL);
		json_object_object_add(out, "entitlements", json_object_new_array());
		return out;
	}
	sub = mq_row_columns(res, 0, 0, NSUB_COLUMNS);
	plan = mq_row_columns(res, 0, NSUB_COLUMNS, PQnfields(res) - 2);
	ok = PQgetvalue(res, 0, 7)[0] == 't';
	json_object_object_add(sub, "plan", plan);
	json_object_object_add(out, "subscription", sub);
	features = json_object_object_get(plan, "features");
	json_object_object_add(out, "entitlements",
			       ok ? json_object_get(features) : json_object_new_array());
	return out;
}

enum mq_status mq_subs_current(struct mq_ctx *c, int64_t user, struct json_object **out)
{
	PGresult *res = current_row(c, user);

	if (res == NULL)
		return mq_db_failure(c);
	*out = view(c, res);
	return MQ_OK;
}

/* The user's customer at the gateway, made once (the key is the user's). */
static enum mq_status ensure_customer(struct mq_ctx *c, struct mq_pay *g, int64_t user,
				      const char **id)
{
	const char *uid = mq_arena_int(c->arena, user);
	const char *p[] = { uid };
	struct mq_pay_answer ans;
	PGresult *res = mq_db_q(c, &customer, 1, p);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No such user.");
	if (!PQgetisnull(res, 0, 0)) {
		*id = PQgetvalue(res, 0, 0);
		return MQ_OK;
	}
	const char *form[] = { "email", PQgetvalue(res, 0, 1), "metadata[user_id]", uid, NULL };
	mq_pay_post(g, "/v1/customers", form, mq_arena_printf(c->arena, "marquee-customer-%s", uid),
		    &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	const char *q[] = { uid, mq_pay_str(ans.json, "id") };
	if (!mq_pay_id_ok(q[1]))
		return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave a customer without an id.");
	if ((res = mq_db_q(c, &customer_add, 2, q)) == NULL)
		return mq_db_failure(c);
	*id = PQgetvalue(res, 0, 0);
	return MQ_OK;
}

/* The pending request of kind (for plan and sub, either NULL) as a row:
 * id, gateway_id, url, expires_at; reused when one is in flight. */
static enum mq_status take_request(struct mq_ctx *c, int64_t user, const char *kind,
				   const char *plan, const char *sub, PGresult **row)
{
	const char *p[] = { mq_arena_int(c->arena, user), kind, plan, sub };

	if (mq_db_q(c, &request_close_others, 4, p) == NULL ||
	    (*row = mq_db_q(c, &request_take, 4, p)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(*row) == 0)	/* taken by a concurrent request, not yet committed */
		return mq_fail_with(c, MQ_CONFLICT, NULL, "A request of yours for this is in "
				    "progress: try again in a moment.");
	return MQ_OK;
}

static const char *back_url(struct mq_ctx *c, const char *configured, const char *outcome)
{
	const struct mq_config *cfg = c->cfg;
	const char *base = *cfg->mail_link_base ? cfg->mail_link_base
			   : *cfg->public_url ? cfg->public_url : c->origin;

	if (*configured)
		return configured;
	return mq_arena_printf(c->arena, "%s/account/subscription?checkout=%s", base, outcome);
}

/* Makes the checkout session of request row (its id the key). */
static enum mq_status open_session(struct mq_ctx *c, struct mq_pay *g, PGresult *row,
				   const char *customer_id, const char *price, const char *uid,
				   struct json_object *out)
{
	const char *rid = PQgetvalue(row, 0, 0), *url, *sid;
	struct mq_pay_answer ans;
	int64_t expires;
	PGresult *res;

	const char *form[] = { "mode", "subscription", "customer", customer_id,
			       "line_items[0][price]", price, "line_items[0][quantity]", "1",
			       "success_url", back_url(c, c->cfg->pay_success_url, "success"),
			       "cancel_url", back_url(c, c->cfg->pay_cancel_url, "canceled"),
			       "client_reference_id", rid, "metadata[request_id]", rid,
			       "subscription_data[metadata][user_id]", uid, NULL };
	mq_pay_post(g, "/v1/checkout/sessions", form,
		    mq_arena_printf(c->arena, "marquee-request-%s", rid), &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	sid = mq_pay_str(ans.json, "id");
	url = mq_pay_str(ans.json, "url");
	if (!mq_pay_id_ok(sid) || url == NULL || strncmp(url, "http", 4) != 0 ||
	    !mq_pay_int(ans.json, "expires_at", &expires))
		return mq_fail_with(c, MQ_BAD_GATEWAY, NULL,
				    "The payment gateway gave a checkout session without an id, URL or expiry.");
	const char *p[] = { rid, sid, url, mq_arena_int(c->arena, expires) };
	if ((res = mq_db_q(c, &request_session, 4, p)) == NULL)
		return mq_db_failure(c);
	mq_json_add_str(out, "checkout_url", url);
	mq_json_add_str(out, "checkout_id", sid);
	mq_json_add_str(out, "expires_at", PQgetvalue(res, 0, 0));
	return MQ_OK;
}

enum mq_status mq_subs_checkout(struct mq_ctx *c, int64_t user, int64_t plan,
				struct json_object **out, bool *created)
{
	const char *price, *cust, *uid = mq_arena_int(c->arena, user);
	struct json_object *plan_obj;
	struct mq_pay *g;
	enum mq_status st;
	PGresult *res, *row;

	if (!mq_pay_configured(c->cfg))
		return unconfigured(c);
	if ((res = current_row(c, user)) == NULL)
		return mq_db_failure(c);
	if (row_not_over(res))
		return mq_fail_with(c, MQ_CONFLICT, NULL, "You have a subscription (%s): change its "
				    "plan with PUT /api/subscriptions/.", PQgetvalue(res, 0, 1));
	if ((st = mq_plan_gateway_price(c, plan, &price)) != MQ_OK ||
	    (st = mq_plan_get(c, plan, &plan_obj)) != MQ_OK)
		return st;
	if ((g = mq_pay_open(c)) == NULL)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "libcurl did not start.");
	if ((st = ensure_customer(c, g, user, &cust)) != MQ_OK ||
	    (st = take_request(c, user, "checkout", mq_arena_int(c->arena, plan), NULL, &row)) != MQ_OK)
		return st;
	*out = mq_json_object(c->arena);
	*created = PQgetisnull(row, 0, 2);
	if (!*created) {	/* an open session of this request: the same page again */
		mq_json_add_str(*out, "checkout_url", PQgetvalue(row, 0, 2));
		mq_json_add_str(*out, "checkout_id", PQgetvalue(row, 0, 1));
		mq_json_add_str(*out, "expires_at", PQgetvalue(row, 0, 3));
	} else if ((st = open_session(c, g, row, cust, price, uid, *out)) != MQ_OK) {
		return st;
	}
	json_object_object_add(*out, "plan", json_object_get(plan_obj));
	return MQ_OK;
}

/* Sends the request (row) for the subscription with gateway id gid, and
 * writes the subscription the gateway answers with. */
static enum mq_status send_change(struct mq_ctx *c, struct mq_pay *g, PGresult *row,
				  const char *gid, const char *const *form, bool delete)
{
	const char *key = mq_arena_printf(c->arena, "marquee-request-%s", PQgetvalue(row, 0, 0));
	const char *path = mq_arena_printf(c->arena, "/v1/subscriptions/%s", gid);
	struct mq_pay_answer ans;
	enum mq_status st;

	if (delete)
		mq_pay_delete(g, path, key, &ans);
	else
		mq_pay_post(g, path, form, key, &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	if ((st = mq_sync_apply_subscription(c, ans.json)) != MQ_OK)
		return st;
	const char *p[] = { PQgetvalue(row, 0, 0) };
	if (mq_db_q(c, &request_done, 1, p) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

/* The user's subscription that is not over (row of current_row), with a
 * handle for the gateway; MQ_NOT_FOUND when there is none. */
static enum mq_status open_sub(struct mq_ctx *c, int64_t user, PGresult **res, struct mq_pay **g)
{
	if (!mq_pay_configured(c->cfg))
		return unconfigured(c);
	if ((*res = current_row(c, user)) == NULL)
		return mq_db_failure(c);
	if (!row_not_over(*res))
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "You have no subscription.");
	if ((*g = mq_pay_open(c)) == NULL)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "libcurl did not start.");
	return MQ_OK;
}

/* The id of the subscription's first item, read from the gateway. */
static enum mq_status first_item(struct mq_ctx *c, struct mq_pay *g, const char *gid,
				 const char **item)
{
	struct json_object *items, *data;
	struct mq_pay_answer ans;

	mq_pay_get(g, mq_arena_printf(c->arena, "/v1/subscriptions/%s", gid), NULL, &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	if (!json_object_object_get_ex(ans.json, "items", &items) ||
	    !json_object_object_get_ex(items, "data", &data) ||
	    !json_object_is_type(data, json_type_array) || json_object_array_length(data) < 1 ||
	    !mq_pay_id_ok(*item = mq_pay_str(json_object_array_get_idx(data, 0), "id")))
		return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave a subscription without items.");
	return MQ_OK;
}

enum mq_status mq_subs_change(struct mq_ctx *c, int64_t user, int64_t plan,
			      struct json_object **out)
{
	struct json_object *plan_obj, *cur;
	const char *price, *item, *gid;
	PGresult *res, *row;
	struct mq_pay *g;
	enum mq_status st;

	if ((st = open_sub(c, user, &res, &g)) != MQ_OK)
		return st;
	gid = PQgetvalue(res, 0, PQnfields(res) - 2);
	if (mq_row_int(res, 0, PQnfields(res) - 1) == plan)
		return mq_fail_field(c, MQ_CONFLICT, "plan", N_("Your subscription has this plan."),
				     N_("Your subscription has this plan."));
	if ((st = mq_plan_get(c, plan, &plan_obj)) != MQ_OK ||
	    (st = mq_plan_gateway_price(c, plan, &price)) != MQ_OK)
		return st;
	cur = mq_row_columns(res, 0, NSUB_COLUMNS, PQnfields(res) - 2);
	if (strcmp(json_object_get_string(json_object_object_get(cur, "currency")),
		   json_object_get_string(json_object_object_get(plan_obj, "currency"))) != 0) {
		json_object_put(cur);
		return mq_fail_field(c, MQ_CONFLICT, "plan", N_("This plan is in another currency: cancel, "
				     "then subscribe to it."), N_("This plan is in another currency."));
	}
	json_object_put(cur);
	if ((st = take_request(c, user, "change", mq_arena_int(c->arena, plan),
			       PQgetvalue(res, 0, 0), &row)) != MQ_OK ||
	    (st = first_item(c, g, gid, &item)) != MQ_OK)
		return st;
	const char *form[] = { "items[0][id]", item, "items[0][price]", price,
			       "proration_behavior", "create_prorations", NULL };
	if ((st = send_change(c, g, row, gid, form, false)) != MQ_OK)
		return st;
	return mq_subs_current(c, user, out);
}

enum mq_status mq_subs_cancel(struct mq_ctx *c, int64_t user, bool immediately,
			      struct json_object **out)
{
	static const char *const form[] = { "cancel_at_period_end", "true", NULL };
	PGresult *res, *row;
	struct mq_pay *g;
	enum mq_status st;

	if ((st = open_sub(c, user, &res, &g)) != MQ_OK)
		return st;
	if ((st = take_request(c, user, immediately ? "cancel_now" : "cancel", NULL,
			       PQgetvalue(res, 0, 0), &row)) != MQ_OK)
		return st;
	if ((st = send_change(c, g, row, PQgetvalue(res, 0, PQnfields(res) - 2), form,
			      immediately)) != MQ_OK)
		return st;
	return mq_subs_current(c, user, out);
}

enum mq_status mq_subs_invoices(struct mq_ctx *c, int64_t user, int64_t limit, int64_t offset,
				struct mq_pay_page *out)
{
	const char *p[] = { mq_arena_int(c->arena, user), mq_arena_int(c->arena, limit),
			    mq_arena_int(c->arena, offset) };

	return mq_pay_page_of(c, mq_db_q(c, &invoices, 3, p), out);
}

enum mq_status mq_subs_entitled(struct mq_ctx *c, int64_t user, const char *feature, bool *ok,
				struct json_object **plan)
{
	const char *p[] = { mq_arena_int(c->arena, user), feature, grace(c) };
	PGresult *res = mq_db_q(c, &entitled, 3, p);
	const char *err;

	if (res == NULL)
		return mq_db_failure(c);
	*ok = PQgetvalue(res, 0, 0)[0] == 't';
	*plan = NULL;
	if (!PQgetisnull(res, 0, 1))
		mq_json_parse(c->arena, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1), 4, plan, &err);
	return MQ_OK;
}

/*
 * plans.c: plans and their prices at the gateway (see plans.h).
 */
#include "payments/plans.h"

#include <ctype.h>

#include "core/arena.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/payments.h"

#define PLAN_COLUMNS \
	"p.id, p.name, p.description, p.billing_interval AS \"interval\", p.price, p.currency, " \
	"to_json(p.features) AS features, p.archived_at IS NOT NULL AS archived "

static struct mq_stmt list = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, " PLAN_COLUMNS "FROM plans p "
	"WHERE p.archived_at IS NULL ORDER BY p.price, p.id LIMIT $1 OFFSET $2");

static struct mq_stmt one = MQ_STMT_READ("SELECT " PLAN_COLUMNS "FROM plans p WHERE p.id = $1");

static struct mq_stmt create = MQ_STMT(
	"INSERT INTO plans AS p (name, description, billing_interval, price, currency, features) "
	"VALUES ($1, $2, $3, $4, $5, $6::text[]) RETURNING " PLAN_COLUMNS);

static struct mq_stmt update = MQ_STMT(
	"UPDATE plans p SET name = $2, description = $3, billing_interval = $4, price = $5, "
	"  currency = $6, features = $7::text[], updated_at = now() "
	"WHERE p.id = $1 RETURNING " PLAN_COLUMNS);

/* Deleted when no subscription ever named it, else archived. */
static struct mq_stmt remove_plan = MQ_STMT(
	"WITH used AS (SELECT EXISTS (SELECT 1 FROM subscriptions WHERE plan_id = $1) "
	"              OR EXISTS (SELECT 1 FROM payment_requests WHERE plan_id = $1) AS used), "
	"gone AS (DELETE FROM plans WHERE id = $1 AND NOT (SELECT used FROM used) RETURNING id), "
	"kept AS (UPDATE plans p SET archived_at = coalesce(archived_at, now()) "
	"         WHERE p.id = $1 AND (SELECT used FROM used) RETURNING " PLAN_COLUMNS ") "
	"SELECT (SELECT count(*) FROM gone) AS deleted, kept.* FROM (SELECT 1) one "
	"LEFT JOIN kept ON true");

static struct mq_stmt price_of = MQ_STMT_READ(
	"SELECT pp.gateway_id, p.price, p.currency, p.billing_interval, p.name "
	"FROM plans p LEFT JOIN plan_prices pp ON pp.plan_id = p.id AND pp.price = p.price "
	"  AND pp.currency = p.currency AND pp.billing_interval = p.billing_interval "
	"WHERE p.id = $1 AND p.archived_at IS NULL");

static struct mq_stmt price_add = MQ_STMT(
	"INSERT INTO plan_prices (gateway_id, plan_id, price, currency, billing_interval) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING");

static void put(void *o)
{
	json_object_put(o);
}

/* o, now owned by the arena. */
static struct json_object *owned(struct mq_arena *a, struct json_object *o)
{
	mq_arena_defer(a, put, o);
	return o;
}

bool mq_plan_feature_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n > 0 && n <= 40 && s[n] == '\0';
}

enum mq_status mq_plans_list_page(struct mq_ctx *c, int64_t limit, int64_t offset,
			     struct mq_pay_page *out)
{
	const char *p[] = { mq_arena_int(c->arena, limit), mq_arena_int(c->arena, offset) };

	return mq_pay_page_of(c, mq_db_q(c, &list, 2, p), out);
}

enum mq_status mq_pay_page_of(struct mq_ctx *c, PGresult *res, struct mq_pay_page *out)
{
	if (res == NULL)
		return mq_db_failure(c);
	out->count = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	out->results = mq_json_array(c->arena);
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(out->results, mq_row_columns(res, i, 1, PQnfields(res)));
	return MQ_OK;
}

static enum mq_status one_plan(struct mq_ctx *c, PGresult *res, int64_t id, struct json_object **out)
{
	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No plan with id %lld.", (long long)id);
	*out = mq_row_owned(c->arena, res);
	return MQ_OK;
}

enum mq_status mq_plan_get(struct mq_ctx *c, int64_t id, struct json_object **out)
{
	const char *p[] = { mq_arena_int(c->arena, id) };

	return one_plan(c, mq_db_q(c, &one, 1, p), id, out);
}

static enum mq_status name_taken(struct mq_ctx *c, enum mq_status st)
{
	if (st == MQ_CONFLICT)
		return mq_fail_field(c, MQ_CONFLICT, "name", N_("A plan on offer has this name."),
				     N_("A plan on offer has this name."));
	return st;
}

enum mq_status mq_plan_create(struct mq_ctx *c, const struct mq_plan_input *in,
			      struct json_object **out)
{
	const char *p[] = { in->name, in->description, in->interval,
			    mq_arena_int(c->arena, in->price), in->currency,
			    mq_db_text_array(c->arena, in->features, in->nfeatures) };
	PGresult *res = mq_db_q(c, &create, 6, p);

	if (res == NULL)
		return name_taken(c, mq_db_failure(c));
	*out = mq_row_owned(c->arena, res);
	return MQ_OK;
}

enum mq_status mq_plan_update(struct mq_ctx *c, int64_t id, const struct mq_plan_input *in,
			      struct json_object **out)
{
	struct json_object *old, *archived;
	enum mq_status st;

	if ((st = mq_plan_get(c, id, &old)) != MQ_OK)
		return st;
	if (json_object_object_get_ex(old, "archived", &archived) && json_object_get_boolean(archived))
		return mq_fail_with(c, MQ_CONFLICT, NULL, "Plan %lld is archived.", (long long)id);
	const char *p[] = { mq_arena_int(c->arena, id), in->name, in->description, in->interval,
			    mq_arena_int(c->arena, in->price), in->currency,
			    mq_db_text_array(c->arena, in->features, in->nfeatures) };
	PGresult *res = mq_db_q(c, &update, 7, p);

	if (res == NULL)
		return name_taken(c, mq_db_failure(c));
	return one_plan(c, res, id, out);
}

enum mq_status mq_plan_delete(struct mq_ctx *c, int64_t id, bool *archived,
			      struct json_object **out)
{
	const char *p[] = { mq_arena_int(c->arena, id) };
	PGresult *res = mq_db_q(c, &remove_plan, 1, p);

	if (res == NULL)
		return mq_db_failure(c);
	*archived = !PQgetisnull(res, 0, 1);
	if (!*archived && mq_row_int(res, 0, 0) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No plan with id %lld.", (long long)id);
	*out = *archived ? owned(c->arena, mq_row_columns(res, 0, 1, PQnfields(res))) : NULL;
	return MQ_OK;
}

static const char *lower(struct mq_arena *a, const char *s)
{
	char *l = mq_arena_strdup(a, s);

	for (char *q = l; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return l;
}

enum mq_status mq_plan_gateway_price(struct mq_ctx *c, int64_t plan, const char **price_id)
{
	const char *id = mq_arena_int(c->arena, plan);
	const char *p[] = { id };
	struct mq_pay_answer ans;
	const char *gid;
	PGresult *res = mq_db_q(c, &price_of, 1, p);
	struct mq_pay *g;

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_field(c, MQ_NOT_FOUND, "plan", N_("No plan on offer has this id."),
				     N_("No plan on offer has this id."));
	if (!PQgetisnull(res, 0, 0)) {
		*price_id = PQgetvalue(res, 0, 0);
		return MQ_OK;
	}
	const char *amount = PQgetvalue(res, 0, 1), *currency = PQgetvalue(res, 0, 2);
	const char *interval = PQgetvalue(res, 0, 3);
	const char *form[] = { "currency", lower(c->arena, currency), "unit_amount", amount,
			       "recurring[interval]", interval, "product_data[name]", PQgetvalue(res, 0, 4),
			       "metadata[plan_id]", id, NULL };
	if ((g = mq_pay_open(c)) == NULL)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "libcurl did not start.");
	mq_pay_post(g, "/v1/prices", form,
		    mq_arena_printf(c->arena, "marquee-plan-%s-%s-%s-%s", id, amount, currency, interval),
		    &ans);
	if (ans.status != MQ_PAY_OK)
		return mq_pay_failure(c, &ans);
	if (!mq_pay_id_ok(gid = mq_pay_str(ans.json, "id")))
		return mq_fail_with(c, MQ_BAD_GATEWAY, NULL, "The payment gateway gave a price without an id.");
	const char *q[] = { gid, id, amount, currency, interval };
	if (mq_db_q(c, &price_add, 5, q) == NULL)
		return mq_db_failure(c);
	*price_id = gid;
	return MQ_OK;
}

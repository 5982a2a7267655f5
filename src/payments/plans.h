/*
 * plans.h: what people may subscribe to (GET /api/plans/, admin
 * POST/PUT/DELETE /api/admin/plans/), and the gateway's price of each.
 *
 * A plan: {id, name, description, interval ("month" | "year"), price (an
 * integer of minor units: 499 is 4.99), currency (ISO 4217, "EUR"),
 * features (the entitlements it gives: ["premium_media", ...]),
 * archived}.  Money is never a float anywhere: an int64 here, a bigint
 * in the database, an integer in JSON.
 */
#ifndef MQ_PAYMENTS_PLANS_H
#define MQ_PAYMENTS_PLANS_H

#include <json-c/json.h>

#include <libpq-fe.h>

#include "core/ctx.h"

struct mq_plan_input {
	const char *name;
	const char *description;	/* "" when not given */
	const char *interval;		/* "month" | "year" */
	int64_t price;			/* minor units, > 0 */
	const char *currency;		/* three capital letters */
	const char *const *features;	/* NULL-terminated */
	size_t nfeatures;
};

struct mq_pay_page {
	int64_t count;
	struct json_object *results;	/* an array, owned by the arena */
};

/* The page of res (its first column the total count, the rest a row's
 * members) into out; res NULL: the database's failure. */
enum mq_status mq_pay_page_of(struct mq_ctx *c, PGresult *res, struct mq_pay_page *out);

/* The plans on offer (not archived), cheapest first. */
enum mq_status mq_plans_list_page(struct mq_ctx *c, int64_t limit, int64_t offset,
			     struct mq_pay_page *out);

/* One plan as an object (arena) into *out; archived ones too.
 * MQ_NOT_FOUND when there is none. */
enum mq_status mq_plan_get(struct mq_ctx *c, int64_t id, struct json_object **out);

/* Creates a plan; MQ_CONFLICT when a plan on offer has its name. */
enum mq_status mq_plan_create(struct mq_ctx *c, const struct mq_plan_input *in,
			      struct json_object **out);

/* Replaces a plan's terms.  Subscriptions keep the price they have (the
 * gateway's price of the old terms); new ones get the new.  MQ_NOT_FOUND,
 * MQ_CONFLICT (its name is taken, or it is archived). */
enum mq_status mq_plan_update(struct mq_ctx *c, int64_t id, const struct mq_plan_input *in,
			      struct json_object **out);

/* Deletes a plan nobody ever subscribed to; archives one with
 * subscriptions (*archived true, *out the plan).  MQ_NOT_FOUND. */
enum mq_status mq_plan_delete(struct mq_ctx *c, int64_t id, bool *archived,
			      struct json_object **out);

/* The gateway's price id for plan's current terms into *price_id,
 * creating it at the gateway (Idempotency-Key from the plan and its
 * terms) when it has none yet.  MQ_NOT_FOUND for a plan not on offer. */
enum mq_status mq_plan_gateway_price(struct mq_ctx *c, int64_t plan, const char **price_id);

/* A feature name as plans take them: 1 to 40 of [a-z0-9_]. */
bool mq_plan_feature_ok(const char *s);

#endif

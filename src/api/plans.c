/*
 * plans.c: GET /api/plans/ (public: the plans on offer) and the
 * administrators' POST /api/admin/plans/, PUT and DELETE
 * /api/admin/plans/{id}/ (a plan with subscribers is archived, not
 * deleted: 200 with it, archived; 204 when it went).
 *
 * Prices are integers of minor units: a float (4.99) is a 400, never
 * rounded.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "payments/plans.h"

#define FEATURES_MAX 20

static const char *const intervals[] = { "month", "year", NULL };

/* The features array: each a feature name, none twice. */
static void read_features(struct mq_form *f, struct mq_plan_input *in)
{
	struct json_object *a;
	const char **list;
	size_t n;
	static const char *const none[] = { NULL };

	in->features = none;
	in->nfeatures = 0;
	if (!json_object_object_get_ex(f->body, "features", &a))
		return;
	if (!json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) > FEATURES_MAX) {
		mq_form_error(f, "features", "Must be an array of at most %d feature names.",
			      FEATURES_MAX);
		return;
	}
	list = mq_arena_calloc(f->r->arena, n + 1, sizeof(*list));
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";

		if (!mq_plan_feature_ok(s) || mq_form_listed(list, s)) {
			mq_form_error(f, "features", "Each is a distinct name of 1 to 40 of a-z, "
				      "0-9 and _.");
			return;
		}
		list[i] = s;
	}
	in->features = list;
	in->nfeatures = n;
}

/* A plan's terms from the body, or the 400 answered. */
static mq_reply read_plan(struct mq_req *r, struct mq_plan_input *in)
{
	static const char *const fields[] = { "name", "description", "interval", "price",
					      "currency", "features", NULL };
	static const char *const read_only[] = { "id", "archived", NULL };
	struct mq_form f;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	in->name = mq_form_string(&f, "name", MQ_REQUIRED, 1, 80);
	in->description = mq_form_string(&f, "description", MQ_OPTIONAL, 0, 1000);
	if (in->description == NULL)
		in->description = "";
	in->interval = mq_form_enum(&f, "interval", MQ_REQUIRED, intervals);
	mq_form_int(&f, "price", MQ_REQUIRED, 1, 100000000, &in->price);
	in->currency = mq_form_string(&f, "currency", MQ_REQUIRED, 3, 3);
	if (in->currency && strspn(in->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		mq_form_error(&f, "currency", "Must be an ISO 4217 code in capitals, such as EUR.");
	read_features(&f, in);
	return mq_form_end(&f);
}

/* GET /api/plans/ */
mq_reply mq_plans_list(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", NULL };
	struct mq_pay_page out;
	enum mq_status st;
	struct mq_page p;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	if ((st = mq_plans_list_page(&r->ctx, p.size, p.offset, &out)) != MQ_OK)
		return mq_fail(r, st);
	return mq_page_respond(r, &p, out.count, out.results);
}

/* POST /api/admin/plans/ -> 201 the plan */
mq_reply mq_admin_plans_create(struct mq_req *r)
{
	struct mq_plan_input in;
	struct json_object *out;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = read_plan(r, &in)))
		return rc;
	if ((st = mq_plan_create(&r->ctx, &in, &out)) != MQ_OK)
		return mq_fail(r, st);
	mq_req_event(r, MQ_LOG_INFO, "plan_created", r->user_id, "plan",
		     json_object_get_string(json_object_object_get(out, "id")), NULL);
	mq_resp_header(r, "Location", mq_arena_printf(r->arena, "/api/admin/plans/%s/",
						      json_object_get_string(json_object_object_get(out, "id"))));
	return mq_respond_json(r, 201, out);
}

/* PUT /api/admin/plans/{id}/ -> the plan */
mq_reply mq_admin_plans_put(struct mq_req *r)
{
	struct mq_plan_input in;
	struct json_object *out;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = read_plan(r, &in)))
		return rc;
	if ((st = mq_plan_update(&r->ctx, mq_req_id(r, "id"), &in, &out)) != MQ_OK)
		return mq_fail(r, st);
	mq_req_event(r, MQ_LOG_INFO, "plan_changed", r->user_id, "plan", mq_req_id_text(r, "id"), NULL);
	return mq_respond_json(r, 200, out);
}

/* DELETE /api/admin/plans/{id}/ -> 204, or 200 with the plan archived */
mq_reply mq_admin_plans_delete(struct mq_req *r)
{
	struct json_object *out;
	enum mq_status st;
	bool archived;

	if ((st = mq_plan_delete(&r->ctx, mq_req_id(r, "id"), &archived, &out)) != MQ_OK)
		return mq_fail(r, st);
	mq_req_event(r, MQ_LOG_INFO, archived ? "plan_archived" : "plan_deleted", r->user_id, "plan",
		     mq_req_id_text(r, "id"), NULL);
	return archived ? mq_respond_json(r, 200, out) : mq_respond(r, 204, NULL, NULL, 0);
}

/*
 * services.c: the streaming services a user has: GET and PUT
 * /api/users/me/services/ ({"providers": [TMDb provider ids]}), which
 * available_on=mine of the movie lists means.  The domain: src/watch/.
 */
#include "core/buf.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "watch/providers.h"
#include "watch/services.h"

static mq_reply show(struct mq_req *r)
{
	struct json_object *out;
	const char *region;
	enum mq_status st;

	if ((st = mq_watch_region(&r->ctx, r->user_id, NULL, &region)) != MQ_OK ||
	    (st = mq_services_list(&r->ctx, r->user_id, region, &out)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond_json(r, 200, out);
}

/* GET /api/users/me/services/ */
mq_reply mq_services_get(struct mq_req *r)
{
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })))
		return rc;
	return show(r);
}

/* providers: distinct provider ids (1 .. 2^31-1), at most
 * MQ_SERVICES_MAX, as an int[] literal; NULL after recording the error. */
static const char *read_ids(struct mq_form *f)
{
	struct json_object *v;
	struct mq_buf b;
	size_t n;

	if (!json_object_object_get_ex(f->body, "providers", &v)) {
		mq_form_error(f, "providers", "This field is required.");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_array) || (n = json_object_array_length(v)) > MQ_SERVICES_MAX) {
		mq_form_error(f, "providers", "Must be a list of at most %d provider ids.", MQ_SERVICES_MAX);
		return NULL;
	}
	mq_buf_init(&b, f->r->arena, 16 + 12 * n);
	mq_buf_puts(&b, "{");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		int64_t id = json_object_is_type(e, json_type_int) ? json_object_get_int64(e) : 0;

		for (size_t k = 0; id > 0 && k < i; k++)
			if (json_object_get_int64(json_object_array_get_idx(v, k)) == id) {
				mq_form_error(f, "providers", "Provider %lld is listed twice.", (long long)id);
				return NULL;
			}
		if (id < 1 || id > INT32_MAX) {
			mq_form_error(f, "providers", "Each must be a provider id (a whole number from 1).");
			return NULL;
		}
		mq_buf_printf(&b, "%s%lld", i ? "," : "", (long long)id);
	}
	mq_buf_puts(&b, "}");
	return b.data;
}

/* PUT /api/users/me/services/ {"providers": [8, 337]}: the whole set. */
mq_reply mq_services_put(struct mq_req *r)
{
	static const char *const fields[] = { "providers", NULL };
	static const char *const read_only[] = { "region", NULL };
	const char *ids;
	struct mq_form f;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	ids = read_ids(&f);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_services_set(&r->ctx, r->user_id, ids)) != MQ_OK)
		return mq_fail(r, st);
	return show(r);
}

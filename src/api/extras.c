/*
 * extras.c: premium extras: GET /api/movies/{id}/extras/ (the caller's,
 * with URLs signed for a few minutes, or 403 naming the plan that unlocks
 * them), GET /api/extras/{id}/file/?expires=&sig= (the file, sent by nginx
 * through X-Accel-Redirect; the signed URL is the only credential, so it
 * works in a <video> element), and the administrators' POST
 * /api/admin/extras/ and DELETE /api/admin/extras/{id}/.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "payments/plans.h"
#include "payments/premium.h"

static const char *const types_note = N_("Must be a video/, audio/ or image/ type.");

/* GET /api/movies/{id}/extras/ */
mq_reply mq_movie_extras_list(struct mq_req *r)
{
	struct json_object *out, *plan, *extra;
	enum mq_status st;

	st = mq_extras_list(&r->ctx, r->user_id, mq_req_id(r, "id"), &out, &plan);
	if (st == MQ_FORBIDDEN) {
		extra = mq_json_object(r->arena);
		json_object_object_add(extra, "plan", plan ? json_object_get(plan) : NULL);
		return mq_problem_ext(r, 403, r->ctx.err.detail, extra);
	}
	if (st != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, out);
}

/* GET /api/extras/{id}/file/?expires=&sig= */
mq_reply mq_extras_file(struct mq_req *r)
{
	static const char *const allowed[] = { "expires", "sig", NULL };
	const char *path, *type;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)))
		return rc;
	st = mq_extras_open(&r->ctx, mq_req_id(r, "id"), mq_query_get(&r->query, "expires"),
			    mq_query_get(&r->query, "sig"), &path, &type);
	if (st != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "X-Accel-Redirect", path);
	mq_resp_header(r, "Cache-Control", "private, max-age=300");
	return mq_respond(r, 200, type, "", 0);
}

/* POST /api/admin/extras/ {movie, title, file, content_type, feature?} */
mq_reply mq_admin_extras_create(struct mq_req *r)
{
	static const char *const fields[] = { "movie", "title", "file", "content_type", "feature", NULL };
	struct mq_extra_input in = { 0 };
	struct json_object *out;
	enum mq_status st;
	struct mq_form f;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	mq_form_int(&f, "movie", MQ_REQUIRED, 1, INT64_MAX, &in.movie);
	in.title = mq_form_string(&f, "title", MQ_REQUIRED, 1, 200);
	in.file = mq_form_string(&f, "file", MQ_REQUIRED, 1, 300);
	in.content_type = mq_form_string(&f, "content_type", MQ_REQUIRED, 3, 80);
	if (in.content_type && strncmp(in.content_type, "video/", 6) != 0 &&
	    strncmp(in.content_type, "audio/", 6) != 0 && strncmp(in.content_type, "image/", 6) != 0)
		mq_form_error(&f, "content_type", "%s", mq_tr(r->lang.ui, types_note));
	in.feature = mq_form_string(&f, "feature", MQ_OPTIONAL, 1, 40);
	if (in.feature && !mq_plan_feature_ok(in.feature))
		mq_form_error(&f, "feature", "Must be 1 to 40 of a-z, 0-9 and _.");
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_extras_add(&r->ctx, &in, &out)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond_json(r, 201, out);
}

/* DELETE /api/admin/extras/{id}/ */
mq_reply mq_admin_extras_delete(struct mq_req *r)
{
	enum mq_status st = mq_extras_remove(&r->ctx, mq_req_id(r, "id"));

	return st == MQ_OK ? mq_respond(r, 204, NULL, NULL, 0) : mq_fail(r, st);
}

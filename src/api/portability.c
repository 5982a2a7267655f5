/*
 * portability.c: a user's data in and out.  POST /api/users/me/import/
 * (the export file as the body: Letterboxd's zip or one of its CSV
 * files, Trakt's JSON or zip, IMDb's ratings.csv, our own export) and
 * GET /api/users/me/import/{id}/ (its progress and report); POST
 * /api/users/me/export/ (premium: users entitled to "export") and GET
 * /api/users/me/export/{id}/ (its state, and when done a signed link);
 * GET /api/exports/{id}/file/?expires=&sig= (the zip, sent by nginx
 * through X-Accel-Redirect; the signed link is the only credential).
 *
 * The work is `marquee portability work`'s (portability/jobs.h): these
 * only queue it and show it.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/multipart.h"
#include "payments/subscriptions.h"
#include "portability/jobs.h"

static mq_reply accepted(struct mq_req *r, const char *what, struct json_object *job)
{
	mq_resp_header(r, "Location", mq_arena_printf(r->arena, "/api/users/me/%s/%lld/", what,
						      (long long)json_object_get_int64(
							      json_object_object_get(job, "id"))));
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 202, job);
}

static mq_reply show(struct mq_req *r, const char *kind)
{
	struct json_object *job;
	enum mq_status st = mq_port_job_get(&r->ctx, r->user_id, mq_req_id(r, "id"), kind, &job);

	if (st != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, job);
}

/* POST /api/users/me/import/: the file as the body, or as the part
 * "file" of a browser's form (multipart/form-data), up to [limits]
 * upload_max; 202 and the job. */
mq_reply mq_users_me_import(struct mq_req *r)
{
	struct json_object *job;
	const char *body;
	enum mq_status st;
	size_t len;
	mq_reply rc;
	int found;

	if (mq_done(rc = mq_req_body(r, &body, &len)))
		return rc;
	if (mq_multipart_is(r->content_type) &&
	    (found = mq_multipart_part(r->content_type, body, len, "file", &body, &len)) != 0)
		return found < 0 ? mq_problem(r, 400, "The multipart/form-data body is malformed.")
				 : mq_problem_field(r, "file", "Send the export file as the part named file.");
	if ((st = mq_import_queue(&r->ctx, r->user_id, body, len, &job)) != MQ_OK)
		return mq_fail(r, st);
	return accepted(r, "import", job);
}

/* GET /api/users/me/import/{id}/ */
mq_reply mq_users_me_import_get(struct mq_req *r)
{
	return show(r, "import");
}

/* POST /api/users/me/export/: 202 and the job, for users entitled to
 * export; a 403 naming the plan that unlocks it otherwise. */
mq_reply mq_users_me_export(struct mq_req *r)
{
	struct json_object *plan, *job;
	enum mq_status st;
	bool ok;

	if ((st = mq_subs_entitled(&r->ctx, r->user_id, "export", &ok, &plan)) != MQ_OK)
		return mq_fail(r, st);
	if (!ok)
		return mq_problem_plan(r, plan, N_("Exporting your data comes with a subscription to %s."),
				       N_("Exporting your data is not offered with any plan at the moment."));
	if ((st = mq_export_queue(&r->ctx, r->user_id, &job)) != MQ_OK)
		return mq_fail(r, st);
	return accepted(r, "export", job);
}

/* GET /api/users/me/export/{id}/ */
mq_reply mq_users_me_export_get(struct mq_req *r)
{
	return show(r, "export");
}

/* GET /api/exports/{id}/file/?expires=&sig= */
mq_reply mq_exports_file(struct mq_req *r)
{
	static const char *const allowed[] = { "expires", "sig", NULL };
	const char *path, *name;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)))
		return rc;
	st = mq_export_open(&r->ctx, mq_req_id(r, "id"), mq_query_get(&r->query, "expires"),
			    mq_query_get(&r->query, "sig"), &path, &name);
	if (st != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "X-Accel-Redirect", path);
	mq_resp_header(r, "Content-Disposition", mq_arena_printf(r->arena, "attachment; filename=\"%s\"",
								 name));
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond(r, 200, "application/zip", "", 0);
}

/*
 * fail.c: the one place where a failure of the domain or data layers
 * (core/status.h) becomes an HTTP response.
 */
#include "http/http.h"

static const struct {
	enum mq_status status;
	int http;
	const char *detail;	/* when the failure gave none */
} map[] = {
	{ MQ_NOT_FOUND, 404, N_("Not found.") },
	{ MQ_INVALID, 400, N_("The request has invalid fields.") },
	{ MQ_CONFLICT, 409, N_("This conflicts with an existing record.") },
	{ MQ_FORBIDDEN, 403, N_("You may not do this.") },
	{ MQ_TOO_LARGE, 413, N_("The request is too large.") },
	{ MQ_UNSUPPORTED, 415, N_("This kind of content is not taken here.") },
	{ MQ_UNAVAILABLE, 503, N_("The service is unavailable; try again shortly.") },
	{ MQ_TIMEOUT, 504, N_("An outside service did not answer in time.") },
	{ MQ_BAD_GATEWAY, 502, N_("An outside service gave an unusable answer.") },
};

mq_reply mq_fail(struct mq_req *r, enum mq_status status)
{
	const struct mq_error *e = &r->ctx.err;
	const char *detail = e->status == status ? e->detail : NULL;
	const char *field = e->status == status ? e->field : NULL;

	for (size_t i = 0; i < MQ_ARRAY_LEN(map); i++) {
		if (map[i].status != status)
			continue;
		if (detail == NULL)
			detail = map[i].detail;
		if (status == MQ_UNAVAILABLE && e->retry_after > 0)
			mq_resp_header(r, "Retry-After", mq_arena_int(r->arena, e->retry_after));
		if (field)
			return mq_problem_about(r, map[i].http, detail, field,
						e->field_msg ? e->field_msg : detail);
		return mq_problem_ext(r, map[i].http, detail, NULL);
	}
	/* MQ_INTERNAL, and MQ_OK asked to fail: a bug, logged where it happened */
	return mq_problem(r, 500, "An internal error occurred (request %s).", r->request_id);
}

mq_reply mq_fail_db(struct mq_req *r)
{
	return mq_fail(r, mq_db_failure(&r->ctx));
}

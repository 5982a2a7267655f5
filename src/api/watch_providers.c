/*
 * watch_providers.c: GET /api/movies/{id}/watch-providers/?region=: where
 * a movie can be watched, from TMDb's watch providers (JustWatch's data,
 * attributed in the answer as TMDb requires).  The domain: src/watch/.
 */
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "watch/providers.h"

/* GET /api/movies/{id}/watch-providers/: the region's offers; region=
 * (ISO 3166-1 alpha-2), else the caller's profile region, else [watch]
 * region. */
mq_reply mq_watch_providers_get(struct mq_req *r)
{
	static const char *const params[] = { "region", NULL };
	const char *region;
	struct json_object *out;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, params)))
		return rc;
	if ((st = mq_watch_region(&r->ctx, r->user_id, mq_query_get(&r->query, "region"),
				  &region)) != MQ_OK ||
	    (st = mq_watch_providers(&r->ctx, r->user_id, mq_req_id_text(r, "id"), region,
				     &out)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond_json(r, 200, out);
}

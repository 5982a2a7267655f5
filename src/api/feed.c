/*
 * feed.c: GET /api/feed/: what the people the caller follows did, newest
 * first, a page at a time by cursor: ?before= takes the "next" of the
 * page before (an opaque cursor), and a page is the same however much
 * happens meanwhile.  ?page_size= as elsewhere.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "social/feed.h"

mq_reply mq_feed_list(struct mq_req *r)
{
	static const char *const allowed[] = { "before", "page_size", NULL };
	const char *before = mq_query_get(&r->query, "before");
	struct json_object *out;
	struct mq_feed_page feed;
	enum mq_status st;
	struct mq_page p;
	int64_t cursor = 0;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	if (before && !mq_feed_cursor_parse(before, &cursor))
		return mq_problem_field(r, "before", "Must be the cursor of a page's next link.");
	if ((st = mq_feed(&r->ctx, r->user_id, cursor, (int)p.size, &feed)) != MQ_OK)
		return mq_fail(r, st);
	out = mq_json_object(r->arena);
	mq_json_add_str(out, "next", feed.next
		? mq_req_url(r, mq_arena_printf(r->arena, "before=%s%s%s",
						mq_feed_cursor(&r->ctx, feed.next),
						mq_query_get(&r->query, "page_size") ? "&page_size=" : "",
						mq_query_get(&r->query, "page_size") ? p.limit_s : ""))
		: NULL);
	json_object_object_add(out, "results", json_object_get(feed.results));
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, out);
}

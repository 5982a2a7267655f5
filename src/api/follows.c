/*
 * follows.c: following and blocking users:
 * POST/DELETE /api/users/{username}/follow/, /block/;
 * GET /api/users/{username}/followers/, /following/.
 *
 * Following and blocking are idempotent: 201 the first time, 200 after,
 * and DELETE is 204 whether or not the caller did.  Following oneself,
 * or blocking oneself, is a 400; following a user either of the two
 * blocks is a 403.
 */
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "social/follows.h"

/* {username, following|blocked: true[, followers_count]} */
static mq_reply done(struct mq_req *r, bool created, const char *what, int64_t followers)
{
	struct json_object *o = mq_json_object(r->arena);

	mq_json_add_str(o, "username", mq_req_str(r, "username"));
	json_object_object_add(o, what, json_object_new_boolean(true));
	if (followers >= 0)
		mq_json_add_int(o, "followers_count", followers);
	return mq_respond_json(r, created ? 201 : 200, o);
}

/* POST /api/users/{username}/follow/ */
mq_reply mq_follows_post(struct mq_req *r)
{
	enum mq_status st;
	int64_t followers;
	bool created;

	st = mq_follow(&r->ctx, r->user_id, mq_req_str(r, "username"), &created, &followers);
	if (st != MQ_OK)
		return mq_fail(r, st);
	return done(r, created, "following", followers);
}

/* DELETE /api/users/{username}/follow/ */
mq_reply mq_follows_delete(struct mq_req *r)
{
	enum mq_status st = mq_unfollow(&r->ctx, r->user_id, mq_req_str(r, "username"));

	return st == MQ_OK ? mq_respond(r, 204, NULL, NULL, 0) : mq_fail(r, st);
}

/* POST /api/users/{username}/block/ */
mq_reply mq_blocks_post(struct mq_req *r)
{
	enum mq_status st;
	bool created;

	if ((st = mq_block(&r->ctx, r->user_id, mq_req_str(r, "username"), &created)) != MQ_OK)
		return mq_fail(r, st);
	return done(r, created, "blocked", -1);
}

/* DELETE /api/users/{username}/block/ */
mq_reply mq_blocks_delete(struct mq_req *r)
{
	enum mq_status st = mq_unblock(&r->ctx, r->user_id, mq_req_str(r, "username"));

	return st == MQ_OK ? mq_respond(r, 204, NULL, NULL, 0) : mq_fail(r, st);
}

static mq_reply page_of(struct mq_req *r, bool followers)
{
	static const char *const allowed[] = { "page", "page_size", NULL };
	struct json_object *results;
	enum mq_status st;
	struct mq_page p;
	int64_t count;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	st = mq_follow_list(&r->ctx, mq_req_str(r, "username"), followers, p.size, p.offset,
			    &results, &count);
	if (st != MQ_OK)
		return mq_fail(r, st);
	if (json_object_array_length(results) == 0 && p.page > 1)
		return mq_page_not_found(r, &p);
	return mq_respond_json(r, 200, mq_page_envelope(r, &p, count, results));
}

/* GET /api/users/{username}/followers/: newest first. */
mq_reply mq_follows_followers(struct mq_req *r)
{
	return page_of(r, true);
}

/* GET /api/users/{username}/following/: newest first. */
mq_reply mq_follows_following(struct mq_req *r)
{
	return page_of(r, false);
}

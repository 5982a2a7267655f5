/*
 * likes.c: POST/DELETE /api/reviews/{id}/like/: liking a review (201 the
 * first time, 200 after; DELETE 204 whether or not the caller did).  A
 * user the review's author blocks cannot (403).
 */
#include "core/json.h"
#include "http/handlers.h"
#include "social/likes.h"

/* POST /api/reviews/{id}/like/ -> {review, likes_count, liked_by_me} */
mq_reply mq_likes_post(struct mq_req *r)
{
	struct json_object *o;
	enum mq_status st;
	int64_t count;
	bool created;

	st = mq_like(&r->ctx, r->user_id, mq_req_id_text(r, "id"), &created, &count);
	if (st != MQ_OK)
		return mq_fail(r, st);
	o = mq_json_object(r->arena);
	mq_json_add_int(o, "review", mq_req_id(r, "id"));
	mq_json_add_int(o, "likes_count", count);
	json_object_object_add(o, "liked_by_me", json_object_new_boolean(true));
	return mq_respond_json(r, created ? 201 : 200, o);
}

/* DELETE /api/reviews/{id}/like/ */
mq_reply mq_likes_delete(struct mq_req *r)
{
	enum mq_status st;
	int64_t count;

	if ((st = mq_unlike(&r->ctx, r->user_id, mq_req_id_text(r, "id"), &count)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond(r, 204, NULL, NULL, 0);
}

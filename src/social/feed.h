/*
 * feed.h: what the people a user follows did (GET /api/feed/).
 *
 * Fan-out on read: an action is one row of feed_events whoever follows
 * its actor (sql/0012_social.sql); a reader merges the newest rows of
 * each user they follow (an index range each), so a review by a user
 * with 10,000 followers costs its writer one INSERT, and a follow, an
 * unfollow, a block or a list made private shows in the next read.
 *
 * Pages are cut by id, which only grows: a cursor (the last id of a
 * page) names the same next page however much happens meanwhile.
 */
#ifndef MQ_SOCIAL_FEED_H
#define MQ_SOCIAL_FEED_H

#include <json-c/json.h>

#include "core/ctx.h"

#define MQ_FEED_PAGE_MAX 100

struct mq_feed_page {
	struct json_object *results;	/* arena */
	int64_t next;			/* the cursor of the next page; 0: this is the last */
};

/* The events of viewer's feed older than before (0: the newest), at
 * most size: each {id, verb, created_at, actor, movie, rating, review,
 * list, user}, the objects it does not concern null.  Only public things:
 * never a provisional movie, a private list, or a user viewer blocks or
 * is blocked by, or one gone.  MQ_OK or the database's failure. */
enum mq_status mq_feed(struct mq_ctx *c, int64_t viewer, int64_t before, int size,
		       struct mq_feed_page *out);

/* A page's cursor as the opaque text clients get (arena), and back:
 * false when text is not one of ours. */
const char *mq_feed_cursor(struct mq_ctx *c, int64_t before);
bool mq_feed_cursor_parse(const char *text, int64_t *before);

#endif

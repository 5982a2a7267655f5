/*
 * follows.h: who follows whom, and who blocks whom (sql/0012_social.sql).
 *
 * Users are named by username, as the API's paths name them; a user who
 * is deactivated or erased is not found.  A block ends the follows
 * between the two and refuses new ones either way (the database's
 * trigger, whatever the timing), replies to the blocker's comments and
 * likes of the blocker's reviews.
 */
#ifndef MQ_SOCIAL_FOLLOWS_H
#define MQ_SOCIAL_FOLLOWS_H

#include <json-c/json.h>

#include "core/ctx.h"

/* The id of the active user named username (any case) into *id, or
 * MQ_NOT_FOUND ("No user <name>."), or the database's failure. */
enum mq_status mq_social_user(struct mq_ctx *c, const char *username, int64_t *id);

/* me follows username; *created is false when they did already.
 * MQ_INVALID for oneself (field "username"), MQ_FORBIDDEN when either
 * blocks the other, MQ_NOT_FOUND, or the database's failure.  Into
 * *followers: the followee's count of followers now. */
enum mq_status mq_follow(struct mq_ctx *c, int64_t me, const char *username, bool *created,
			 int64_t *followers);

/* me no longer follows username (MQ_OK whether or not they did);
 * MQ_NOT_FOUND when there is no such user. */
enum mq_status mq_unfollow(struct mq_ctx *c, int64_t me, const char *username);

/* me blocks username (*created false when already); MQ_INVALID for
 * oneself, MQ_NOT_FOUND, or the database's failure. */
enum mq_status mq_block(struct mq_ctx *c, int64_t me, const char *username, bool *created);

/* me no longer blocks username (MQ_OK whether or not they did). */
enum mq_status mq_unblock(struct mq_ctx *c, int64_t me, const char *username);

/* A page of username's followers (followers true) or of those they
 * follow, newest first: each {username, display_name, avatar_url,
 * followed_at} into *results (arena), and into *count the profile's
 * count of them.  MQ_NOT_FOUND when there is no such user. */
enum mq_status mq_follow_list(struct mq_ctx *c, const char *username, bool followers,
			      int64_t limit, int64_t offset, struct json_object **results,
			      int64_t *count);

#endif

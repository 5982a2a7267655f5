/*
 * sessions.h: a user's sessions, each a family of refresh tokens.
 */
#ifndef MQ_SESSIONS_H
#define MQ_SESSIONS_H

#include <json-c/json.h>

#include "core/ctx.h"

/* Issues an access token and a refresh token of family (NULL: a new
 * family) into o ("access", "refresh").  Inside the caller's transaction,
 * which a failure has rolled back. */
enum mq_status mq_sessions_issue(struct mq_ctx *c, struct json_object *o, int64_t user_id,
				 const char *role, int64_t version, const char *family);

/* A sign-in from address: a new session (mq_sessions_issue), and the
 * address recorded (notify/sign_in.h: a new one is a security notice),
 * in the caller's transaction, which a failure has rolled back. */
enum mq_status mq_sessions_sign_in(struct mq_ctx *c, struct json_object *o, int64_t user_id,
				   const char *role, int64_t version, const char *address);

/* Revokes every refresh token of the user (the caller also moves the
 * token version, which ends the access tokens), and logs it. */
enum mq_status mq_sessions_end_all(struct mq_ctx *c, const char *user_id);

#endif

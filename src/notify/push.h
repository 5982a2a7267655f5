/*
 * push.h: users' Web Push subscriptions (POST/DELETE
 * /api/push/subscriptions/), one per browser, as PushSubscription.toJSON()
 * gives them: the push service's endpoint and the browser's keys.
 */
#ifndef MQ_NOTIFY_PUSH_H
#define MQ_NOTIFY_PUSH_H

#include <json-c/json.h>

#include "core/ctx.h"

/* MQ_OK when [push] is configured, else MQ_UNAVAILABLE saying so. */
enum mq_status mq_push_available(struct mq_ctx *c);

/* Subscribes user's browser: {id, endpoint, created_at} into *out
 * (arena); *created false when user had it already.  An endpoint another
 * user had moves to this one (a browser has one user at a time).  Past
 * [push] max_subscriptions the user's oldest go.  MQ_INVALID (field
 * endpoint, keys.p256dh or keys.auth) for what a push service would not
 * take or this server does not send to; MQ_UNAVAILABLE when push is off. */
enum mq_status mq_push_subscribe(struct mq_ctx *c, int64_t user, const char *endpoint,
				 const char *p256dh, const char *auth, struct json_object **out,
				 bool *created);

/* Ends user's subscription of endpoint; MQ_NOT_FOUND when user has none. */
enum mq_status mq_push_unsubscribe(struct mq_ctx *c, int64_t user, const char *endpoint);

#endif

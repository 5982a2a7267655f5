/*
 * settings.h: what a user is told of, and how: per kind (follow, reply,
 * like, watchlist_review, recommendations, security) and channel (in_app,
 * email, push).  The defaults are the database's (notification_defaults()
 * in sql/0012_social.sql); security notices cannot be switched off.
 */
#ifndef MQ_NOTIFY_SETTINGS_H
#define MQ_NOTIFY_SETTINGS_H

#include <json-c/json.h>

#include "core/ctx.h"

/* The kinds, and the channels, by name (NULL-terminated). */
#define MQ_NOTIFY_KIND_COUNT 6
extern const char *const mq_notify_kinds[MQ_NOTIFY_KIND_COUNT + 1];
extern const char *const mq_notify_channels[4];

/* The settings kind no channel of which can be switched off. */
#define MQ_NOTIFY_FIXED_KIND "security"

/* True when kind is one of mq_notify_kinds that can be switched off. */
bool mq_notify_kind_switchable(const char *kind);

/* user's settings in effect: {kind: {in_app, email, push, fixed}} for
 * every kind, into *out (arena). */
enum mq_status mq_notify_settings(struct mq_ctx *c, int64_t user, struct json_object **out);

/* Sets the channels of kind given in values (each 0 or 1; -1 keeps the
 * one in effect), in the caller's transaction or alone.  The caller has
 * checked the names and that a fixed kind is left on. */
enum mq_status mq_notify_setting_set(struct mq_ctx *c, int64_t user, const char *kind,
				     const int values[3]);

#endif

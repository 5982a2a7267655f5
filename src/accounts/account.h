/*
 * account.h: rules about accounts shared by the API and the admin tool.
 */
#ifndef MQ_ACCOUNT_H
#define MQ_ACCOUNT_H

#include "core/ctx.h"

struct json_object;

/* NULL when acceptable, else a message: 3 to 30 letters, digits, '_', '.'
 * or '-', starting with a letter or digit. */
const char *mq_username_problem(const char *username);

/* NULL when acceptable, else a message: a plausible address of at most
 * 254 characters (local@domain.tld, no spaces or control characters). */
const char *mq_email_problem(const char *email);

/* The private columns of a user, for "SELECT " MQ_USER_PRIVATE " FROM users u". */
#define MQ_USER_PRIVATE \
	"u.id, u.username, u.email, u.display_name, u.bio, u.locale, u.region, " \
	"u.avatar_path, u.role, u.email_verified_at IS NOT NULL AS email_verified, " \
	"rfc3339(u.created_at) AS date_joined, u.followers_count, u.following_count"

/* The public ones, for anyone to see. */
#define MQ_USER_PUBLIC \
	"u.id, u.username, u.display_name, u.bio, u.avatar_path, rfc3339(u.created_at) AS date_joined, " \
	"u.followers_count, u.following_count"

/* Replaces the avatar_path member of a user object by avatar_url (its
 * medium size) and avatar_sizes. */
void mq_account_finish(struct mq_ctx *c, struct json_object *user);

/* A locale as users.locale takes it ("fr", "pt-BR"), and a region: an
 * assigned ISO 3166-1 alpha-2 code, upper case as it is kept ("FR"). */
bool mq_locale_ok(const char *s);
bool mq_region_ok(const char *s);

#endif

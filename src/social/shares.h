/*
 * shares.h: short public links to a movie, a review or a public list
 * (POST /api/shares/, GET /s/{code}).
 *
 * A code is 16 characters of base64url from 12 random bytes (96 bits):
 * no link can be guessed or enumerated.  A user sharing one target again
 * gets the same link.  The page of a link shows its target as it is
 * now: a target gone, made private, or whose author is gone is not found.
 */
#ifndef MQ_SOCIAL_SHARES_H
#define MQ_SOCIAL_SHARES_H

#include <json-c/json.h>

#include "core/ctx.h"

/* What a link's page and its share texts show. */
struct mq_share_target {
	const char *kind;	/* movie, review, list */
	const char *title;	/* for people: "Heat (1995)", "alice on Heat", ... */
	const char *description;	/* a few hundred characters at most */
	const char *image;	/* an absolute URL, or NULL */
	const char *url;	/* the link itself, absolute */
	const char *app;	/* its page in the web app, absolute */
	int64_t visits;		/* with this one */
};

/* me shares the target (kind "movie", "review" or "list", and its id):
 * {url, code, kind, id, intents: {x, facebook, whatsapp, telegram, email}}
 * into *out (arena); *created false when me had shared it before.
 * MQ_NOT_FOUND when the target is not there or not public, or the
 * database's failure. */
enum mq_status mq_share_create(struct mq_ctx *c, int64_t me, const char *kind, int64_t id,
			       struct json_object **out, bool *created);

/* The target of link code into *t, counting a visit when count.
 * MQ_NOT_FOUND when there is no such link or its target is not shown. */
enum mq_status mq_share_visit(struct mq_ctx *c, const char *code, bool count,
			      struct mq_share_target *t);

/* The HTML page of a link: its target's title, description and image,
 * with Open Graph and Twitter Card tags and a canonical URL, every value
 * escaped (arena). */
const char *mq_share_html(struct mq_ctx *c, const struct mq_share_target *t);

/* The HTML page of a link with nothing at it (arena). */
const char *mq_share_missing_html(struct mq_ctx *c);

#endif

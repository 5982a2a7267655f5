/*
 * render.h: the words of notifications, in the app, in mail and in push
 * messages.  Every user-facing string of notifications is in render.c,
 * marked N_() and translated (core/i18n.h) into the recipient's locale,
 * else the language of the unit of work (c->lang).
 */
#ifndef MQ_NOTIFY_RENDER_H
#define MQ_NOTIFY_RENDER_H

#include <json-c/json.h>

#include "core/ctx.h"

/* A notification as its words need it. */
struct mq_notice {
	int64_t id;
	const char *kind;	/* notifications.kind */
	const char *username;	/* the recipient's */
	const char *actor;	/* display name, else username; NULL when none or gone */
	const char *actor_username;
	int64_t actors;		/* actors_count */
	const char *movie;	/* its title; NULL when none (or not the recipient's to see) */
	int64_t movie_id, review_id, comment_id;
	struct json_object *data;	/* notifications.data */
};

struct mq_message {
	const char *text;	/* one sentence: the in-app text, the push body */
	const char *subject;	/* of a mail */
	const char *body;	/* of a mail, footer included (text/plain) */
	const char *path;	/* the web app's page of it: "/reviews/12" */
};

/* The words of n in locale ("fr", "pt-BR"; NULL or one without a
 * catalog: c->lang), into *m (arena).  unsubscribe:
 * the one-click link of a mail's footer, or NULL (security mail, which
 * has none). */
void mq_notice_render(struct mq_ctx *c, const struct mq_notice *n, const char *locale,
		      const char *unsubscribe, struct mq_message *m);

/* printf into the arena with a format from a table of words, translated
 * into c->lang (not a literal: the compiler cannot check it; the table
 * says its arguments). */
const char *mq_words(struct mq_ctx *c, const char *fmt, ...);

/* The link of path in the web app: [mail] link_base (else [server]
 * public_url) + path (arena). */
const char *mq_notice_link(struct mq_ctx *c, const char *path);

#endif

/*
 * notifications.h: a user's notifications in the app
 * (GET /api/notifications/ and marking them read).
 *
 * The database writes them (sql/0012_social.sql: notify()), in the
 * transaction of their cause; here they are read, worded (render.h)
 * and marked read.  A notification never names a movie the recipient
 * may not see (another user's provisional one): its title is left out.
 */
#ifndef MQ_NOTIFY_NOTIFICATIONS_H
#define MQ_NOTIFY_NOTIFICATIONS_H

#include <json-c/json.h>
#include <libpq-fe.h>

#include "core/ctx.h"
#include "notify/render.h"

/* The columns of a notification n (with users u, the recipient) that
 * mq_notice_read reads, in its order, after FROM: its actor a and movie m. */
#define MQ_NOTICE_COLUMNS \
	"n.id, n.kind, u.username, coalesce(nullif(a.display_name, ''), a.username), a.username, " \
	"n.actors_count, m.title, m.id, n.review_id, n.comment_id, n.data"
#define MQ_NOTICE_JOINS \
	"LEFT JOIN users a ON a.id = n.actor_id AND a.is_active AND a.deleted_at IS NULL " \
	"LEFT JOIN movies m ON m.id = n.movie_id " \
	"  AND (m.provisional_by IS NULL OR m.provisional_by = n.user_id) "
#define MQ_NOTICE_NCOLS 11

/* Row row of res, from column col on (MQ_NOTICE_COLUMNS), into *n (its
 * strings res's, its data the arena's). */
void mq_notice_read(struct mq_ctx *c, PGresult *res, int row, int col, struct mq_notice *n);

struct mq_notification_page {
	struct json_object *results;	/* arena */
	int64_t count;			/* of the list (unread ones when asked) */
	int64_t unread;			/* of every unread one */
};

/* A page of user's notifications (unread_only: those not read), newest
 * first: {id, kind, text, read, actor, actors_count, movie, review,
 * comment, url, created_at, updated_at}.  MQ_OK or the database's failure. */
enum mq_status mq_notifications_list(struct mq_ctx *c, int64_t user, bool unread_only,
				     int64_t limit, int64_t offset, struct mq_notification_page *out);

/* Marks user's notification id read (MQ_OK whether or not it was);
 * MQ_NOT_FOUND when user has none such. */
enum mq_status mq_notification_read(struct mq_ctx *c, int64_t user, const char *id);

/* Marks every one of user's notifications read; into *marked how many
 * were not. */
enum mq_status mq_notifications_read_all(struct mq_ctx *c, int64_t user, int64_t *marked);

#endif

/*
 * notifications.c: reading and marking notifications (see
 * notifications.h).
 */
#include "notify/notifications.h"

#include "core/arena.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "storage/image.h"
#include "storage/media.h"

/* $1 user, $2 unread only, $3 $4 the page. */
static struct mq_stmt page = MQ_STMT_READ(
	"SELECT " MQ_NOTICE_COLUMNS ", n.read_at IS NOT NULL, rfc3339(n.created_at), "
	"  rfc3339(n.updated_at), a.display_name, a.avatar_path "
	"FROM notifications n JOIN users u ON u.id = n.user_id " MQ_NOTICE_JOINS
	"WHERE n.user_id = $1 AND n.in_app AND (NOT $2::bool OR n.read_at IS NULL) "
	"ORDER BY n.updated_at DESC, n.id DESC LIMIT $3 OFFSET $4");

static struct mq_stmt counts = MQ_STMT_READ(
	"SELECT count(*) FILTER (WHERE NOT $2::bool OR read_at IS NULL), "
	"  count(*) FILTER (WHERE read_at IS NULL) "
	"FROM notifications WHERE user_id = $1 AND in_app");

static struct mq_stmt mark_read = MQ_STMT(
	"UPDATE notifications SET read_at = coalesce(read_at, now()) "
	"WHERE id = $1 AND user_id = $2 AND in_app RETURNING 1");

static struct mq_stmt mark_all_read = MQ_STMT(
	"UPDATE notifications SET read_at = now() WHERE user_id = $1 AND in_app AND read_at IS NULL");

static const char *text_or_null(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

void mq_notice_read(struct mq_ctx *c, PGresult *res, int row, int col, struct mq_notice *n)
{
	const char *data = PQgetvalue(res, row, col + 10), *err;

	n->id = mq_row_int(res, row, col);
	n->kind = PQgetvalue(res, row, col + 1);
	n->username = PQgetvalue(res, row, col + 2);
	n->actor = text_or_null(res, row, col + 3);
	n->actor_username = text_or_null(res, row, col + 4);
	n->actors = mq_row_int(res, row, col + 5);
	n->movie = text_or_null(res, row, col + 6);
	n->movie_id = mq_row_int(res, row, col + 7);
	n->review_id = mq_row_int(res, row, col + 8);
	n->comment_id = mq_row_int(res, row, col + 9);
	if (mq_json_parse(c->arena, data, strlen(data), 8, &n->data, &err) < 0)
		n->data = NULL;
}

/* The app's object of row i of page. */
static struct json_object *shown(struct mq_ctx *c, PGresult *res, int i)
{
	struct json_object *o = json_object_new_object(), *actor = NULL, *movie = NULL;
	struct mq_notice n;
	struct mq_message m;

	mq_notice_read(c, res, i, 0, &n);
	mq_notice_render(c, &n, NULL, NULL, &m);
	if (n.actor_username) {
		actor = json_object_new_object();
		mq_json_add_str(actor, "username", n.actor_username);
		mq_json_add_str(actor, "display_name", PQgetvalue(res, i, MQ_NOTICE_NCOLS + 3));
		const char *avatar = text_or_null(res, i, MQ_NOTICE_NCOLS + 4);
		mq_json_add_str(actor, "avatar_url", avatar ? mq_media_size_url(c, avatar, "medium") : NULL);
		json_object_object_add(actor, "avatar_sizes", mq_media_sizes(c, avatar, MQ_IMAGE_AVATAR));
	}
	if (n.movie) {
		movie = json_object_new_object();
		mq_json_add_int(movie, "id", n.movie_id);
		mq_json_add_str(movie, "title", n.movie);
	}
	mq_json_add_int(o, "id", n.id);
	mq_json_add_str(o, "kind", n.kind);
	mq_json_add_str(o, "text", m.text);
	json_object_object_add(o, "read",
			       json_object_new_boolean(PQgetvalue(res, i, MQ_NOTICE_NCOLS)[0] == 't'));
	json_object_object_add(o, "actor", actor);
	mq_json_add_int(o, "actors_count", n.actors);
	json_object_object_add(o, "movie", movie);
	json_object_object_add(o, "review", n.review_id ? json_object_new_int64(n.review_id) : NULL);
	json_object_object_add(o, "comment", n.comment_id ? json_object_new_int64(n.comment_id) : NULL);
	mq_json_add_str(o, "url", mq_notice_link(c, m.path));
	mq_json_add_str(o, "created_at", PQgetvalue(res, i, MQ_NOTICE_NCOLS + 1));
	mq_json_add_str(o, "updated_at", PQgetvalue(res, i, MQ_NOTICE_NCOLS + 2));
	return o;
}

enum mq_status mq_notifications_list(struct mq_ctx *c, int64_t user, bool unread_only,
				     int64_t limit, int64_t offset, struct mq_notification_page *out)
{
	const char *p[] = { mq_arena_int(c->arena, user), unread_only ? "true" : "false",
			    mq_arena_int(c->arena, limit), mq_arena_int(c->arena, offset) };
	PGresult *res, *n;

	if ((res = mq_db_q(c, &page, 4, p)) == NULL || (n = mq_db_q(c, &counts, 2, p)) == NULL)
		return mq_db_failure(c);
	out->results = mq_json_array(c->arena);
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(out->results, shown(c, res, i));
	out->count = mq_row_int(n, 0, 0);
	out->unread = mq_row_int(n, 0, 1);
	return MQ_OK;
}

enum mq_status mq_notification_read(struct mq_ctx *c, int64_t user, const char *id)
{
	const char *p[] = { id, mq_arena_int(c->arena, user) };
	PGresult *res = mq_db_q(c, &mark_read, 2, p);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No notification %s of yours.", id);
	return MQ_OK;
}

enum mq_status mq_notifications_read_all(struct mq_ctx *c, int64_t user, int64_t *marked)
{
	const char *id = mq_arena_int(c->arena, user);
	PGresult *res = mq_db_q(c, &mark_all_read, 1, &id);

	if (res == NULL)
		return mq_db_failure(c);
	*marked = strtoll(PQcmdTuples(res), NULL, 10);
	return MQ_OK;
}

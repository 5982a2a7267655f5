/*
 * feed.c: the activity feed (see feed.h).
 */
#include "social/feed.h"

#include <sodium.h>

#include "accounts/account.h"
#include "catalog/movie_json.h"
#include "core/arena.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/webpush.h"

#define CURSOR_PREFIX "feed:"

/* The candidates: the newest $3 events older than $2 of each user $1
 * follows (an index range of feed_events_actor each, ids only), of which
 * the newest $3 overall.  One more than the page, to know whether another
 * follows.  Then each candidate with what it names, and whether it may be
 * shown to $1 (shown is checked as it is now: a list made private, a
 * user blocked or gone).  A candidate not shown still moves the cursor,
 * so pages stay cut at the same ids. */
static struct mq_stmt feed_page = MQ_STMT_READ(
	"WITH cand AS ("
	"  SELECT e.id FROM follows f CROSS JOIN LATERAL ("
	"    SELECT id FROM feed_events WHERE actor_id = f.followee_id AND id < $2 "
	"    ORDER BY id DESC LIMIT $3) e "
	"  WHERE f.follower_id = $1 ORDER BY e.id DESC LIMIT $3) "
	"SELECT e.id, "
	"  (a.is_active AND a.deleted_at IS NULL "
	"   AND (e.movie_id IS NULL OR m.provisional_by IS NULL) "
	"   AND (e.list_id IS NULL OR l.is_public) "
	"   AND (e.user_id IS NULL OR (t.is_active AND t.deleted_at IS NULL "
	"                              AND NOT blocked_between($1, t.id)))) AS shown, "
	"  e.id, e.verb, rfc3339(e.created_at) AS created_at, "
	"  json_build_object('username', a.username, 'display_name', a.display_name, "
	"                    'avatar_path', a.avatar_path) AS actor, "
	"  CASE WHEN m.id IS NOT NULL THEN json_build_object('id', m.id, 'title', m.title, "
	"    'year', m.year, 'poster_path', m.poster_path, 'backdrop_path', m.backdrop_path) END "
	"    AS movie, "
	"  e.rating::float8 AS rating, "
	"  CASE WHEN v.id IS NOT NULL THEN json_build_object('id', v.id, 'title', v.title, "
	"    'excerpt', left(v.body, 280), 'likes_count', v.likes_count) END AS review, "
	"  CASE WHEN l.id IS NOT NULL THEN json_build_object('id', l.id, 'name', l.name) END AS list, "
	"  CASE WHEN t.id IS NOT NULL THEN json_build_object('username', t.username, "
	"    'display_name', t.display_name, 'avatar_path', t.avatar_path) END AS user "
	"FROM cand JOIN feed_events e USING (id) JOIN users a ON a.id = e.actor_id "
	"LEFT JOIN movies m ON m.id = e.movie_id LEFT JOIN reviews v ON v.id = e.review_id "
	"LEFT JOIN lists l ON l.id = e.list_id LEFT JOIN users t ON t.id = e.user_id "
	"ORDER BY e.id DESC");

/* The URLs a user object's avatar_path and a movie's paths stand for. */
static void finish(struct mq_ctx *c, struct json_object *event)
{
	struct json_object *o;

	if (json_object_object_get_ex(event, "actor", &o) && o)
		mq_account_finish(c, o);
	if (json_object_object_get_ex(event, "user", &o) && o)
		mq_account_finish(c, o);
	if (json_object_object_get_ex(event, "movie", &o) && o) {
		mq_movie_add_urls(c, o);
		json_object_object_del(o, "backdrop_path");
		json_object_object_del(o, "backdrop_url");
		json_object_object_del(o, "backdrop_sizes");
		json_object_object_del(o, "poster_sizes");
	}
}

enum mq_status mq_feed(struct mq_ctx *c, int64_t viewer, int64_t before, int size,
		       struct mq_feed_page *out)
{
	const char *p[] = { mq_arena_int(c->arena, viewer),
			    mq_arena_int(c->arena, before > 0 ? before : INT64_MAX),
			    mq_arena_int(c->arena, size + 1) };
	PGresult *res = mq_db_q(c, &feed_page, 3, p);
	int n;

	if (res == NULL)
		return mq_db_failure(c);
	out->results = mq_json_array(c->arena);
	out->next = 0;
	n = PQntuples(res);
	if (n > size) {		/* another page: it starts below this one's last candidate */
		out->next = mq_row_int(res, size - 1, 0);
		n = size;
	}
	for (int i = 0; i < n; i++) {
		struct json_object *event;

		if (PQgetvalue(res, i, 1)[0] != 't')
			continue;
		event = mq_row_columns(res, i, 2, PQnfields(res));
		finish(c, event);
		json_object_array_add(out->results, event);
	}
	return MQ_OK;
}

const char *mq_feed_cursor(struct mq_ctx *c, int64_t before)
{
	char plain[40], out[64];
	int n = snprintf(plain, sizeof(plain), CURSOR_PREFIX "%lld", (long long)before);

	sodium_bin2base64(out, sizeof(out), (const unsigned char *)plain, (size_t)n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return mq_arena_strdup(c->arena, out);
}

bool mq_feed_cursor_parse(const char *text, int64_t *before)
{
	char plain[40];
	ssize_t n = mq_base64url_decode(text, (uint8_t *)plain, sizeof(plain) - 1);

	if (n < 0)
		return false;
	plain[n] = '\0';
	return strncmp(plain, CURSOR_PREFIX, strlen(CURSOR_PREFIX)) == 0 &&
	       mq_parse_int64(plain + strlen(CURSOR_PREFIX), 1, INT64_MAX, before) == 0;
}

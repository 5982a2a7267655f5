/*
 * export.c: the files of a user's export (see export.h).
 */
#include "portability/export.h"

#include <ctype.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/json.h"
#include "db/db.h"

#define MOVIE \
	"json_build_object('id', m.id, 'tmdb_id', m.tmdb_id, 'imdb_id', m.imdb_id, 'title', m.title, " \
	"'year', m.year)"
#define ARRAY(sql) "coalesce((" sql "), '[]'::json)"

/* $1 user: the whole of marquee.json, in one snapshot. */
static struct mq_stmt everything = MQ_STMT_READ(
	"SELECT json_build_object('format', 'marquee-export', 'version', 1, "
	"'exported_at', rfc3339(now()), "
	"'profile', (SELECT json_build_object('id', u.id, 'username', u.username, 'email', u.email, "
	"  'display_name', u.display_name, 'bio', u.bio, 'locale', u.locale, 'region', u.region, "
	"  'created_at', rfc3339(u.created_at)) FROM users u WHERE u.id = $1), "
	"'ratings', " ARRAY("SELECT json_agg(json_build_object('movie', " MOVIE ", 'rating', "
	"  r.rating::float8, 'created_at', rfc3339(r.created_at), 'updated_at', rfc3339(r.updated_at)) "
	"  ORDER BY r.created_at, r.id) FROM ratings r JOIN movies m ON m.id = r.movie_id "
	"  WHERE r.user_id = $1") ", "
	"'reviews', " ARRAY("SELECT json_agg(json_build_object('movie', " MOVIE ", 'title', r.title, "
	"  'body', r.body, 'rating', r.rating::float8, 'created_at', rfc3339(r.created_at), "
	"  'updated_at', rfc3339(r.updated_at)) ORDER BY r.created_at, r.id) "
	"  FROM reviews r JOIN movies m ON m.id = r.movie_id WHERE r.user_id = $1") ", "
	"'comments', " ARRAY("SELECT json_agg(json_build_object('id', x.id, 'movie', " MOVIE ", "
	"  'parent', x.parent_id, 'body', x.body, 'created_at', rfc3339(x.created_at)) "
	"  ORDER BY x.id) FROM comments x JOIN movies m ON m.id = x.movie_id "
	"  WHERE x.user_id = $1 AND x.deleted_at IS NULL") ", "
	"'favorites', " ARRAY("SELECT json_agg(json_build_object('movie', " MOVIE ", "
	"  'created_at', rfc3339(f.created_at)) ORDER BY f.created_at, f.movie_id) "
	"  FROM favorites f JOIN movies m ON m.id = f.movie_id WHERE f.user_id = $1") ", "
	"'watchlist', " ARRAY("SELECT json_agg(json_build_object('movie', " MOVIE ", 'note', w.note, "
	"  'priority', w.priority, 'watched', w.watched, 'watched_at', rfc3339(w.watched_at), "
	"  'created_at', rfc3339(w.created_at)) ORDER BY w.created_at, w.id) "
	"  FROM watchlist w JOIN movies m ON m.id = w.movie_id WHERE w.user_id = $1") ", "
	"'history', " ARRAY("SELECT json_agg(json_build_object('movie', " MOVIE ", "
	"  'watched_at', rfc3339(h.watched_at)) ORDER BY h.watched_at, h.id) "
	"  FROM watch_history h JOIN movies m ON m.id = h.movie_id WHERE h.user_id = $1") ", "
	"'lists', " ARRAY("SELECT json_agg(json_build_object('id', l.id, 'name', l.name, "
	"  'description', l.description, 'is_public', l.is_public, 'created_at', rfc3339(l.created_at), "
	"  'items', " ARRAY("SELECT json_agg(json_build_object('movie', " MOVIE ", 'position', "
	"    i.position, 'note', i.note, 'added_at', rfc3339(i.added_at)) ORDER BY i.position) "
	"    FROM list_items i JOIN movies m ON m.id = i.movie_id WHERE i.list_id = l.id") ") "
	"  ORDER BY l.created_at, l.id) FROM lists l WHERE l.user_id = $1") ", "
	"'follows', json_build_object("
	"  'following', " ARRAY("SELECT json_agg(u.username ORDER BY f.created_at, u.id) FROM follows f "
	"    JOIN users u ON u.id = f.followee_id WHERE f.follower_id = $1 AND u.deleted_at IS NULL") ", "
	"  'followers', " ARRAY("SELECT json_agg(u.username ORDER BY f.created_at, u.id) FROM follows f "
	"    JOIN users u ON u.id = f.follower_id WHERE f.followee_id = $1 AND u.deleted_at IS NULL") "), "
	"'notification_settings', " ARRAY("SELECT json_agg(json_build_object('kind', s.kind, "
	"  'in_app', s.in_app, 'email', s.email, 'push', s.push) ORDER BY s.kind) "
	"  FROM notification_settings s WHERE s.user_id = $1") ")::text");

void mq_csv_cell(struct mq_buf *b, const char *s)
{
	bool quote;

	if (s == NULL)
		return;
	quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ');
	if (quote)
		mq_buf_puts(b, "\"");
	if (mq_csv_formula(s))
		mq_buf_puts(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			mq_buf_puts(b, "\"");
		mq_buf_append(b, p, 1);
	}
	if (quote)
		mq_buf_puts(b, "\"");
}

static const char *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

/* The movie columns of an entry: tmdbID, imdbID, Title, Year. */
static void movie_cells(struct mq_buf *b, struct json_object *entry)
{
	struct json_object *m = json_object_object_get(entry, "movie");

	mq_csv_cell(b, get(m, "tmdb_id"));
	mq_buf_puts(b, ",");
	mq_csv_cell(b, get(m, "imdb_id"));
	mq_buf_puts(b, ",");
	mq_csv_cell(b, get(m, "title"));
	mq_buf_puts(b, ",");
	mq_csv_cell(b, get(m, "year"));
}

/* A date-time's date (WatchedDate is a date). */
static const char *date_of(struct mq_arena *a, const char *t)
{
	return t ? mq_arena_strndup(a, t, 10) : NULL;
}

/* One CSV of section: header, then per entry the movie's cells and
 * those of the extra keys (date: cut to the date). */
static struct mq_zip_entry csv_of(struct mq_ctx *c, const char *name, struct json_object *a,
				  const char *header, const char *const *keys)
{
	struct mq_buf b;

	mq_buf_init(&b, c->arena, 4096);
	mq_buf_printf(&b, "tmdbID,imdbID,Title,Year%s\r\n", header);
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		movie_cells(&b, o);
		for (const char *const *k = keys; *k; k++) {
			mq_buf_puts(&b, ",");
			if (**k == '@')
				mq_csv_cell(&b, date_of(c->arena, get(o, *k + 1)));
			else
				mq_csv_cell(&b, get(o, *k));
		}
		mq_buf_puts(&b, "\r\n");
	}
	return (struct mq_zip_entry){ .name = name, .data = b.data, .len = b.len };
}

/* A list's file name: its name's letters and digits, and its id. */
static const char *list_file(struct mq_ctx *c, struct json_object *l)
{
	const char *name = get(l, "name");
	char slug[41];
	size_t n = 0;

	for (const char *p = name ? name : ""; *p && n < sizeof(slug) - 1; p++)
		if (isalnum((unsigned char)*p))
			slug[n++] = (char)tolower((unsigned char)*p);
		else if (n > 0 && slug[n - 1] != '-')
			slug[n++] = '-';
	slug[n] = '\0';
	return mq_arena_printf(c->arena, "letterboxd/lists/%s%s%s.csv", slug, n ? "-" : "", get(l, "id"));
}

static struct mq_zip_entry list_csv(struct mq_ctx *c, struct json_object *l)
{
	struct json_object *items = json_object_object_get(l, "items");
	struct mq_buf b;

	mq_buf_init(&b, c->arena, 4096);
	mq_buf_puts(&b, "Letterboxd list export v7\r\nDate,Name,Tags,URL,Description\r\n");
	mq_csv_cell(&b, date_of(c->arena, get(l, "created_at")));
	mq_buf_puts(&b, ",");
	mq_csv_cell(&b, get(l, "name"));
	mq_buf_puts(&b, ",,,");
	mq_csv_cell(&b, get(l, "description"));
	mq_buf_puts(&b, "\r\n\r\nPosition,tmdbID,imdbID,Name,Year,Description\r\n");
	for (size_t i = 0; items && i < json_object_array_length(items); i++) {
		struct json_object *o = json_object_array_get_idx(items, i);

		mq_csv_cell(&b, get(o, "position"));
		mq_buf_puts(&b, ",");
		movie_cells(&b, o);
		mq_buf_puts(&b, ",");
		mq_csv_cell(&b, get(o, "note"));
		mq_buf_puts(&b, "\r\n");
	}
	return (struct mq_zip_entry){ .name = list_file(c, l), .data = b.data, .len = b.len };
}

static const char readme[] =
	"Your Marquee data\r\n\r\n"
	"marquee.json: everything you have with us (profile, ratings, reviews, comments,\r\n"
	"favorites, watchlist, history, lists, follows, notification settings).  Upload\r\n"
	"this zip to POST /api/users/me/import/ to bring it into another account.\r\n\r\n"
	"letterboxd/: the same as CSV files in the columns Letterboxd's importer reads\r\n"
	"(tmdbID, imdbID, Title, Year, Rating, WatchedDate, Review).  A cell starting\r\n"
	"with =, +, - or @ has a ' before it, so that no spreadsheet runs it.\r\n";

enum mq_status mq_export_build(struct mq_ctx *c, int64_t user, struct mq_zip_entry **e, int *n)
{
	static const char *const rating_keys[] = { "rating", "@created_at", NULL };
	static const char *const diary_keys[] = { "@watched_at", NULL };
	static const char *const review_keys[] = { "rating", "@created_at", "body", NULL };
	static const char *const dated_keys[] = { "@created_at", NULL };
	const char *p[] = { mq_arena_int(c->arena, user) };
	struct json_object *doc, *lists;
	const char *text, *err;
	PGresult *res;
	size_t nlists;
	int i = 0;

	if ((res = mq_db_q(c, &everything, 1, p)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No such user.");
	text = PQgetvalue(res, 0, 0);
	if (mq_json_parse(c->arena, text, strlen(text), 64, &doc, &err) < 0)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "The export is not JSON: %s.", err);
	lists = json_object_object_get(doc, "lists");
	nlists = lists ? json_object_array_length(lists) : 0;
	*e = mq_arena_calloc(c->arena, 8 + nlists, sizeof(**e));
	(*e)[i++] = (struct mq_zip_entry){ "README.txt", readme, sizeof(readme) - 1 };
	(*e)[i++] = (struct mq_zip_entry){ "marquee.json", text, strlen(text) };
	(*e)[i++] = csv_of(c, "letterboxd/ratings.csv", json_object_object_get(doc, "ratings"),
			   ",Rating,Date", rating_keys);
	(*e)[i++] = csv_of(c, "letterboxd/diary.csv", json_object_object_get(doc, "history"),
			   ",WatchedDate", diary_keys);
	(*e)[i++] = csv_of(c, "letterboxd/reviews.csv", json_object_object_get(doc, "reviews"),
			   ",Rating,Date,Review", review_keys);
	(*e)[i++] = csv_of(c, "letterboxd/watchlist.csv", json_object_object_get(doc, "watchlist"),
			   ",Date", dated_keys);
	(*e)[i++] = csv_of(c, "letterboxd/favorites.csv", json_object_object_get(doc, "favorites"),
			   ",Date", dated_keys);
	for (size_t j = 0; j < nlists; j++)
		(*e)[i++] = list_csv(c, json_object_array_get_idx(lists, j));
	*n = i;
	return MQ_OK;
}

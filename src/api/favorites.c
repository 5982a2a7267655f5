/*
 * favorites.c: a user's favorite movies: POST/GET /api/users/favorites/,
 * DELETE /api/users/favorites/{movie_id}/, GET /api/favorites/ (filters
 * and orderings), /api/favorites/recently-added/ and /recently-removed/.
 *
 * Adding and removing write the activity log in the same statement, so
 * the log has every change; the movie's favorites_count follows by
 * trigger (sql/0007_collections.sql).  Every statement is scoped to the
 * caller (f.user_id = $1): nobody reaches another user's favorites.
 */
#include "catalog/changes.h"
#include "catalog/genres.h"
#include "catalog/movie_ref.h"
#include "catalog/movie_sql.h"
#include "core/json.h"
#include "core/utf8.h"
#include "db/rows.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/lang.h"
#include "http/movie_filters.h"
#include "http/movie_ref_form.h"
#include "http/page.h"

#define ITEM "rfc3339(f.created_at) AS added_at, " MQ_MOVIE_ITEM_COLUMNS " "
#define FROM "FROM favorites f JOIN movies m ON m.id = f.movie_id " MQ_MOVIE_TRANSLATION("$2", "$3")

/* $1 user, $2 $3 language, $4 title, $5 tmdb_id, $6 genre ids,
 * $7 added_after, $8 added_before, $9 $10 limit and offset. */
#define LIST(order) MQ_STMT_READ( \
	"SELECT count(*) OVER () AS total, " ITEM FROM \
	"WHERE f.user_id = $1 " \
	"AND ($4::text IS NULL OR m.title_fold LIKE '%' || like_escape(search_fold($4)) || '%') " \
	"AND ($5::int IS NULL OR m.tmdb_id = $5) " \
	"AND ($6::int[] IS NULL OR m.genre_ids && $6) " \
	"AND ($7::timestamptz IS NULL OR f.created_at >= $7) " \
	"AND ($8::timestamptz IS NULL OR f.created_at <= $8) " \
	"ORDER BY " order " LIMIT $9 OFFSET $10")

static const char *const order_names[] = {
	"-added_at", "added_at", "title", "-title", "release_date", "-release_date", NULL,
};

static struct mq_stmt list_stmts[] = {
	LIST("f.created_at DESC, m.id DESC"),
	LIST("f.created_at, m.id"),
	LIST("m.title, m.id"),
	LIST("m.title DESC, m.id DESC"),
	LIST("m.release_date NULLS LAST, m.id"),
	LIST("m.release_date DESC NULLS LAST, m.id DESC"),
};

static struct mq_stmt one = MQ_STMT_READ(
	"SELECT " ITEM FROM "WHERE f.user_id = $1 AND f.movie_id = $4");

/* Known cost: as GET /api/users/me/activity/, the count reads every
 * removal the user ever made; cap it as movies.c does when logs grow. */
static struct mq_stmt removed = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, rfc3339(a.created_at) AS removed_at, "
	MQ_MOVIE_ITEM_COLUMNS " FROM activity a JOIN movies m ON m.id = a.movie_id "
	MQ_MOVIE_TRANSLATION("$2", "$3")
	"WHERE a.user_id = $1 AND a.verb = 'favorite_removed' "
	"ORDER BY a.created_at DESC, a.id DESC LIMIT $4 OFFSET $5");

static struct mq_stmt add = MQ_STMT(
	"WITH ins AS (INSERT INTO favorites (user_id, movie_id) VALUES ($1, $2) "
	"             ON CONFLICT DO NOTHING RETURNING movie_id), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id) "
	"           SELECT $1, 'favorite_added', movie_id FROM ins) "
	"SELECT count(*) FROM ins");

static struct mq_stmt remove_one = MQ_STMT(
	"WITH gone AS (DELETE FROM favorites WHERE user_id = $1 AND movie_id = $2 "
	"              RETURNING movie_id), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id) "
	"           SELECT $1, 'favorite_removed', movie_id FROM gone) "
	"SELECT count(*) FROM gone");

struct query {
	struct mq_page page;
	struct mq_lang lang;
	const char *param[10];
	int order;
};

/* added_after=, added_before=: a date (its midnight, UTC) or a date-time. */
static const char *read_time(struct mq_form *f, const char *name)
{
	const char *v = mq_query_get(&f->r->query, name);

	if (v == NULL)
		return NULL;
	if (mq_valid_date(v))
		return mq_arena_printf(f->r->arena, "%sT00:00:00Z", v);
	if (mq_valid_timestamp(v))
		return v;
	mq_form_error(f, name, "Must be a date (YYYY-MM-DD) or an RFC 3339 date-time "
		      "(2026-11-20T10:00:00Z).");
	return NULL;
}

/* A failure is the database's (resolving genres). */
static enum mq_status read_filters(struct mq_form *f, struct query *q)
{
	struct mq_movie_filters mf = { 0 };
	const char *v;
	int64_t n;

	if ((v = mq_query_get(&f->r->query, "title")) && (*v == '\0' || mq_utf8_length(v) > 100))
		mq_form_error(f, "title", "Must be 1 to 100 characters.");
	else
		q->param[3] = v;
	if ((v = mq_query_get(&f->r->query, "tmdb_id")) && mq_parse_int64(v, 1, INT32_MAX, &n) < 0)
		mq_form_error(f, "tmdb_id", "Must be a whole number from 1 to 2147483647.");
	else if (v)
		q->param[4] = v;
	if ((v = mq_query_get(&f->r->query, "genre")))
		mq_movie_filters_genre(f, v, &mf);
	q->param[6] = read_time(f, "added_after");
	q->param[7] = read_time(f, "added_before");
	if (mf.genre_ids && mq_form_ok(f)) {
		const char *unknown;
		enum mq_status st = mq_genres_resolve(&f->r->ctx, mf.genre_ids, mf.genre_slugs,
						      &q->param[5], &unknown);

		if (st != MQ_OK)
			return st;
		if (unknown)
			mq_form_error(f, "genre", "No such genre: %s.", unknown);
	}
	return MQ_OK;
}

static int read_order(struct mq_form *f, const char *v)
{
	for (int i = 0; order_names[i]; i++)
		if (strcmp(v, order_names[i]) == 0)
			return i;
	mq_form_error(f, "ordering", "Must be added_at, title or release_date, optionally with a "
		      "leading - for descending.");
	return 0;
}

/* Reads the page, the language and (when filtered) the filters and the
 * ordering, or answers 400. */
static mq_reply begin(struct mq_req *r, struct query *q, bool filtered)
{
	static const char *const plain[] = { "page", "page_size", NULL };
	static const char *const all[] = {
		"page", "page_size", "title", "tmdb_id", "genre", "added_after", "added_before",
		"ordering", NULL,
	};
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	enum mq_status st;
	const char *v;
	mq_reply rc;

	memset(q, 0, sizeof(*q));
	mq_form_check_query(&f, filtered ? all : plain);
	if (filtered && mq_form_ok(&f)) {
		if ((st = read_filters(&f, q)) != MQ_OK)
			return mq_fail(r, st);
		if ((v = mq_query_get(&r->query, "ordering")))
			q->order = read_order(&f, v);
	}
	if (mq_done(rc = mq_form_end(&f)) || mq_done(rc = mq_page_parse(r, &q->page)) ||
	    mq_done(rc = mq_lang_choose(r, NULL, &q->lang)))
		return rc;
	q->param[0] = mq_req_user_text(r);
	q->param[1] = q->lang.tag;
	q->param[2] = q->lang.primary;
	q->param[8] = q->page.limit_s;
	q->param[9] = q->page.offset_s;
	return MQ_NEXT;
}

/* Cached for the user (http/respcache.h): what a page shows changes with
 * their own favorites and with the movies. */
static mq_reply list(struct mq_req *r, bool filtered)
{
	struct mq_respcache rc_cache;
	struct query q;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = begin(r, &q, filtered)) ||
	    mq_done(rc = mq_respcache_serve_private(r, &rc_cache, "movies",
						    mq_favorites_kind(r->arena, q.param[0]),
						    q.lang.tag)))
		return rc;
	if ((res = mq_q(r, &list_stmts[q.order], 10, q.param)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond_cached(r, &rc_cache, &q.page, res, 1, q.lang.primary);
}

/* GET /api/users/favorites/ and GET /api/favorites/: filtered, ordered
 * (newest first by default). */
mq_reply mq_favorites_list(struct mq_req *r)
{
	return list(r, true);
}

/* GET /api/favorites/recently-added/: newest first. */
mq_reply mq_favorites_recently_added(struct mq_req *r)
{
	return list(r, false);
}

/* GET /api/favorites/recently-removed/: from the activity log, newest
 * first; a movie removed twice is there twice. */
mq_reply mq_favorites_recently_removed(struct mq_req *r)
{
	struct query q;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = begin(r, &q, false)))
		return rc;
	const char *params[] = { q.param[0], q.param[1], q.param[2], q.param[8], q.param[9] };
	if ((res = mq_q(r, &removed, 5, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond(r, &q.page, res, 1, q.lang.primary);
}

/* POST /api/users/favorites/ {movie} or {tmdb_id, title?, overview?,
 * poster_path?}: 201 when added, 200 when it was a favorite already. */
mq_reply mq_favorites_add(struct mq_req *r)
{
	static const char *const fields[] = { MQ_MOVIE_REF_FIELDS, NULL };
	struct mq_movie_ref ref;
	struct mq_form f;
	struct mq_lang lang;
	const char *movie;
	enum mq_status st;
	PGresult *res;
	mq_reply rc;
	bool added;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	mq_movie_ref_read(&f, &ref);
	if (mq_done(rc = mq_form_end(&f)) || mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	if ((st = mq_movie_ref_resolve(&r->ctx, &ref, &movie)) != MQ_OK)
		return mq_fail(r, st);
	const char *params[] = { mq_req_user_text(r), lang.tag,
				 lang.primary, movie };
	if ((res = mq_q(r, &add, 2, (const char *[]){ params[0], movie })) == NULL)
		return mq_fail(r, mq_movie_write_failure(&r->ctx, movie));
	if ((added = mq_row_int(res, 0, 0) > 0)) {
		mq_movie_changed(&r->ctx, movie);
		mq_favorites_changed(&r->ctx, params[0]);
	}
	if ((res = mq_q(r, &one, 4, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond_one(r, added ? 201 : 200, res, 1, lang.primary);
}

/* DELETE /api/users/favorites/{movie_id}/: 204, or 404 when it is not
 * one of the caller's favorites. */
mq_reply mq_favorites_remove(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "movie_id");
	const char *params[] = { mq_req_user_text(r), movie };
	PGresult *res = mq_q(r, &remove_one, 2, params);

	if (res == NULL)
		return mq_fail_db(r);
	if (mq_row_int(res, 0, 0) == 0)
		return mq_problem(r, 404, "Movie %s is not among your favorites.", movie);
	mq_movie_changed(&r->ctx, movie);
	mq_favorites_changed(&r->ctx, params[0]);
	return mq_respond(r, 204, NULL, NULL, 0);
}

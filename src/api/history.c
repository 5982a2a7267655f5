/*
 * history.c: what a user watched, and everything a user did:
 * GET/POST /api/users/me/history/, DELETE /api/users/me/history/{id}/,
 * GET /api/users/me/activity/.
 *
 * Watch-history entries come from here and from marking a watchlist
 * entry watched (watchlist.c); the activity log from every write of the
 * collections.  Both are the caller's only (user_id = $1 in every
 * statement).
 */
#include "catalog/movie_ref.h"
#include "catalog/movie_sql.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/lang.h"
#include "http/movie_ref_form.h"
#include "http/page.h"

/* Timestamps a little ahead of the server's clock are the client's
 * clock, not the future. */
#define CLOCK_SKEW "interval '5 minutes'"

/* $1 user, $2 $3 language, $4 $5 limit and offset. */
static struct mq_stmt list_history = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, h.id, rfc3339(h.watched_at) AS watched_at, "
	MQ_MOVIE_ITEM_COLUMNS " FROM watch_history h JOIN movies m ON m.id = h.movie_id "
	MQ_MOVIE_TRANSLATION("$2", "$3")
	"WHERE h.user_id = $1 ORDER BY h.watched_at DESC, h.id DESC LIMIT $4 OFFSET $5");

static struct mq_stmt one_history = MQ_STMT_READ(
	"SELECT h.id, rfc3339(h.watched_at) AS watched_at, " MQ_MOVIE_ITEM_COLUMNS " "
	"FROM watch_history h JOIN movies m ON m.id = h.movie_id " MQ_MOVIE_TRANSLATION("$2", "$3")
	"WHERE h.user_id = $1 AND h.id = $4");

/* $1 user, $2 movie, $3 watched_at or NULL (now).  No row: in the future. */
static struct mq_stmt insert_history = MQ_STMT(
	"WITH ins AS (INSERT INTO watch_history (user_id, movie_id, watched_at) "
	"             SELECT $1, $2, coalesce($3::timestamptz, now()) "
	"             WHERE coalesce($3::timestamptz, now()) <= now() + " CLOCK_SKEW " "
	"             RETURNING id, movie_id), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id) "
	"           SELECT $1, 'watched', movie_id FROM ins) "
	"SELECT id FROM ins");

/* Whether $1 is in the future, checked before the movie is resolved (and
 * perhaps made): a refused entry must write nothing. */
static struct mq_stmt in_future = MQ_STMT_READ(
	"SELECT $1::timestamptz > now() + " CLOCK_SKEW);

static struct mq_stmt delete_history = MQ_STMT(
	"DELETE FROM watch_history WHERE user_id = $1 AND id = $2 RETURNING id");

/* $1 user, $2 $3 language, $4 verb or NULL, $5 $6 limit and offset.
 * Known cost: count(*) OVER () reads all of the user's log (it only
 * grows) for every page; when logs get long, count up to a cap as
 * movies.c does (COUNT_CAP, "count_exact"). */
static struct mq_stmt list_activity = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, a.id, a.verb, a.rating::float8 AS rating, "
	"rfc3339(a.created_at) AS created_at, " MQ_MOVIE_ITEM_COLUMNS " "
	"FROM activity a JOIN movies m ON m.id = a.movie_id " MQ_MOVIE_TRANSLATION("$2", "$3")
	"WHERE a.user_id = $1 AND ($4::text IS NULL OR a.verb = $4) "
	"ORDER BY a.created_at DESC, a.id DESC LIMIT $5 OFFSET $6");

static const char *const verbs[] = {
	"favorite_added", "favorite_removed", "rated", "rating_removed", "watchlist_added",
	"watchlist_removed", "watched", NULL,
};

/* Reads the page and the language, refusing other parameters than
 * page, page_size and extra (NULL for none), or answers 400. */
static mq_reply begin(struct mq_req *r, struct mq_page *p, struct mq_lang *lang, const char *extra)
{
	const char *const params[] = { "page", "page_size", extra, NULL };
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, params)) || mq_done(rc = mq_page_parse(r, p)))
		return rc;
	return mq_lang_choose(r, NULL, lang);
}

/* GET /api/users/me/history/: the most recently watched first. */
mq_reply mq_history_list(struct mq_req *r)
{
	struct mq_lang lang;
	struct mq_page p;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = begin(r, &p, &lang, NULL)))
		return rc;
	const char *params[] = { mq_req_user_text(r), lang.tag, lang.primary, p.limit_s,
				 p.offset_s };
	if ((res = mq_q(r, &list_history, 5, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond(r, &p, res, 2, lang.primary);
}

/* watched_at: an RFC 3339 date-time; NULL (now) when absent. */
static const char *read_watched_at(struct mq_form *f)
{
	/* 2026-11-20T10:00:00.123456789+05:30 at the longest */
	const char *v = mq_form_string(f, "watched_at", MQ_OPTIONAL, 20, 35);

	if (v && !mq_valid_timestamp(v)) {
		mq_form_error(f, "watched_at", "Must be an RFC 3339 date-time such as "
			      "2026-11-20T10:00:00Z.");
		return NULL;
	}
	return v;
}

static mq_reply future(struct mq_req *r)
{
	return mq_problem_field(r, "watched_at", "Must not be in the future.");
}

/* POST /api/users/me/history/ {movie or tmdb_id (+ details), watched_at?}:
 * 201; each watching is an entry of its own. */
mq_reply mq_history_add(struct mq_req *r)
{
	static const char *const fields[] = { MQ_MOVIE_REF_FIELDS, "watched_at", NULL };
	const char *movie, *when, *id;
	struct mq_movie_ref ref;
	struct mq_lang lang;
	struct mq_form f;
	enum mq_status st;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, (const char *const[]){ "id", NULL })))
		return rc;
	mq_movie_ref_read(&f, &ref);
	when = read_watched_at(&f);
	if (mq_done(rc = mq_form_end(&f)) || mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	if (when && (res = mq_q(r, &in_future, 1, &when)) == NULL)
		return mq_fail_db(r);
	if (when && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		return future(r);
	if ((st = mq_movie_ref_resolve(&r->ctx, &ref, &movie)) != MQ_OK)
		return mq_fail(r, st);
	const char *row[] = { mq_req_user_text(r), movie, when };
	if ((res = mq_q(r, &insert_history, 3, row)) == NULL)
		return mq_fail(r, mq_movie_write_failure(&r->ctx, movie));
	if (PQntuples(res) == 0)	/* the clock moved on past the check: still refused */
		return future(r);
	id = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
	const char *params[] = { mq_req_user_text(r), lang.tag, lang.primary, id };
	if ((res = mq_q(r, &one_history, 4, params)) == NULL)
		return mq_fail_db(r);
	mq_resp_header(r, "Location", mq_arena_printf(r->arena, "/api/users/me/history/%s/", id));
	return mq_collection_respond_one(r, 201, res, 2, lang.primary);
}

/* DELETE /api/users/me/history/{id}/: 204, or 404 (none of the caller's). */
mq_reply mq_history_delete(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id");
	PGresult *res = mq_q(r, &delete_history, 2, (const char *[]){ mq_req_user_text(r), id });

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No history entry %s of yours.", id);
	return mq_respond(r, 204, NULL, NULL, 0);
}

/* GET /api/users/me/activity/: every add, remove, rating and watching,
 * newest first; verb= keeps one kind. */
mq_reply mq_activity_list(struct mq_req *r)
{
	const char *verb = mq_query_get(&r->query, "verb");
	struct mq_lang lang;
	struct mq_page p;
	PGresult *res;
	bool known = verb == NULL;
	mq_reply rc;

	if (mq_done(rc = begin(r, &p, &lang, "verb")))
		return rc;
	for (int i = 0; verbs[i] && !known; i++)
		known = strcmp(verb, verbs[i]) == 0;
	if (!known)
		return mq_problem_field(r, "verb", "Must be one of favorite_added, favorite_removed, "
					"rated, rating_removed, watchlist_added, watchlist_removed, "
					"watched.");
	const char *params[] = { mq_req_user_text(r), lang.tag, lang.primary, verb, p.limit_s,
				 p.offset_s };
	if ((res = mq_q(r, &list_activity, 6, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond(r, &p, res, 4, lang.primary);
}

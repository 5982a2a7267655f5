/*
 * watchlist.c: the movies a user means to watch: POST/GET /api/watchlist/,
 * PUT/PATCH/DELETE /api/watchlist/{id}/.
 *
 * An entry has a note, a priority (low, medium, high) and whether it was
 * watched.  Marking it watched records a watch-history entry and an
 * activity in the same statement, once per change from unwatched (the
 * entry's row is locked first, so two such requests at once record one).
 * Every statement names the caller (w.user_id = $2): another user's
 * entry is not found, whatever its id.
 */
#include "catalog/changes.h"
#include "catalog/movie_ref.h"
#include "catalog/movie_sql.h"
#include "core/json.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/lang.h"
#include "http/movie_ref_form.h"
#include "http/page.h"

#define NOTE_MAX 1000

/* An entry's own columns (OWN of them), then its movie's. */
#define OWN 7
#define ITEM \
	"w.id, w.note, w.priority, w.watched, rfc3339(w.watched_at) AS watched_at, " \
	"rfc3339(w.created_at) AS added_at, rfc3339(w.updated_at) AS updated_at, " \
	MQ_MOVIE_ITEM_COLUMNS " "
#define FROM "FROM watchlist w JOIN movies m ON m.id = w.movie_id " MQ_MOVIE_TRANSLATION("$2", "$3")
#define RANK "array_position(ARRAY['low', 'medium', 'high'], w.priority)"

/* $1 user, $2 $3 language, $4 watched, $5 priority, $6 $7 limit, offset. */
#define LIST(order) MQ_STMT_READ( \
	"SELECT count(*) OVER () AS total, " ITEM FROM \
	"WHERE w.user_id = $1 AND ($4::bool IS NULL OR w.watched = $4) " \
	"AND ($5::text IS NULL OR w.priority = $5) ORDER BY " order " LIMIT $6 OFFSET $7")

static const char *const order_names[] = {
	"-added_at", "added_at", "-priority", "priority", "title", "-title", NULL,
};

static struct mq_stmt list_stmts[] = {
	LIST("w.created_at DESC, w.id DESC"),
	LIST("w.created_at, w.id"),
	LIST(RANK " DESC, w.created_at DESC, w.id DESC"),
	LIST(RANK ", w.created_at, w.id"),
	LIST("m.title, w.id"),
	LIST("m.title DESC, w.id DESC"),
};

static const char *const priorities[] = { "low", "medium", "high", NULL };

/* $1 the entry, $4 the user. */
static struct mq_stmt one = MQ_STMT_READ("SELECT " ITEM FROM "WHERE w.id = $1 AND w.user_id = $4");

static struct mq_stmt insert_entry = MQ_STMT(
	"WITH ins AS (INSERT INTO watchlist (user_id, movie_id, note, priority) "
	"             VALUES ($1, $2, coalesce($3, ''), coalesce($4, 'medium')) "
	"             ON CONFLICT (user_id, movie_id) DO NOTHING RETURNING id, movie_id), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id) "
	"           SELECT $1, 'watchlist_added', movie_id FROM ins) "
	"SELECT id FROM ins "
	"UNION ALL SELECT -id FROM watchlist WHERE user_id = $1 AND movie_id = $2 "
	"  AND NOT EXISTS (SELECT 1 FROM ins)");

/* The entry a conflicting insert met.  When that entry's insert committed
 * after insert_entry's snapshot, insert_entry cannot see it (0 rows): a
 * new statement has a new snapshot that does.  Negated, as insert_entry
 * answers an entry it did not add. */
static struct mq_stmt existing_entry = MQ_STMT_READ(
	"SELECT -id FROM watchlist WHERE user_id = $1 AND movie_id = $2");

/* $1 entry, $2 user; then whether each of note, priority, watched is
 * set, and its value. */
static struct mq_stmt update_entry = MQ_STMT(
	"WITH old AS (SELECT id, watched FROM watchlist WHERE id = $1 AND user_id = $2 FOR UPDATE), "
	"up AS (UPDATE watchlist w SET "
	"         note = CASE WHEN $3::bool THEN $4 ELSE w.note END, "
	"         priority = CASE WHEN $5::bool THEN $6 ELSE w.priority END, "
	"         watched = CASE WHEN $7::bool THEN $8::bool ELSE w.watched END, "
	"         watched_at = CASE WHEN NOT $7::bool THEN w.watched_at "
	"                           WHEN $8::bool THEN coalesce(w.watched_at, now()) END, "
	"         updated_at = now() "
	"       FROM old WHERE w.id = old.id "
	"       RETURNING w.movie_id, w.watched AND NOT old.watched AS newly_watched), "
	"hist AS (INSERT INTO watch_history (user_id, movie_id) "
	"         SELECT $2, movie_id FROM up WHERE newly_watched), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id) "
	"           SELECT $2, 'watched', movie_id FROM up WHERE newly_watched) "
	"SELECT movie_id FROM up");

static struct mq_stmt delete_entry = MQ_STMT(
	"WITH gone AS (DELETE FROM watchlist WHERE id = $1 AND user_id = $2 RETURNING movie_id), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id) "
	"           SELECT $2, 'watchlist_removed', movie_id FROM gone) "
	"SELECT movie_id FROM gone");

/* Answers entry id as it now is. */
static mq_reply show(struct mq_req *r, int status, const char *id)
{
	struct mq_lang lang;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	const char *params[] = { id, lang.tag, lang.primary, mq_req_user_text(r) };
	if ((res = mq_q(r, &one, 4, params)) == NULL)
		return mq_fail_db(r);
	if (status == 201)
		mq_resp_header(r, "Location", mq_arena_printf(r->arena, "/api/watchlist/%s/", id));
	return mq_collection_respond_one(r, status, res, OWN, lang.primary);
}

/* 409 naming the entry the movie already has. */
static mq_reply already(struct mq_req *r, const char *id)
{
	struct json_object *extra = mq_json_object(r->arena);

	mq_json_add_int(extra, "id", strtoll(id, NULL, 10));
	return mq_problem_ext(r, 409, mq_arena_printf(r->arena, mq_tr(r->lang.ui, "The movie is on your watchlist "
				"already, as entry %s; change it with PUT /api/watchlist/%s/."), id, id),
			      extra);
}

/* POST /api/watchlist/ {movie or tmdb_id (+ details), note?, priority?} */
mq_reply mq_watchlist_add(struct mq_req *r)
{
	static const char *const fields[] = { MQ_MOVIE_REF_FIELDS, "note", "priority", NULL };
	struct mq_movie_ref ref;
	const char *note, *priority, *movie, *id;
	struct mq_form f;
	enum mq_status st;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	mq_movie_ref_read(&f, &ref);
	note = mq_form_string(&f, "note", MQ_OPTIONAL, 0, NOTE_MAX);
	priority = mq_form_enum(&f, "priority", MQ_OPTIONAL, priorities);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_movie_ref_resolve(&r->ctx, &ref, &movie)) != MQ_OK)
		return mq_fail(r, st);
	const char *params[] = { mq_req_user_text(r), movie, note, priority };
	if ((res = mq_q(r, &insert_entry, 4, params)) == NULL)
		return mq_fail(r, mq_movie_write_failure(&r->ctx, movie));
	if (PQntuples(res) == 0 && (res = mq_q(r, &existing_entry, 2, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {	/* added and removed by another request meanwhile */
		mq_resp_header(r, "Retry-After", "1");
		return mq_problem(r, 503, "The watchlist changed meanwhile; try again.");
	}
	id = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
	if (*id == '-')
		return already(r, id + 1);
	mq_movie_changed(&r->ctx, movie);
	return show(r, 201, id);
}

/* Reads the page, the filters and the ordering, or answers 400. */
static mq_reply read_list(struct mq_req *r, struct mq_page *p, const char **watched,
			  const char **priority, int *order)
{
	static const char *const params[] = {
		"page", "page_size", "watched", "priority", "ordering", NULL,
	};
	static const char *const bools[] = { "true", "false", NULL };
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	const char *v;
	mq_reply rc;

	mq_form_check_query(&f, params);
	*order = -1;
	if ((*watched = mq_query_get(&r->query, "watched")) && !mq_form_listed(bools, *watched))
		mq_form_error(&f, "watched", "Must be true or false.");
	if ((*priority = mq_query_get(&r->query, "priority")) && !mq_form_listed(priorities, *priority))
		mq_form_error(&f, "priority", "Must be low, medium or high.");
	v = mq_query_get(&r->query, "ordering");
	for (int i = 0; order_names[i]; i++)
		if (strcmp(v ? v : "-added_at", order_names[i]) == 0)
			*order = i;
	if (*order < 0)
		mq_form_error(&f, "ordering", "Must be added_at, priority or title, optionally with "
			      "a leading - for descending.");
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	return mq_page_parse(r, p);
}

/* GET /api/watchlist/: newest first; filters watched and priority. */
mq_reply mq_watchlist_list(struct mq_req *r)
{
	const char *watched, *priority;
	struct mq_lang lang;
	struct mq_page p;
	PGresult *res;
	mq_reply rc;
	int order;

	if (mq_done(rc = read_list(r, &p, &watched, &priority, &order)) ||
	    mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	const char *params[] = { mq_req_user_text(r), lang.tag, lang.primary, watched, priority,
				 p.limit_s, p.offset_s };
	if ((res = mq_q(r, &list_stmts[order], 7, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond(r, &p, res, OWN, lang.primary);
}

/* Reads note, priority and watched; whole (PUT): an absent one is reset
 * to its default.  Fills params[2..7] of update_entry. */
static mq_reply read_update(struct mq_req *r, bool whole, const char **params)
{
	static const char *const fields[] = { "note", "priority", "watched", NULL };
	static const char *const read_only[] = {
		"id", "movie", "tmdb_id", "watched_at", "added_at", "updated_at", NULL,
	};
	struct mq_form f;
	bool watched = false;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	params[3] = mq_form_string(&f, "note", MQ_OPTIONAL, 0, NOTE_MAX);
	params[5] = mq_form_enum(&f, "priority", MQ_OPTIONAL, priorities);
	mq_form_bool(&f, "watched", MQ_OPTIONAL, &watched);
	params[7] = watched ? "true" : "false";
	params[2] = whole || mq_form_has(&f, "note") ? "true" : "false";
	params[4] = whole || mq_form_has(&f, "priority") ? "true" : "false";
	params[6] = whole || mq_form_has(&f, "watched") ? "true" : "false";
	if (whole && params[3] == NULL)
		params[3] = "";
	if (whole && params[5] == NULL)
		params[5] = "medium";
	return mq_form_end(&f);
}

static mq_reply update(struct mq_req *r, bool whole)
{
	const char *params[8] = { mq_req_id_text(r, "id"), mq_req_user_text(r) };
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = read_update(r, whole, params)))
		return rc;
	if ((res = mq_q(r, &update_entry, 8, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No watchlist entry %s of yours.", params[0]);
	return show(r, 200, params[0]);
}

/* PUT /api/watchlist/{id}/: note, priority, watched (absent: defaults). */
mq_reply mq_watchlist_put(struct mq_req *r)
{
	return update(r, true);
}

/* PATCH /api/watchlist/{id}/: the fields given. */
mq_reply mq_watchlist_patch(struct mq_req *r)
{
	return update(r, false);
}

/* DELETE /api/watchlist/{id}/: 204; another user's entry is 404. */
mq_reply mq_watchlist_delete(struct mq_req *r)
{
	const char *params[] = { mq_req_id_text(r, "id"), mq_req_user_text(r) };
	PGresult *res = mq_q(r, &delete_entry, 2, params);

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No watchlist entry %s of yours.", params[0]);
	mq_movie_changed(&r->ctx, PQgetvalue(res, 0, 0));
	return mq_respond(r, 204, NULL, NULL, 0);
}

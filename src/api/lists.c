/*
 * lists.c: named lists of movies: GET/POST /api/lists/,
 * GET/PUT/DELETE /api/lists/{id}/, POST /api/lists/{id}/items/,
 * DELETE /api/lists/{id}/items/{movie_id}/.
 *
 * A list is public or private; a private one is not found (404) by
 * anyone but its owner, and only the owner changes a list (every write
 * names user_id = the caller).  Items have positions 1..n: adding one at
 * a position moves those after it down, removing one closes the gap.
 * Item writes lock the list's row first and then read, in a transaction,
 * so concurrent writers of one list take turns and see each other's
 * items.
 */
#include "catalog/collection.h"
#include "catalog/movie_ref.h"
#include "catalog/movie_sql.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/lang.h"
#include "http/movie_ref_form.h"
#include "http/page.h"

/* CALLER: the caller's user id (NULL: anonymous), whom alone their own
 * provisional movies are counted and shown for (others' lists cannot
 * hold any: sql/0010_hardening.sql). */
#define VISIBLE_TO(CALLER) "(m.provisional_by IS NULL OR m.provisional_by = " CALLER ") "
#define LIST_COLUMNS(CALLER) \
	"l.id, l.name, l.description, l.is_public, u.username AS owner, " \
	"(SELECT count(*) FROM list_items i JOIN movies m ON m.id = i.movie_id " \
	" WHERE i.list_id = l.id AND " VISIBLE_TO(CALLER) ") AS items_count, " \
	"rfc3339(l.created_at) AS created_at, rfc3339(l.updated_at) AS updated_at "

/* $1 the caller (NULL: anonymous), $2 username or NULL, $3 $4 page.
 * Known cost: count(*) OVER () reads every public list for each page;
 * cap it as movies.c does (COUNT_CAP, "count_exact") as lists grow. */
static struct mq_stmt list_lists = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, " LIST_COLUMNS("$1")
	"FROM lists l JOIN users u ON u.id = l.user_id "
	"WHERE (l.is_public OR l.user_id = $1) AND ($2::text IS NULL OR lower(u.username) = lower($2)) "
	"ORDER BY l.created_at DESC, l.id DESC LIMIT $3 OFFSET $4");

/* $1 list, $2 the caller (NULL: anonymous). */
static struct mq_stmt one_list = MQ_STMT_READ(
	"SELECT " LIST_COLUMNS("$2") "FROM lists l JOIN users u ON u.id = l.user_id "
	"WHERE l.id = $1 AND (l.is_public OR l.user_id = $2)");

/* $1 list, $2 $3 language, $4 $5 page, $6 the caller (NULL: anonymous). */
static struct mq_stmt list_items = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, i.position, i.note, rfc3339(i.added_at) AS added_at, "
	MQ_MOVIE_ITEM_COLUMNS " FROM list_items i JOIN movies m ON m.id = i.movie_id "
	MQ_MOVIE_TRANSLATION("$2", "$3")
	"WHERE i.list_id = $1 AND " VISIBLE_TO("$6") "ORDER BY i.position LIMIT $4 OFFSET $5");

static struct mq_stmt one_item = MQ_STMT_READ(
	"SELECT i.position, i.note, rfc3339(i.added_at) AS added_at, " MQ_MOVIE_ITEM_COLUMNS " "
	"FROM list_items i JOIN movies m ON m.id = i.movie_id " MQ_MOVIE_TRANSLATION("$2", "$3")
	"WHERE i.list_id = $1 AND i.movie_id = $4");

static struct mq_stmt insert_list = MQ_STMT(
	"INSERT INTO lists (user_id, name, description, is_public) VALUES ($1, $2, $3, $4::bool) "
	"RETURNING id");

static struct mq_stmt update_list = MQ_STMT(
	"UPDATE lists SET name = $3, description = $4, is_public = $5::bool, updated_at = now() "
	"WHERE id = $1 AND user_id = $2 RETURNING id");

static struct mq_stmt delete_list = MQ_STMT(
	"DELETE FROM lists WHERE id = $1 AND user_id = $2 RETURNING id");

/* Whether the caller owns the list, before anything is made for it. */
static struct mq_stmt own_list = MQ_STMT_READ("SELECT 1 FROM lists WHERE id = $1 AND user_id = $2");

static struct mq_stmt lock_list = MQ_STMT(
	"UPDATE lists SET updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING id");

/* $1 list, $2 movie, $3 position (NULL: the end), $4 note.  Nothing
 * when the movie is on the list already. */
static struct mq_stmt insert_item = MQ_STMT(
	"WITH n AS (SELECT count(*)::int AS n FROM list_items WHERE list_id = $1), "
	"pos AS (SELECT least(coalesce($3::int, n + 1), n + 1) AS p FROM n "
	"        WHERE NOT EXISTS (SELECT 1 FROM list_items WHERE list_id = $1 AND movie_id = $2)), "
	"shift AS (UPDATE list_items SET position = position + 1 "
	"          WHERE list_id = $1 AND position >= (SELECT p FROM pos)) "
	"INSERT INTO list_items (list_id, movie_id, position, note) "
	"SELECT $1, $2, p, coalesce($4, '') FROM pos RETURNING position");

static struct mq_stmt delete_item = MQ_STMT(
	"WITH gone AS (DELETE FROM list_items WHERE list_id = $1 AND movie_id = $2 "
	"              RETURNING position), "
	"shift AS (UPDATE list_items SET position = position - 1 "
	"          WHERE list_id = $1 AND position > (SELECT position FROM gone)) "
	"SELECT count(*) FROM gone");

static const char *user_param(struct mq_req *r)
{
	return r->user_id ? mq_req_user_text(r) : NULL;
}

static mq_reply no_list(struct mq_req *r, const char *id)
{
	return mq_problem(r, 404, "No list with id %s.", id);
}

/* GET /api/lists/: the public lists and the caller's own, newest first;
 * username= keeps one user's. */
mq_reply mq_lists_list(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", "username", NULL };
	const char *username = mq_query_get(&r->query, "username");
	struct json_object *page;
	struct mq_page p;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	if (username && (*username == '\0' || strlen(username) > 30))
		return mq_problem_field(r, "username", "Must be a username.");
	const char *params[] = { user_param(r), username, p.limit_s, p.offset_s };
	if ((res = mq_q(r, &list_lists, 4, params)) == NULL)
		return mq_fail_db(r);
	if ((page = mq_collection_rows_page(r, &p, res)) == NULL)
		return mq_page_not_found(r, &p);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, page);
}

/* Reads name, description and is_public (all of them: POST and PUT). */
static mq_reply read_list(struct mq_req *r, const char **params)
{
	static const char *const fields[] = { "name", "description", "is_public", NULL };
	static const char *const read_only[] = {
		"id", "owner", "items_count", "items", "created_at", "updated_at", NULL,
	};
	struct mq_form f;
	bool is_public = false;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	params[0] = mq_form_string(&f, "name", MQ_REQUIRED, 1, 100);
	params[1] = mq_form_string(&f, "description", MQ_OPTIONAL, 0, 2000);
	mq_form_bool(&f, "is_public", MQ_OPTIONAL, &is_public);
	params[1] = params[1] ? params[1] : "";
	params[2] = is_public ? "true" : "false";
	return mq_form_end(&f);
}

/* How a list is shown: a page of its items, in a language; read before
 * any write, so that a bad page never answers 400 after a change. */
struct view {
	struct mq_page p;
	struct mq_lang lang;
};

static mq_reply read_view(struct mq_req *r, struct view *v)
{
	static const char *const allowed[] = { "page", "page_size", NULL };
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &v->p)))
		return rc;
	return mq_lang_choose(r, NULL, &v->lang);
}

/* Answers list id with a page of its items, or 404 when the caller may
 * not see it. */
static mq_reply show(struct mq_req *r, int status, const char *id, const struct view *v)
{
	const struct mq_page p = v->p;
	const struct mq_lang lang = v->lang;
	struct json_object *list, *items;
	enum mq_status st;
	PGresult *res;

	if ((res = mq_q(r, &one_list, 2, (const char *[]){ id, user_param(r) })) == NULL)
		return mq_fail_db(r);
	if ((list = mq_row_owned(r->arena, res)) == NULL)
		return no_list(r, id);
	const char *params[] = { id, lang.tag, lang.primary, p.limit_s, p.offset_s, user_param(r) };
	if ((res = mq_q(r, &list_items, 6, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0 && p.page > 1)
		return mq_page_not_found(r, &p);
	if ((st = mq_collection_items(&r->ctx, res, 3, lang.primary, &items)) != MQ_OK)
		return mq_fail(r, st);
	json_object_object_add(list, "items", json_object_get(mq_page_envelope(
		r, &p, PQntuples(res) ? mq_row_int(res, 0, 0) : 0, items)));
	if (status == 201)
		mq_resp_header(r, "Location", mq_arena_printf(r->arena, "/api/lists/%s/", id));
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, status, list);
}

/* POST /api/lists/ {name, description?, is_public?} */
mq_reply mq_lists_create(struct mq_req *r)
{
	const char *params[4] = { user_param(r) };
	struct view v;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = read_view(r, &v)) || mq_done(rc = read_list(r, params + 1)))
		return rc;
	if ((res = mq_q(r, &insert_list, 4, params)) == NULL)
		return mq_fail_db(r);
	return show(r, 201, mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0)), &v);
}

/* GET /api/lists/{id}/: the list and a page of its items, in order. */
mq_reply mq_lists_get(struct mq_req *r)
{
	struct view v;
	mq_reply rc;

	if (mq_done(rc = read_view(r, &v)))
		return rc;
	return show(r, 200, mq_req_id_text(r, "id"), &v);
}

/* PUT /api/lists/{id}/ {name, description?, is_public?}: the owner's. */
mq_reply mq_lists_put(struct mq_req *r)
{
	const char *params[5] = { mq_req_id_text(r, "id"), user_param(r) };
	struct view v;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = read_view(r, &v)) || mq_done(rc = read_list(r, params + 2)))
		return rc;
	if ((res = mq_q(r, &update_list, 5, params)) == NULL)
		return mq_fail_db(r);
	return PQntuples(res) ? show(r, 200, params[0], &v) : no_list(r, params[0]);
}

/* DELETE /api/lists/{id}/: the owner's; its items go with it. */
mq_reply mq_lists_delete(struct mq_req *r)
{
	const char *params[] = { mq_req_id_text(r, "id"), user_param(r) };
	PGresult *res = mq_q(r, &delete_list, 2, params);

	if (res == NULL)
		return mq_fail_db(r);
	return PQntuples(res) ? mq_respond(r, 204, NULL, NULL, 0) : no_list(r, params[0]);
}

/* Begins a transaction holding the caller's list id locked, or answers
 * 404 (rolled back) or the database's failure. */
static mq_reply lock_own(struct mq_req *r, const char *id)
{
	PGresult *res;

	if (mq_db_begin(r->ctx.db) < 0 ||
	    (res = mq_q(r, &lock_list, 2, (const char *[]){ id, user_param(r) })) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return no_list(r, id);
	}
	return MQ_NEXT;
}

/* POST /api/lists/{id}/items/ {movie or tmdb_id (+ details), position?,
 * note?}: 201 with the item; 409 when the movie is on the list. */
mq_reply mq_lists_add_item(struct mq_req *r)
{
	static const char *const fields[] = { MQ_MOVIE_REF_FIELDS, "position", "note", NULL };
	const char *list = mq_req_id_text(r, "id"), *movie, *note, *position = NULL;
	struct mq_movie_ref ref;
	struct mq_lang lang;
	struct mq_form f;
	enum mq_status st;
	PGresult *res;
	mq_reply rc;
	int64_t n;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	mq_movie_ref_read(&f, &ref);
	if (mq_form_int(&f, "position", MQ_OPTIONAL, 1, 100000, &n))
		position = mq_arena_int(r->arena, n);
	note = mq_form_string(&f, "note", MQ_OPTIONAL, 0, 500);
	if (mq_done(rc = mq_form_end(&f)) || mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	/* another's list is a 404 before a tmdb_id makes a catalog movie;
	 * lock_own checks again, as the list may go meanwhile */
	if ((res = mq_q(r, &own_list, 2, (const char *[]){ list, user_param(r) })) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return no_list(r, list);
	if ((st = mq_movie_ref_resolve(&r->ctx, &ref, &movie)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_done(rc = lock_own(r, list)))
		return rc;
	if ((res = mq_q(r, &insert_item, 4, (const char *[]){ list, movie, position, note })) == NULL)
		return mq_fail(r, mq_movie_write_failure(&r->ctx, movie));
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 409, "Movie %s is on list %s already.", movie, list);
	}
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	const char *params[] = { list, lang.tag, lang.primary, movie };
	if ((res = mq_q(r, &one_item, 4, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond_one(r, 201, res, 3, lang.primary);
}

/* DELETE /api/lists/{id}/items/{movie_id}/: 204; the items after it
 * move up. */
mq_reply mq_lists_remove_item(struct mq_req *r)
{
	const char *list = mq_req_id_text(r, "id"), *movie = mq_req_id_text(r, "movie_id");
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = lock_own(r, list)))
		return rc;
	if ((res = mq_q(r, &delete_item, 2, (const char *[]){ list, movie })) == NULL)
		return mq_fail_db(r);
	if (mq_row_int(res, 0, 0) == 0) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 404, "Movie %s is not on list %s.", movie, list);
	}
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	return mq_respond(r, 204, NULL, NULL, 0);
}

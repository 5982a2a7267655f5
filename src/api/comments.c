/*
 * comments.c: threaded comments on movies: GET/POST
 * /api/movies/{id}/comments/, PUT/DELETE /api/comments/{id}/.
 *
 * A page is a page of threads (top-level comments, oldest first), each
 * with the first of its replies under "replies", to a bounded depth and
 * breadth; ?parent= pages the replies of one comment.  Deleting a comment
 * blanks it, "[deleted]" without an author, so its replies keep their
 * place.  The author or an administrator edits and deletes a comment;
 * to anyone else it is not found (the statement names the author).
 */
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "social/social.h"

#define BODY_MAX 5000
#define MAX_DEPTH 10	/* replies nest this deep (the table's CHECK says so too) */

#define COMMENT_COLUMNS \
	"c.id, c.parent_id AS parent, " \
	"CASE WHEN c.deleted_at IS NULL THEN u.username END AS author, " \
	"CASE WHEN c.deleted_at IS NULL THEN c.body ELSE '[deleted]' END AS body, " \
	"c.deleted_at IS NOT NULL AS deleted, rfc3339(c.created_at) AS created_at, " \
	"rfc3339(c.updated_at) AS updated_at"

/* A page shows at most this many replies under each comment (the
 * oldest), this many levels below each of its threads; each comment's
 * replies_count tells of the others, which ?parent= pages.  So a page
 * holds at most page_size * (1 + 10 + 100) comments, however busy the
 * thread. */
#define REPLIES_SHOWN 10
#define LEVELS_SHOWN 2

/* Not by a user the caller ($4; 0: anonymous) blocks: their comments, and
 * the replies under them, are not shown to the blocker. */
#define SHOWN(c) " AND NOT EXISTS (SELECT 1 FROM blocks b " \
	"WHERE b.blocker_id = $4 AND b.blocked_id = " c ".user_id) "

/* The threads of a page and the replies shown under them, each reply
 * after its parent (ordered by the path of ids).  roots: the page's
 * threads, from $1 movie and $2 $3 the page, $4 the caller (and $5 a
 * parent comment). */
#define PAGE_OF_THREADS(roots) MQ_STMT_READ( \
	"WITH RECURSIVE roots AS (" roots "), " \
	"tree AS (SELECT id, ARRAY[id] AS path FROM roots " \
	"  UNION ALL SELECT c.id, t.path || c.id FROM tree t CROSS JOIN LATERAL " \
	"    (SELECT id FROM comments r WHERE parent_id = t.id " SHOWN("r") "ORDER BY id " \
	"     LIMIT " MQ_STRINGIFY(REPLIES_SHOWN) ") c " \
	"  WHERE cardinality(t.path) <= " MQ_STRINGIFY(LEVELS_SHOWN) ") " \
	"SELECT (SELECT max(total) FROM roots) AS total, " COMMENT_COLUMNS ", " \
	"(SELECT count(*) FROM comments x WHERE x.parent_id = c.id " SHOWN("x") ") AS replies_count " \
	"FROM tree t JOIN comments c USING (id) LEFT JOIN users u ON u.id = c.user_id " \
	"ORDER BY t.path")

/* The movie's top-level comments. */
static struct mq_stmt page_of_threads = PAGE_OF_THREADS(
	"SELECT id, count(*) OVER () AS total FROM comments r "
	"WHERE movie_id = $1 AND parent_id IS NULL " SHOWN("r") "ORDER BY id LIMIT $2 OFFSET $3");

/* The replies of comment $5 (of movie $1), as threads. */
static struct mq_stmt page_of_replies = PAGE_OF_THREADS(
	"SELECT id, count(*) OVER () AS total FROM comments r "
	"WHERE parent_id = $5 AND movie_id = $1 " SHOWN("r") "ORDER BY id LIMIT $2 OFFSET $3");

static struct mq_stmt comment_of_movie = MQ_STMT_READ(
	"SELECT 1 FROM comments WHERE id = $1 AND movie_id = $2");

/* (a provisional movie has no reviews or comments: they are for
 * everyone, and its own trigger refuses them) */
static struct mq_stmt movie_exists = MQ_STMT_READ(
	"SELECT 1 FROM movies WHERE id = $1 AND provisional_by IS NULL");

static struct mq_stmt one = MQ_STMT_READ(
	"SELECT " COMMENT_COLUMNS " FROM comments c LEFT JOIN users u ON u.id = c.user_id "
	"WHERE c.id = $1");

/* $1 movie, $2 user, $3 parent or NULL, $4 body.  No row: the parent is
 * no comment of this movie, is deleted, or is as deep as replies go. */
static struct mq_stmt insert_comment = MQ_STMT(
	"INSERT INTO comments (movie_id, user_id, parent_id, body, depth) "
	"SELECT $1, $2, $3, $4, coalesce(p.depth + 1, 0) "
	"FROM (SELECT NULL) one LEFT JOIN comments p ON p.id = $3 "
	"WHERE $3::bigint IS NULL OR (p.movie_id = $1 AND p.deleted_at IS NULL "
	"                              AND p.depth < " MQ_STRINGIFY(MAX_DEPTH) ") "
	"RETURNING id");

/* $1 comment, $2 the caller, $3 whether an administrator. */
static struct mq_stmt update_comment = MQ_STMT(
	"UPDATE comments SET body = $4, updated_at = now() "
	"WHERE id = $1 AND deleted_at IS NULL AND (user_id = $2 OR $3::bool) RETURNING id");

static struct mq_stmt delete_comment = MQ_STMT(
	"UPDATE comments SET body = '', deleted_at = now(), updated_at = now() "
	"WHERE id = $1 AND deleted_at IS NULL AND (user_id = $2 OR $3::bool) RETURNING id");

/* The rows (in path order) as trees: each comment under its parent's
 * "replies".  index maps an id to its comment. */
static struct json_object *threads(struct mq_req *r, PGresult *res)
{
	struct json_object *roots = mq_json_array(r->arena), *index = mq_json_object(r->arena);
	struct json_object *c, *parent;

	for (int i = 0; i < PQntuples(res); i++) {
		c = mq_row_columns(res, i, 1, PQnfields(res));
		json_object_object_add(c, "replies", json_object_new_array());
		json_object_object_add(index, PQgetvalue(res, i, 1), json_object_get(c));
		if (PQgetisnull(res, i, 2) ||
		    !json_object_object_get_ex(index, PQgetvalue(res, i, 2), &parent))
			json_object_array_add(roots, c);
		else
			json_object_array_add(json_object_object_get(parent, "replies"), c);
	}
	return roots;
}

/* Reads ?parent= into *parent (NULL when absent), or answers 400. */
static mq_reply read_parent(struct mq_req *r, const char **parent)
{
	const char *v = mq_query_get(&r->query, "parent");
	int64_t n;

	*parent = NULL;
	if (v == NULL)
		return MQ_NEXT;
	if (mq_parse_int64(v, 1, INT64_MAX, &n) < 0)
		return mq_problem_field(r, "parent", "Must be a comment id.");
	*parent = mq_arena_int(r->arena, n);
	return MQ_NEXT;
}

/* When the page is empty: goes on when the movie (and the parent comment
 * asked for) is there, else answers 404 (or the database's failure). */
static mq_reply found_empty(struct mq_req *r, const char *movie, const char *parent)
{
	PGresult *found;

	if ((found = mq_q(r, &movie_exists, 1, &movie)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(found) == 0)
		return mq_problem(r, 404, "No movie with id %s.", movie);
	if (parent == NULL)
		return MQ_NEXT;
	if ((found = mq_q(r, &comment_of_movie, 2, (const char *[]){ parent, movie })) == NULL)
		return mq_fail_db(r);
	if (PQntuples(found) == 0)
		return mq_problem(r, 404, "No comment %s on movie %s.", parent, movie);
	return MQ_NEXT;
}

/* GET /api/movies/{id}/comments/: a page of threads; ?parent= a page of
 * a comment's replies, as threads. */
mq_reply mq_comments_list(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", "parent", NULL };
	const char *movie = mq_req_id_text(r, "id"), *parent;
	PGresult *res;
	struct mq_page p;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = read_parent(r, &parent)))
		return rc;
	const char *params[] = { movie, p.limit_s, p.offset_s, mq_req_user_text(r), parent };
	res = parent ? mq_q(r, &page_of_replies, 5, params) : mq_q(r, &page_of_threads, 4, params);
	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0 && p.page > 1)
		return mq_page_not_found(r, &p);
	if (PQntuples(res) == 0 && mq_done(rc = found_empty(r, movie, parent)))
		return rc;	/* no such movie or comment */
	return mq_respond_json(r, 200, mq_page_envelope(r, &p, PQntuples(res) ? mq_row_int(res, 0, 0)
										: 0, threads(r, res)));
}

static mq_reply show(struct mq_req *r, int status, const char *id)
{
	return mq_collection_show_row(r, &one, id, status, "comment", "/api/comments/");
}

/* Reads body (and, when creating, parent), or answers 400. */
static mq_reply read_comment(struct mq_req *r, bool create, const char **body, const char **parent)
{
	static const char *const create_fields[] = { "body", "parent", NULL };
	static const char *const edit_fields[] = { "body", NULL };
	static const char *const read_only[] = {
		"id", "author", "deleted", "replies", "created_at", "updated_at", NULL,
	};
	struct mq_form f;
	mq_reply rc;
	int64_t n;

	if (mq_done(rc = mq_form_read(&f, r, create ? create_fields : edit_fields, read_only)))
		return rc;
	*body = mq_form_string(&f, "body", MQ_REQUIRED, 1, BODY_MAX);
	if (create && json_object_object_get(f.body, "parent") != NULL &&
	    mq_form_int(&f, "parent", MQ_OPTIONAL, 1, INT64_MAX, &n))
		*parent = mq_arena_int(r->arena, n);
	if (!create && mq_form_has(&f, "parent"))
		mq_form_error(&f, "parent", "A comment stays in its thread.");
	return mq_form_end(&f);
}

/* POST /api/movies/{id}/comments/ {body, parent?} */
mq_reply mq_comments_create(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "id"), *body, *parent = NULL;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = read_comment(r, true, &body, &parent)))
		return rc;
	const char *params[] = { movie, mq_req_user_text(r), parent, body };
	if ((res = mq_q(r, &insert_comment, 4, params)) == NULL) {
		if (strcmp(mq_db_sqlstate(r->ctx.db), "23503") == 0)
			return mq_problem(r, 404, "No movie with id %s.", movie);
		return mq_fail(r, mq_social_refused(&r->ctx, N_("You cannot reply to this user.")));
	}
	if (PQntuples(res) == 0)
		return mq_problem_field(r, "parent", mq_arena_printf(r->arena, mq_tr(r->lang.ui,
					"No comment %s on this movie to reply to (replies nest "
					"at most %d deep)."), parent, MAX_DEPTH));
	return show(r, 201, mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0)));
}

/* The author's or an administrator's comment id, changed by st. */
static mq_reply change(struct mq_req *r, struct mq_stmt *st, const char *body)
{
	const char *id = mq_req_id_text(r, "id");
	const char *params[] = { id, mq_req_user_text(r), r->role == MQ_ROLE_ADMIN ? "true" : "false",
				 body };
	PGresult *res = mq_q(r, st, body ? 4 : 3, params);

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No comment %s of yours.", id);
	return body ? show(r, 200, id) : mq_respond(r, 204, NULL, NULL, 0);
}

/* PUT /api/comments/{id}/ {body} */
mq_reply mq_comments_put(struct mq_req *r)
{
	const char *body, *parent = NULL;
	mq_reply rc;

	if (mq_done(rc = read_comment(r, false, &body, &parent)))
		return rc;
	return change(r, &update_comment, body);
}

/* DELETE /api/comments/{id}/: blanked, its replies stay. */
mq_reply mq_comments_delete(struct mq_req *r)
{
	return change(r, &delete_comment, NULL);
}

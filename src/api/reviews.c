/*
 * reviews.c: reviews of movies, one per user and movie:
 * GET/POST /api/movies/{id}/reviews/, PUT/DELETE /api/reviews/{id}/.
 *
 * The author or an administrator edits and deletes a review; to anyone
 * else it is not found (the statement names the author, or says the
 * caller is an administrator).  The movie's reviews_count follows by
 * trigger, and its cached detail is dropped.
 */
#include <math.h>

#include "catalog/changes.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"

#define BODY_MAX 10000
#define TITLE_MAX 200

/* VIEWER: the caller's user id (0: anonymous), whose like is liked_by_me. */
#define REVIEW_COLUMNS(VIEWER) \
	"v.id, v.movie_id AS movie, u.username AS author, v.title, v.body, " \
	"v.rating::float8 AS rating, v.likes_count, " \
	"EXISTS (SELECT 1 FROM review_likes l WHERE l.review_id = v.id AND l.user_id = " VIEWER ") " \
	"  AS liked_by_me, rfc3339(v.created_at) AS created_at, rfc3339(v.updated_at) AS updated_at"

/* $1 movie, $2 $3 page, $4 the caller. */
#define LIST(order) MQ_STMT_READ( \
	"SELECT count(*) OVER () AS total, " REVIEW_COLUMNS("$4") " " \
	"FROM reviews v JOIN users u ON u.id = v.user_id WHERE v.movie_id = $1 " \
	"ORDER BY " order " LIMIT $2 OFFSET $3")

static const char *const order_names[] = {
	"-created_at", "created_at", "-rating", "rating", NULL,
};

static struct mq_stmt list_stmts[] = {
	LIST("v.created_at DESC, v.id DESC"),
	LIST("v.created_at, v.id"),
	LIST("v.rating DESC NULLS LAST, v.id DESC"),
	LIST("v.rating NULLS LAST, v.id"),
};

/* (a provisional movie has no reviews or comments: they are for
 * everyone, and its own trigger refuses them) */
static struct mq_stmt movie_exists = MQ_STMT_READ(
	"SELECT 1 FROM movies WHERE id = $1 AND provisional_by IS NULL");

static struct mq_stmt one = MQ_STMT_READ(
	"SELECT " REVIEW_COLUMNS("$2") " FROM reviews v JOIN users u ON u.id = v.user_id "
	"WHERE v.id = $1");

/* $1 user, $2 movie, $3 title, $4 body, $5 rating.  A second review of
 * the movie by the user: the first's id, negated. */
static struct mq_stmt insert_review = MQ_STMT(
	"WITH ins AS (INSERT INTO reviews (user_id, movie_id, title, body, rating) "
	"             VALUES ($1, $2, $3, $4, $5::numeric) "
	"             ON CONFLICT (user_id, movie_id) DO NOTHING RETURNING id) "
	"SELECT id FROM ins UNION ALL SELECT -id FROM reviews WHERE user_id = $1 AND movie_id = $2 "
	"  AND NOT EXISTS (SELECT 1 FROM ins)");

/* The review a conflicting insert met: when it committed after
 * insert_review's snapshot, insert_review answers no row, and this new
 * statement (a new snapshot) finds it.  Negated, as insert_review has it. */
static struct mq_stmt existing_review = MQ_STMT_READ(
	"SELECT -id FROM reviews WHERE user_id = $1 AND movie_id = $2");

/* $1 review, $2 the caller, $3 whether an administrator, $4.. fields. */
static struct mq_stmt update_review = MQ_STMT(
	"UPDATE reviews SET title = $4, body = $5, rating = $6::numeric, updated_at = now() "
	"WHERE id = $1 AND (user_id = $2 OR $3::bool) RETURNING id");

static struct mq_stmt delete_review = MQ_STMT(
	"DELETE FROM reviews WHERE id = $1 AND (user_id = $2 OR $3::bool) RETURNING movie_id");

struct review {
	const char *title, *body, *rating;
};

static mq_reply read_review(struct mq_req *r, struct review *v)
{
	static const char *const fields[] = { "title", "body", "rating", NULL };
	static const char *const read_only[] = {
		"id", "movie", "author", "likes_count", "liked_by_me", "created_at", "updated_at", NULL,
	};
	struct mq_form f;
	mq_reply rc;
	double d;

	memset(v, 0, sizeof(*v));
	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	v->title = mq_form_string(&f, "title", MQ_OPTIONAL, 0, TITLE_MAX);
	v->body = mq_form_string(&f, "body", MQ_REQUIRED, 1, BODY_MAX);
	if (mq_form_has(&f, "rating") && json_object_object_get(f.body, "rating") != NULL &&
	    mq_form_number(&f, "rating", MQ_OPTIONAL, 0.5, 5.0, &d)) {
		if (d * 2 != floor(d * 2))
			mq_form_error(&f, "rating", "Must be in steps of 0.5 (0.5, 1, 1.5, ... 5).");
		v->rating = mq_arena_printf(r->arena, "%.1f", d);
	}
	v->title = v->title ? v->title : "";
	return mq_form_end(&f);
}

/* The review as the caller sees it (liked_by_me), with status. */
static mq_reply show(struct mq_req *r, int status, const char *id)
{
	const char *params[] = { id, mq_req_user_text(r) };
	PGresult *res = mq_q(r, &one, 2, params);
	struct json_object *o;

	if (res == NULL)
		return mq_fail_db(r);
	if ((o = mq_row_owned(r->arena, res)) == NULL)
		return mq_problem(r, 404, "No review with id %s.", id);
	if (status == 201)
		mq_resp_header(r, "Location", mq_arena_printf(r->arena, "/api/reviews/%s/", id));
	return mq_respond_json(r, status, o);
}

/* GET /api/movies/{id}/reviews/: newest first, or by rating. */
mq_reply mq_reviews_list(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", "ordering", NULL };
	const char *movie = mq_req_id_text(r, "id"), *v = mq_query_get(&r->query, "ordering");
	struct json_object *page;
	PGresult *res, *found;
	struct mq_page p;
	int order = v ? -1 : 0;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	for (int i = 0; v && order_names[i]; i++)
		if (strcmp(v, order_names[i]) == 0)
			order = i;
	if (order < 0)
		return mq_problem_field(r, "ordering", "Must be created_at or rating, optionally with "
					"a leading - for descending.");
	const char *params[] = { movie, p.limit_s, p.offset_s, mq_req_user_text(r) };
	if ((res = mq_q(r, &list_stmts[order], 4, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0 && p.page == 1) {	/* none, or no such movie? */
		if ((found = mq_q(r, &movie_exists, 1, &movie)) == NULL)
			return mq_fail_db(r);
		if (PQntuples(found) == 0)
			return mq_problem(r, 404, "No movie with id %s.", movie);
	}
	if ((page = mq_collection_rows_page(r, &p, res)) == NULL)
		return mq_page_not_found(r, &p);
	return mq_respond_json(r, 200, page);
}

/* POST /api/movies/{id}/reviews/ {title?, body, rating?}: 201; a second
 * review of the movie by the same user is a 409 naming the first. */
mq_reply mq_reviews_create(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "id"), *id;
	struct json_object *extra;
	struct review v;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = read_review(r, &v)))
		return rc;
	const char *params[] = { mq_req_user_text(r), movie, v.title, v.body, v.rating };
	if ((res = mq_q(r, &insert_review, 5, params)) == NULL) {
		if (strcmp(mq_db_sqlstate(r->ctx.db), "23503") == 0)
			return mq_problem(r, 404, "No movie with id %s.", movie);
		return mq_fail_db(r);
	}
	if (PQntuples(res) == 0 && (res = mq_q(r, &existing_review, 2, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {	/* added and removed by another request meanwhile */
		mq_resp_header(r, "Retry-After", "1");
		return mq_problem(r, 503, "The review changed meanwhile; try again.");
	}
	id = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
	if (*id == '-') {
		extra = mq_json_object(r->arena);
		mq_json_add_int(extra, "id", strtoll(id + 1, NULL, 10));
		return mq_problem_ext(r, 409, mq_arena_printf(r->arena, mq_tr(r->lang.ui, "You have reviewed this movie "
				      "already (review %s); change it with PUT /api/reviews/%s/."),
				      id + 1, id + 1), extra);
	}
	mq_movie_changed(&r->ctx, movie);
	return show(r, 201, id);
}

/* PUT /api/reviews/{id}/ {title?, body, rating?}: the author's or an
 * administrator's; absent fields are cleared. */
mq_reply mq_reviews_put(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id");
	struct review v;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = read_review(r, &v)))
		return rc;
	const char *params[] = { id, mq_req_user_text(r), r->role == MQ_ROLE_ADMIN ? "true" : "false",
				 v.title, v.body, v.rating };
	if ((res = mq_q(r, &update_review, 6, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No review %s of yours.", id);
	return show(r, 200, id);
}

/* DELETE /api/reviews/{id}/: the author's or an administrator's. */
mq_reply mq_reviews_delete(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id");
	const char *params[] = { id, mq_req_user_text(r), r->role == MQ_ROLE_ADMIN ? "true" : "false" };
	PGresult *res = mq_q(r, &delete_review, 3, params);

	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No review %s of yours.", id);
	mq_movie_changed(&r->ctx, PQgetvalue(res, 0, 0));
	return mq_respond(r, 204, NULL, NULL, 0);
}

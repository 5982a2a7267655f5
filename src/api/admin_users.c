/*
 * admin_users.c: the administrators' view of accounts: search, role and
 * activation, erasure.
 */
#include "accounts/account.h"
#include "accounts/sessions.h"
#include "catalog/changes.h"
#include "core/json.h"
#include "core/utf8.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"
#include "storage/media.h"

#define ADMIN_COLUMNS MQ_USER_PRIVATE ", u.is_active, rfc3339(u.last_login_at) AS last_login"

/* $3: a search term (matched anywhere in username or email, LIKE's own
 * wildcards taken literally), or NULL; $4: role or NULL; $5: active or
 * NULL; $6: ordering. */
static struct mq_stmt list = MQ_STMT_READ(
	"SELECT " ADMIN_COLUMNS ", count(*) OVER () AS total FROM users u "
	"WHERE u.deleted_at IS NULL "
	"AND ($3::text IS NULL OR u.username ILIKE '%' || like_escape($3) || '%' "
	"     OR u.email ILIKE '%' || like_escape($3) || '%') "
	"AND ($4::text IS NULL OR u.role = $4) "
	"AND ($5::bool IS NULL OR u.is_active = $5) "
	"ORDER BY CASE WHEN $6 = 'username' THEN lower(u.username) END, "
	"         CASE WHEN $6 = '-username' THEN lower(u.username) END DESC, "
	"         CASE WHEN $6 = 'date_joined' THEN u.created_at END, "
	"         CASE WHEN $6 = '-date_joined' THEN u.created_at END DESC, "
	"         CASE WHEN $6 = '-id' THEN u.id END DESC, "
	"         u.id "
	"LIMIT $1 OFFSET $2");

/* Role and activation; a change of either ends the user's sessions (the
 * token version moves, and "changed" says so). */
static struct mq_stmt update = MQ_STMT(
	"UPDATE users u SET role = coalesce($2, u.role), "
	"  is_active = coalesce($3::bool, u.is_active), "
	"  token_version = u.token_version + CASE WHEN coalesce($2, u.role) <> u.role "
	"    OR coalesce($3::bool, u.is_active) <> u.is_active THEN 1 ELSE 0 END, "
	"  updated_at = now() "
	"FROM (SELECT token_version AS old_version FROM users WHERE id = $1 FOR UPDATE) o "
	"WHERE u.id = $1 AND u.deleted_at IS NULL "
	"RETURNING " ADMIN_COLUMNS ", u.token_version <> o.old_version AS changed");

/* Erasure: personal data gone, the row (and what it wrote) kept, shown as
 * a deleted user.  Returns the avatar file to remove. */
static struct mq_stmt erase = MQ_STMT(
	"UPDATE users u SET username = 'deleted-' || u.id, email = 'deleted-' || u.id || '@invalid', "
	"  password_hash = NULL, display_name = '', bio = '', locale = NULL, region = NULL, "
	"  avatar_path = NULL, is_active = false, email_verified_at = NULL, "
	"  token_version = token_version + 1, deleted_at = now(), updated_at = now() "
	"FROM (SELECT avatar_path AS old FROM users WHERE id = $1 FOR UPDATE) o "
	"WHERE u.id = $1 AND u.deleted_at IS NULL RETURNING o.old");

/* The user's personal collections and history: favorites, ratings, the
 * watchlist (with its notes), watch history, the activity log, tags,
 * private lists and the movies marked not interested.  What the user published stays, shown as written by a
 * deleted user: reviews, comments, public lists.  The row triggers take
 * the removed rows out of the movies' statistics.  Answers the movies
 * whose statistics changed, whose cached details must go. */
static struct mq_stmt erase_collections = MQ_STMT(
	"WITH f AS (DELETE FROM favorites WHERE user_id = $1 RETURNING movie_id), "
	"r AS (DELETE FROM ratings WHERE user_id = $1 RETURNING movie_id), "
	"w AS (DELETE FROM watchlist WHERE user_id = $1 RETURNING movie_id), "
	"h AS (DELETE FROM watch_history WHERE user_id = $1), "
	"a AS (DELETE FROM activity WHERE user_id = $1), "
	"t AS (DELETE FROM movie_tags WHERE user_id = $1), "
	"l AS (DELETE FROM lists WHERE user_id = $1 AND NOT is_public), "
	"n AS (DELETE FROM not_interested WHERE user_id = $1) "
	"SELECT movie_id FROM f UNION SELECT movie_id FROM r UNION SELECT movie_id FROM w");

static struct mq_stmt drop_tokens = MQ_STMT(
	"DELETE FROM user_tokens WHERE user_id = $1");

/* The user's mail, queued or kept as a record: it names the address and
 * may carry a link.  Run before erase, which replaces the address.  A
 * message being sent right now (its row locked) is left to finish; the
 * sender clears its body and deletes it within a week. */
static struct mq_stmt drop_mail = MQ_STMT(
	"DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o JOIN users u "
	"  ON lower(o.recipient) = lower(u.email) "
	"  WHERE u.id = $1 AND u.deleted_at IS NULL FOR UPDATE OF o SKIP LOCKED)");

static const char *const orderings[] = { "id", "-id", "username", "-username", "date_joined",
					 "-date_joined", NULL };

/* GET /api/admin/users/?search=&role=&is_active=&ordering= */
mq_reply mq_admin_users_list(struct mq_req *r)
{
	const char *search = mq_query_get(&r->query, "search");
	const char *role = mq_query_get(&r->query, "role");
	const char *active = mq_query_get(&r->query, "is_active");
	const char *order = mq_query_get(&r->query, "ordering");
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	struct json_object *results;
	struct mq_page p;
	PGresult *res;
	mq_reply rc;
	static const char *const allowed[] = { "page", "page_size", "search", "role", "is_active",
					       "ordering", NULL };

	if (mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	mq_form_check_query(&f, allowed);
	if (order && !mq_form_listed(orderings, order))
		mq_form_error(&f, "ordering", "Use id, username or date_joined, optionally with -.");
	if (role && strcmp(role, "user") != 0 && strcmp(role, "admin") != 0)
		mq_form_error(&f, "role", "Use user or admin.");
	if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
		mq_form_error(&f, "is_active", "Use true or false.");
	if (search && mq_utf8_length(search) > 100)
		mq_form_error(&f, "search", "Must be at most 100 characters.");
	if (mq_done(rc = mq_form_end(&f)))
		return rc;

	const char *params[] = { p.limit_s, p.offset_s, search && *search ? search : NULL,
				 role, active, order ? order : "id" };
	res = mq_q(r, &list, 6, params);
	if (res == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0 && p.page > 1)
		return mq_page_not_found(r, &p);
	results = mq_rows_array(r->arena, res);
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object *u = json_object_array_get_idx(results, i);

		json_object_object_del(u, "total");
		mq_account_finish(&r->ctx, u);
	}
	int64_t count = PQntuples(res) ? mq_row_int(res, 0, PQnfields(res) - 1) : 0;
	return mq_respond_json(r, 200, mq_page_envelope(r, &p, count, results));
}

/* why: a whole sentence, marked N_() (a verb alone would not translate) */
static mq_reply not_yourself(struct mq_req *r, const char *why)
{
	return mq_problem_ext(r, 400, why, NULL);
}

/* Who changed whom, and to what (ASVS 7.2.1). */
static void log_change(struct mq_req *r, const char *target, PGresult *row)
{
	bool active = PQgetvalue(row, 0, PQfnumber(row, "is_active"))[0] == 't';

	mq_req_event(r, MQ_LOG_INFO, "admin_user_changed", r->user_id, "target", target, "role",
		     PQgetvalue(row, 0, PQfnumber(row, "role")), "active",
		     active ? "true" : "false", NULL);
}

/* PUT and PATCH /api/admin/users/{id}/ {role, is_active} */
static mq_reply update_user(struct mq_req *r, bool put)
{
	static const char *const fields[] = { "role", "is_active", NULL };
	static const char *const read_only[] = { "id", "username", "email", "display_name", "bio",
						 "locale", "region", "avatar_url", "avatar_sizes",
						 "email_verified", "date_joined", "last_login", NULL };
	struct json_object *user;
	int64_t id = mq_req_id(r, "id");
	const char *ids = mq_arena_int(r->arena, id), *role;
	struct mq_form f;
	enum mq_status st;
	PGresult *res;
	mq_reply rc;
	bool active = false, has_active, changed;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	role = mq_form_string(&f, "role", put, 1, 10);
	has_active = mq_form_bool(&f, "is_active", put, &active);
	if (role && strcmp(role, "user") != 0 && strcmp(role, "admin") != 0)
		mq_form_error(&f, "role", "Use user or admin.");
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if (id == r->user_id && ((role && strcmp(role, "admin") != 0) || (has_active && !active)))
		return not_yourself(r, N_("You cannot demote or deactivate your own account."));

	const char *params[] = { ids, role, has_active ? (active ? "true" : "false") : NULL };
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	res = mq_q(r, &update, 3, params);
	if (res == NULL)
		return mq_fail_db(r);
	user = mq_row_owned(r->arena, res);
	if (user == NULL) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 404, "No user with id %lld.", (long long)id);
	}
	/* Sessions survive an update that changed nothing. */
	changed = PQgetvalue(res, 0, PQnfields(res) - 1)[0] == 't';
	if (changed && (st = mq_sessions_end_all(&r->ctx, ids)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (changed)
		log_change(r, ids, res);
	json_object_object_del(user, "changed");
	mq_account_finish(&r->ctx, user);
	return mq_respond_json(r, 200, user);
}

mq_reply mq_admin_users_put(struct mq_req *r)
{
	return update_user(r, true);
}

mq_reply mq_admin_users_patch(struct mq_req *r)
{
	return update_user(r, false);
}

/* Drops the cached details of the movies (a column of ids) whose
 * statistics an erasure changed, and the cached movie lists (ordered by
 * rating, popularity) once; after the commit, so that no read caches the
 * old counts anew. */
static void statistics_changed(struct mq_req *r, PGresult *movies)
{
	for (int i = 0; i < PQntuples(movies); i++)
		mq_movie_changed(&r->ctx, PQgetvalue(movies, i, 0));
	if (PQntuples(movies))
		mq_catalog_changed(&r->ctx);
}

/* DELETE /api/admin/users/{id}/: deactivates and erases personal data. */
mq_reply mq_admin_users_delete(struct mq_req *r)
{
	int64_t id = mq_req_id(r, "id");
	const char *ids = mq_arena_int(r->arena, id);
	PGresult *res, *movies;
	enum mq_status st;

	if (id == r->user_id)
		return not_yourself(r, N_("You cannot erase your own account."));
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (mq_q(r, &drop_mail, 1, &ids) == NULL)
		return mq_fail_db(r);
	if ((res = mq_q(r, &erase, 1, &ids)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {	/* before the sessions' end is logged */
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 404, "No user with id %lld.", (long long)id);
	}
	if ((st = mq_sessions_end_all(&r->ctx, ids)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_q(r, &drop_tokens, 1, &ids) == NULL ||
	    (movies = mq_q(r, &erase_collections, 1, &ids)) == NULL ||
	    mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	mq_req_event(r, MQ_LOG_INFO, "admin_user_erased", r->user_id, "target", ids, NULL);
	if (!PQgetisnull(res, 0, 0))
		mq_media_remove(&r->ctx, PQgetvalue(res, 0, 0));
	statistics_changed(r, movies);
	mq_favorites_changed(&r->ctx, ids);
	return mq_respond(r, 204, NULL, NULL, 0);
}

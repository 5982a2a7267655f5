/*
 * reports.c: reports of a review, a comment or a user (POST /api/reports/)
 * and the administrators' queue: GET /api/admin/reports/,
 * PUT /api/admin/reports/{id}/ (resolve or dismiss),
 * DELETE /api/admin/reports/{id}/ (remove the content, which resolves
 * every open report of it).
 */
#include "accounts/sessions.h"
#include "catalog/changes.h"
#include "core/json.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/page.h"

/* What a report shows: the target's text (or username) for context. */
#define REPORT_COLUMNS \
	"r.id, r.kind, r.target_id AS target, " \
	"CASE r.kind WHEN 'review' THEN (SELECT body FROM reviews WHERE id = r.target_id) " \
	"  WHEN 'comment' THEN (SELECT CASE WHEN deleted_at IS NULL THEN body ELSE '[deleted]' END " \
	"                       FROM comments WHERE id = r.target_id) " \
	"  ELSE (SELECT username FROM users WHERE id = r.target_id) END AS content, " \
	"r.reason, r.details, r.status, r.note, rp.username AS reporter, " \
	"rb.username AS resolved_by, rfc3339(r.created_at) AS created_at, " \
	"rfc3339(r.resolved_at) AS resolved_at "
#define REPORT_FROM \
	"FROM reports r LEFT JOIN users rp ON rp.id = r.reporter_id " \
	"LEFT JOIN users rb ON rb.id = r.resolved_by "

static struct mq_stmt one = MQ_STMT_READ("SELECT " REPORT_COLUMNS REPORT_FROM "WHERE r.id = $1");

/* $1 status or NULL (all), $2 kind or NULL, $3 $4 page; oldest first. */
static struct mq_stmt queue = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, " REPORT_COLUMNS REPORT_FROM
	"WHERE ($1::text IS NULL OR r.status = $1) AND ($2::text IS NULL OR r.kind = $2) "
	"ORDER BY r.created_at, r.id LIMIT $3 OFFSET $4");

/* $1 kind, $2 id: the target, if it is there to report. */
static struct mq_stmt target_exists = MQ_STMT_READ(
	"SELECT 1 FROM reviews WHERE $1 = 'review' AND id = $2 "
	"UNION ALL SELECT 1 FROM comments WHERE $1 = 'comment' AND id = $2 AND deleted_at IS NULL "
	"UNION ALL SELECT 1 FROM users WHERE $1 = 'user' AND id = $2 AND deleted_at IS NULL");

static struct mq_stmt insert_report = MQ_STMT(
	"INSERT INTO reports (reporter_id, kind, target_id, reason, details) "
	"VALUES ($1, $2, $3, $4, coalesce($5, '')) "
	"ON CONFLICT (reporter_id, kind, target_id) WHERE status = 'open' DO NOTHING RETURNING id");

static struct mq_stmt decide = MQ_STMT(
	"UPDATE reports SET status = $2, note = coalesce($3, note), resolved_by = $4, "
	"  resolved_at = now() WHERE id = $1 RETURNING id");

static struct mq_stmt lock_report = MQ_STMT(
	"SELECT kind, target_id FROM reports WHERE id = $1 FOR UPDATE");

/* Removing the content: $1 the target. */
static struct mq_stmt remove_review = MQ_STMT(
	"DELETE FROM reviews WHERE id = $1 RETURNING movie_id");
static struct mq_stmt remove_comment = MQ_STMT(
	"UPDATE comments SET body = '', deleted_at = now(), updated_at = now() "
	"WHERE id = $1 AND deleted_at IS NULL RETURNING movie_id");
/* an administrator is not deactivated by a report: that is for
 * PATCH /api/admin/users/{id}/, with its checks */
static struct mq_stmt remove_user = MQ_STMT(
	"UPDATE users SET is_active = false, token_version = token_version + 1, updated_at = now() "
	"WHERE id = $1 AND role <> 'admin' AND deleted_at IS NULL RETURNING NULL");

/* $1 kind, $2 target, $3 the administrator. */
static struct mq_stmt resolve_all = MQ_STMT(
	"UPDATE reports SET status = 'resolved', note = 'Content removed.', resolved_by = $3, "
	"  resolved_at = now() WHERE kind = $1 AND target_id = $2 AND status = 'open'");

static const char *const kinds[] = { "review", "comment", "user", NULL };
static const char *const reasons[] = { "spam", "abuse", "spoiler", "other", NULL };

static mq_reply show(struct mq_req *r, int status, const char *id)
{
	return mq_collection_show_row(r, &one, id, status, "report", NULL);
}

/* The one of review, comment and user given: its kind and id. */
static void read_target(struct mq_form *f, const char **kind, const char **target)
{
	int given = 0;
	int64_t n;

	for (int i = 0; kinds[i]; i++) {
		if (!mq_form_has(f, kinds[i]))
			continue;
		if (given++ == 0 && mq_form_int(f, kinds[i], MQ_REQUIRED, 1, INT64_MAX, &n)) {
			*kind = kinds[i];
			*target = mq_arena_int(f->r->arena, n);
		}
	}
	if (given != 1)
		mq_form_error(f, "review", "Give one of review, comment and user (an id).");
}

/* POST /api/reports/ {review | comment | user, reason, details?}: 201;
 * reporting the same thing again while the report is open is a 409. */
mq_reply mq_reports_create(struct mq_req *r)
{
	static const char *const fields[] = { "review", "comment", "user", "reason", "details", NULL };
	static const char *const read_only[] = { "id", "status", NULL };
	const char *kind = NULL, *target = NULL, *reason, *details;
	struct mq_form f;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	read_target(&f, &kind, &target);
	reason = mq_form_enum(&f, "reason", MQ_REQUIRED, reasons);
	details = mq_form_string(&f, "details", MQ_OPTIONAL, 0, 1000);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((res = mq_q(r, &target_exists, 2, (const char *[]){ kind, target })) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No %s with id %s.", kind, target);
	const char *params[] = { mq_req_user_text(r), kind, target, reason, details };
	if ((res = mq_q(r, &insert_report, 5, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 409, "You have reported this %s already; an administrator "
				  "will look at it.", kind);
	return show(r, 201, mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0)));
}

/* GET /api/admin/reports/?status=&kind=: the open ones by default,
 * oldest first. */
mq_reply mq_admin_reports_list(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", "status", "kind", NULL };
	static const char *const statuses[] = { "open", "resolved", "dismissed", "all", NULL };
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	const char *status = mq_query_get(&r->query, "status"), *kind = mq_query_get(&r->query, "kind");
	struct json_object *page;
	struct mq_page p;
	PGresult *res;
	mq_reply rc;

	mq_form_check_query(&f, allowed);
	if (status && !mq_form_listed(statuses, status))
		mq_form_error(&f, "status", "Must be open, resolved, dismissed or all.");
	if (kind && !mq_form_listed(kinds, kind))
		mq_form_error(&f, "kind", "Must be review, comment or user.");
	if (mq_done(rc = mq_form_end(&f)) || mq_done(rc = mq_page_parse(r, &p)))
		return rc;
	status = status == NULL ? "open" : strcmp(status, "all") == 0 ? NULL : status;
	if ((res = mq_q(r, &queue, 4, (const char *[]){ status, kind, p.limit_s, p.offset_s })) == NULL)
		return mq_fail_db(r);
	if ((page = mq_collection_rows_page(r, &p, res)) == NULL)
		return mq_page_not_found(r, &p);
	return mq_respond_json(r, 200, page);
}

/* PUT /api/admin/reports/{id}/ {status: resolved | dismissed, note?} */
mq_reply mq_admin_reports_put(struct mq_req *r)
{
	static const char *const fields[] = { "status", "note", NULL };
	static const char *const decisions[] = { "resolved", "dismissed", NULL };
	const char *id = mq_req_id_text(r, "id"), *status, *note;
	struct mq_form f;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	status = mq_form_enum(&f, "status", MQ_REQUIRED, decisions);
	note = mq_form_string(&f, "note", MQ_OPTIONAL, 0, 1000);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	const char *params[] = { id, status, note, mq_req_user_text(r) };
	if ((res = mq_q(r, &decide, 4, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No report with id %s.", id);
	return show(r, 200, id);
}

/* Removes the target of a report; inside the transaction.  Answers
 * (rolled back) when it may not be removed so (an administrator, 409) or
 * a statement failed.  *movie: the movie of a removed review, whose
 * cached detail (reviews_count) the caller drops once committed: dropped
 * before, a concurrent read could cache the old count anew. */
static mq_reply remove_target(struct mq_req *r, const char *kind, const char *target,
			      const char **movie)
{
	struct mq_stmt *st = strcmp(kind, "review") == 0    ? &remove_review
			     : strcmp(kind, "comment") == 0 ? &remove_comment
							    : &remove_user;
	PGresult *res = mq_q(r, st, 1, &target);
	enum mq_status status;

	if (res == NULL)
		return mq_fail_db(r);
	if (st == &remove_review && PQntuples(res))
		*movie = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
	if (st != &remove_user)
		return MQ_NEXT;
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 409, "User %s is an administrator or gone; change the account "
				  "with PATCH /api/admin/users/%s/.", target, target);
	}
	if ((status = mq_sessions_end_all(&r->ctx, target)) != MQ_OK)
		return mq_fail(r, status);
	return MQ_NEXT;
}

/* DELETE /api/admin/reports/{id}/: removes what it reports (a review
 * is deleted, a comment blanked, a user deactivated) and resolves every
 * open report of it.  204. */
mq_reply mq_admin_reports_delete(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *kind, *target, *movie = NULL;
	PGresult *res;
	mq_reply rc;

	if (mq_db_begin(r->ctx.db) < 0 || (res = mq_q(r, &lock_report, 1, &id)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 404, "No report with id %s.", id);
	}
	kind = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
	target = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 1));
	if (mq_done(rc = remove_target(r, kind, target, &movie)))
		return rc;
	if (mq_q(r, &resolve_all, 3, (const char *[]){ kind, target, mq_req_user_text(r) }) == NULL ||
	    mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (movie)
		mq_movie_changed(&r->ctx, movie);
	return mq_respond(r, 204, NULL, NULL, 0);
}

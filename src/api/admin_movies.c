/*
 * admin_movies.c: the administrators' queue of provisional movies (made
 * of users' own details while TMDb could not be asked: catalog/movie_ref.c)
 * and their approval.
 */
#include "catalog/movie.h"
#include "catalog/movie_sql.h"
#include "catalog/provisional.h"
#include "db/db.h"
#include "http/collection.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/lang.h"
#include "http/page.h"

/* Oldest first, with their makers.  $1 $2 the language, $3 $4 the page. */
static struct mq_stmt queue = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, m.provisional_by AS user_id, u.username, "
	"rfc3339(m.created_at) AS created_at, " MQ_MOVIE_ITEM_COLUMNS " "
	"FROM movies m JOIN users u ON u.id = m.provisional_by " MQ_MOVIE_TRANSLATION("$1", "$2")
	"WHERE m.provisional_by IS NOT NULL ORDER BY m.created_at, m.id LIMIT $3 OFFSET $4");

/* GET /api/admin/movies/provisional/: the movies awaiting confirmation. */
mq_reply mq_admin_movies_provisional(struct mq_req *r)
{
	static const char *const allowed[] = { "page", "page_size", "language", NULL };
	struct mq_lang lang;
	struct mq_page p;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = mq_lang_choose(r, "language", &lang)))
		return rc;
	const char *params[] = { lang.tag, lang.primary, p.limit_s, p.offset_s };
	if ((res = mq_q(r, &queue, 4, params)) == NULL)
		return mq_fail_db(r);
	return mq_collection_respond(r, &p, res, 3, lang.primary);
}

/* POST /api/admin/movies/{id}/approve/: the movie, public now (200, also
 * when it was already). */
mq_reply mq_admin_movies_approve(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id");
	struct json_object *o;
	struct mq_lang lang;
	enum mq_status st;
	bool approved;
	mq_reply rc;

	if (mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	if ((st = mq_movie_approve(&r->ctx, id, r->user_id, &approved)) != MQ_OK ||
	    (st = mq_movie_fetch(&r->ctx, id, r->user_id, true, &lang, &o, NULL)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond_json(r, 200, o);
}

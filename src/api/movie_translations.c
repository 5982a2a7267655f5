/*
 * movie_translations.c: a movie's title, overview and tagline in another
 * language (administrators): PUT and DELETE
 * /api/movies/{id}/translations/{language}/.  Readers get them through
 * Accept-Language or ?language= (http/lang.h).
 */
#include "catalog/changes.h"
#include "core/json.h"
#include "core/lang.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"

/* xmax = 0: the row was inserted, not updated.  A translation from TMDb
 * an administrator writes becomes theirs: a refresh leaves it alone. */
static struct mq_stmt upsert = MQ_STMT(
	"INSERT INTO movie_translations AS t (movie_id, language, title, overview, tagline) "
	"SELECT id, $2, $3, $4, $5 FROM movies WHERE id = $1 "
	"ON CONFLICT (movie_id, language) DO UPDATE SET title = excluded.title, "
	"  overview = excluded.overview, tagline = excluded.tagline, from_tmdb = false "
	"RETURNING language, title, overview, tagline, xmax = 0 AS created");

/* Writers of a movie's translations take turns: a trigger copies the
 * list of languages into the movie's row, and two writers at once would
 * each copy a list without the other's. */
static struct mq_stmt lock_movie = MQ_STMT("SELECT 1 FROM movies WHERE id = $1 FOR UPDATE");

static struct mq_stmt delete_translation = MQ_STMT(
	"DELETE FROM movie_translations WHERE movie_id = $1 AND language = $2 RETURNING 1");

/* The language of the path, normalised ("pt-br" → "pt-BR"), into
 * *language; or 400 answered. */
static mq_reply path_language(struct mq_req *r, const char **language)
{
	const char *v = mq_req_str(r, "language");
	struct mq_lang lang;

	if (mq_lang_parse(v, strlen(v), &lang) < 0 || strlen(lang.primary) != 2)
		return mq_problem_field(r, "language", "Must be a language such as fr or pt-BR.");
	*language = mq_arena_strdup(r->arena, lang.tag);
	return MQ_NEXT;
}

/* PUT /api/movies/{id}/translations/{language}/: {title, overview, tagline} */
mq_reply mq_movie_translations_put(struct mq_req *r)
{
	static const char *const allowed[] = { "title", "overview", "tagline", NULL };
	static const char *const read_only[] = { "language", NULL };
	const char *id = mq_req_id_text(r, "id"), *language;
	const char *title, *overview, *tagline;
	struct json_object *o;
	struct mq_form f;
	PGresult *res;
	bool created;
	mq_reply rc;

	if (mq_done(rc = path_language(r, &language)) ||
	    mq_done(rc = mq_form_read(&f, r, allowed, read_only)))
		return rc;
	title = mq_form_string(&f, "title", true, 1, 300);
	overview = mq_form_has(&f, "overview") ? mq_form_string(&f, "overview", false, 0, 5000) : "";
	tagline = mq_form_has(&f, "tagline") ? mq_form_string(&f, "tagline", false, 0, 500) : "";
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	const char *params[] = { id, language, title, overview, tagline };
	if (mq_db_begin(r->ctx.db) < 0 || mq_q(r, &lock_movie, 1, &id) == NULL ||
	    (res = mq_q(r, &upsert, 5, params)) == NULL || mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "No movie with id %s.", id);
	o = mq_row_owned(r->arena, res);
	created = json_object_get_boolean(json_object_object_get(o, "created"));
	json_object_object_del(o, "created");
	mq_movies_changed(&r->ctx, id);
	return mq_respond_json(r, created ? 201 : 200, o);
}

/* DELETE /api/movies/{id}/translations/{language}/ */
mq_reply mq_movie_translations_delete(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *language;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = path_language(r, &language)))
		return rc;
	const char *params[] = { id, language };
	if (mq_db_begin(r->ctx.db) < 0 || mq_q(r, &lock_movie, 1, &id) == NULL ||
	    (res = mq_q(r, &delete_translation, 2, params)) == NULL || mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return mq_problem(r, 404, "Movie %s has no %s translation.", id, language);
	mq_movies_changed(&r->ctx, id);
	return mq_respond(r, 204, NULL, NULL, 0);
}

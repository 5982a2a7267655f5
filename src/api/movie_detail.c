/*
 * movie_detail.c: one movie (GET /api/movies/{id}/) and the movies like
 * it (GET /api/movies/{id}/similar/).
 */
#include "analytics/events.h"
#include "catalog/genre_names.h"
#include "catalog/movie.h"
#include "catalog/movie_json.h"
#include "catalog/movie_sql.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/lang.h"
#include "http/page.h"
#include "http/respcache.h"

#define SIMILAR_MAX "100"	/* movies ranked as similar */
#define CANDIDATES "500"	/* the most popular sharing a keyword, and a genre */

/* (a provisional movie has no public page but its maker's detail) */
static struct mq_stmt movie_links = MQ_STMT_READ(
	"SELECT genre_ids, keyword_ids FROM movies WHERE id = $1 AND provisional_by IS NULL");

/* Scored by what they share (a genre 1, a keyword 2), the more popular
 * first among equals; candidates are the most popular movies sharing a
 * keyword and those sharing a genre, so the cost does not grow with the
 * catalog.  $1 genre ids, $2 keyword ids, $3 the movie, $4 $5 language,
 * $6 $7 limit and offset. */
static struct mq_stmt similar = MQ_STMT_PLANNED(
	"WITH cand AS ("
	"  (SELECT m.id FROM movies m WHERE m.keyword_ids && $2::int[] AND m.id <> $3 "
	"   AND m.provisional_by IS NULL "
	"   ORDER BY m.popularity DESC, m.id DESC LIMIT " CANDIDATES ") "
	"  UNION "
	"  (SELECT m.id FROM movies m WHERE m.genre_ids && $1::int[] AND m.id <> $3 "
	"   AND m.provisional_by IS NULL "
	"   ORDER BY m.popularity DESC, m.id DESC LIMIT " CANDIDATES ")), "
	"scored AS MATERIALIZED ("
	"  SELECT m.id, m.popularity, "
	"    cardinality(ARRAY(SELECT unnest(m.genre_ids) INTERSECT SELECT unnest($1::int[]))) + "
	"    2 * cardinality(ARRAY(SELECT unnest(m.keyword_ids) INTERSECT SELECT unnest($2::int[]))) "
	"      AS score "
	"  FROM cand JOIN movies m USING (id) "
	"  ORDER BY score DESC, m.popularity DESC, m.id DESC LIMIT " SIMILAR_MAX "), "
	"page AS (SELECT id, score, popularity, count(*) OVER () AS total FROM scored "
	"  ORDER BY score DESC, popularity DESC, id DESC LIMIT $6 OFFSET $7) "
	"SELECT p.total, p.score, " MQ_MOVIE_ITEM_COLUMNS " "
	"FROM page p JOIN movies m USING (id) " MQ_MOVIE_TRANSLATION("$4", "$5")
	"ORDER BY p.score DESC, m.popularity DESC, m.id DESC");

/* GET /api/movies/{id}/ */
mq_reply mq_movies_get(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *body;
	struct json_object *o;
	struct mq_respcache rc_cache;
	static const char *const params[] = { "language", NULL };
	struct mq_lang lang;
	enum mq_status st;
	mq_reply rc;
	size_t len;

	if (mq_done(rc = mq_query_check(r, params)) ||
	    mq_done(rc = mq_lang_choose(r, "language", &lang)))
		return rc;
	mq_analytics_view(&r->ctx, r->user_id, id);	/* when there is such a movie */
	if (mq_done(rc = mq_respcache_serve(r, &rc_cache, mq_arena_printf(r->arena, "movie:%s", id),
					    lang.tag)))
		return rc;
	st = mq_movie_fetch(&r->ctx, id, r->user_id, r->role == MQ_ROLE_ADMIN, &lang, &o);
	if (st != MQ_OK)
		return mq_fail(r, st);	/* 404 "No movie with id ...", or the database's */
	body = mq_json_render(o, &len);
	/* a provisional movie is shown to few: never cached for all */
	if (json_object_get_boolean(json_object_object_get(o, "provisional")))
		mq_respcache_skip(&rc_cache);
	return mq_respcache_respond(r, &rc_cache, body, len);
}

/* The page of movies like id into *body, "" when the page is past the
 * end.  Failures: MQ_NOT_FOUND when there is no movie id, or the
 * database's. */
static enum mq_status render_similar(struct mq_req *r, const char *id, const struct mq_lang *lang,
				     const struct mq_page *p, const char **body, size_t *len)
{
	PGresult *res = mq_q(r, &movie_links, 1, &id);
	struct json_object *results;
	enum mq_status st;
	int64_t total;

	if (res == NULL)
		return mq_db_failure(&r->ctx);
	if (PQntuples(res) == 0)
		return mq_fail_with(&r->ctx, MQ_NOT_FOUND, NULL, "No movie with id %s.", id);
	const char *params[] = { PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), id,
				 lang->tag, lang->primary, p->limit_s, p->offset_s };
	if ((res = mq_q(r, &similar, 7, params)) == NULL)
		return mq_db_failure(&r->ctx);
	results = mq_rows_array(r->arena, res);
	total = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	for (size_t i = 0; i < json_object_array_length(results); i++)
		json_object_object_del(json_object_array_get_idx(results, i), "total");
	mq_movies_add_urls(&r->ctx, results);
	if ((st = mq_genre_names_fill(&r->ctx, results, lang->primary)) != MQ_OK)
		return st;
	*body = mq_page_past_end(p, total) ? ""
		: mq_json_render(mq_page_envelope(r, p, total, results), len);
	return MQ_OK;
}

/* GET /api/movies/{id}/similar/: up to 100 movies, paginated. */
mq_reply mq_movies_similar(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *body = NULL;
	struct mq_respcache rc_cache;
	struct mq_lang lang;
	struct mq_page p;
	enum mq_status st;
	size_t len = 0;
	mq_reply rc;

	static const char *const params[] = { "page", "page_size", "language", NULL };

	if (mq_done(rc = mq_query_check(r, params)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = mq_lang_choose(r, "language", &lang)) ||
	    mq_done(rc = mq_respcache_serve(r, &rc_cache, "movies", lang.tag)))
		return rc;
	if ((st = render_similar(r, id, &lang, &p, &body, &len)) != MQ_OK)
		return mq_fail(r, st);
	if (*body == '\0')
		return mq_page_not_found(r, &p);
	return mq_respcache_respond(r, &rc_cache, body, len);
}

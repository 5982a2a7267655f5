/*
 * movie_detail.c: one movie (GET /api/movies/{id}/) and the movies like
 * it (GET /api/movies/{id}/similar/).
 */
#include "api.h"

#include "db/db.h"
#include "http/form.h"
#include "catalog/genre_names.h"
#include "catalog/keyword_names.h"
#include "http/http.h"
#include "core/json.h"
#include "http/lang.h"
#include "catalog/movie_json.h"
#include "catalog/movie_sql.h"
#include "http/page.h"
#include "http/respcache.h"
#include "db/rows.h"
#include "pool/worker.h"

#define SIMILAR_MAX "100"	/* movies ranked as similar */
#define CANDIDATES "500"	/* the most popular sharing a keyword, and a genre */

/* Everything about a movie in one round trip (keyword names come from
 * keyword_names.c, genre names from genre_names.c): $1 id, $2 language tag,
 * $3 language alone. */
static struct mq_stmt movie = MQ_STMT_READ(
	"SELECT " MQ_MOVIE_ITEM_COLUMNS ", "
	"coalesce(nullif(t.tagline, ''), m.tagline) AS tagline, t.language AS translation, "
	"m.keyword_ids, "
	"(SELECT coalesce(json_agg(json_build_object('id', x.id, 'kind', x.kind, "
	"          'file_path', x.file_path, 'site', x.site, 'video_key', x.video_key, "
	"          'language', x.language, 'is_primary', x.is_primary, "
	"          'created_at', rfc3339(x.created_at)) ORDER BY x.kind, NOT x.is_primary, x.id), "
	"                 '[]') FROM movie_media x WHERE m.media_count > 0 AND x.movie_id = m.id) "
	"  AS media, "
	"array_to_json(m.translations) AS translations, "
	"json_build_object('ratings_count', m.ratings_count, 'rating', round(m.rating::numeric, 2), "
	"  'favorites_count', m.favorites_count, 'watchlist_count', m.watchlist_count, "
	"  'reviews_count', m.reviews_count) AS statistics, "
	"m.source, m.movielens_id, rfc3339(m.created_at) AS created_at, "
	"rfc3339(m.updated_at) AS updated_at "
	"FROM movies m " MQ_MOVIE_TRANSLATION("$2", "$3") "WHERE m.id = $1");

static struct mq_stmt movie_links = MQ_STMT_READ(
	"SELECT genre_ids, keyword_ids FROM movies WHERE id = $1");

/* Scored by what they share (a genre 1, a keyword 2), the more popular
 * first among equals; candidates are the most popular movies sharing a
 * keyword and those sharing a genre, so the cost does not grow with the
 * catalog.  $1 genre ids, $2 keyword ids, $3 the movie, $4 $5 language,
 * $6 $7 limit and offset. */
static struct mq_stmt similar = MQ_STMT_PLANNED(
	"WITH cand AS ("
	"  (SELECT m.id FROM movies m WHERE m.keyword_ids && $2::int[] AND m.id <> $3 "
	"   ORDER BY m.popularity DESC, m.id DESC LIMIT " CANDIDATES ") "
	"  UNION "
	"  (SELECT m.id FROM movies m WHERE m.genre_ids && $1::int[] AND m.id <> $3 "
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

/* The movie as its detail shows it, or NULL when there is none or the
 * database failed (mq_db_state() tells). */
struct json_object *mq_movie_fetch(struct mq_req *r, const char *id, const struct mq_lang *lang)
{
	const char *params[] = { id, lang->tag, lang->primary };
	PGresult *res = mq_q(r, &movie, 3, params);
	struct json_object *o, *media;

	if (res == NULL || (o = mq_row_owned(r->arena, res)) == NULL ||
	    mq_genre_names_fill(r, o, lang->primary) < 0 || mq_keyword_names_fill(r, o) < 0)
		return NULL;
	mq_movie_add_urls(r, o);
	if (json_object_object_get_ex(o, "media", &media))
		for (size_t i = 0; i < json_object_array_length(media); i++)
			mq_media_add_url(r, json_object_array_get_idx(media, i));
	return o;
}

/* GET /api/movies/{id}/ */
int mq_movies_get(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *body;
	struct json_object *o;
	struct mq_respcache rc;
	static const char *const params[] = { "language", NULL };
	struct mq_lang lang;
	size_t len;

	if (mq_query_check(r, params) < 0 || mq_lang_choose(r, "language", &lang) < 0)
		return 0;
	if (mq_respcache_serve(r, &rc, mq_arena_printf(r->arena, "movie:%s", id), lang.tag))
		return 0;
	o = mq_movie_fetch(r, id, &lang);
	if (o == NULL)
		return mq_db_state(r->w->db) == MQ_DB_OK ? mq_problem(r, 404, "No movie with id %s.", id)
							 : mq_fail_db(r);
	body = mq_json_render(o, &len);
	return mq_respcache_respond(r, &rc, body, len);
}

enum outcome { RENDERED, NO_MOVIE, PAST_END, DB_FAILED };

static enum outcome render_similar(struct mq_req *r, const char *id, const struct mq_lang *lang,
				   const struct mq_page *p, const char **body, size_t *len)
{
	PGresult *res = mq_q(r, &movie_links, 1, &id);
	struct json_object *results;
	int64_t total;

	if (res == NULL)
		return DB_FAILED;
	if (PQntuples(res) == 0)
		return NO_MOVIE;
	const char *params[] = { PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), id,
				 lang->tag, lang->primary, p->limit_s, p->offset_s };
	if ((res = mq_q(r, &similar, 7, params)) == NULL)
		return DB_FAILED;
	results = mq_rows_array(r->arena, res);
	total = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	for (size_t i = 0; i < json_object_array_length(results); i++)
		json_object_object_del(json_object_array_get_idx(results, i), "total");
	mq_movies_add_urls(r, results);
	if (mq_genre_names_fill(r, results, lang->primary) < 0)
		return DB_FAILED;
	if (mq_page_past_end(p, total))
		return PAST_END;
	*body = mq_json_render(mq_page_envelope(r, p, total, results), len);
	return RENDERED;
}

/* GET /api/movies/{id}/similar/: up to 100 movies, paginated. */
int mq_movies_similar(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *body = NULL;
	struct mq_respcache rc;
	struct mq_lang lang;
	struct mq_page p;
	size_t len = 0;

	static const char *const params[] = { "page", "page_size", "language", NULL };

	if (mq_query_check(r, params) < 0 || mq_page_parse(r, &p) < 0 ||
	    mq_lang_choose(r, "language", &lang) < 0)
		return 0;
	if (mq_respcache_serve(r, &rc, "movies", lang.tag))
		return 0;
	switch (render_similar(r, id, &lang, &p, &body, &len)) {
	case NO_MOVIE: return mq_problem(r, 404, "No movie with id %s.", id);
	case PAST_END: return mq_page_not_found(r, &p);
	case DB_FAILED: return mq_fail_db(r);
	case RENDERED: break;
	}
	return mq_respcache_respond(r, &rc, body, len);
}

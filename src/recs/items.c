/*
 * items.c: a movie's neighbours: the movies people who liked it also
 * liked (behaviour) and the movies like it (content), from the active
 * version, with a fallback for movies the version does not know
 * (serve.h).
 */
#include "recs/serve.h"

#include <math.h>

#include "catalog/genre_names.h"
#include "catalog/movie_json.h"
#include "catalog/movie_sql.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "recs/content.h"
#include "recs/metrics.h"

#define FANS "300"		/* the latest fans a live "also liked" asks */
#define LIVE_MAX "50"
#define CANDIDATES "500"	/* the most popular sharing a keyword, and a genre */

/* The page of a list l (id, score, n) of movies: those shown
 * (MQ_MOVIE_SHOWN: a list's movies' rows are read for the page only), in
 * order, each a movie of the list shape with its score. */
#define PAGE(LANG_TAG, LANG_PRIMARY, LIMIT, OFFSET) \
	"ok AS (SELECT l.* FROM l WHERE " MQ_MOVIE_SHOWN("l.id") "), " \
	"pg AS (SELECT ok.*, count(*) OVER () AS total FROM ok ORDER BY n LIMIT " LIMIT \
	"       OFFSET " OFFSET ") " \
	"SELECT p.total, round(p.score::numeric, 4) AS score, " MQ_MOVIE_ITEM_COLUMNS \
	" FROM pg p JOIN movies m ON m.id = p.id " MQ_MOVIE_TRANSLATION(LANG_TAG, LANG_PRIMARY) \
	"ORDER BY p.n"

/* The active version: one value.  Joined as the table recs_active (one
 * row, which no ANALYZE visits), it was taken for 1,810 rows, and
 * recs_items was read from its key's first column: all of it, 404 pages
 * at 100,000 movies, for one row (3-7 ms a request, growing with the
 * catalog); as a scalar subquery it is one probe of the key. */
#define ACTIVE_VERSION "(SELECT version FROM recs_active)"

/* The active version's list in columns IDS and SCORES of movie $1; $2 $3
 * the language, $4 $5 limit and offset. */
#define MODEL_LIST(IDS, SCORES) MQ_STMT_READ( \
	"WITH r AS (SELECT i." IDS " AS ids, i." SCORES " AS scores FROM recs_items i " \
	"           WHERE i.version = " ACTIVE_VERSION " AND i.movie_id = $1), " \
	"l AS (SELECT u.id, u.score, u.n FROM r, unnest(r.ids, r.scores) WITH ORDINALITY " \
	"      AS u (id, score, n)), " PAGE("$2", "$3", "$4", "$5"))

static struct mq_stmt also_model = MODEL_LIST("liked_ids", "liked_scores");
static struct mq_stmt similar_model = MODEL_LIST("content_ids", "content_scores");

/* What the version knows of movie $1 (no row: no such movie, or one
 * only its maker sees: provisional). */
static struct mq_stmt known = MQ_STMT_READ(
	"SELECT m.genre_ids, m.keyword_ids, m.original_language, m.year, " ACTIVE_VERSION ", "
	"  i.liked_ids IS NOT NULL, i.content_ids IS NOT NULL "
	"FROM movies m LEFT JOIN recs_items i ON i.version = " ACTIVE_VERSION " AND i.movie_id = m.id "
	"WHERE m.id = $1 AND m.provisional_by IS NULL");

/* "Also liked", counted now: the movies rated 4 or more by the latest
 * fans of $1 (rated it 4 or more), by co-occurrence over the geometric
 * mean of the two movies' counts (a cosine, as training's). */
static struct mq_stmt also_live = MQ_STMT_READ(
	"WITH fans AS (SELECT user_id FROM ratings WHERE movie_id = $1 AND rating >= 4 "
	"              ORDER BY updated_at DESC, user_id DESC LIMIT " FANS "), "
	"co AS (SELECT x.movie_id AS id, count(*) AS n FROM ratings x JOIN fans f USING (user_id) "
	"       WHERE x.rating >= 4 AND x.movie_id <> $1 GROUP BY x.movie_id), "
	"sc AS (SELECT co.id, (co.n / sqrt((SELECT count(*) FROM fans) * "
	"         greatest(coalesce(mm.ratings_count, 0), co.n)))::real AS score "
	"       FROM co LEFT JOIN movie_stats mm ON mm.movie_id = co.id "
	"       ORDER BY score DESC, co.id DESC LIMIT " LIVE_MAX "), "
	"l AS (SELECT id, score, row_number() OVER (ORDER BY score DESC, id DESC) AS n FROM sc), "
	PAGE("$2", "$3", "$4", "$5"));

/* A list given: $1 ids and $2 scores in order. */
static struct mq_stmt given = MQ_STMT_READ(
	"WITH l AS (SELECT * FROM unnest($1::bigint[], $2::real[]) WITH ORDINALITY AS u (id, score, n)), "
	PAGE("$3", "$4", "$5", "$6"));

/* Content candidates: the most popular sharing a keyword and those
 * sharing a genre with the movie ($1 genre ids, $2 keyword ids, $3 it). */
static struct mq_stmt candidates = MQ_STMT_PLANNED(
	"SELECT m.id, m.popularity, m.genre_ids, m.keyword_ids, m.original_language, m.year "
	"FROM movies m WHERE m.id IN ("
	"  (SELECT x.id FROM movies x WHERE x.keyword_ids && $2::int[] AND x.id <> $3 "
	"   AND x.provisional_by IS NULL "
	"   ORDER BY x.popularity DESC, x.id DESC LIMIT " CANDIDATES ") "
	"  UNION "
	"  (SELECT x.id FROM movies x WHERE x.genre_ids && $1::int[] AND x.id <> $3 "
	"   AND x.provisional_by IS NULL "
	"   ORDER BY x.popularity DESC, x.id DESC LIMIT " CANDIDATES ")) "
	"ORDER BY m.popularity DESC, m.id DESC");

/* The version's IDF of the features of the movies compared. */
static struct mq_stmt idf = MQ_STMT_READ(
	"SELECT kind, value, idf FROM recs_features WHERE version = $1 AND ("
	"  (kind = 'genre' AND value = ANY ($2::text[])) "
	"  OR (kind = 'keyword' AND value = ANY ($3::text[])) "
	"  OR kind IN ('language', 'decade'))");

static enum mq_status page_of(struct mq_ctx *c, PGresult *res, const struct mq_lang *lang,
			      struct mq_recs_list *out)
{
	if (res == NULL)
		return mq_db_failure(c);
	out->results = mq_rows_array(c->arena, res);
	out->count = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	for (size_t i = 0; i < json_object_array_length(out->results); i++)
		json_object_object_del(json_object_array_get_idx(out->results, i), "total");
	mq_movies_add_urls(c, out->results);
	return mq_genre_names_fill(c, out->results, lang->primary);
}

/* The movie's row of `known`, or MQ_NOT_FOUND. */
static enum mq_status know(struct mq_ctx *c, const char *movie, PGresult **res)
{
	if ((*res = mq_db_q(c, &known, 1, &movie)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(*res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No movie with id %s.", movie);
	return MQ_OK;
}

enum mq_status mq_recs_also_liked(struct mq_ctx *c, const char *movie, const struct mq_lang *lang,
				  int64_t limit, int64_t offset, struct mq_recs_list *out)
{
	const char *params[] = { movie, lang->tag, lang->primary, mq_arena_int(c->arena, limit),
				 mq_arena_int(c->arena, offset) };
	enum mq_status st;
	PGresult *res;
	bool modelled;

	memset(out, 0, sizeof(*out));
	if ((st = know(c, movie, &res)) != MQ_OK)
		return st;
	modelled = *PQgetvalue(res, 0, 5) == 't';
	out->version = modelled ? mq_row_int(res, 0, 4) : 0;
	return page_of(c, mq_db_q(c, modelled ? &also_model : &also_live, 5, params), lang, out);
}

/* ---- similar, for a movie the version does not know ---- */

static void add_movie(struct mq_recs_catalog *cat, int64_t id, float popularity, const char *genres,
		      const char *keywords, const char *language, const char *year)
{
	int64_t g[64], k[512];

	mq_recs_catalog_add(cat, id, popularity, g, mq_recs_int_array(genres, g, MQ_ARRAY_LEN(g)), k,
			    mq_recs_int_array(keywords, k, MQ_ARRAY_LEN(k)), *language ? language : NULL,
			    *year ? (int)strtol(year, NULL, 10) : 0);
}

/* The IDF of the version of movie's row (the genre and keyword ids'
 * int[] literals are read as text[] ones, "{1,2}"). */
static void load_idf(struct mq_ctx *c, PGresult *movie, struct mq_recs_idf *t)
{
	const char *version = PQgetvalue(movie, 0, 4);
	const char *params[] = { version, PQgetvalue(movie, 0, 0), PQgetvalue(movie, 0, 1) };
	PGresult *res;

	/* without a version every feature weighs the same: a plain overlap */
	mq_recs_idf_init(t, 64, 1.0f);
	if (*version == '\0' || (res = mq_db_q(c, &idf, 3, params)) == NULL)
		return;
	/* a feature the version never saw is as rare as any: its largest IDF */
	for (int i = 0; i < PQntuples(res); i++) {
		const char *kind = PQgetvalue(res, i, 0), *value = PQgetvalue(res, i, 1);
		float v = strtof(PQgetvalue(res, i, 2), NULL);
		mq_recs_feature f;

		if (strcmp(kind, "genre") == 0)
			f = mq_recs_feature_make(MQ_RECS_F_GENRE, (uint32_t)strtoul(value, NULL, 10));
		else if (strcmp(kind, "keyword") == 0)
			f = mq_recs_feature_make(MQ_RECS_F_KEYWORD, (uint32_t)strtoul(value, NULL, 10));
		else if (strcmp(kind, "language") == 0 && strlen(value) == 2)
			f = mq_recs_feature_make(MQ_RECS_F_LANGUAGE, mq_recs_language_value(value));
		else
			f = mq_recs_feature_make(MQ_RECS_F_DECADE, (uint32_t)strtoul(value, NULL, 10));
		mq_recs_idf_put(t, f, v);
		t->unknown = v > t->unknown ? v : t->unknown;
	}
}

static enum mq_status similar_live(struct mq_ctx *c, const char *movie, PGresult *mv,
				   const struct mq_lang *lang, int64_t limit, int64_t offset,
				   struct mq_recs_list *out)
{
	const char *p1[] = { PQgetvalue(mv, 0, 0), PQgetvalue(mv, 0, 1), movie };
	PGresult *res = mq_db_q(c, &candidates, 3, p1);
	struct mq_recs_catalog cat = { 0 };
	struct mq_recs_idf t;
	float *scores;
	uint32_t *top;
	size_t n;

	if (res == NULL)
		return mq_db_failure(c);
	add_movie(&cat, strtoll(movie, NULL, 10), 0, PQgetvalue(mv, 0, 0), PQgetvalue(mv, 0, 1),
		  PQgetvalue(mv, 0, 2), PQgetvalue(mv, 0, 3));
	for (int i = 0; i < PQntuples(res); i++)
		add_movie(&cat, mq_row_int(res, i, 0), strtof(PQgetvalue(res, i, 1), NULL),
			  PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
			  PQgetvalue(res, i, 5));
	load_idf(c, mv, &t);
	scores = mq_arena_alloc(c->arena, (cat.n + 1) * sizeof(*scores));
	top = mq_arena_alloc(c->arena, (MQ_RECS_SIMILAR_K + 1) * sizeof(*top));
	scores[0] = -INFINITY;
	for (size_t m = 1; m < cat.n; m++) {
		scores[m] = mq_recs_content_cosine(&cat, &t, 0, m);
		if (!(scores[m] > 0))
			scores[m] = -INFINITY;
	}
	n = mq_recs_top_k(scores, cat.n, NULL, MQ_RECS_SIMILAR_K, top);
	/* (ties go to the lower index: the more popular, as in training) */
	char *ids = mq_arena_alloc(c->arena, n * 21 + 3), *sc = mq_arena_alloc(c->arena, n * 16 + 3);
	char *pi = ids, *ps = sc;
	*pi++ = '{';
	*ps++ = '{';
	for (size_t k = 0; k < n; k++) {
		pi += snprintf(pi, 22, "%s%lld", k ? "," : "", (long long)cat.id[top[k]]);
		ps += snprintf(ps, 16, "%s%.4f", k ? "," : "", (double)scores[top[k]]);
	}
	*pi++ = '}';
	*ps++ = '}';
	*pi = *ps = '\0';
	mq_recs_catalog_free(&cat);
	mq_recs_idf_free(&t);
	const char *p2[] = { ids, sc, lang->tag, lang->primary, mq_arena_int(c->arena, limit),
			     mq_arena_int(c->arena, offset) };
	return page_of(c, mq_db_q(c, &given, 6, p2), lang, out);
}

enum mq_status mq_recs_similar(struct mq_ctx *c, const char *movie, const struct mq_lang *lang,
			       int64_t limit, int64_t offset, struct mq_recs_list *out)
{
	const char *params[] = { movie, lang->tag, lang->primary, mq_arena_int(c->arena, limit),
				 mq_arena_int(c->arena, offset) };
	enum mq_status st;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if ((st = know(c, movie, &res)) != MQ_OK)
		return st;
	if (*PQgetvalue(res, 0, 6) == 't') {
		out->version = mq_row_int(res, 0, 4);
		return page_of(c, mq_db_q(c, &similar_model, 5, params), lang, out);
	}
	return similar_live(c, movie, res, lang, limit, offset, out);
}

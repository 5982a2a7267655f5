/*
 * ratings.c: a user's ratings of movies, half stars from 0.5 to 5.0:
 * POST /api/movies/rate/ (seed path: {movie} or {tmdb_id}),
 * PUT/DELETE /api/movies/{id}/rating/, and a movie's summary
 * GET /api/movies/{id}/ratings/ (average, count, histogram).
 *
 * A rating is one upsert or delete statement that also writes the
 * activity log; the movie's ratings_count and ratings_sum follow by
 * trigger in the same transaction under the lock of the movie's row of
 * movie_stats, so they stay exact however many clients rate at once
 * (t/api/ratings.t checks them against a recount).  The average every
 * answer shows is computed from them; the copy the lists order on
 * (movies.rating) follows by a job (catalog/ratings_listed.h).  The
 * average shows in the movie lists and the detail, so a change makes
 * their cached answers stale.
 */
#include <math.h>

#include "catalog/changes.h"
#include "catalog/movie_ref.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/movie_ref_form.h"

#define RATING_COLUMNS \
	"id, movie_id AS movie, rating::float8 AS rating, rfc3339(created_at) AS created_at, " \
	"rfc3339(updated_at) AS updated_at"

/* $1 user, $2 movie, $3 rating.  xmax is 0 on a row this statement
 * inserted, and set on one it updated. */
static struct mq_stmt upsert = MQ_STMT(
	"WITH up AS (INSERT INTO ratings AS x (user_id, movie_id, rating) VALUES ($1, $2, $3::numeric) "
	"            ON CONFLICT (user_id, movie_id) DO UPDATE "
	"            SET rating = excluded.rating, updated_at = now() "
	"            RETURNING x.*, x.xmax = 0 AS created), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id, rating) "
	"           SELECT $1, 'rated', movie_id, rating FROM up) "
	"SELECT " RATING_COLUMNS ", created FROM up");

static struct mq_stmt remove_one = MQ_STMT(
	"WITH gone AS (DELETE FROM ratings WHERE user_id = $1 AND movie_id = $2 "
	"              RETURNING movie_id, rating), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id, rating) "
	"           SELECT $1, 'rating_removed', movie_id, rating FROM gone) "
	"SELECT count(*) FROM gone");

/* $1 movie, $2 the caller (NULL: anonymous); a provisional movie has no
 * public statistics (its maker sees their rating in their ratings).  The
 * average and count are
 * the maintained ones of movie_stats; the histogram is counted (an index-only scan of
 * the movie's ratings). */
static struct mq_stmt summary = MQ_STMT_READ(
	"SELECT m.id AS movie, round(movie_rating(ms.ratings_count, ms.ratings_sum)::numeric, 2) "
	"  AS average, coalesce(ms.ratings_count, 0) AS count, "
	"  (SELECT json_object_agg(to_char(v, 'FM0.0'), coalesce(c.n, 0) ORDER BY v) "
	"   FROM generate_series(0.5, 5.0, 0.5) v LEFT JOIN "
	"     (SELECT rating, count(*) AS n FROM ratings WHERE movie_id = m.id GROUP BY rating) c "
	"     ON c.rating = v) AS histogram, "
	"  (SELECT rating::float8 FROM ratings WHERE user_id = $2 AND movie_id = m.id) "
	"    AS user_rating "
	"FROM movies m LEFT JOIN movie_stats ms ON ms.movie_id = m.id "
	"WHERE m.id = $1 AND m.provisional_by IS NULL");

/* rating: 0.5 to 5.0 in steps of 0.5; NULL (an error recorded) else. */
static const char *read_rating(struct mq_form *f)
{
	double d;

	if (!mq_form_number(f, "rating", MQ_REQUIRED, 0.5, 5.0, &d))
		return NULL;
	if (d * 2 != floor(d * 2)) {
		mq_form_error(f, "rating", "Must be in steps of 0.5 (0.5, 1, 1.5, ... 5).");
		return NULL;
	}
	return mq_arena_printf(f->r->arena, "%.1f", d);
}

/* Writes the caller's rating of movie and answers it: 201 when new, 200
 * when it replaced one.  A movie that is no more is a 404, naming the
 * body's `movie` unless the URL named it (in_path). */
static mq_reply rate(struct mq_req *r, const char *movie, const char *rating, bool in_path)
{
	const char *params[] = { mq_req_user_text(r), movie, rating };
	struct json_object *o;
	PGresult *res = mq_q(r, &upsert, 3, params);
	bool created;

	if (res == NULL) {
		enum mq_status st = mq_movie_write_failure(&r->ctx, movie);

		if (st == MQ_NOT_FOUND && in_path)
			r->ctx.err.field = NULL;
		return mq_fail(r, st);
	}
	o = mq_row_owned(r->arena, res);
	created = json_object_get_boolean(json_object_object_get(o, "created"));
	json_object_object_del(o, "created");
	mq_movies_changed(&r->ctx, movie);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, created ? 201 : 200, o);
}

/* POST /api/movies/rate/ {movie or tmdb_id (+ title, overview,
 * poster_path), rating}: the caller's rating, made or replaced. */
mq_reply mq_ratings_rate(struct mq_req *r)
{
	static const char *const fields[] = { MQ_MOVIE_REF_FIELDS, "rating", NULL };
	struct mq_movie_ref ref;
	const char *rating, *movie;
	struct mq_form f;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	mq_movie_ref_read(&f, &ref);
	rating = read_rating(&f);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_movie_ref_resolve(&r->ctx, &ref, &movie)) != MQ_OK)
		return mq_fail(r, st);
	return rate(r, movie, rating, false);
}

/* PUT /api/movies/{id}/rating/ {rating} */
mq_reply mq_ratings_put(struct mq_req *r)
{
	static const char *const fields[] = { "rating", NULL };
	const char *rating;
	struct mq_form f;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	rating = read_rating(&f);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	return rate(r, mq_req_id_text(r, "id"), rating, true);
}

/* DELETE /api/movies/{id}/rating/: 204, or 404 without a rating. */
mq_reply mq_ratings_delete(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "id");
	const char *params[] = { mq_req_user_text(r), movie };
	PGresult *res = mq_q(r, &remove_one, 2, params);

	if (res == NULL)
		return mq_fail_db(r);
	if (mq_row_int(res, 0, 0) == 0)
		return mq_problem(r, 404, "You have not rated movie %s.", movie);
	mq_movies_changed(&r->ctx, movie);
	return mq_respond(r, 204, NULL, NULL, 0);
}

/* GET /api/movies/{id}/ratings/: average, count, histogram, and the
 * caller's own rating (null when none, or anonymous). */
mq_reply mq_ratings_summary(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "id");
	const char *params[] = { movie, r->user_id ? mq_req_user_text(r) : NULL };
	struct json_object *o;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, (const char *const[]){ NULL })))
		return rc;
	if ((res = mq_q(r, &summary, 2, params)) == NULL)
		return mq_fail_db(r);
	if ((o = mq_row_owned(r->arena, res)) == NULL)
		return mq_problem(r, 404, "No movie with id %s.", movie);
	mq_resp_header(r, "Cache-Control", r->user_id ? "private, no-store" : "no-cache");
	return mq_respond_json(r, 200, o);
}

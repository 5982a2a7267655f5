/*
 * movie_ref.c: from {movie} or {tmdb_id} in a body to a local movie id.
 *
 * This is the one place that turns a TMDb id into a movie of the
 * catalog for the collections: a tmdb_id the catalog lacks is imported
 * from TMDb (tmdb_import.h); when TMDb cannot answer, the details the
 * client sent (title, overview, poster_path) make a minimal movie, as
 * docs/openapi.yaml says of POST /api/users/favorites/ and the others.
 */
#include "movie_ref.h"

#include "api/api.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "json.h"
#include "tmdb.h"
#include "tmdb_import.h"
#include "worker.h"

static struct mq_stmt movie_by_tmdb = MQ_STMT_READ("SELECT id FROM movies WHERE tmdb_id = $1");

/* Two clients may create the same movie at once: the unique tmdb_id
 * lets one insert win, and the loser finds the winner's row with
 * movie_by_tmdb (a new statement, so a new snapshot that sees it). */
static struct mq_stmt insert_minimal = MQ_STMT(
	"INSERT INTO movies (tmdb_id, title, original_title, overview, poster_path) "
	"VALUES ($1::int, $2, $2, coalesce($3, ''), $4) "
	"ON CONFLICT (tmdb_id) DO NOTHING RETURNING id");

static void read_details(struct mq_form *f, struct mq_movie_ref *ref)
{
	static const char *const details[] = { "title", "overview", "poster_path" };

	if (ref->movie) {
		for (size_t i = 0; i < MQ_ARRAY_LEN(details); i++)
			if (mq_form_has(f, details[i]))
				mq_form_error(f, details[i], "Only with tmdb_id: a local movie has its own.");
		return;
	}
	ref->title = mq_form_string(f, "title", MQ_OPTIONAL, 1, 300);
	ref->overview = mq_form_string(f, "overview", MQ_OPTIONAL, 0, 5000);
	ref->poster_path = mq_form_string(f, "poster_path", MQ_OPTIONAL, 1, 110);
	if (ref->poster_path && !mq_tmdb_image_path_ok(ref->poster_path)) {
		mq_form_error(f, "poster_path", "Must be a TMDb image path such as /abc.jpg.");
		ref->poster_path = NULL;
	}
}

void mq_movie_ref_read(struct mq_form *f, struct mq_movie_ref *ref)
{
	struct mq_arena *a = f->r->arena;
	bool has_movie = mq_form_has(f, "movie"), has_tmdb = mq_form_has(f, "tmdb_id");
	int64_t n;

	memset(ref, 0, sizeof(*ref));
	if (has_movie == has_tmdb) {
		mq_form_error(f, has_movie ? "tmdb_id" : "movie",
			      has_movie ? "Give movie or tmdb_id, not both."
					: "Give movie (a movie id) or tmdb_id.");
		return;
	}
	if (has_movie && mq_form_int(f, "movie", MQ_REQUIRED, 1, INT64_MAX, &n))
		ref->movie = mq_arena_int(a, n);
	if (has_tmdb && mq_form_int(f, "tmdb_id", MQ_REQUIRED, 1, INT32_MAX, &n))
		ref->tmdb_id = mq_arena_int(a, n);
	read_details(f, ref);
}

/* 404 naming the field: the body is well formed, the movie is not there. */
static const char *unknown_movie(struct mq_req *r, const char *id)
{
	const char *detail = mq_arena_printf(r->arena, "No movie with id %s.", id);

	mq_problem_about(r, 404, detail, "movie", detail);
	return NULL;
}

static const char *first_id(struct mq_req *r, PGresult *res)
{
	return PQntuples(res) ? mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0)) : "";
}

/* A movie made of the details the client sent, for a tmdb_id that TMDb
 * could not tell about. */
static const char *from_details(struct mq_req *r, const struct mq_movie_ref *ref)
{
	const char *params[] = { ref->tmdb_id, ref->title, ref->overview, ref->poster_path };
	PGresult *res = mq_q(r, &insert_minimal, 4, params);
	const char *id;

	if (res == NULL)
		goto failed;
	if (*(id = first_id(r, res))) {
		mq_movies_changed(r, id);
		return id;
	}
	if ((res = mq_q(r, &movie_by_tmdb, 1, &ref->tmdb_id)) == NULL)
		goto failed;
	if (PQntuples(res))
		return first_id(r, res);
	/* made by another and removed at once: as good as a collision */
	mq_resp_header(r, "Retry-After", "1");
	mq_problem(r, 503, "The movie changed while it was being added; try again.");
	return NULL;
failed:
	mq_fail_db(r);
	return NULL;
}

/* The movie with the tmdb_id: the catalog's; else imported from TMDb;
 * else, when TMDb cannot answer (not configured, down) and the client
 * sent a title, made of the client's details.  An id TMDb says it does
 * not have is a 404 whatever the details: they would name no real film. */
static const char *by_tmdb(struct mq_req *r, const struct mq_movie_ref *ref)
{
	PGresult *res = mq_q(r, &movie_by_tmdb, 1, &ref->tmdb_id);
	struct mq_tmdb_answer ans;
	int64_t movie_id;
	bool created;
	int rc;

	if (res == NULL) {
		mq_fail_db(r);
		return NULL;
	}
	if (PQntuples(res))
		return first_id(r, res);
	rc = mq_tmdb_movie_try(r, strtoll(ref->tmdb_id, NULL, 10), &movie_id, &created, &ans);
	if (rc == 0)
		return mq_arena_int(r->arena, movie_id);
	if (rc < 0)
		return NULL;
	if (ref->title && ans.status != MQ_TMDB_NOT_FOUND)
		return from_details(r, ref);
	mq_tmdb_fail(r, &ans, mq_arena_printf(r->arena, "TMDb has no movie with id %s.", ref->tmdb_id));
	return NULL;
}

const char *mq_movie_ref_resolve(struct mq_req *r, const struct mq_movie_ref *ref)
{
	/* a local id is checked by the write's own foreign key, answered by
	 * mq_movie_ref_failed: no round trip to ask first */
	return ref->tmdb_id ? by_tmdb(r, ref) : ref->movie;
}

int mq_movie_ref_failed(struct mq_req *r, const char *movie)
{
	if (strcmp(mq_db_sqlstate(r->w->db), "23503") != 0)
		return mq_fail_db(r);
	mq_db_rollback(r->w->db);
	unknown_movie(r, movie);
	return 0;
}

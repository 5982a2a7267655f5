/*
 * movie_ref.c: from {movie} or {tmdb_id} to a local movie id.
 *
 * This is the one place that turns a TMDb id into a movie of the
 * catalog for the collections: a tmdb_id the catalog lacks is imported
 * from TMDb (tmdb_import.h); when TMDb cannot answer, the details the
 * client sent (title, overview, poster_path) make a minimal movie, as
 * docs/openapi.yaml says of POST /api/users/favorites/ and the others.
 */
#include "catalog/movie_ref.h"

#include "catalog/changes.h"
#include "catalog/tmdb_import.h"
#include "db/db.h"

static struct mq_stmt movie_by_tmdb = MQ_STMT_READ("SELECT id FROM movies WHERE tmdb_id = $1");

/* Two clients may create the same movie at once: the unique tmdb_id
 * lets one insert win, and the loser finds the winner's row with
 * movie_by_tmdb (a new statement, so a new snapshot that sees it). */
static struct mq_stmt insert_minimal = MQ_STMT(
	"INSERT INTO movies (tmdb_id, title, original_title, overview, poster_path) "
	"VALUES ($1::int, $2, $2, coalesce($3, ''), $4) "
	"ON CONFLICT (tmdb_id) DO NOTHING RETURNING id");

static const char *first_id(struct mq_ctx *c, PGresult *res)
{
	return PQntuples(res) ? mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0)) : NULL;
}

/* A movie made of the details the client sent, for a tmdb_id that TMDb
 * could not tell about. */
static enum mq_status from_details(struct mq_ctx *c, const struct mq_movie_ref *ref,
				   const char **movie)
{
	const char *params[] = { ref->tmdb_id, ref->title, ref->overview, ref->poster_path };
	PGresult *res = mq_db_q(c, &insert_minimal, 4, params);

	if (res == NULL)
		return mq_db_failure(c);
	if ((*movie = first_id(c, res))) {
		mq_movies_changed(c, *movie);
		return MQ_OK;
	}
	if ((res = mq_db_q(c, &movie_by_tmdb, 1, &ref->tmdb_id)) == NULL)
		return mq_db_failure(c);
	if ((*movie = first_id(c, res)))
		return MQ_OK;
	/* made by another and removed at once: as good as a collision */
	return mq_fail_retry(c, 1, "The movie changed while it was being added; try again.");
}

/* The movie with the tmdb_id: the catalog's; else imported from TMDb;
 * else, when TMDb cannot answer (not configured, down) and the client
 * sent a title, made of the client's details.  An id TMDb says it does
 * not have is a 404 whatever the details: they would name no real film. */
static enum mq_status by_tmdb(struct mq_ctx *c, const struct mq_movie_ref *ref,
			      const char **movie)
{
	PGresult *res = mq_db_q(c, &movie_by_tmdb, 1, &ref->tmdb_id);
	struct mq_tmdb_answer ans;
	int64_t movie_id;
	enum mq_status st;
	bool created;

	if (res == NULL)
		return mq_db_failure(c);
	if ((*movie = first_id(c, res)))
		return MQ_OK;
	st = mq_tmdb_movie_ensure(c, strtoll(ref->tmdb_id, NULL, 10), &movie_id, &created, &ans);
	if (st == MQ_OK)
		*movie = mq_arena_int(c->arena, movie_id);
	else if (ans.status != MQ_TMDB_OK && ans.status != MQ_TMDB_NOT_FOUND && ref->title)
		return from_details(c, ref, movie);
	return st;
}

enum mq_status mq_movie_ref_resolve(struct mq_ctx *c, const struct mq_movie_ref *ref,
				    const char **movie)
{
	/* a local id is checked by the write's own foreign key, answered by
	 * mq_movie_write_failure: no round trip to ask first */
	if (ref->tmdb_id)
		return by_tmdb(c, ref, movie);
	*movie = ref->movie;
	return MQ_OK;
}

enum mq_status mq_movie_write_failure(struct mq_ctx *c, const char *movie)
{
	const char *detail;

	if (strcmp(mq_db_sqlstate(c->db), "23503") != 0)
		return mq_db_failure(c);
	mq_db_rollback(c->db);
	detail = mq_arena_printf(c->arena, "No movie with id %s.", movie);
	return mq_fail_field(c, MQ_NOT_FOUND, "movie", detail, detail);
}

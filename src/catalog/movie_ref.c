/*
 * movie_ref.c: from {movie} or {tmdb_id} to a local movie id.
 *
 * This is the one place that turns a TMDb id into a movie of the
 * catalog for the collections: a tmdb_id the catalog lacks is imported
 * from TMDb (tmdb_import.h); when TMDb cannot answer, the details the
 * client sent (title, overview, poster_path) make a provisional movie,
 * which only its maker sees until TMDb confirms it or an administrator
 * approves it (sql/0010_hardening.sql): a user's details never reach
 * other users unreviewed (issue 12, finding 1).  Only a user whose email
 * address is confirmed makes one, at most [tmdb] provisional_max.
 */
#include "catalog/movie_ref.h"

#include "catalog/tmdb_import.h"
#include "core/config.h"
#include "db/db.h"

/* The movie with the TMDb id, and whether the caller ($2) may use it:
 * another user's provisional movie is not theirs to name. */
static struct mq_stmt movie_by_tmdb = MQ_STMT_READ(
	"SELECT id, provisional_by IS NULL OR provisional_by = $2 FROM movies WHERE tmdb_id = $1");

static struct mq_stmt insert_provisional = MQ_STMT(
	"SELECT movie, outcome FROM provisional_movie_insert($1::int, $2, $3, $4, $5::bigint, $6::int)");

/* *movie: the id of res's movie when the caller may use it, else NULL. */
static bool usable(struct mq_ctx *c, PGresult *res, const char **movie)
{
	bool ok = PQntuples(res) && PQgetvalue(res, 0, 1)[0] == 't';

	*movie = ok ? mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0)) : NULL;
	return ok;
}

/* A provisional movie made of the details the client sent, for a tmdb_id
 * that TMDb could not tell about (its failure, tmdb_failed, recorded in
 * c->err: the answer when another user's provisional movie has the id). */
static enum mq_status from_details(struct mq_ctx *c, const struct mq_movie_ref *ref,
				   enum mq_status tmdb_failed, const char **movie)
{
	const char *maker = mq_arena_int(c->arena, ref->user_id);
	const char *params[] = { ref->tmdb_id, ref->title, ref->overview, ref->poster_path, maker,
				 mq_arena_int(c->arena, c->cfg->tmdb_provisional_max) };
	PGresult *res = mq_db_q(c, &insert_provisional, 6, params);
	const char *outcome;

	if (res == NULL)
		return mq_db_failure(c);
	outcome = PQgetvalue(res, 0, 1);
	if (strcmp(outcome, "made") == 0) {
		/* in no public list: nothing cached changes */
		*movie = mq_arena_strdup(c->arena, PQgetvalue(res, 0, 0));
		mq_event(c, MQ_LOG_INFO, "movie_provisional", ref->user_id, "movie", *movie,
			 "tmdb_id", ref->tmdb_id, NULL);
		return MQ_OK;
	}
	if (strcmp(outcome, "unverified") == 0)
		return mq_fail_with(c, MQ_FORBIDDEN, NULL,
				    "TMDb cannot tell about this movie now, and only an account whose "
				    "email address is confirmed may add one from its own details: "
				    "confirm yours, or try again later.");
	if (strcmp(outcome, "quota") == 0)
		return mq_fail_with(c, MQ_FORBIDDEN, NULL,
				    "TMDb cannot tell about this movie now, and you have %d movies "
				    "waiting for TMDb or an administrator to confirm them, the most "
				    "allowed: try again later.", c->cfg->tmdb_provisional_max);
	/* taken: made meanwhile, by this user or another */
	if ((res = mq_db_q(c, &movie_by_tmdb, 2, (const char *[]){ ref->tmdb_id, maker })) == NULL)
		return mq_db_failure(c);
	if (usable(c, res, movie))
		return MQ_OK;
	if (PQntuples(res))
		return tmdb_failed;
	/* made by another and removed at once: as good as a collision */
	return mq_fail_retry(c, 1, "The movie changed while it was being added; try again.");
}

/* The movie with the tmdb_id: the catalog's (the caller's own provisional
 * one included); else imported from TMDb (which confirms another user's
 * provisional movie of that id); else, when TMDb cannot answer (not
 * configured, down) and the client sent a title, a provisional movie of
 * the client's details.  An id TMDb says it does not have is a 404
 * whatever the details: they would name no real film. */
static enum mq_status by_tmdb(struct mq_ctx *c, const struct mq_movie_ref *ref,
			      const char **movie)
{
	const char *params[] = { ref->tmdb_id, mq_arena_int(c->arena, ref->user_id) };
	PGresult *res = mq_db_q(c, &movie_by_tmdb, 2, params);
	struct mq_tmdb_answer ans;
	int64_t movie_id;
	enum mq_status st;
	bool created, taken;

	if (res == NULL)
		return mq_db_failure(c);
	if (usable(c, res, movie))
		return MQ_OK;
	taken = PQntuples(res) > 0;	/* another user's provisional movie */
	st = mq_tmdb_movie_ensure(c, strtoll(ref->tmdb_id, NULL, 10), &movie_id, &created, &ans);
	if (st == MQ_OK)
		*movie = mq_arena_int(c->arena, movie_id);
	else if (ans.status != MQ_TMDB_OK && ans.status != MQ_TMDB_NOT_FOUND && ref->title &&
		 !taken && ref->user_id > 0 && c->cfg->tmdb_provisional_max > 0)
		return from_details(c, ref, st, movie);
	return st;
}

enum mq_status mq_movie_ref_resolve(struct mq_ctx *c, const struct mq_movie_ref *ref,
				    const char **movie)
{
	/* a local id is checked by the write's own foreign key (and, for
	 * another user's provisional movie, by the trigger that guards
	 * them), answered by mq_movie_write_failure: no round trip to ask
	 * first */
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
	detail = mq_arena_printf(c->arena, mq_tr(c->lang, "No movie with id %s."), movie);
	return mq_fail_field(c, MQ_NOT_FOUND, "movie", detail, detail);
}

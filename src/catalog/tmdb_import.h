/*
 * tmdb_import.h: a movie from TMDb into the catalog.
 *
 * One function imports for everyone: the admin's POST /api/movies/
 * {tmdb_id}, every endpoint that takes a tmdb_id for a movie not yet in
 * the catalog, the trending list and `marquee import tmdb`.  The movie and
 * everything about it is written by one statement (tmdb_movie_upsert(),
 * sql/0006_tmdb.sql), an upsert on the unique TMDb id: running it twice,
 * or twice at once, leaves one movie.
 */
#ifndef MQ_TMDB_IMPORT_H
#define MQ_TMDB_IMPORT_H

#include "core/arena.h"
#include "core/ctx.h"
#include "integrations/tmdb.h"

struct mq_db;

enum mq_import_result {
	MQ_IMPORT_OK = 0, MQ_IMPORT_TMDB = -1, MQ_IMPORT_DB = -2, MQ_IMPORT_GONE = -3,
};

/* 0 with *movie_id when the catalog has the movie of TMDb id tmdb_id
 * (confirmed: a provisional one is not TMDb's yet); 1 when not; -1 when
 * the database failed. */
int mq_tmdb_movie_find(struct mq_db *db, int64_t tmdb_id, int64_t *movie_id);

/* The local movie of TMDb id tmdb_id: the one in the catalog, or (when
 * there is none) read from TMDb and upserted.  With refresh, read from
 * TMDb and updated, never inserted: MQ_IMPORT_GONE when the catalog no
 * longer has it (deleted since its id was read).  Returns
 * MQ_IMPORT_OK with *movie_id and *created (true when this call made it);
 * MQ_IMPORT_TMDB when TMDb failed or has no such movie (ans says which);
 * MQ_IMPORT_DB when the database failed (mq_db_state() says how). */
enum mq_import_result mq_tmdb_import(struct mq_db *db, struct mq_tmdb *t, struct mq_arena *a,
				     int64_t tmdb_id, bool refresh, int64_t *movie_id,
				     bool *created, struct mq_tmdb_answer *ans);

/* The same for a unit of work that only reads (never refresh), making
 * the cached responses that show a new movie stale: MQ_OK with *movie_id
 * and *created; else TMDb's failure (mq_tmdb_failure: MQ_NOT_FOUND when
 * TMDb has no such movie, MQ_UNAVAILABLE, MQ_TIMEOUT, MQ_BAD_GATEWAY) with
 * ans saying what TMDb did, or the database's failure with ans->status
 * MQ_TMDB_OK. */
enum mq_status mq_tmdb_movie_ensure(struct mq_ctx *c, int64_t tmdb_id, int64_t *movie_id,
				    bool *created, struct mq_tmdb_answer *ans);

/* Best effort, for GET /api/movies/?imdb_id=: when the catalog has no
 * movie with IMDb id imdb and TMDb (its find endpoint) knows one, imports
 * it.  Any failure leaves the catalog as it was, and the list shows what
 * it has. */
void mq_tmdb_import_imdb(struct mq_ctx *c, const char *imdb);

#endif

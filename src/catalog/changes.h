/*
 * changes.h: making the cached answers about the catalog stale.
 *
 * Rendered responses are cached (http/respcache.h) under two kinds of
 * generation: "movie:<id>" for one movie's detail, "movies" for every
 * list of movies.  Every write that changes what they show, in a handler
 * or in a job, ends with one of these calls, made after it committed.
 * A write that forgets is caught by the tests: the test stacks run with
 * [cache] verify, which renders every cache hit again and logs a
 * difference as an error, and the harness fails a test file whose pool
 * logged one.
 */
#ifndef MQ_CHANGES_H
#define MQ_CHANGES_H

#include "core/ctx.h"

/* Movie id (as a statement parameter's text) changed in its own detail
 * (its statistics, its reviews), not in what lists show of it. */
void mq_movie_changed(struct mq_ctx *c, const char *id);

/* Movie id changed in a way lists show (title, genres, rating, a new or
 * deleted movie): its detail and every list. */
void mq_movies_changed(struct mq_ctx *c, const char *id);

/* Many movies changed (a bulk load): every list; each changed movie's
 * detail is made stale with mq_movie_changed. */
void mq_catalog_changed(struct mq_ctx *c);

/* The kind of a user's cached answers about their own favorites
 * ("favorites:<user>"): lists of movies, so stale with the catalog too. */
const char *mq_favorites_kind(struct mq_arena *a, const char *user);

/* User (as a statement parameter's text) added or removed favorites. */
void mq_favorites_changed(struct mq_ctx *c, const char *user);

#endif

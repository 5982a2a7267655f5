/*
 * movie_ref.h: the movie a request body names, as the collections take
 * it: {"movie": local id} or {"tmdb_id": TMDb id} (with, optionally, the
 * title, overview and poster_path to create it from).  http/movie_ref_form.h
 * reads it from a body.
 *
 *     const char *movie;
 *     if ((st = mq_movie_ref_resolve(c, &ref, &movie)) != MQ_OK)
 *             return st;        // 403, 404, 502, 503, 504 or the database's
 */
#ifndef MQ_MOVIE_REF_H
#define MQ_MOVIE_REF_H

#include "core/ctx.h"

struct mq_movie_ref {
	const char *movie;	/* a local id, or NULL */
	const char *tmdb_id;	/* or a TMDb id */
	const char *title;	/* with tmdb_id: to create the movie from */
	const char *overview;
	const char *poster_path;
	int64_t user_id;	/* who names it: the maker of a provisional movie */
};

/* The local id of the movie ref names into *movie (an arena string),
 * importing an unknown tmdb_id from TMDb, or, when TMDb cannot answer,
 * making a provisional movie of the details given, which only
 * ref->user_id sees until it is confirmed.  A local id is returned as
 * given: the write that uses it finds out by its foreign key (or the
 * trigger that keeps other users' provisional movies from it), and
 * answers with mq_movie_write_failure.  Failures: MQ_NOT_FOUND (a tmdb_id
 * TMDb does not have), TMDb's (no title was given, or another user's
 * provisional movie has the id), MQ_FORBIDDEN (the user's address is not
 * confirmed, or they have [tmdb] provisional_max provisional movies),
 * MQ_UNAVAILABLE (the movie was removed while being made), or the
 * database's. */
enum mq_status mq_movie_ref_resolve(struct mq_ctx *c, const struct mq_movie_ref *ref,
				    const char **movie);

/* The failure of a statement that wrote a row of movie (rolled back):
 * MQ_NOT_FOUND naming the field "movie" when the movie was removed after
 * resolving it (a foreign key violation, 23503), else the database's. */
enum mq_status mq_movie_write_failure(struct mq_ctx *c, const char *movie);

#endif

/*
 * movie_ref.h: the movie a request body names, as the collections take
 * it: {"movie": local id} or {"tmdb_id": TMDb id} (with, optionally, the
 * title, overview and poster_path to create it from).
 *
 *     struct mq_movie_ref ref;
 *     mq_movie_ref_read(&f, &ref);          // with the body's other fields
 *     if (mq_form_end(&f) < 0) return 0;
 *     const char *movie = mq_movie_ref_resolve(r, &ref);
 *     if (movie == NULL) return 0;          // answered (404, 503, ...)
 */
#ifndef MQ_MOVIE_REF_H
#define MQ_MOVIE_REF_H

#include "core/common.h"

struct mq_form;
struct mq_req;

/* The fields mq_movie_ref_read takes, for a form's allowed list. */
#define MQ_MOVIE_REF_FIELDS "movie", "tmdb_id", "title", "overview", "poster_path"

struct mq_movie_ref {
	const char *movie;	/* a local id, or NULL */
	const char *tmdb_id;	/* or a TMDb id */
	const char *title;	/* with tmdb_id: to create the movie from */
	const char *overview;
	const char *poster_path;
};

/* Reads and checks the fields (exactly one of movie and tmdb_id; the
 * details only with tmdb_id); problems are recorded in f. */
void mq_movie_ref_read(struct mq_form *f, struct mq_movie_ref *ref);

/* The local id of the movie ref names (an arena string), importing an
 * unknown tmdb_id from TMDb, or creating it from the details given when
 * TMDb cannot answer.  A local id is returned as given: the write that
 * uses it finds out by its foreign key, and answers with
 * mq_movie_ref_failed.  NULL after answering: 404 (a tmdb_id TMDb does
 * not have), 502/503/504 (TMDb failed and no title was given), or the
 * database's failure. */
const char *mq_movie_ref_resolve(struct mq_req *r, const struct mq_movie_ref *ref);

/* Answers the failure of a statement that wrote a row of movie (rolling
 * back): 404 when the movie was removed after resolving it (a foreign key
 * violation, 23503), else as mq_fail_db.  Returns 0. */
int mq_movie_ref_failed(struct mq_req *r, const char *movie);

#endif

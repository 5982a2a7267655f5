/*
 * movie_ref_form.h: reading the movie a body names (catalog/movie_ref.h):
 *
 *     struct mq_movie_ref ref;
 *     mq_movie_ref_read(&f, &ref);          // with the body's other fields
 *     if (mq_done(rc = mq_form_end(&f)))
 *             return rc;
 *     if ((st = mq_movie_ref_resolve(&r->ctx, &ref, &movie)) != MQ_OK)
 *             return mq_fail(r, st);
 */
#ifndef MQ_MOVIE_REF_FORM_H
#define MQ_MOVIE_REF_FORM_H

#include "catalog/movie_ref.h"
#include "http/form.h"

/* The fields mq_movie_ref_read takes, for a form's allowed list. */
#define MQ_MOVIE_REF_FIELDS "movie", "tmdb_id", "title", "overview", "poster_path"

/* Reads and checks the fields (exactly one of movie and tmdb_id; the
 * details only with tmdb_id); problems are recorded in f. */
void mq_movie_ref_read(struct mq_form *f, struct mq_movie_ref *ref);

#endif

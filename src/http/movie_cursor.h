/*
 * movie_cursor.h: the after= cursor of the movie list (keyset pagination).
 *
 * A page number costs a walk over every movie before the page, so the
 * list goes MAX_DEPTH movies deep by page; past that (and wherever a
 * client prefers) it walks by cursor: "the movies after this one in this
 * ordering".  A cursor names the ordering, the last movie shown and that
 * movie's value of the ordering's key, as the list statement printed it,
 * in URL-safe base64.  It is opaque to clients and checked here as if
 * hostile: what it carries reaches SQL only as typed parameters.
 */
#ifndef MQ_MOVIE_CURSOR_H
#define MQ_MOVIE_CURSOR_H

#include "core/arena.h"
#include "http/movie_filters.h"

struct mq_movie_cursor {
	const char *id;		/* the last movie shown, as a parameter */
	const char *key;	/* its key as a parameter: NULL when the key was NULL */
};

/* Whether the ordering can be walked by cursor (relevance cannot: it is
 * not a key of the row). */
bool mq_movie_cursor_orderable(enum mq_movie_order order);

/* The cursor after movie id, whose key in order is key (NULL: SQL NULL);
 * in the arena. */
const char *mq_movie_cursor_make(struct mq_arena *a, enum mq_movie_order order, int64_t id,
				 const char *key);

/* Reads cursor text of ordering order into *out (arena strings).  Returns
 * false for anything it did not make for this ordering. */
bool mq_movie_cursor_read(struct mq_arena *a, const char *text, enum mq_movie_order order,
			  struct mq_movie_cursor *out);

#endif

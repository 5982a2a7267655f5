/*
 * movie_document.h: a movie's detail as GET /api/movies/{id}/ answers it,
 * read from its kept rendering (movie_documents, sql/0038) when that is
 * still good, else rendered (catalog/movie.h) and kept for the next read.
 *
 * The kept text has everything but what changes with every vote (rating,
 * ratings_count, statistics) and the regional release, which are read
 * with it and added at the end of the object.  Renderings are written
 * after the answer, in batches (mq_movie_documents_flush), never in the
 * request.
 */
#ifndef MQ_MOVIE_DOCUMENT_H
#define MQ_MOVIE_DOCUMENT_H

#include "core/ctx.h"
#include "core/lang.h"

/* Bump when what mq_movie_fetch renders changes shape: documents of an
 * older shape (or another release of marquee) are rendered again. */
#define MQ_MOVIE_DOCUMENT_SHAPE 1

struct mq_movie_detail {
	const char *body;	/* JSON, owned by the arena */
	size_t len;
	bool shared;		/* false for a provisional movie: not to be cached for all */
};

/* The detail of movie id in lang, with its release in region (NULL:
 * none), as user viewer (0: anonymous; admin: an administrator) sees it.
 * MQ_NOT_FOUND when there is no such movie for them, else the database's
 * failure.  With [cache] verify a kept text is rendered again and a
 * difference logged as an error ("stale movie document"). */
enum mq_status mq_movie_detail(struct mq_ctx *c, const char *id, int64_t viewer, bool admin,
			       const struct mq_lang *lang, const char *region,
			       struct mq_movie_detail *out);

/* Milliseconds until the queued renderings are due to be written (0: now),
 * -1 when none is queued. */
int mq_movie_documents_due_ms(void);

/* Writes the queued renderings when due, or all of them when now.  A
 * failure is logged: the next read renders again. */
void mq_movie_documents_flush(struct mq_ctx *c, bool now);

#endif

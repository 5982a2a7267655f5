/*
 * genres.h: the genres a list is filtered by, named by id or slug.
 */
#ifndef MQ_GENRES_H
#define MQ_GENRES_H

#include "core/ctx.h"

/* Genre ids and slugs (int[] and text[] literals) to ids (an int[]
 * literal) in *resolved; *unknown: those that are no genre,
 * comma-separated, or NULL.  A failure is the database's. */
enum mq_status mq_genres_resolve(struct mq_ctx *c, const char *ids, const char *slugs,
				 const char **resolved, const char **unknown);

#endif

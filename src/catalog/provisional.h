/*
 * provisional.h: movies made of a user's own details, awaiting
 * confirmation (sql/0010_hardening.sql; catalog/movie_ref.c makes them).
 *
 * A provisional movie is shown to its maker and to administrators only.
 * TMDb confirms it by any import of its id (tmdb_import.h); an
 * administrator approves it here.
 */
#ifndef MQ_PROVISIONAL_H
#define MQ_PROVISIONAL_H

#include "core/ctx.h"

/* Makes movie id public, on the word of administrator admin: it is then
 * in every list, as TMDb's confirmation would make it, and logged
 * (event=movie_approved, with its maker).  MQ_OK whether it was
 * provisional or public already (*approved says which); whether there is
 * such a movie is for the caller's read of it to find out.  Else the
 * database's failure. */
enum mq_status mq_movie_approve(struct mq_ctx *c, const char *id, int64_t admin, bool *approved);

#endif

/*
 * keyword_names.h: keyword names by id, remembered by each worker, so that
 * a movie's detail names its keywords without a subquery (at a million
 * movies that subquery was 40% of the detail's database time).  Keywords
 * are only ever inserted by the service, never renamed or reused, so a
 * name once read stays true; the worker asks PostgreSQL only for ids it
 * has not seen.  A keyword renamed by hand is seen at the genres' next
 * reload (genre_names.h), which empties this memory.
 */
#ifndef MQ_KEYWORD_NAMES_H
#define MQ_KEYWORD_NAMES_H

#include <json-c/json.h>

#include "core/ctx.h"

/* Replaces the keyword_ids member of movie (a PostgreSQL int[], "{4,18}")
 * by "keywords": [{"id", "name"}, ...] ordered by name.  Ids that are no
 * keyword are left out.  A failure is the database's. */
enum mq_status mq_keyword_names_fill(struct mq_ctx *c, struct json_object *movie);

/* Forgets every name (the worker's exit, for leak checkers; a keyword
 * renamed). */
void mq_keyword_names_reset(void);

#endif

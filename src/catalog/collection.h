/*
 * collection.h: the items of a user's collections (favorites, watchlist,
 * history, ratings, lists): rows of a movie and what the collection says
 * of it.
 *
 * A collection's list statement selects, in this order:
 *   count(*) OVER () AS total, the item's own columns (added_at, note,
 *   ...), then MQ_MOVIE_ITEM_COLUMNS over "movies m" and its translation,
 * so one round trip gives the page and the count (a user's collection is
 * small enough to count).  Each row becomes {own columns..., "movie": {}}.
 * http/collection.h answers them.
 */
#ifndef MQ_COLLECTION_H
#define MQ_COLLECTION_H

#include <json-c/json.h>
#include <libpq-fe.h>

#include "core/ctx.h"

/* The rows of res as items into *out (an array owned by the arena), the
 * first nown columns after total the item's own.  A failure is the
 * database's (naming genres). */
enum mq_status mq_collection_items(struct mq_ctx *c, PGresult *res, int nown,
				   const char *primary, struct json_object **out);

/* The same for the only row of a statement without total: the item. */
enum mq_status mq_collection_item(struct mq_ctx *c, PGresult *res, int nown,
				  const char *primary, struct json_object **out);

#endif

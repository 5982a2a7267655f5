/*
 * collection.h: the pages of a user's collections (favorites, watchlist,
 * history, ratings): rows of a movie and what the collection says of it.
 *
 * A collection's list statement selects, in this order:
 *   count(*) OVER () AS total, the item's own columns (added_at, note,
 *   ...), then MQ_MOVIE_ITEM_COLUMNS over "movies m" and its translation,
 * so one round trip gives the page and the count (a user's collection is
 * small enough to count).  Each row becomes {own columns..., "movie": {}}.
 */
#ifndef MQ_COLLECTION_H
#define MQ_COLLECTION_H

#include <libpq-fe.h>

#include "core/common.h"

struct mq_req;
struct mq_page;
struct json_object;

/* The rows of res as items, the first nown columns after total the
 * item's own; NULL when the database failed (naming genres). */
struct json_object *mq_collection_items(struct mq_req *r, PGresult *res, int nown,
					const char *primary);

/* Answers the page: 200 with the envelope (private, not cached), or 404
 * for a page past the end. */
int mq_collection_respond(struct mq_req *r, const struct mq_page *p, PGresult *res, int nown,
			  const char *primary);

/* Plain rows (total, then the row's columns, no movie) as a page's
 * envelope; NULL when the page is past the end (answer 404). */
struct json_object *mq_collection_rows_page(struct mq_req *r, const struct mq_page *p,
					    PGresult *res);

struct mq_stmt;

/* Answers the one row of st for id ($1) as an object with status (201
 * adds Location: location followed by id and a slash), or a 404 "No
 * <what> with id <id>." when there is none. */
int mq_collection_show_row(struct mq_req *r, struct mq_stmt *st, const char *id, int status,
			   const char *what, const char *location);

/* Answers one item (the only row of res, without total) with status. */
int mq_collection_respond_one(struct mq_req *r, int status, PGresult *res, int nown,
			      const char *primary);

#endif

/*
 * collection.h: answering the pages and items of a user's collections
 * (catalog/collection.h), and the plain rows of other private lists.
 */
#ifndef MQ_HTTP_COLLECTION_H
#define MQ_HTTP_COLLECTION_H

#include <libpq-fe.h>

#include "http/http.h"
#include "http/page.h"
#include "http/respcache.h"

/* Answers the page of res: 200 with the envelope (private, not cached),
 * or 404 for a page past the end. */
mq_reply mq_collection_respond(struct mq_req *r, const struct mq_page *p, PGresult *res,
			       int nown, const char *primary);

/* The same, stored in the cache rc was looked up in
 * (mq_respcache_serve_private). */
mq_reply mq_collection_respond_cached(struct mq_req *r, struct mq_respcache *rc,
				      const struct mq_page *p, PGresult *res, int nown,
				      const char *primary);

/* Answers one item (the only row of res, without total) with status; a
 * 503 to retry when the row is gone (removed between a write and this
 * read). */
mq_reply mq_collection_respond_one(struct mq_req *r, int status, PGresult *res, int nown,
				   const char *primary);

/* Plain rows (total, then the row's columns, no movie) as a page's
 * envelope; NULL when the page is past the end (answer 404). */
struct json_object *mq_collection_rows_page(struct mq_req *r, const struct mq_page *p,
					    PGresult *res);

/* Answers the one row of st for id ($1) as an object with status (201
 * adds Location: location followed by id and a slash), or a 404 "No
 * <what> with id <id>." when there is none. */
mq_reply mq_collection_show_row(struct mq_req *r, struct mq_stmt *st, const char *id, int status,
				const char *what, const char *location);

#endif

/*
 * events.h: what people do, recorded for analytics (sql/0014_analytics.sql).
 *
 * Writes to the catalog and to people's collections are events by
 * trigger, in their own transaction.  What only a request knows is
 * recorded here: a movie viewed, a search made (by the handler that
 * served it), and the client's own events (POST /api/events/): a batch
 * of at most MQ_EVENTS_BATCH_MAX, each of a fixed kind with fixed fields.
 * No address or user agent is ever recorded; an anonymous client is the
 * random id it sends.
 */
#ifndef MQ_ANALYTICS_EVENTS_H
#define MQ_ANALYTICS_EVENTS_H

#include <json-c/json.h>

#include "core/ctx.h"

#define MQ_EVENTS_BATCH_MAX 100

/* Records a view of movie_id by user_id (0: anonymous), when there is
 * such a movie.  Views and searches are queued in the worker and written
 * by mq_analytics_flush, not in the request: a read that is not also a
 * write.  An event that cannot be written is logged and otherwise
 * ignored: a view is answered whether or not it could be counted. */
void mq_analytics_view(int64_t user_id, int64_t movie_id);

/* Records a search: q as typed, the filters given (an object, or NULL),
 * how many movies it found, and whether q was corrected.  Queued as
 * mq_analytics_view's. */
void mq_analytics_search(int64_t user_id, const char *q, struct json_object *filters,
			 int64_t results, bool corrected);

/* How many events are queued. */
size_t mq_analytics_pending(void);

/* Writes the queued events, in one statement: all of them when now,
 * else only once there are 64 or the oldest is a second old.  The pool
 * calls it after each answer, with now when no other request waits for
 * the worker, and as a worker leaves: an event costs its request no
 * time, and is in the database a moment after its answer was sent. */
void mq_analytics_flush(struct mq_ctx *c, bool now);

/* Records a batch of client events (a JSON array) of user_id, or, for 0,
 * of the anonymous client_id (a UUID; required then, refused otherwise).
 * Each event is {"kind": ..., and the fields of its kind}; a kind or a
 * field not listed, a value out of range or a batch too large is refused
 * whole (MQ_INVALID naming "events[i].field", MQ_TOO_LARGE).  Events of
 * a movie that does not exist are dropped.  *accepted: the events
 * written.  Other failures are the database's. */
enum mq_status mq_analytics_ingest(struct mq_ctx *c, int64_t user_id, const char *client_id,
				   struct json_object *events, int64_t *accepted);


#endif

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
 * ignored: a view is answered whether or not it could be counted.
 * With [analytics] browsing off, views, searches and impressions are not
 * recorded at all. */
void mq_analytics_view(struct mq_ctx *c, int64_t user_id, int64_t movie_id);

/* Records a search: q as typed, the filters given (an object, or NULL),
 * how many movies it found, and whether q was corrected.  Queued as
 * mq_analytics_view's. */
void mq_analytics_search(struct mq_ctx *c, int64_t user_id, const char *q,
			 struct json_object *filters, int64_t results, bool corrected);

/* When the queued events are due to be written: -1 when none is queued,
 * else in how many milliseconds (0: now) -- once there are 64, or the
 * oldest is a second old. */
int mq_analytics_due_ms(void);

/* Writes the queued events, in one statement: all of them when now,
 * else only once they are due.  The pool calls it after each answer,
 * when it has waited mq_analytics_due_ms() for a request that did not
 * come, and as a worker leaves: an event costs its request no time, and
 * is in the database at most a second after its answer was sent.  Not
 * sooner, even on an idle worker: a lone client's every view would cost
 * an insert, which its next request waits beside on a small machine
 * (a detail's p50 x1.4 at one connection), where a second's batch costs
 * it nothing. */
void mq_analytics_flush(struct mq_ctx *c, bool now);

/* Records the recommendations a page showed user_id (0: anonymous): a
 * rec_impression of each movie of results (the page's results, in rank
 * order, the first at position first of the whole list), with its
 * reason (the result's reason.kind, else reason) and source "server".
 * Queued as mq_analytics_view's, so pages are written many at a time, in
 * one statement.  The report counts these rather than a client's
 * rec_impression of the same reason and day
 * (sql/0018_analytics_impressions_batches.sql). */
void mq_analytics_impressions(struct mq_ctx *c, int64_t user_id, struct json_object *results,
			      int64_t first, const char *reason);

/* The same for a page as rendered (body, len: a page of /api/movies/...
 * as JSON, as a cache had it). */
void mq_analytics_impressions_page(struct mq_ctx *c, int64_t user_id, const char *body,
				   size_t len, int64_t first, const char *reason);

/* Records a batch of client events (a JSON array) of user_id, or, for 0,
 * of the anonymous client_id (a UUID; required then, refused otherwise).
 * Each event is {"kind": ..., and the fields of its kind}; a kind or a
 * field not listed, a value out of range or a batch too large is refused
 * whole (MQ_INVALID naming "events[i].field", MQ_TOO_LARGE).  Events of
 * a movie that does not exist are dropped.  *accepted: the events
 * written.
 *
 * batch_id (a UUID, or NULL) names the batch: the caller's batch of that
 * id is recorded once, in the statement that records its events, and a
 * retry records nothing and has the first one's *accepted; a batch id
 * the caller sent with other events is MQ_CONFLICT ("batch_id").  Other
 * callers' ids are theirs.  Batches are remembered for at least
 * MQ_EVENTS_BATCH_MEMORY (mq_analytics_forget_batches).  Other failures
 * are the database's. */
enum mq_status mq_analytics_ingest(struct mq_ctx *c, int64_t user_id, const char *client_id,
				   const char *batch_id, struct json_object *events,
				   int64_t *accepted);

/* How long a batch id is remembered at least (SQL interval text). */
#define MQ_EVENTS_BATCH_MEMORY "24 hours"

/* Forgets the batch ids older than MQ_EVENTS_BATCH_MEMORY (`marquee
 * analytics partitions`, hourly by its timer).  *n: how many.  MQ_OK or
 * the database's failure. */
enum mq_status mq_analytics_forget_batches(struct mq_ctx *c, int64_t *n);


#endif

/*
 * read_your_writes.h: a user who just wrote reads the primary.
 *
 * With a replica for catalog reads ([database] replica_conninfo), a user
 * who rates a movie and reads it again must see their rating, whichever
 * worker or host serves the read.  A request of a signed-in user that
 * wrote leaves a marker in memcached ("ryw:<user id>") for [database]
 * primary_after_write; while it is there, that user's requests read the
 * primary only.  When the marker's memcached server is down, the user
 * reads the primary too: no marker can be trusted then.
 *
 * Chosen over comparing LSNs (pg_current_wal_lsn() after each write,
 * pg_last_wal_replay_lsn() on the replica before each read): that costs
 * a round trip to the primary after every write and one to the replica
 * before every read of a signed-in user, and the LSN would still have to
 * reach the other hosts through memcached (clients do not carry one).
 * The marker costs one memcached get per signed-in request, only when a
 * replica is configured.  It covers a replica whose lag stays below
 * primary_after_write; docs/deployment.md runs the replica synchronous
 * with synchronous_commit = remote_apply, where an acknowledged commit is
 * already visible on it and the marker is the second line.
 */
#ifndef MQ_READ_YOUR_WRITES_H
#define MQ_READ_YOUR_WRITES_H

#include "http/http.h"

/* After authentication: pins the request to the primary when its user
 * wrote within primary_after_write (or the marker cannot be read). */
void mq_ryw_begin(struct mq_req *r);

/* After the handler: marks its user when the request wrote. */
void mq_ryw_end(struct mq_req *r);

#endif

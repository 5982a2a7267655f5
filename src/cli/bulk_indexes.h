/*
 * bulk_indexes.h: indexes and foreign keys made once after a first load
 * into empty tables (bulk_indexes.c).
 */
#ifndef MQ_CLI_BULK_INDEXES_H
#define MQ_CLI_BULK_INDEXES_H

#include <libpq-fe.h>

/* What was dropped, as the statements that make it again. */
struct mq_bulk_deferred {
	char **create;
	size_t n;
};

/* In conn's open transaction: when every table of tables (NULL-ended) is
 * empty, drops their indexes that no ON CONFLICT needs and their foreign
 * keys to one another and to the tables of refs (which the load then
 * locks until its commit), and, of those also in keys, their unique and
 * primary keys that no foreign key stands on (keys: the tables whose
 * keys the load needs nothing of, no ON CONFLICT naming them, until
 * mq_bulk_restore); keeps in d what makes them again.  Else drops
 * nothing.  keys and refs may be NULL.  Returns 0, or -1 (said on
 * stderr). */
int mq_bulk_defer(PGconn *conn, const char *const *tables, const char *const *keys,
		  const char *const *refs, struct mq_bulk_deferred *d);

/* Makes again what mq_bulk_defer dropped (each foreign key checked over
 * the whole table once), with progress.  Returns 0 or -1. */
int mq_bulk_restore(PGconn *conn, struct mq_bulk_deferred *d);

void mq_bulk_deferred_free(struct mq_bulk_deferred *d);

#endif

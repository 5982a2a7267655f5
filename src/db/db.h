/*
 * db.h: one PostgreSQL connection per process, prepared statements only.
 *
 * A statement is declared once, next to the code that runs it:
 *
 *     static struct mq_stmt genres_page = MQ_STMT_READ("SELECT ... LIMIT $1 OFFSET $2");
 *
 * It is prepared the first time it runs on a connection and again after a
 * reconnect (the connection's generation changes), so a restarted server is
 * invisible to handlers.  A statement that lost its connection is run again
 * on a new one only when declared with MQ_STMT_READ (it changes nothing, so
 * running it twice is harmless) and no transaction was open; anything else
 * fails with MQ_DB_DOWN.  Parameters are always sent apart from the SQL.
 */
#ifndef MQ_DB_H
#define MQ_DB_H

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/batch.h"
#include "core/common.h"
#include "core/status.h"

struct mq_config;
struct mq_ctx;

struct mq_stmt {
	const char *sql;
	bool read_only;		/* safe to retry after a lost connection */
	bool plan_each_call;	/* planned for its parameter values every time */
	bool replica;		/* a catalog read a replica may answer */
	bool unseen;		/* a write no read of its author depends on */
	/* the parameters' types (0: as the text implies), one per parameter
	 * sent, or NULL; a parameter the text does not use needs one */
	const Oid *types;
	unsigned id;		/* server-side name is "mq<id>", given on first use */
	uint64_t prepared_gen;	/* the connection generation it is prepared on */
	uint64_t replica_gen;	/* ... and on the replica's connection */
};

#define MQ_STMT(text) { .sql = (text) }
#define MQ_STMT_READ(text) { .sql = (text), .read_only = true }

/* A write that no later read of the user who caused it depends on
 * (analytics events, written in batches for other requests too): it does
 * not count as the request's write for read-your-writes
 * (mq_db_wrote). */
#define MQ_STMT_UNSEEN(text) { .sql = (text), .unseen = true }

/* A read of the public catalog (movies, genres), which a streaming replica
 * ([database] replica_conninfo) may answer when the unit of work is not
 * pinned to the primary (mq_db_pin_primary) nor in a transaction.  Only
 * for what anyone may read and a replica's lag cannot make wrong for the
 * reader: never a user's own rows. */
#define MQ_STMT_CATALOG(text) { .sql = (text), .read_only = true, .replica = true }

/* A read whose best plan depends on its parameter values: a filter list
 * written "($1 IS NULL OR year = $1) AND ..." must drop the filters it
 * was not given and pick the index of those it was.  A named prepared
 * statement settles on one generic plan after five runs and would scan;
 * this one is sent as the unnamed statement (still parameterised), which
 * the server plans with the values each time. */
#define MQ_STMT_PLANNED(text) { .sql = (text), .read_only = true, .plan_each_call = true }
/* The same, of the catalog (MQ_STMT_CATALOG). */
#define MQ_STMT_CATALOG_PLANNED(text) \
	{ .sql = (text), .read_only = true, .plan_each_call = true, .replica = true }

enum mq_db_state { MQ_DB_OK, MQ_DB_DOWN, MQ_DB_FAILED };

struct mq_db;

/* A handle that connects on first use; app_name shows in pg_stat_activity. */
struct mq_db *mq_db_new(const struct mq_config *cfg, const char *app_name);

/* The same, connecting as the database's owner: [database] owner_conninfo
 * and owner_password_file, or conninfo when owner_conninfo is empty.  For
 * what the pool's role may not do: migrations, VACUUM, temporary tables. */
struct mq_db *mq_db_new_owner(const struct mq_config *cfg, const char *app_name);
void mq_db_free(struct mq_db *db);

/* Sends the catalog reads (MQ_STMT_CATALOG) of this handle to [database]
 * replica_conninfo, when set (the pool's workers; a job reads the
 * primary).  A replica that is down or cancels a read costs that read a
 * second try on the primary, never a failure.  Returns 0. */
int mq_db_use_replica(struct mq_db *db);

/* Read-your-writes: the rest of this unit of work reads the primary only.
 * mq_db_check() (the top of each request) clears it. */
void mq_db_pin_primary(struct mq_db *db);

/* Drops statement st where it is prepared (the primary's connection, the
 * replica's), for a caller that keeps statements made at run time and
 * reuses st for another text: the next use prepares it afresh. */
void mq_db_forget(struct mq_db *db, struct mq_stmt *st);

/* True when a statement that may write (neither MQ_STMT_READ nor
 * MQ_STMT_UNSEEN), or a COMMIT, succeeded since mq_db_check(). */
bool mq_db_wrote(const struct mq_db *db);

/* True when catalog reads may go to a replica (mq_db_use_replica). */
bool mq_db_has_replica(const struct mq_db *db);

/* Connects now (a worker does this at start so its first request is not
 * slow).  Returns 0, or -1 with the reason in mq_db_error(). */
int mq_db_connect(struct mq_db *db);

/* Cheap check at the top of each request: notices a connection the server
 * closed (restart, idle timeout) and drops it so the next statement
 * reconnects instead of failing (the replica's too); and begins a unit of
 * work: clears the pin to the primary and the record of writes. */
void mq_db_check(struct mq_db *db);

/* Runs a prepared statement with text parameters (NULL is SQL NULL).
 * Returns a result the caller must PQclear(), or NULL: mq_db_state() then
 * says whether the server is unreachable (DOWN) or the statement failed. */
PGresult *mq_db_exec(struct mq_db *db, struct mq_stmt *st, int n, const char *const *params);

/* BEGIN / COMMIT / ROLLBACK.  Statements inside a transaction are never
 * retried; once its connection is lost, every statement and the COMMIT
 * fail until mq_db_rollback() is called.  COMMIT fails too when the server
 * rolled the transaction back.  Returns 0 or -1. */
int mq_db_begin(struct mq_db *db);
int mq_db_commit(struct mq_db *db);
void mq_db_rollback(struct mq_db *db);

enum mq_db_state mq_db_state(const struct mq_db *db);
const char *mq_db_error(const struct mq_db *db);
const char *mq_db_sqlstate(const struct mq_db *db);	/* "" when none */
const char *mq_db_constraint(const struct mq_db *db);	/* the violated one, or "" */
uint64_t mq_db_reconnects(const struct mq_db *db);
uint64_t mq_db_generation(const struct mq_db *db);	/* one more per (re)connect */
PGconn *mq_db_conn(struct mq_db *db);	/* for the CLI's migrations */

/* True while a transaction is open (or was lost and not yet rolled back). */
bool mq_db_in_transaction(const struct mq_db *db);

/* A text[] parameter's literal for items[0..n): each quoted and escaped,
 * so any string is safe ("{\"a b\",\"c\\\"d\"}"). */
const char *mq_db_text_array(struct mq_arena *a, const char *const *items, size_t n);

/* The positive ints of an int[] value as PostgreSQL prints it ("{4,18}"),
 * *n of them, in the arena; reading stops at anything else. */
int *mq_db_int_array(struct mq_arena *a, const char *text, int *n);

/* Runs st for a unit of work: the result belongs to c's arena (cleared
 * when it is reset), NULL as for mq_db_exec. */
PGresult *mq_db_q(struct mq_ctx *c, struct mq_stmt *st, int n, const char *const *params);

/* Writes what a worker queued for after the answer (core/batch.h) when
 * the batch is due, or whatever it holds when now: st takes the batch's
 * items as its one parameter, a JSON array.  A failure is logged, naming
 * what the items are ("events"), never returned: they are lost, as a
 * worker's crash would lose them. */
void mq_db_write_batch(struct mq_ctx *c, struct mq_stmt *st, struct mq_batch *b, bool now,
		       const char *what);

/* The failure of c's last statement, after rolling back any open
 * transaction: MQ_UNAVAILABLE when the database is unreachable (Retry-After
 * 1), the statement timed out, or it lost a deadlock or serialization
 * conflict (Retry-After 1); MQ_CONFLICT for a unique violation;
 * MQ_INTERNAL otherwise (logged with its SQLSTATE).  Details in c->err. */
enum mq_status mq_db_failure(struct mq_ctx *c);

#endif

/*
 * db.c: connection, lazy preparation, reconnection.
 */
#include "db/db.h"

#include <poll.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/log.h"

/* A connect that failed slowly (a host that does not answer) is not
 * retried for this long, so requests fail fast instead of each waiting on
 * connect_timeout.  One that failed at once (refused, no socket) is retried
 * by the next request: that costs nothing and notices a restart at once. */
#define SLOW_CONNECT_NS (100ull * 1000 * 1000)
#define RECONNECT_THROTTLE_NS (1000ull * 1000 * 1000)

struct mq_db {
	const struct mq_config *cfg;
	const char *app_name;
	const char *conninfo;
	const struct mq_secret *password;
	PGconn *conn;
	struct mq_db *replica;	/* catalog reads ([database] replica_conninfo), or NULL */
	bool is_replica;
	bool pinned;		/* this unit of work reads from the primary only */
	bool wrote;		/* ... and has written */
	bool connected_once;
	uint64_t gen;
	uint64_t reconnects;
	uint64_t retry_after_ns;
	bool in_tx;
	bool tx_lost;		/* the connection died inside a transaction */
	bool down_logged;
	enum mq_db_state state;
	char sqlstate[6];
	char constraint[64];
	char error[512];
};

/* Statement ids are per process: the same struct is prepared on whatever
 * connection this process holds.  Generations are per process too, one
 * for every connection made, so that a statement's record of where it is
 * prepared can never match a different connection. */
static unsigned next_stmt_id;
static uint64_t last_gen;

struct mq_db *mq_db_new(const struct mq_config *cfg, const char *app_name)
{
	struct mq_db *db = mq_xcalloc(1, sizeof(*db));

	db->cfg = cfg;
	db->app_name = app_name;
	db->conninfo = cfg->db_conninfo;
	db->password = &cfg->db_password;
	return db;
}

int mq_db_use_replica(struct mq_db *db)
{
	const char *conninfo = db->cfg->db_replica_conninfo;

	if (*conninfo == '\0' || db->replica)
		return 0;
	db->replica = mq_db_new(db->cfg, db->app_name);
	db->replica->conninfo = conninfo;
	db->replica->is_replica = true;
	return 0;
}

struct mq_db *mq_db_new_owner(const struct mq_config *cfg, const char *app_name)
{
	struct mq_db *db = mq_db_new(cfg, app_name);

	if (*cfg->db_owner_conninfo) {
		db->conninfo = cfg->db_owner_conninfo;
		db->password = &cfg->db_owner_password;
	}
	return db;
}

/* Closes the connection.  A transaction open on it is gone: remember that,
 * so the rest of it fails instead of autocommitting on a new connection. */
static void drop(struct mq_db *db)
{
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	if (db->in_tx)
		db->tx_lost = true;
	db->in_tx = false;
}

void mq_db_free(struct mq_db *db)
{
	if (db == NULL)
		return;
	mq_db_free(db->replica);
	drop(db);
	free(db);
}

static void set_error(struct mq_db *db, enum mq_db_state state, const char *sqlstate,
		      const char *msg)
{
	size_t n;

	db->state = state;
	mq_strlcpy(db->sqlstate, sqlstate ? sqlstate : "", sizeof(db->sqlstate));
	mq_strlcpy(db->error, msg ? msg : "unknown error", sizeof(db->error));
	/* libpq messages end with a newline; logfmt lines must not. */
	n = strlen(db->error);
	while (n > 0 && (db->error[n - 1] == '\n' || db->error[n - 1] == ' '))
		db->error[--n] = '\0';
}

static void notice_to_log(void *arg, const char *message)
{
	(void)arg;
	mq_log_debug("postgres: %s", message);
}

/* The session's settings.  Sent as SET rather than in the startup
 * packet's "options", which PgBouncer 1.18 refuses; in session pooling
 * they last the session (PgBouncer's DISCARD ALL clears them for the next
 * client).  With [database] prepare = off (a pooler in transaction mode)
 * nothing is SET, as it would stay on whichever server connection ran it:
 * the role's settings must then say the same (docs/deployment.md). */
static int set_session(struct mq_db *db)
{
	char sql[128];
	PGresult *res;
	bool ok;

	if (!db->cfg->db_prepare)
		return 0;
	snprintf(sql, sizeof(sql), "SET statement_timeout = %d; SET TimeZone = 'UTC'",
		 db->cfg->db_statement_timeout_ms);
	res = PQexec(db->conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		set_error(db, MQ_DB_DOWN, "08006", PQerrorMessage(db->conn));
	PQclear(res);
	return ok ? 0 : -1;
}

int mq_db_connect(struct mq_db *db)
{
	const struct mq_config *cfg = db->cfg;
	char timeout[16];
	const char *keys[8], *vals[8];
	int n = 0;

	drop(db);
	snprintf(timeout, sizeof(timeout), "%d", (cfg->db_connect_timeout_ms + 999) / 1000);
	keys[n] = "dbname", vals[n++] = db->conninfo;
	if (db->password->value)
		keys[n] = "password", vals[n++] = db->password->value;
	keys[n] = "application_name", vals[n++] = db->app_name;
	keys[n] = "connect_timeout", vals[n++] = timeout;
	keys[n] = "client_encoding", vals[n++] = "UTF8";
	keys[n] = NULL, vals[n] = NULL;

	uint64_t started = mq_now_mono_ns();
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK || set_session(db) < 0) {
		uint64_t now = mq_now_mono_ns();

		if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
			set_error(db, MQ_DB_DOWN, "08006",
				  db->conn ? PQerrorMessage(db->conn) : "out of memory");
		drop(db);
		if (now - started > SLOW_CONNECT_NS)
			db->retry_after_ns = now + RECONNECT_THROTTLE_NS;
		return -1;
	}
	if (db->down_logged) {
		mq_log_info("database reachable again%s", db->is_replica ? " (replica)" : "");
		db->down_logged = false;
	}
	PQsetNoticeProcessor(db->conn, notice_to_log, NULL);
	if (db->connected_once)
		db->reconnects++;
	db->connected_once = true;
	db->gen = ++last_gen;
	db->state = MQ_DB_OK;
	db->retry_after_ns = 0;
	return 0;
}

static void check_conn(struct mq_db *db)
{
	struct pollfd p;

	if (db->conn == NULL)
		return;
	p.fd = PQsocket(db->conn);
	p.events = POLLIN;
	p.revents = 0;
	/* An idle connection has nothing to read unless the server is saying
	 * goodbye (a FATAL message and EOF). */
	if (p.fd < 0 || poll(&p, 1, 0) != 0) {
		if (p.fd < 0 || !PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK) {
			mq_log_info("database connection closed by the server%s; reconnecting",
				    db->is_replica ? " (replica)" : "");
			drop(db);
		}
	}
}

void mq_db_check(struct mq_db *db)
{
	check_conn(db);
	db->pinned = false;
	db->wrote = false;
	if (db->replica)
		check_conn(db->replica);
}

static bool ensure_connected(struct mq_db *db)
{
	if (db->tx_lost) {
		db->state = MQ_DB_DOWN;
		return false;
	}
	if (db->conn)
		return true;
	if (db->retry_after_ns && mq_now_mono_ns() < db->retry_after_ns) {
		db->state = MQ_DB_DOWN;
		return false;
	}
	return mq_db_connect(db) == 0;
}

/* Records a failed result; true when the connection itself is gone. */
static bool record_failure(struct mq_db *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	bool lost = PQstatus(db->conn) != CONNECTION_OK ||
		    (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0));

	mq_strlcpy(db->constraint, constraint ? constraint : "", sizeof(db->constraint));

	set_error(db, lost ? MQ_DB_DOWN : MQ_DB_FAILED, state ? state : "",
		  res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
	if (lost)
		drop(db);
	return lost;
}

/* Where st records the connection it is prepared on: the primary's and
 * the replica's connections each prepare it. */
static uint64_t *prepared_on(const struct mq_db *db, struct mq_stmt *st)
{
	return db->is_replica ? &st->replica_gen : &st->prepared_gen;
}

static int prepare(struct mq_db *db, struct mq_stmt *st, int n)
{
	char name[16];
	PGresult *res;
	bool ok;

	if (st->id == 0)
		st->id = ++next_stmt_id;
	snprintf(name, sizeof(name), "mq%u", st->id);
	res = PQprepare(db->conn, name, st->sql, st->types ? n : 0, st->types);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (ok)
		*prepared_on(db, st) = db->gen;
	else if (!record_failure(db, res))
		mq_log_error("preparing statement failed: %s sql=\"%.200s\"", db->error, st->sql);
	PQclear(res);
	return ok ? 0 : -1;
}

/* A migration that changes a table's columns invalidates plans whose result
 * type changes; the server then refuses the old plan once. */
static bool plan_is_stale(const struct mq_db *db)
{
	return strcmp(db->sqlstate, "0A000") == 0 &&
	       strstr(db->error, "cached plan must not change result type") != NULL;
}

static void deallocate(struct mq_db *db, struct mq_stmt *st)
{
	char sql[32];

	snprintf(sql, sizeof(sql), "DEALLOCATE mq%u", st->id);
	PQclear(PQexec(db->conn, sql));
	*prepared_on(db, st) = 0;
}

void mq_db_forget(struct mq_db *db, struct mq_stmt *st)
{
	if (st->id && db->conn && st->prepared_gen == db->gen)
		deallocate(db, st);
	if (st->id && db->replica && db->replica->conn && st->replica_gen == db->replica->gen)
		deallocate(db->replica, st);
	st->id = 0;
	st->prepared_gen = st->replica_gen = 0;
}

/* Sends st: prepared on first use (and after a reconnect), or unnamed and
 * planned for these values when it asks so or [database] prepare is off
 * (a pooler in transaction mode, where a named statement prepared in one
 * transaction is unknown to the server connection of the next).
 * *unprepared tells a failed prepare (nothing ran) from a failed
 * execution. */
static PGresult *send_stmt(struct mq_db *db, struct mq_stmt *st, int n, const char *const *params,
			   bool *unprepared)
{
	char name[16];

	*unprepared = false;
	if (st->plan_each_call || !db->cfg->db_prepare)
		return PQexecParams(db->conn, st->sql, n, st->types, params, NULL, NULL, 0);
	if ((*prepared_on(db, st) != db->gen || st->id == 0) && prepare(db, st, n) < 0) {
		*unprepared = true;
		return NULL;
	}
	snprintf(name, sizeof(name), "mq%u", st->id);
	return PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
}

static PGresult *exec_on(struct mq_db *db, struct mq_stmt *st, int n, const char *const *params)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		/* Taken now: losing the connection clears in_tx. */
		bool in_tx = db->in_tx, unprepared;
		PGresult *res;
		ExecStatusType status;

		if (!ensure_connected(db))
			return NULL;
		res = send_stmt(db, st, n, params, &unprepared);
		if (unprepared) {
			/* Nothing ran yet, so any statement may try again. */
			if (db->state == MQ_DB_DOWN && !in_tx)
				continue;
			return NULL;
		}
		status = PQresultStatus(res);
		if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
			db->state = MQ_DB_OK;
			return res;
		}
		bool lost = record_failure(db, res);
		PQclear(res);
		if (lost && !in_tx && st->read_only)
			continue;
		if (!lost && !in_tx && plan_is_stale(db)) {
			deallocate(db, st);
			continue;
		}
		return NULL;
	}
	return NULL;
}

/* A catalog read goes to the replica unless this unit of work is pinned to
 * the primary (a writer's reads, mq_db_pin_primary), has written (its
 * reads must see that), or is inside a transaction (one snapshot). */
static bool on_replica(const struct mq_db *db, const struct mq_stmt *st)
{
	return st->replica && db->replica && !db->pinned && !db->wrote && !db->in_tx &&
	       !db->tx_lost;
}

PGresult *mq_db_exec(struct mq_db *db, struct mq_stmt *st, int n, const char *const *params)
{
	PGresult *res;

	if (on_replica(db, st)) {
		if ((res = exec_on(db->replica, st, n, params)) != NULL)
			return res;
		/* Down, or a statement the standby cancelled (a conflict with
		 * recovery): a read, so the primary answers it instead. */
		if (db->replica->state == MQ_DB_DOWN && !db->replica->down_logged) {
			mq_log_warn("database replica unavailable, reading from the primary: %s",
				    db->replica->error);
			db->replica->down_logged = true;
		} else if (db->replica->state != MQ_DB_DOWN) {
			mq_log_info("replica read failed, read from the primary: sqlstate=%s %s",
				    db->replica->sqlstate, db->replica->error);
		}
	}
	res = exec_on(db, st, n, params);
	if (res && !st->read_only && !st->unseen)
		db->wrote = true;
	/* A catalog read kept on the primary for read-your-writes, with the
	 * primary down (a failover): the replica, synchronous, has every
	 * write it acknowledged. */
	if (res == NULL && db->state == MQ_DB_DOWN && st->replica && db->replica && !db->in_tx &&
	    !db->tx_lost && (db->pinned || db->wrote))
		res = exec_on(db->replica, st, n, params);
	return res;
}

void mq_db_pin_primary(struct mq_db *db)
{
	db->pinned = true;
}

bool mq_db_wrote(const struct mq_db *db)
{
	return db->wrote;
}

bool mq_db_has_replica(const struct mq_db *db)
{
	return db->replica != NULL;
}

/* Runs BEGIN or COMMIT; the server's command tag must echo it (COMMIT of a
 * failed transaction answers "ROLLBACK"). */
static int simple(struct mq_db *db, const char *sql)
{
	PGresult *res;
	bool ok;

	if (!ensure_connected(db))
		return -1;
	res = PQexec(db->conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), sql) == 0;
	if (!ok && PQresultStatus(res) == PGRES_COMMAND_OK)
		set_error(db, MQ_DB_FAILED, "40000", "the transaction was rolled back by the server");
	else if (!ok)
		record_failure(db, res);
	PQclear(res);
	return ok ? 0 : -1;
}

int mq_db_begin(struct mq_db *db)
{
	/* A first statement after a restart: reconnect before BEGIN. */
	if (simple(db, "BEGIN") < 0 && !(db->state == MQ_DB_DOWN && simple(db, "BEGIN") == 0))
		return -1;
	db->in_tx = true;
	return 0;
}

int mq_db_commit(struct mq_db *db)
{
	int rc = db->in_tx ? simple(db, "COMMIT") : -1;

	if (rc == 0)
		db->wrote = true;

	if (!db->in_tx && db->tx_lost)
		set_error(db, MQ_DB_DOWN, "08006", "the connection was lost inside the transaction");
	db->in_tx = false;
	db->tx_lost = false;
	return rc;
}

void mq_db_rollback(struct mq_db *db)
{
	if (db->conn && db->in_tx)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	db->in_tx = false;
	db->tx_lost = false;
}

bool mq_db_in_transaction(const struct mq_db *db)
{
	return db->in_tx || db->tx_lost;
}

enum mq_db_state mq_db_state(const struct mq_db *db)
{
	return db->state;
}

const char *mq_db_error(const struct mq_db *db)
{
	return db->error;
}

const char *mq_db_sqlstate(const struct mq_db *db)
{
	return db->sqlstate;
}

const char *mq_db_constraint(const struct mq_db *db)
{
	return db->constraint;
}

uint64_t mq_db_reconnects(const struct mq_db *db)
{
	return db->reconnects;
}

uint64_t mq_db_generation(const struct mq_db *db)
{
	return db->gen;
}

PGconn *mq_db_conn(struct mq_db *db)
{
	return ensure_connected(db) ? db->conn : NULL;
}

int *mq_db_int_array(struct mq_arena *a, const char *text, int *n)
{
	int cap = 1, *ids;

	for (const char *p = text; *p; p++)
		cap += *p == ',';
	ids = mq_arena_alloc(a, (size_t)cap * sizeof(*ids));
	*n = 0;
	for (const char *p = text; *p && *n < cap;) {
		const char *start = p + (*p == '{' || *p == ',');
		char *end;
		long id = strtol(start, &end, 10);

		if (end == start || id <= 0 || id > INT32_MAX)
			break;
		ids[(*n)++] = (int)id;
		p = end;
	}
	return ids;
}

const char *mq_db_text_array(struct mq_arena *a, const char *const *items, size_t n)
{
	size_t cap = 3;
	char *out, *o;

	for (size_t i = 0; i < n; i++)
		cap += 2 * strlen(items[i]) + 3;
	o = out = mq_arena_alloc(a, cap);
	*o++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		*o++ = '"';
		for (const char *s = items[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = *s;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

static void clear_result(void *p)
{
	PQclear(p);
}

PGresult *mq_db_q(struct mq_ctx *c, struct mq_stmt *st, int n, const char *const *params)
{
	PGresult *res = mq_db_exec(c->db, st, n, params);

	mq_arena_defer(c->arena, clear_result, res);
	return res;
}

void mq_db_write_batch(struct mq_ctx *c, struct mq_stmt *st, struct mq_batch *b, bool now,
		       const char *what)
{
	size_t n;
	const char *items = mq_batch_take(b, c->arena, now, &n);

	if (items != NULL && mq_db_q(c, st, 1, &items) == NULL)
		mq_log_warn("%zu %s not written: %s", n, what, mq_db_sqlstate(c->db));
}

enum mq_status mq_db_failure(struct mq_ctx *c)
{
	struct mq_db *db = c->db;

	mq_db_rollback(db);
	if (db->state == MQ_DB_DOWN) {
		/* Once per outage, not once per request. */
		if (!db->down_logged)
			mq_log_warn("database unavailable: %s", db->error);
		db->down_logged = true;
		return mq_fail_retry(c, 1, "The database is unavailable; try again shortly.");
	}
	if (strcmp(db->sqlstate, "23505") == 0)
		return mq_fail_with(c, MQ_CONFLICT, NULL, "This conflicts with an existing record.");
	mq_log_error("statement failed: sqlstate=%s %s", db->sqlstate, db->error);
	if (strcmp(db->sqlstate, "57014") == 0)
		return mq_fail_with(c, MQ_UNAVAILABLE, NULL,
				    "The query took too long and was cancelled.");
	/* a deadlock or a serialization failure: nothing was written, and the
	 * same request may well succeed at once */
	if (strcmp(db->sqlstate, "40P01") == 0 || strcmp(db->sqlstate, "40001") == 0)
		return mq_fail_retry(c, 1, "The change collided with another; try again.");
	return mq_fail_with(c, MQ_INTERNAL, NULL, "An internal error occurred.");
}

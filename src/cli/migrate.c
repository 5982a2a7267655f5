/*
 * migrate.c: `marquee migrate`: apply sql/NNNN_name.sql in order.
 *
 * Each file runs in its own transaction together with the row that records
 * it in schema_migrations, so a failed migration leaves nothing behind.  A
 * session advisory lock makes concurrent runs (two hosts deploying at once)
 * take turns; the second finds the work done.  A file whose first line is
 * "-- migrate: no-transaction" runs outside a transaction (CREATE INDEX
 * CONCURRENTLY needs that) and must be written to be re-runnable.  An
 * applied file that has since changed is refused: fix forward with a new
 * migration instead.
 *
 * It connects as the database's owner ([database] owner_conninfo); when
 * the pool connects as another role ([database] conninfo's user), that
 * role is then granted the rows of every table and nothing more
 * (marquee_grant_rows(), sql/0011_row_privileges.sql).
 */
#include "core/common.h"

#include <dirent.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "cli/cli.h"
#include "core/config.h"
#include "db/db.h"

/* Arbitrary, fixed: every Marquee migrator takes the same lock. */
#define MIGRATE_LOCK_KEY "7263427351"

struct migration {
	int version;
	char name[200];
	char checksum[65];
	char *sql;
};

static bool exec_ok(PGconn *c, const char *sql)
{
	return mq_cli_exec("migrate", c, sql);
}

static int file_filter(const struct dirent *d)
{
	const char *n = d->d_name;
	size_t len = strlen(n);

	if (len < 10 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_')
		return 0;
	for (int i = 0; i < 4; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	return 1;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096)
			buf = mq_xrealloc(buf, cap = cap ? cap * 2 : 8192);
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		/* Never apply (and checksum) half a migration. */
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void checksum(const char *sql, char out[65])
{
	unsigned char h[32];

	crypto_hash_sha256(h, (const unsigned char *)sql, strlen(sql));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Loads every migration file in dir, sorted by version. */
static void free_migrations(struct migration *m, int n);

static int load(const char *dir, struct migration **out)
{
	struct dirent **names;
	int n = scandir(dir, &names, file_filter, alphasort), count = n;
	struct migration *m;

	if (n < 0) {
		mq_cli_error("migrate", "%s: %s", dir, strerror(errno));
		return -1;
	}
	m = mq_xcalloc((size_t)n + 1, sizeof(*m));
	for (int i = 0; i < n; i++) {
		char path[4096];
		int64_t v;
		char num[5] = { 0 };

		memcpy(num, names[i]->d_name, 4);
		mq_parse_int64(num, 0, 9999, &v);	/* file_filter checked the digits */
		m[i].version = (int)v;
		mq_strlcpy(m[i].name, names[i]->d_name, sizeof(m[i].name));
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		m[i].sql = read_file(path);
		if (m[i].sql == NULL) {
			mq_cli_error("migrate", "%s: %s", path, strerror(errno));
			n = -1;
		} else {
			checksum(m[i].sql, m[i].checksum);
		}
		if (i > 0 && m[i].version == m[i - 1].version && n >= 0) {
			mq_cli_error("migrate", "%s and %s have the same number", m[i - 1].name,
				     m[i].name);
			n = -1;
		}
	}
	for (int i = 0; i < count; i++)
		free(names[i]);
	free(names);
	*out = m;
	if (n < 0)
		free_migrations(m, count), *out = NULL;
	return n;
}

static void free_migrations(struct migration *m, int n)
{
	for (int i = 0; m && i < n; i++)
		free(m[i].sql);
	free(m);
}

/* The checksum recorded for version, or NULL when it was never applied. */
static const char *applied_checksum(PGresult *applied, int version)
{
	for (int i = 0; i < PQntuples(applied); i++)
		if (strtol(PQgetvalue(applied, i, 0), NULL, 10) == version)
			return PQgetvalue(applied, i, 1);
	return NULL;
}

static bool apply(PGconn *c, const struct migration *m)
{
	bool tx = strncmp(m->sql, "-- migrate: no-transaction", 26) != 0;
	char version[16];
	const char *params[3] = { version, m->name, m->checksum };
	PGresult *res;

	snprintf(version, sizeof(version), "%d", m->version);
	if (tx && !exec_ok(c, "BEGIN"))
		return false;
	if (!exec_ok(c, m->sql))
		goto fail;
	res = PQexecParams(c, "INSERT INTO schema_migrations (version, name, checksum) "
			      "VALUES ($1, $2, $3)", 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		mq_cli_error("migrate", "recording %s: %s", m->name, PQresultErrorMessage(res));
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	if (tx && !exec_ok(c, "COMMIT"))
		goto fail;
	printf("applied %s\n", m->name);
	return true;
fail:
	if (tx)
		exec_ok(c, "ROLLBACK");
	mq_cli_error("migrate", "%s failed; nothing of it was kept%s", m->name,
		     tx ? "" : " (it ran outside a transaction: check what it did)");
	return false;
}

/* The role [database] conninfo connects as: its user, or libpq's default
 * (PGUSER, else the name of the user running this).  Malloc'd; NULL when
 * libpq knows none. */
static char *pool_role(const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *defaults = NULL;
	char *role = NULL;

	for (PQconninfoOption *o = opts; o && o->keyword && !role; o++)
		if (strcmp(o->keyword, "user") == 0 && o->val && *o->val)
			role = mq_xstrdup(o->val);
	if (role == NULL && (defaults = PQconndefaults()) != NULL)
		for (PQconninfoOption *o = defaults; o->keyword && !role; o++)
			if (strcmp(o->keyword, "user") == 0 && o->val && *o->val)
				role = mq_xstrdup(o->val);
	PQconninfoFree(opts);
	PQconninfoFree(defaults);
	return role;
}

/* With an owner of its own ([database] owner_conninfo), grants the pool's
 * role the rows of every table, when it is another role than ours and the
 * migrations have made marquee_grant_rows(). */
static int grant_rows(PGconn *c, const struct mq_config *cfg)
{
	const char *check = "SELECT to_regprocedure('marquee_grant_rows(name)') IS NOT NULL "
			    "AND $1::name <> current_user";
	char *role;
	PGresult *res;
	int rc = 0;

	if (*cfg->db_owner_conninfo == '\0' || (role = pool_role(cfg->db_conninfo)) == NULL)
		return 0;
	const char *params[] = { role };
	res = PQexecParams(c, check, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQgetvalue(res, 0, 0)[0] == 't') {
		PQclear(res);
		res = PQexecParams(c, "SELECT marquee_grant_rows($1)", 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			printf("granted the rows of every table to %s\n", role);
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		mq_cli_error("migrate", "granting rows to %s: %s", role, PQresultErrorMessage(res));
		rc = 1;
	}
	PQclear(res);
	free(role);
	return rc;
}

static int run(PGconn *c, const struct mq_config *cfg, const char *dir, bool status_only)
{
	struct migration *m = NULL;
	PGresult *applied;
	int n, rc = 0, done = 0;

	/* A migration may build an index on a big table: no time limit. */
	if (!exec_ok(c, "SET client_min_messages = warning") ||
	    !exec_ok(c, "SET statement_timeout = 0") ||
	    !exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")") ||
	    !exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			"version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "
			"applied_at timestamptz NOT NULL DEFAULT now())"))
		return 1;
	n = load(dir, &m);
	if (n < 0)
		return 1;
	applied = PQexec(c, "SELECT version, checksum FROM schema_migrations ORDER BY version");
	if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
		mq_cli_error("migrate", "%s", PQresultErrorMessage(applied));
		rc = 1;
		goto out;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		const char *sum = applied_checksum(applied, m[i].version);

		if (sum && strcmp(sum, m[i].checksum) != 0) {
			mq_cli_error("migrate", "%s changed after it was applied; "
				     "write a new migration instead", m[i].name);
			rc = 1;
		} else if (status_only) {
			printf("%-8s %s\n", sum ? "applied" : "pending", m[i].name);
		} else if (!sum) {
			rc = apply(c, &m[i]) ? 0 : 1;
			done += rc == 0;
		}
	}
	if (!status_only && rc == 0)
		printf("%d migration%s applied, %d already there\n", done, done == 1 ? "" : "s",
		       n - done);
	/* under the lock: concurrent GRANTs of one object can fail */
	if (!status_only && rc == 0)
		rc = grant_rows(c, cfg);
out:
	PQclear(applied);
	free_migrations(m, n);
	exec_ok(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
	return rc;
}

int mq_cli_migrate(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "status", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = cfg->migrations_dir;
	bool status_only = false;
	struct mq_db *db;
	PGconn *conn;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:s", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 's': status_only = true; break;
		default:
			fprintf(stderr, "usage: marquee migrate [--dir DIR] [--status]\n");
			return 2;
		}
	}
	db = mq_db_new_owner(cfg, "marquee-migrate");
	conn = mq_db_conn(db);
	if (conn == NULL) {
		mq_cli_error("migrate", "cannot connect: %s", mq_db_error(db));
		mq_db_free(db);
		return 1;
	}
	rc = run(conn, cfg, dir, status_only);
	mq_db_free(db);
	return rc;
}

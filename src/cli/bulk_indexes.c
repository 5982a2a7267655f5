/*
 * bulk_indexes.c: a first load into empty tables builds their indexes
 * and checks their foreign keys once, after the rows are in, as
 * pg_restore does, instead of row by row.
 *
 * `marquee import movielens` of a million generated films into an empty
 * catalog took 220 s, most of it maintaining the twenty indexes of movies
 * (trigram and full-text GIN among them) and checking two foreign keys
 * per movie_genres row, one row at a time.  Within the load's own
 * transaction, when every table named is empty, the indexes that no ON
 * CONFLICT needs (neither unique nor a constraint's) and the foreign keys
 * between those tables are dropped, their definitions read back from the
 * catalog (pg_get_indexdef, pg_get_constraintdef) so that they are made
 * again exactly as the migrations made them; the load then makes them in
 * one pass each.  A load none of whose statements needs a unique index
 * (no ON CONFLICT naming one, no lookups by it before the end) may have
 * the tables' unique and primary keys deferred too, those no foreign key
 * stands on: made again after the rows, each checks every row at once,
 * and a duplicate fails the load as the row's INSERT would have.  DROP INDEX locks the tables until the commit: readers
 * of an empty catalog wait for the first load instead of seeing it half
 * made.  A failed load rolls all of it back, the indexes with it.
 */
#include "core/common.h"

#include "cli/bulk_indexes.h"
#include "cli/cli.h"
#include "cli/progress.h"

/* what errors are said as (not a macro: fuzz_csv.c includes this file
 * beside import_movielens.c, which has its own CMD) */
static const char bulk_cmd[] = "bulk load";

/* $1 a table, $2 the tables of the load, $3 those whose keys may wait:
 * DROP and CREATE statements of $1's secondary indexes, then of its
 * unique and primary keys when it is of $3, then of its foreign keys to
 * the load's tables
 * (only those: dropping a key locks the table it points to until the
 * commit, and users or genres, locked for the whole load, would stop the
 * site). */
#define DEFERRABLE_SQL \
	"SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) " \
	"FROM pg_index i WHERE i.indrelid = $1::regclass AND NOT i.indisunique " \
	"AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) " \
	"UNION ALL " \
	/* of the tables $3, the unique and primary keys no foreign key stands on */ \
	"SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass, k.conname), " \
	"  format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass, k.conname, " \
	"         pg_get_constraintdef(k.oid)) " \
	"FROM pg_constraint k WHERE k.conrelid = $1::regclass AND k.conrelid = ANY ($3::regclass[]) " \
	"AND k.contype IN ('p', 'u') " \
	"AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid) " \
	"UNION ALL " \
	"SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass, k.conname), " \
	"  format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass, k.conname, " \
	"         pg_get_constraintdef(k.oid)) " \
	"FROM pg_constraint k WHERE k.conrelid = $1::regclass AND k.contype = 'f' " \
	"AND (k.confrelid = ANY ($2::regclass[]) OR k.confrelid = ANY ($4::regclass[]))"

static bool empty(PGconn *conn, const char *table)
{
	char sql[200];
	PGresult *res;
	bool yes;

	snprintf(sql, sizeof(sql), "SELECT NOT EXISTS (SELECT 1 FROM %s)", table);
	res = PQexec(conn, sql);
	yes = PQresultStatus(res) == PGRES_TUPLES_OK && *PQgetvalue(res, 0, 0) == 't';
	PQclear(res);
	return yes;
}

static void remember(struct mq_bulk_deferred *d, const char *create)
{
	d->create = mq_xrealloc(d->create, (d->n + 1) * sizeof(*d->create));
	d->create[d->n++] = mq_xstrdup(create);
}

/* "{a,b,c}" of tables (NULL-ended), into out */
static void array_of(const char *const *tables, char *out, size_t size)
{
	snprintf(out, size, "{");
	for (const char *const *t = tables; t && *t; t++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", t == tables ? "" : ",", *t);
	snprintf(out + strlen(out), size - strlen(out), "}");
}

int mq_bulk_defer(PGconn *conn, const char *const *tables, const char *const *keys,
		  const char *const *refs, struct mq_bulk_deferred *d)
{
	char all[256], keyed[256], locked[256];

	memset(d, 0, sizeof(*d));
	for (const char *const *t = tables; *t; t++)
		if (!empty(conn, *t))
			return 0;
	array_of(tables, all, sizeof(all));
	array_of(keys, keyed, sizeof(keyed));
	array_of(refs, locked, sizeof(locked));
	for (const char *const *t = tables; *t; t++) {
		const char *params[] = { *t, all, keyed, locked };
		PGresult *res = PQexecParams(conn, DEFERRABLE_SQL, 4, NULL, params, NULL, NULL, 0);

		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			mq_cli_error(bulk_cmd, "%s", PQresultErrorMessage(res));
			PQclear(res);
			return -1;
		}
		for (int i = 0; i < PQntuples(res); i++) {
			if (!mq_cli_exec(bulk_cmd, conn, PQgetvalue(res, i, 0))) {
				PQclear(res);
				return -1;
			}
			remember(d, PQgetvalue(res, i, 1));
		}
		PQclear(res);
	}
	return 0;
}

int mq_bulk_restore(PGconn *conn, struct mq_bulk_deferred *d)
{
	struct mq_progress p;

	if (d->n == 0)
		return 0;
	/* one sort in memory per index rather than runs on disk */
	if (!mq_cli_exec(bulk_cmd, conn, "SET LOCAL maintenance_work_mem = '1GB'"))
		return -1;
	mq_progress_start(&p, "indexes", d->n);
	for (size_t i = 0; i < d->n; i++) {
		if (!mq_cli_exec(bulk_cmd, conn, d->create[i]))
			return -1;
		mq_progress_set(&p, i + 1);
	}
	mq_progress_end(&p);
	return 0;
}

void mq_bulk_deferred_free(struct mq_bulk_deferred *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->create[i]);
	free(d->create);
	memset(d, 0, sizeof(*d));
}

/*
 * catalog.c: what the catalog's bulk loaders (demo-data, import) share.
 */
#include "core/common.h"

#include "catalog/changes.h"
#include "cli/cli.h"

/* ANALYZE of movies in two passes: one of the columns of the default
 * statistics target, one of those with a target of their own (title_fold:
 * 1000, for LIKE '%word%' estimates).  ANALYZE takes one sample for every
 * column it is given, 300 rows per unit of the highest target: in one
 * pass, 300,000 rows of a million films, each column's statistics made
 * from them all (4.7 s); in two, 30,000 rows for the many columns and
 * 300,000 for the one that asks for them, with the same statistics
 * targets as before. */
#define ANALYZE_MOVIES_SQL \
	"SELECT format('ANALYZE movies (%s)', string_agg(quote_ident(attname), ', ')) " \
	"FROM pg_attribute WHERE attrelid = 'movies'::regclass AND attnum > 0 " \
	"AND NOT attisdropped AND coalesce(attstattarget, -1) <> 0 " \
	"GROUP BY coalesce(attstattarget, -1) > 0"

static void analyze_movies(PGconn *c, const char *cmd)
{
	PGresult *res = PQexec(c, ANALYZE_MOVIES_SQL);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		mq_cli_error(cmd, "%s", PQresultErrorMessage(res));
		mq_cli_exec(cmd, c, "ANALYZE movies");
	} else {
		for (int i = 0; i < PQntuples(res); i++)
			mq_cli_exec(cmd, c, PQgetvalue(res, i, 0));
	}
	PQclear(res);
}

void mq_cli_catalog_changed(struct mq_config *cfg, PGconn *c, const char *cmd)
{
	struct mq_ctx *ctx;

	/* Outside any transaction: VACUUM cannot run inside one.  A failure
	 * here leaves the data loaded, only slower to search until autovacuum
	 * comes by, so it is reported, not fatal. */
	mq_cli_exec(cmd, c, "VACUUM (ANALYZE) movie_genres, movie_keywords, keywords, "
			    "search_words, movie_counts");
	mq_cli_exec(cmd, c, "VACUUM movies");
	analyze_movies(c, cmd);
	ctx = mq_cli_ctx_new(cfg, cmd, false);
	mq_catalog_changed(ctx);
	mq_cli_ctx_free(ctx);
}

/*
 * catalog.c: what the catalog's bulk loaders (demo-data, import) share.
 */
#include "core/common.h"

#include "catalog/changes.h"
#include "cli/cli.h"

void mq_cli_catalog_changed(struct mq_config *cfg, PGconn *c, const char *cmd)
{
	struct mq_ctx *ctx;

	/* Outside any transaction: VACUUM cannot run inside one.  A failure
	 * here leaves the data loaded, only slower to search until autovacuum
	 * comes by, so it is reported, not fatal. */
	mq_cli_exec(cmd, c, "VACUUM (ANALYZE) movies, movie_genres, movie_keywords, keywords, "
			    "search_words, movie_counts");
	ctx = mq_cli_ctx_new(cfg, cmd, false);
	mq_catalog_changed(ctx);
	mq_cli_ctx_free(ctx);
}

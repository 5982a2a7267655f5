/*
 * changes.c: bumping the generations cached responses are kept under.
 */
#include "catalog/changes.h"

#include "cache/cache.h"

void mq_movie_changed(struct mq_ctx *c, const char *id)
{
	char kind[48];

	snprintf(kind, sizeof(kind), "movie:%s", id);
	mq_cache_bump(c->cache, kind);
}

void mq_movies_changed(struct mq_ctx *c, const char *id)
{
	mq_movie_changed(c, id);
	mq_catalog_changed(c);
}

void mq_catalog_changed(struct mq_ctx *c)
{
	mq_cache_bump(c->cache, "movies");
}

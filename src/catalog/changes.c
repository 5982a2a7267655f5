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

const char *mq_favorites_kind(struct mq_arena *a, const char *user)
{
	return mq_arena_printf(a, "favorites:%s", user);
}

void mq_favorites_changed(struct mq_ctx *c, const char *user)
{
	mq_cache_bump(c->cache, mq_favorites_kind(c->arena, user));
}

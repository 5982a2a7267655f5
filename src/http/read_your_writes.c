/*
 * read_your_writes.c: the marker of a recent writer, in memcached.
 */
#include "http/read_your_writes.h"

#include "cache/cache.h"
#include "core/config.h"
#include "db/db.h"

static bool applies(const struct mq_req *r)
{
	return r->user_id > 0 && r->ctx.cfg->db_primary_after_write_ms > 0 &&
	       mq_db_has_replica(r->ctx.db);
}

static const char *marker(struct mq_req *r)
{
	return mq_arena_printf(r->ctx.arena, "ryw:%lld", (long long)r->user_id);
}

void mq_ryw_begin(struct mq_req *r)
{
	const char *key;
	size_t len;

	if (!applies(r))
		return;
	key = marker(r);
	if (mq_cache_get(r->ctx.cache, r->ctx.arena, key, &len) != NULL ||
	    !mq_cache_key_up(r->ctx.cache, key))
		mq_db_pin_primary(r->ctx.db);
}

void mq_ryw_end(struct mq_req *r)
{
	int ttl;

	if (!applies(r) || !mq_db_wrote(r->ctx.db))
		return;
	ttl = (r->ctx.cfg->db_primary_after_write_ms + 999) / 1000;
	mq_cache_set(r->ctx.cache, marker(r), "1", 1, ttl);
}

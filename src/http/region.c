/*
 * region.c: the region of a request's release dates (see region.h).
 */
#include "http/region.h"

#include "catalog/releases.h"

mq_reply mq_region_choose(struct mq_req *r, const char *given, const char **region)
{
	enum mq_status st = mq_release_region(&r->ctx, r->user_id, given, region);

	return st == MQ_OK ? MQ_NEXT : mq_fail(r, st);
}

const char *mq_region_variant(struct mq_req *r, const char *tag, const char *region)
{
	return region ? mq_arena_printf(r->arena, "%s:region=%s", tag, region) : tag;
}

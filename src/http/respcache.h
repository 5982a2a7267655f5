/*
 * respcache.h: rendered responses in memcached, valid for one generation.
 *
 * A response is cached under its full URL (its next/previous links are
 * absolute), tagged with the generation of its kind of data ("genres").
 * The generation and the entry come back in one round trip; an entry of
 * an older generation is a miss.  A write that changes what such responses
 * show calls mq_cache_bump(kind), and every entry of the kind is stale at
 * once.  The generation is read before the database is, so an entry
 * rendered while a write lands is tagged with the older generation and
 * never served; a kind without one yet gets one proposed after the
 * render (mq_cache_generation_propose), which is served only if no bump
 * came first.  A miss costs one round trip, the lookup: the entry (and
 * a proposed generation) are written without waiting for memcached.
 *
 * A response that is one user's alone (their favorites) is cached under
 * two generations: the catalog's kind, and one of that user's own
 * ("favorites:42") that only their writes bump; its key holds the
 * user's, so nobody else's request can find it.
 */
#ifndef MQ_RESPCACHE_H
#define MQ_RESPCACHE_H

#include "core/common.h"
#include "cache/cache.h"
#include "http/http.h"

struct mq_respcache {
	const char *kind[MQ_CACHE_GENERATIONS_MAX];
	int nkinds;
	const char *key;
	uint64_t gen[MQ_CACHE_GENERATIONS_MAX];	/* seen on lookup; 0 if none yet */
	const char *hit;	/* the body found: answered, or ([cache] verify) to compare */
	size_t hit_len;
};

/* Looks this request's response up.  On a hit, answers it (200 with its
 * ETag, or 304; rc->hit is the body); on a miss, fills rc for the store and returns MQ_NEXT.
 * variant: what else the response depends on besides its URL (the
 * language chosen by Accept-Language), or NULL.  With [cache] verify, a
 * hit is kept in rc and not answered, so the response is rendered again
 * and mq_respcache_respond compares the two. */
mq_reply mq_respcache_serve(struct mq_req *r, struct mq_respcache *rc, const char *kind,
			    const char *variant);

/* As mq_respcache_serve for a response of one of many URLs, each asked
 * for now and then (a movie's detail: one of a catalog's films), which
 * PostgreSQL answers nearly as fast as memcached.  Memcached is asked only
 * for a URL this worker was asked for lately, and the response stored
 * only then (nginx's proxy_cache_min_uses 2): a film not asked for lately
 * costs the database's read alone, not a lookup that misses before it and
 * a store after it, while a film asked for again and again is answered
 * from memcached.  With [cache] verify every request is looked up, so
 * that the tests compare every hit as before. */
mq_reply mq_respcache_serve_repeated(struct mq_req *r, struct mq_respcache *rc, const char *kind,
				     const char *variant);

/* As mq_respcache_serve for a response that only the signed-in user
 * sees: also of the generation of owner_kind, which that user's writes
 * bump (mq_cache_bump), and keyed by it.  Answered with Cache-Control:
 * private, no-store, hit or miss. */
mq_reply mq_respcache_serve_private(struct mq_req *r, struct mq_respcache *rc, const char *kind,
				    const char *owner_kind, const char *variant);

/* Makes the response about to be answered one that is not stored (it
 * depends on who asks: a provisional movie shown to its maker).  A
 * public response is never of that kind, so there is no entry to
 * compare under [cache] verify either. */
void mq_respcache_skip(struct mq_respcache *rc);

/* Answers 200 with body and its weak ETag (304 when If-None-Match has
 * it), and stores it for the next request.  A hit kept by [cache] verify
 * that differs from body is logged as an error: a write did not make it
 * stale. */
mq_reply mq_respcache_respond(struct mq_req *r, struct mq_respcache *rc, const char *body,
			      size_t len);

#endif

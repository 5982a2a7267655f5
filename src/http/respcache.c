/*
 * respcache.c: entries are "<generation>[.<generation>] <etag>\n<body>", the
 * second generation that of the owner of a private entry.
 */
#include "http/respcache.h"

#include <ctype.h>

#include "cache/cache.h"
#include "core/config.h"
#include "core/log.h"

/* The length of a weak ETag as mq_etag_for writes it: W/" + 32 hex + ". */
#define ETAG_LEN (3 + 32 + 1)

/* The tag an entry of rc's generations starts with: "<gen>[.<gen>]". */
static const char *tag_of(struct mq_arena *a, const struct mq_respcache *rc)
{
	if (rc->nkinds == 1)
		return mq_arena_printf(a, "%llu", (unsigned long long)rc->gen[0]);
	return mq_arena_printf(a, "%llu.%llu", (unsigned long long)rc->gen[0],
			       (unsigned long long)rc->gen[1]);
}

/* Splits an entry of rc's generations.  Returns 0, or -1 when the entry
 * is of others or not of this shape (a foreign or corrupt value must
 * never reach a response header). */
static int split(struct mq_arena *a, const struct mq_respcache *rc, const char *entry, size_t len,
		 const char **etag, const char **body, size_t *body_len)
{
	const char *tag = tag_of(a, rc);
	size_t off = strlen(tag) + 1;

	if (len <= off + ETAG_LEN || memcmp(entry, tag, off - 1) != 0 || entry[off - 1] != ' ' ||
	    entry[off + ETAG_LEN] != '\n' || strncmp(entry + off, "W/\"", 3) != 0 ||
	    entry[off + ETAG_LEN - 1] != '"')
		return -1;
	for (size_t i = off + 3; i < off + ETAG_LEN - 1; i++)
		if (!isxdigit((unsigned char)entry[i]))
			return -1;
	*etag = mq_arena_strndup(a, entry + off, ETAG_LEN);
	*body = entry + off + ETAG_LEN + 1;
	*body_len = len - off - ETAG_LEN - 1;
	return 0;
}

/* Looks up rc->key under rc's kinds. */
static mq_reply serve(struct mq_req *r, struct mq_respcache *rc)
{
	const char *entry, *etag, *body;
	size_t len, body_len;

	entry = mq_cache_get_with_generations(r->ctx.cache, r->arena, rc->kind, rc->nkinds, rc->key,
					      &len, rc->gen);
	for (int i = 0; i < rc->nkinds; i++)
		if (rc->gen[i] == 0)
			return MQ_NEXT;
	if (entry == NULL || split(r->arena, rc, entry, len, &etag, &body, &body_len) < 0)
		return MQ_NEXT;
	rc->hit = body;		/* what was answered, for the caller to read; or,
				 * with [cache] verify, to compare with a render */
	rc->hit_len = body_len;
	if (r->ctx.cfg->cache_verify)
		return MQ_NEXT;
	return mq_respond_cached(r, etag, body, body_len);
}

/* The key of a public response of kind, or NULL with the cache off. */
static const char *public_key(struct mq_req *r, struct mq_respcache *rc, const char *kind,
			      const char *variant)
{
	*rc = (struct mq_respcache){ .kind = { kind }, .nkinds = 1 };
	if (!r->ctx.cfg->cache_responses)
		return NULL;
	return rc->key = mq_arena_printf(r->arena, "%s:%s%s%s", kind, variant ? variant : "",
					 variant ? ":" : "", mq_req_url(r, r->raw_query));
}

mq_reply mq_respcache_serve(struct mq_req *r, struct mq_respcache *rc, const char *kind,
			    const char *variant)
{
	return public_key(r, rc, kind, variant) ? serve(r, rc) : MQ_NEXT;
}

/* The keys of mq_respcache_serve_repeated this worker was asked for
 * lately: their hashes, each slot the last key that fell in it, so that a
 * key is forgotten after some thousands of others (8,192 slots, 64 KiB a
 * worker). */
#define SEEN_BITS 13
static uint64_t seen[1 << SEEN_BITS];

/* Whether key was asked for lately in this worker; remembers it. */
static bool seen_lately(const char *key)
{
	uint64_t h = mq_fnv1a(MQ_FNV1A_BASIS, key);
	uint64_t *slot = &seen[h >> (64 - SEEN_BITS)];	/* the high bits: the best spread */
	bool seen_before;

	h |= 1;		/* never 0, an empty slot */
	seen_before = *slot == h;
	*slot = h;
	return seen_before;
}

mq_reply mq_respcache_serve_repeated(struct mq_req *r, struct mq_respcache *rc, const char *kind,
				     const char *variant)
{
	const char *key = public_key(r, rc, kind, variant);

	if (key == NULL)
		return MQ_NEXT;
	/* [cache] verify compares every hit: a test's read after a write is
	 * to be one, whichever worker answered before */
	if (!r->ctx.cfg->cache_verify && !seen_lately(key)) {
		rc->key = NULL;	/* neither looked up nor stored */
		return MQ_NEXT;
	}
	return serve(r, rc);
}

mq_reply mq_respcache_serve_private(struct mq_req *r, struct mq_respcache *rc, const char *kind,
				    const char *owner_kind, const char *variant)
{
	*rc = (struct mq_respcache){ .kind = { kind, owner_kind }, .nkinds = 2 };
	mq_resp_header(r, "Cache-Control", "private, no-store");
	if (!r->ctx.cfg->cache_responses)
		return MQ_NEXT;
	rc->key = mq_arena_printf(r->arena, "%s:%s:%s%s%s", owner_kind, kind, variant ? variant : "",
				  variant ? ":" : "", mq_req_url(r, r->raw_query));
	return serve(r, rc);
}

/* [cache] verify: the entry served for this URL must be what PostgreSQL
 * says now. */
static void verify(struct mq_req *r, const struct mq_respcache *rc, const char *body, size_t len)
{
	struct mq_logline l;

	if ((rc->hit_len == len && memcmp(rc->hit, body, len) == 0) ||
	    !mq_logline_start(&l, MQ_LOG_ERROR))
		return;
	mq_logline_str(&l, "msg", "stale cached response");
	mq_logline_str(&l, "id", r->request_id);
	mq_logline_str(&l, "kind", rc->kind[rc->nkinds - 1]);
	mq_logline_str(&l, "key", rc->key);
	mq_logline_emit(&l);
}

void mq_respcache_skip(struct mq_respcache *rc)
{
	rc->key = NULL;
	rc->hit = NULL;
}

/* The generations to tag a new entry with: those seen on lookup, and a
 * proposal for a kind never cached before, such as a movie's detail
 * asked for the first time (proposing costs no round trip, where reading
 * it back would cost two).  False when the cache is unreachable. */
static bool generations(struct mq_req *r, struct mq_respcache *rc)
{
	for (int i = 0; i < rc->nkinds; i++)
		if (rc->gen[i] == 0 &&
		    (rc->gen[i] = mq_cache_generation_propose(r->ctx.cache, rc->kind[i])) == 0)
			return false;
	return true;
}

mq_reply mq_respcache_respond(struct mq_req *r, struct mq_respcache *rc, const char *body,
			      size_t len)
{
	const char *etag = mq_etag_for(r->arena, body, len);

	if (rc->hit) {
		verify(r, rc, body, len);
		return mq_respond_cached(r, etag, body, len);
	}
	if (rc->key && generations(r, rc)) {
		const char *entry = mq_arena_printf(r->arena, "%s %s\n", tag_of(r->arena, rc), etag);
		size_t head = strlen(entry);
		char *buf = mq_arena_alloc(r->arena, head + len);

		memcpy(buf, entry, head);
		memcpy(buf + head, body, len);
		mq_cache_set_quiet(r->ctx.cache, rc->key, buf, head + len);
	}
	return mq_respond_cached(r, etag, body, len);
}

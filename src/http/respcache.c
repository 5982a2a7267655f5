/*
 * respcache.c: entries are "<generation> <etag>\n<body>".
 */
#include "http/respcache.h"

#include <ctype.h>

#include "cache/cache.h"
#include "core/config.h"
#include "core/log.h"

/* The length of a weak ETag as mq_etag_for writes it: W/" + 32 hex + ". */
#define ETAG_LEN (3 + 32 + 1)

/* Splits an entry of generation gen.  Returns 0, or -1 when the entry is of
 * another generation or not of this shape (a foreign or corrupt value must
 * never reach a response header). */
static int split(struct mq_arena *a, const char *entry, size_t len, uint64_t gen,
		 const char **etag, const char **body, size_t *body_len)
{
	const char *space = memchr(entry, ' ', len < 24 ? len : 24);
	char num[24];
	int64_t g;
	size_t off;

	if (space == NULL)
		return -1;
	snprintf(num, sizeof(num), "%.*s", (int)(space - entry), entry);
	if (mq_parse_int64(num, 1, INT64_MAX, &g) < 0 || (uint64_t)g != gen)
		return -1;
	off = (size_t)(space - entry) + 1;
	if (len <= off + ETAG_LEN || entry[off + ETAG_LEN] != '\n' ||
	    strncmp(entry + off, "W/\"", 3) != 0 || entry[off + ETAG_LEN - 1] != '"')
		return -1;
	for (size_t i = off + 3; i < off + ETAG_LEN - 1; i++)
		if (!isxdigit((unsigned char)entry[i]))
			return -1;
	*etag = mq_arena_strndup(a, entry + off, ETAG_LEN);
	*body = entry + off + ETAG_LEN + 1;
	*body_len = len - off - ETAG_LEN - 1;
	return 0;
}

mq_reply mq_respcache_serve(struct mq_req *r, struct mq_respcache *rc, const char *kind,
			    const char *variant)
{
	const char *entry, *etag, *body;
	size_t len, body_len;

	*rc = (struct mq_respcache){ .kind = kind };
	if (!r->ctx.cfg->cache_responses)
		return MQ_NEXT;
	rc->key = mq_arena_printf(r->arena, "%s:%s%s%s", kind, variant ? variant : "",
				  variant ? ":" : "", mq_req_url(r, r->raw_query));
	entry = mq_cache_get_with_generation(r->ctx.cache, r->arena, kind, rc->key, &len, &rc->gen);
	if (entry == NULL || rc->gen == 0 ||
	    split(r->arena, entry, len, rc->gen, &etag, &body, &body_len) < 0)
		return MQ_NEXT;
	if (r->ctx.cfg->cache_verify) {
		rc->hit = body;
		rc->hit_len = body_len;
		return MQ_NEXT;
	}
	rc->hit = body;		/* what was answered, for the caller to read */
	rc->hit_len = body_len;
	return mq_respond_cached(r, etag, body, body_len);
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
	mq_logline_str(&l, "kind", rc->kind);
	mq_logline_str(&l, "key", rc->key);
	mq_logline_emit(&l);
}

void mq_respcache_skip(struct mq_respcache *rc)
{
	rc->key = NULL;
	rc->hit = NULL;
}

mq_reply mq_respcache_respond(struct mq_req *r, struct mq_respcache *rc, const char *body,
			      size_t len)
{
	const char *etag = mq_etag_for(r->arena, body, len);
	/* (a kind never cached before, such as a movie's detail asked for the
	 * first time: proposing its generation costs no round trip, where
	 * reading it back would cost two) */
	uint64_t gen = rc->key == NULL ? 0
		       : rc->gen ? rc->gen : mq_cache_generation_propose(r->ctx.cache, rc->kind);

	if (rc->hit) {
		verify(r, rc, body, len);
		return mq_respond_cached(r, etag, body, len);
	}

	if (gen) {
		const char *entry = mq_arena_printf(r->arena, "%llu %s\n", (unsigned long long)gen, etag);
		size_t head = strlen(entry);
		char *buf = mq_arena_alloc(r->arena, head + len);

		memcpy(buf, entry, head);
		memcpy(buf + head, body, len);
		mq_cache_set_quiet(r->ctx.cache, rc->key, buf, head + len);
	}
	return mq_respond_cached(r, etag, body, len);
}

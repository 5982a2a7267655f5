/*
 * page.c: pagination.
 */
#include "http/page.h"

#include "core/buf.h"
#include "core/json.h"
#include "http/http.h"

mq_reply mq_page_parse(struct mq_req *r, struct mq_page *p)
{
	const char *page = mq_query_get(&r->query, "page");
	const char *size = mq_query_get(&r->query, "page_size");

	p->page = 1;
	p->size = MQ_PAGE_SIZE_DEFAULT;
	if (page && mq_parse_int64(page, 1, INT32_MAX, &p->page) < 0)
		return mq_problem_field(r, "page", "Must be a whole number of at least 1.");
	if (size && mq_parse_int64(size, 1, INT64_MAX, &p->size) < 0)
		return mq_problem_field(r, "page_size", "Must be a whole number of at least 1.");
	if (p->size > MQ_PAGE_SIZE_MAX)
		p->size = MQ_PAGE_SIZE_MAX;
	p->offset = (p->page - 1) * p->size;
	p->limit_s = mq_arena_int(r->arena, p->size);
	p->offset_s = mq_arena_int(r->arena, p->offset);
	return MQ_NEXT;
}

bool mq_page_past_end(const struct mq_page *p, int64_t count)
{
	return p->page > 1 && p->offset >= count;
}

mq_reply mq_page_not_found(struct mq_req *r, const struct mq_page *p)
{
	return mq_problem(r, 404, "Page %lld is past the end of the list.", (long long)p->page);
}

/* Appends s percent-encoded, as a query's key or value. */
static void append_encoded(struct mq_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~,", c))
			mq_buf_append(b, (const char *)s, 1);
		else
			mq_buf_append(b, esc, 3);
	}
}

/* This request's query without page and after, then with key=value when
 * key is given (page=1 is left out, as DRF does). */
static const char *query_with(struct mq_req *r, const char *key, const char *value)
{
	struct mq_buf q;

	mq_buf_init(&q, r->arena, 128);
	for (int i = 0; i < r->query.count; i++) {
		const struct mq_param *prm = &r->query.params[i];

		if (strcmp(prm->key, "page") == 0 || strcmp(prm->key, "after") == 0)
			continue;
		if (q.len)
			mq_buf_puts(&q, "&");
		append_encoded(&q, prm->key);
		mq_buf_puts(&q, "=");
		append_encoded(&q, prm->value);
	}
	if (key) {
		mq_buf_printf(&q, "%s%s=", q.len ? "&" : "", key);
		append_encoded(&q, value);
	}
	return q.data;
}

const char *mq_page_url(struct mq_req *r, int64_t page)
{
	return mq_req_url(r, page > 1 ? query_with(r, "page", mq_arena_int(r->arena, page))
				      : query_with(r, NULL, NULL));
}

const char *mq_page_url_after(struct mq_req *r, const char *cursor)
{
	return mq_req_url(r, query_with(r, "after", cursor));
}

/* exact: NULL when the list does not say */
static struct json_object *envelope(struct mq_req *r, int64_t count, const bool *exact,
				    const char *next, const char *previous,
				    struct json_object *results)
{
	struct json_object *env = mq_json_object(r->arena);

	mq_json_add_int(env, "count", count);
	if (exact)
		json_object_object_add(env, "count_exact", json_object_new_boolean(*exact));
	mq_json_add_str(env, "next", next);
	mq_json_add_str(env, "previous", previous);
	json_object_object_add(env, "results", json_object_get(results));
	return env;
}

static const char *previous_of(struct mq_req *r, const struct mq_page *p)
{
	return p->page > 1 ? mq_page_url(r, p->page - 1) : NULL;
}

struct json_object *mq_page_envelope(struct mq_req *r, const struct mq_page *p, int64_t count,
				     struct json_object *results)
{
	return envelope(r, count, NULL,
			p->offset + p->size < count ? mq_page_url(r, p->page + 1) : NULL,
			previous_of(r, p), results);
}

struct json_object *mq_page_envelope_known(struct mq_req *r, const struct mq_page *p, int64_t count,
					   bool count_exact, bool has_next,
					   struct json_object *results)
{
	return envelope(r, count, &count_exact, has_next ? mq_page_url(r, p->page + 1) : NULL,
			previous_of(r, p), results);
}

struct json_object *mq_page_envelope_links(struct mq_req *r, int64_t count, bool count_exact,
					   const char *next, const char *previous,
					   struct json_object *results)
{
	return envelope(r, count, &count_exact, next, previous, results);
}

mq_reply mq_page_respond(struct mq_req *r, const struct mq_page *p, int64_t count,
			 struct json_object *results)
{
	if (mq_page_past_end(p, count))
		return mq_page_not_found(r, p);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, mq_page_envelope(r, p, count, results));
}

/*
 * page.c: pagination.
 */
#include "http/page.h"

#include "http/http.h"
#include "core/json.h"

static int bad(struct mq_req *r, const char *field, const char *msg)
{
	mq_problem_field(r, field, msg);
	return -1;
}

int mq_page_parse(struct mq_req *r, struct mq_page *p)
{
	const char *page = mq_query_get(&r->query, "page");
	const char *size = mq_query_get(&r->query, "page_size");

	p->page = 1;
	p->size = MQ_PAGE_SIZE_DEFAULT;
	if (page && mq_parse_int64(page, 1, INT32_MAX, &p->page) < 0)
		return bad(r, "page", "Must be a whole number of at least 1.");
	if (size && mq_parse_int64(size, 1, INT64_MAX, &p->size) < 0)
		return bad(r, "page_size", "Must be a whole number of at least 1.");
	if (p->size > MQ_PAGE_SIZE_MAX)
		p->size = MQ_PAGE_SIZE_MAX;
	p->offset = (p->page - 1) * p->size;
	p->limit_s = mq_arena_int(r->arena, p->size);
	p->offset_s = mq_arena_int(r->arena, p->offset);
	return 0;
}

bool mq_page_past_end(const struct mq_page *p, int64_t count)
{
	return p->page > 1 && p->offset >= count;
}

int mq_page_not_found(struct mq_req *r, const struct mq_page *p)
{
	return mq_problem(r, 404, "Page %lld is past the end of the list.", (long long)p->page);
}

static void append_encoded(struct mq_arena *a, char **out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), len = strlen(*out);
	char *buf = mq_arena_alloc(a, len + 3 * n + 1), *o = buf + len;

	memcpy(buf, *out, len);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~,", c)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	*out = buf;
}

/* This request's query with page set to page (1: left out, as DRF does). */
static const char *query_for_page(struct mq_req *r, int64_t page)
{
	char *q = mq_arena_strdup(r->arena, "");

	for (int i = 0; i < r->query.count; i++) {
		const struct mq_param *prm = &r->query.params[i];

		if (strcmp(prm->key, "page") == 0)
			continue;
		if (*q)
			q = mq_arena_printf(r->arena, "%s&", q);
		append_encoded(r->arena, &q, prm->key);
		q = mq_arena_printf(r->arena, "%s=", q);
		append_encoded(r->arena, &q, prm->value);
	}
	if (page > 1)
		q = mq_arena_printf(r->arena, "%s%spage=%lld", q, *q ? "&" : "", (long long)page);
	return q;
}

/* exact: NULL when the list does not say */
static struct json_object *envelope(struct mq_req *r, const struct mq_page *p, int64_t count,
				    const bool *exact, bool has_next, struct json_object *results)
{
	struct json_object *env = mq_json_object(r->arena);

	mq_json_add_int(env, "count", count);
	if (exact)
		json_object_object_add(env, "count_exact", json_object_new_boolean(*exact));
	mq_json_add_str(env, "next", has_next ? mq_req_url(r, query_for_page(r, p->page + 1)) : NULL);
	mq_json_add_str(env, "previous",
			p->page > 1 ? mq_req_url(r, query_for_page(r, p->page - 1)) : NULL);
	json_object_object_add(env, "results", json_object_get(results));
	return env;
}

struct json_object *mq_page_envelope(struct mq_req *r, const struct mq_page *p, int64_t count,
				     struct json_object *results)
{
	return envelope(r, p, count, NULL, p->offset + p->size < count, results);
}

struct json_object *mq_page_envelope_known(struct mq_req *r, const struct mq_page *p, int64_t count,
					   bool count_exact, bool has_next,
					   struct json_object *results)
{
	return envelope(r, p, count, &count_exact, has_next, results);
}

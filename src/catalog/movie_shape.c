/*
 * movie_shape.c: a movie list's statements made of the filters given (see
 * movie_shape.h).
 */
#include "catalog/movie_shape.h"

#include <ctype.h>
#include <string.h>

#include "core/buf.h"
#include "core/common.h"

/* PostgreSQL's type text (pg_type.dat): what an unused parameter is sent as */
#define TEXT_OID 25
/* The most parameters a kept statement has */
#define MAX_PARAMS 32
/* Statements kept prepared per worker (see kept[] below) */
#define KEPT 32
/* What a value written into a statement may hold: numbers, ranges, arrays
 * of numbers, language codes; never a quote or a backslash. */
#define LITERAL_CHARS "0123456789-.,{}abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
#define LITERAL_MAX 64

bool mq_movie_shape_filtered(const struct mq_movie_shape *shape, const char *const *params)
{
	for (int i = 0; i < shape->count; i++)
		if (params[i] != NULL && shape->cond[i] != NULL)
			return true;
	return false;
}

static bool literal(const char *v)
{
	size_t len = strlen(v);

	return len < LITERAL_MAX && strspn(v, LITERAL_CHARS) == len;
}

/* Whether parameter $k of n (params) is written into a kept statement as
 * its value, and how, into *text: the limit and the offset as numbers,
 * a parameter of shape->values as a quoted literal or NULL. */
static bool written(const struct mq_movie_shape *shape, int k, const char *const *params,
		    struct mq_arena *a, const char **text)
{
	const char *v = params[k - 1];

	if (k == shape->limit || k == shape->offset) {
		*text = v;
		return true;
	}
	if (k > shape->nvalues || !shape->values[k - 1])
		return false;
	*text = v == NULL ? "NULL" : mq_arena_printf(a, "'%s'", v);
	return true;
}

/* Whether the page's statement is one to keep: limit a number, offset 0,
 * every filter given one whose value may be written in. */
static bool keepable(const struct mq_movie_shape *shape, int n, const char *const *params)
{
	const char *limit, *offset;

	if (n < shape->limit || n < shape->offset || n > MAX_PARAMS)
		return false;
	limit = params[shape->limit - 1];
	offset = params[shape->offset - 1];
	if (limit == NULL || *limit == '\0' || strlen(limit) > 6 ||
	    strspn(limit, "0123456789") != strlen(limit) || offset == NULL || strcmp(offset, "0") != 0)
		return false;
	for (int i = 0; i < n; i++) {
		bool filter = i < shape->count && shape->cond[i] && params[i];
		bool value = i < shape->nvalues && shape->values[i];

		if ((filter && !value) || (value && params[i] && !literal(params[i])))
			return false;
	}
	return true;
}

const char *mq_movie_shaped_sql(struct mq_arena *a, const struct mq_movie_shape *shape,
				const struct mq_stmt *tmpl, int n, const char *const *params,
				bool write_values, Oid *types)
{
	static const char marker[] = MQ_MOVIE_FILTERS;
	bool *used = mq_arena_alloc(a, (size_t)n + 1);
	struct mq_buf filters, sql, out;
	const char *p, *at;

	memset(used, 0, (size_t)n + 1);
	mq_buf_init(&filters, a, 512);
	mq_buf_puts(&filters, "m.provisional_by IS NULL ");
	for (int i = 0; i < shape->count && i < n; i++)
		if (params[i] && shape->cond[i])
			mq_buf_puts(&filters, shape->cond[i]);
	mq_buf_init(&sql, a, strlen(tmpl->sql) + filters.len);
	for (p = tmpl->sql; (at = strstr(p, marker)) != NULL; p = at + sizeof(marker) - 1) {
		mq_buf_append(&sql, p, (size_t)(at - p));
		mq_buf_append(&sql, filters.data, filters.len);
	}
	mq_buf_puts(&sql, p);
	/* each $k: written as its value, or kept and marked used */
	mq_buf_init(&out, a, sql.len + 256);
	for (p = sql.data; (at = strchr(p, '$')) != NULL;) {
		char *end;
		long k;
		const char *text;

		mq_buf_append(&out, p, (size_t)(at - p));
		if (!isdigit((unsigned char)at[1])) {
			mq_buf_puts(&out, "$");
			p = at + 1;
			continue;
		}
		k = strtol(at + 1, &end, 10);
		p = end;
		if (k < 1 || k > n) {
			mq_buf_append(&out, at, (size_t)(end - at));
		} else if (write_values && written(shape, (int)k, params, a, &text)) {
			mq_buf_puts(&out, text);
		} else {
			mq_buf_append(&out, at, (size_t)(end - at));
			used[k - 1] = true;
		}
	}
	mq_buf_puts(&out, p);
	for (int i = 0; i < n; i++)
		types[i] = used[i] ? 0 : TEXT_OID;
	return out.data;
}

/* The page statements kept prepared, per worker: those of a page whose
 * filters' values are written in (mq_movie_shaped).  Least recently used
 * goes first, dropped from the server's connections.
 *
 * Written in, because a value left a parameter changes the generic plan:
 * with the limit or the offset a parameter, PostgreSQL's preprocess_limit
 * plans for a tenth of the catalog on the page, a plan that costs more
 * than the one made for the values, so the server goes on making a plan
 * for the values at each call (half of its time on the first page:
 * docs/performance.md); and a year range as parameters has the default
 * selectivity of a narrow one, so its generic plan would sort every film
 * of a decade.  With the values in the text, the generic plan is the one
 * made for them, made once.  The language ($17, $18) stays a parameter:
 * it only picks each film's translation. */
struct kept {
	char *sql;		/* malloc'd; NULL: a free slot */
	uint64_t hash;
	uint64_t used;		/* when last used, in calls */
	struct mq_stmt st;
	Oid types[MAX_PARAMS];
};
static struct kept kept[KEPT];
static uint64_t calls;

static struct mq_stmt *kept_stmt(struct mq_ctx *c, const char *sql, const Oid *types,
				 const struct mq_stmt *tmpl)
{
	uint64_t h = mq_fnv1a(MQ_FNV1A_BASIS, sql);
	struct kept *k, *slot = &kept[0];

	calls++;
	for (k = kept; k < kept + KEPT; k++) {
		if (k->sql && k->hash == h && strcmp(k->sql, sql) == 0) {
			k->used = calls;
			return &k->st;
		}
		if (slot->sql && (k->sql == NULL || k->used < slot->used))
			slot = k;
	}
	if (slot->sql) {
		mq_db_forget(c->db, &slot->st);
		free(slot->sql);
	}
	slot->sql = mq_xstrdup(sql);
	slot->hash = h;
	slot->used = calls;
	memcpy(slot->types, types, sizeof(slot->types));
	slot->st = (struct mq_stmt){ .sql = slot->sql, .read_only = true, .replica = tmpl->replica,
				     .types = slot->types };
	return &slot->st;
}

struct mq_stmt *mq_movie_shaped(struct mq_ctx *c, const struct mq_movie_shape *shape,
				const struct mq_stmt *tmpl, bool page, int n, const char *const *params)
{
	struct mq_stmt *st;
	size_t size = (size_t)(n > MAX_PARAMS ? n : MAX_PARAMS) * sizeof(Oid);
	Oid *types = memset(mq_arena_alloc(c->arena, size), 0, size);
	const char *sql;

	if (page && keepable(shape, n, params)) {
		sql = mq_movie_shaped_sql(c->arena, shape, tmpl, n, params, true, types);
		return kept_stmt(c, sql, types, tmpl);
	}
	st = mq_arena_alloc(c->arena, sizeof(*st));
	*st = *tmpl;
	st->sql = mq_movie_shaped_sql(c->arena, shape, tmpl, n, params, false, types);
	st->types = types;
	return st;
}

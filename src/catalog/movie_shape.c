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
#define MAX_PARAMS 24
/* Statements without filters kept per worker: twice the orderings of
 * GET /api/movies/ (two page sizes each); past that, planned each call. */
#define KEPT 26

bool mq_movie_shape_filtered(const struct mq_movie_shape *shape, const char *const *params)
{
	for (int i = 0; i < shape->count; i++)
		if (params[i] != NULL && shape->cond[i] != NULL)
			return true;
	return false;
}

/* sql with its limit parameter written as the number limit (digits only:
 * mq_page_parse's page size plus one). */
static const char *with_limit(struct mq_arena *a, const char *sql, int param, const char *limit)
{
	char name[16];
	size_t len = (size_t)snprintf(name, sizeof(name), "$%d", param);
	struct mq_buf b;
	const char *p, *at;

	mq_buf_init(&b, a, strlen(sql) + 16);
	for (p = sql; (at = strstr(p, name)) != NULL; p = at + len) {
		mq_buf_append(&b, p, (size_t)(at - p));
		mq_buf_puts(&b, isdigit((unsigned char)at[len]) ? name : limit);
	}
	mq_buf_puts(&b, p);
	return b.data;
}

const char *mq_movie_shaped_sql(struct mq_arena *a, const struct mq_movie_shape *shape,
				const struct mq_stmt *tmpl, int n, const char *const *params,
				const char *limit, Oid *types)
{
	static const char marker[] = MQ_MOVIE_FILTERS;
	bool *used = mq_arena_alloc(a, (size_t)n + 1);
	struct mq_buf filters, sql;
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
	if (limit)
		sql.data = (char *)with_limit(a, sql.data, shape->limit, limit);
	for (p = sql.data; (p = strchr(p, '$')) != NULL;) {
		char *end;
		long k = strtol(++p, &end, 10);

		if (end > p && k >= 1 && k <= n)
			used[k - 1] = true;
		p = end;
	}
	for (int i = 0; i < n; i++)
		types[i] = used[i] ? 0 : TEXT_OID;
	return sql.data;
}

/* A page's statement without filters, made and prepared once per worker
 * and page size (the first page of each ordering, /api/movies/recent/,
 * their cursor pages): no filter's value can change its best plan, so a
 * named statement spares the planning, which cost more than running it
 * (docs/performance.md).  Its limit is written in: with a parameter
 * there, the generic plan expects a tenth of the catalog on the page and
 * joins it by a scan of every movie.  Filtered pages are planned for
 * their values on every call. */
struct unfiltered {
	const struct mq_stmt *tmpl;
	char limit[8];
	struct mq_stmt st;
	Oid types[MAX_PARAMS];
};
static struct unfiltered unfiltered[KEPT];

/* The statement, or NULL when there are as many as are kept. */
static struct mq_stmt *unfiltered_stmt(const struct mq_movie_shape *shape,
				       const struct mq_stmt *tmpl, int n, const char *const *params)
{
	const char *limit = params[shape->limit - 1];
	struct unfiltered *u;
	struct mq_arena *a;
	size_t i;

	for (i = 0; i < MQ_ARRAY_LEN(unfiltered) && unfiltered[i].tmpl; i++)
		if (unfiltered[i].tmpl == tmpl && strcmp(unfiltered[i].limit, limit) == 0)
			return &unfiltered[i].st;
	if (i == MQ_ARRAY_LEN(unfiltered) || n > (int)MQ_ARRAY_LEN(unfiltered[i].types) ||
	    strlen(limit) >= sizeof(unfiltered[i].limit) || strspn(limit, "0123456789") != strlen(limit))
		return NULL;
	u = &unfiltered[i];
	a = mq_arena_new(0);
	u->st = (struct mq_stmt){ .read_only = true, .replica = tmpl->replica, .types = u->types };
	u->st.sql = mq_xstrdup(mq_movie_shaped_sql(a, shape, tmpl, n, params, limit, u->types));
	mq_arena_destroy(a);
	mq_strlcpy(u->limit, limit, sizeof(u->limit));
	u->tmpl = tmpl;
	return &u->st;
}

struct mq_stmt *mq_movie_shaped(struct mq_arena *a, const struct mq_movie_shape *shape,
				const struct mq_stmt *tmpl, bool page, int n, const char *const *params)
{
	struct mq_stmt *st;
	struct mq_stmt *plain;
	Oid *types;

	if (page && n >= shape->limit && !mq_movie_shape_filtered(shape, params) &&
	    params[shape->limit - 1] && (plain = unfiltered_stmt(shape, tmpl, n, params)) != NULL)
		return plain;
	st = mq_arena_alloc(a, sizeof(*st));
	types = mq_arena_alloc(a, (size_t)n * sizeof(*types));
	*st = *tmpl;
	st->sql = mq_movie_shaped_sql(a, shape, tmpl, n, params, NULL, types);
	st->types = types;
	return st;
}

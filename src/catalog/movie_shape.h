/*
 * movie_shape.h: a movie list's statements made of the filters given.
 *
 * A list's statement (its page, the page after a cursor, its capped
 * count, the planner's estimate) is written once with MQ_MOVIE_FILTERS
 * where its WHERE conditions go, and each filter's condition is kept in a
 * table by parameter.  Written into every statement as "($n IS NULL OR
 * ...)", the server parsed and analysed all of them, with their
 * subqueries, on every call before folding away those whose parameter was
 * NULL: two thirds of the first page's time in PostgreSQL
 * (docs/performance.md).  So a statement gets the conditions of the
 * filters given, and only those; each condition keeps that text, so the
 * plan is the one the folded statement had.
 */
#ifndef MQ_MOVIE_SHAPE_H
#define MQ_MOVIE_SHAPE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "db/db.h"

/* Where a statement's filters go: "m.provisional_by IS NULL" (a
 * provisional movie, sql/0010_hardening.sql, is in no list), then the
 * condition of each filter given. */
#define MQ_MOVIE_FILTERS "@FILTERS@"

/* The filters of a family of list statements: cond[i], the condition of
 * parameter $i+1 ("AND (...) "), or NULL for a parameter that is no
 * filter; limit and offset, the numbers of the page's limit and offset
 * parameters; values[i] (of nvalues), whether parameter $i+1 has few
 * values and the best plan may depend on them (years, genres, a
 * language, ratings and runtimes; not a title searched for): a page
 * whose filters are all such is kept prepared with them written in. */
struct mq_movie_shape {
	const char *const *cond;
	int count;
	int limit;
	int offset;
	const bool *values;
	int nvalues;
};

/* Whether any filter of shape is given in params. */
bool mq_movie_shape_filtered(const struct mq_movie_shape *shape, const char *const *params);

/* The text of statement tmpl with its MQ_MOVIE_FILTERS made of the
 * filters given in params, in arena a, and with write_values the limit,
 * the offset and the parameters of shape->values written as their
 * values; and the types of its n parameters into types: a parameter the
 * text no longer uses (a filter not given, a value written in) is sent
 * as text, so that the server need not infer its type. */
const char *mq_movie_shaped_sql(struct mq_arena *a, const struct mq_movie_shape *shape,
				const struct mq_stmt *tmpl, int n, const char *const *params,
				bool write_values, Oid *types);

/* Statement tmpl shaped for the n params given, in c's arena.  A page
 * (page) at offset 0 whose filters all have few values is the statement
 * with their values written in, prepared once per worker and kept (the
 * most recently used 32): no planning on the server, which for a list
 * cost more than running it, and the plan is the one made for these
 * values.  Any other (a title searched for, a deeper page by number) is
 * made for this call and planned for its values (tmpl's flags). */
struct mq_stmt *mq_movie_shaped(struct mq_ctx *c, const struct mq_movie_shape *shape,
				const struct mq_stmt *tmpl, bool page, int n, const char *const *params);

#endif

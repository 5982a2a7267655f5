/*
 * copy.h: feeding rows to PostgreSQL with COPY ... FROM STDIN, the fast
 * way in for bulk loads (tens of thousands of rows a second, where one
 * INSERT per row manages a few thousand).
 *
 *     struct mq_copy c;
 *     if (mq_copy_begin(&c, conn, "COPY t (a, b) FROM STDIN") < 0) ...
 *     mq_copy_int(&c, 42); mq_copy_text(&c, "hello"); mq_copy_row_end(&c);
 *     ...
 *     if (mq_copy_end(&c) < 0) ...   // the server's error in c.error
 *
 * Values are escaped for COPY's text format here, so any string is safe.
 */
#ifndef MQ_COPY_H
#define MQ_COPY_H

#include <libpq-fe.h>

#include "core/common.h"

struct mq_copy {
	PGconn *conn;
	char *buf;
	size_t len, cap;
	bool first_in_row;
	bool failed;
	char error[256];
};

/* Starts COPY (sql is a constant COPY ... FROM STDIN).  Returns 0 or -1. */
int mq_copy_begin(struct mq_copy *c, PGconn *conn, const char *sql);

void mq_copy_text(struct mq_copy *c, const char *s);	/* NULL: SQL NULL */
void mq_copy_int(struct mq_copy *c, int64_t v);
void mq_copy_null(struct mq_copy *c);
void mq_copy_row_end(struct mq_copy *c);

/* Sends the rest and finishes.  Returns 0, or -1 with c->error set. */
int mq_copy_end(struct mq_copy *c);

/* The other way, COPY ... TO STDOUT in text format:
 *
 *     if (mq_copy_out_begin(&c, conn, "COPY (SELECT ...) TO STDOUT") < 0) ...
 *     while ((n = mq_copy_out_row(&c, fields, MAX)) > 0) ...   // fields[0..n)
 *     if (n < 0) ...   // the server's error in c.error
 *
 * A row's fields are cut in place at the tabs and live until the next
 * row; SQL NULL is NULL.  Values are not unescaped: read only columns
 * whose text has no backslash, tab or newline (numbers, booleans, arrays
 * of numbers, codes). */
int mq_copy_out_begin(struct mq_copy *c, PGconn *conn, const char *sql);

/* The next row's fields (at most max).  Returns their number, 0 at the
 * end (the COPY finished well), or -1 with c->error set. */
int mq_copy_out_row(struct mq_copy *c, char **fields, int max);

#endif

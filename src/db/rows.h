/*
 * rows.h: PostgreSQL result rows as JSON objects.
 *
 * Each column becomes a member named after the column (use AS in the SQL
 * to choose the name), typed by the column's type: integers as integers,
 * booleans as booleans, floats and numerics as numbers, json and jsonb
 * parsed, everything else as a string; SQL NULL as null.  So the SQL says
 * what a resource looks like, and the C code does not repeat it.
 */
#ifndef MQ_ROWS_H
#define MQ_ROWS_H

#include <json-c/json.h>
#include <libpq-fe.h>

#include "core/arena.h"

/* A new object for row; the caller owns the reference (add it to a parent,
 * or hand it to the arena with mq_rows_own). */
struct json_object *mq_row_object(PGresult *res, int row);

/* The same, of columns from..to-1 only: a row that joins two things
 * whose columns share names (both have an id) becomes two objects. */
struct json_object *mq_row_columns(PGresult *res, int row, int from, int to);

/* An array of every row, owned by the arena. */
struct json_object *mq_rows_array(struct mq_arena *a, PGresult *res);

/* The one row of res as an object owned by the arena; NULL when res has no
 * rows. */
struct json_object *mq_row_owned(struct mq_arena *a, PGresult *res);

/* The same with the columns from the one numbered from on. */
struct json_object *mq_row_owned_from(struct mq_arena *a, PGresult *res, int from);

/* Column col of row as an int64 (0 when NULL). */
int64_t mq_row_int(PGresult *res, int row, int col);

#endif

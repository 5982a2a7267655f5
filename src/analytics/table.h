/*
 * table.h: a result as text: RFC 4180 CSV (the reports' format=csv) or
 * a table for a terminal (`marquee analytics report`).
 */
#ifndef MQ_ANALYTICS_TABLE_H
#define MQ_ANALYTICS_TABLE_H

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/common.h"

/* res as CSV (RFC 4180): a header of the column names, then a record per
 * row, CRLF after each; a field with a comma, a double quote, a CR or a
 * LF is quoted, its quotes doubled; SQL NULL is an empty field.  In a's
 * memory; *len its length. */
const char *mq_table_csv(struct mq_arena *a, PGresult *res, size_t *len);

/* Prints res to out as aligned columns under their names, numbers to the
 * right, "(none)" when it has no rows. */
void mq_table_print(FILE *out, PGresult *res);

#endif

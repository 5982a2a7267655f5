/*
 * table.c: CSV and terminal tables of results.
 */
#include "analytics/table.h"

#include "core/buf.h"
#include "core/utf8.h"

static void csv_field(struct mq_buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		mq_buf_puts(b, s);
		return;
	}
	mq_buf_puts(b, "\"");
	for (const char *q; (q = strchr(s, '"')); s = q + 1) {
		mq_buf_append(b, s, (size_t)(q - s));
		mq_buf_puts(b, "\"\"");
	}
	mq_buf_puts(b, s);
	mq_buf_puts(b, "\"");
}

const char *mq_table_csv(struct mq_arena *a, PGresult *res, size_t *len)
{
	int cols = PQnfields(res), rows = PQntuples(res);
	struct mq_buf b;

	mq_buf_init(&b, a, 256);
	for (int j = 0; j < cols; j++) {
		if (j)
			mq_buf_puts(&b, ",");
		csv_field(&b, PQfname(res, j));
	}
	mq_buf_puts(&b, "\r\n");
	for (int i = 0; i < rows; i++) {
		for (int j = 0; j < cols; j++) {
			if (j)
				mq_buf_puts(&b, ",");
			csv_field(&b, PQgetvalue(res, i, j));
		}
		mq_buf_puts(&b, "\r\n");
	}
	*len = b.len;
	return b.data;
}

/* Integer and floating-point types (pg_type oids): right-aligned. */
static bool numeric_column(PGresult *res, int col)
{
	switch (PQftype(res, col)) {
	case 20: case 21: case 23: case 700: case 701: case 1700:
		return true;
	default:
		return false;
	}
}

/* The width of s on a terminal: its characters, a line break shown as
 * a space. */
static int width(const char *s)
{
	return (int)mq_utf8_length(s);
}

static void cell(FILE *out, const char *s, int w, bool right)
{
	int pad = w - width(s);

	if (right)
		fprintf(out, "%*s", pad > 0 ? pad : 0, "");
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
	if (!right)
		fprintf(out, "%*s", pad > 0 ? pad : 0, "");
}

void mq_table_print(FILE *out, PGresult *res)
{
	int cols = PQnfields(res), rows = PQntuples(res);
	int *w = mq_xcalloc((size_t)cols + 1, sizeof(*w));

	for (int j = 0; j < cols; j++) {
		w[j] = width(PQfname(res, j));
		for (int i = 0; i < rows; i++)
			if (width(PQgetvalue(res, i, j)) > w[j])
				w[j] = width(PQgetvalue(res, i, j));
	}
	for (int j = 0; j < cols; j++) {
		cell(out, PQfname(res, j), w[j], numeric_column(res, j));
		fputs(j + 1 < cols ? "  " : "\n", out);
	}
	for (int i = 0; i < rows; i++)
		for (int j = 0; j < cols; j++) {
			cell(out, PQgetvalue(res, i, j), w[j], numeric_column(res, j));
			fputs(j + 1 < cols ? "  " : "\n", out);
		}
	if (rows == 0)
		fputs("(none)\n", out);
	free(w);
}

/*
 * copy.c: COPY FROM STDIN in text format (see copy.h).
 */
#include "cli/copy.h"

#include <inttypes.h>

#define FLUSH_AT (256 * 1024)

static void set_error(struct mq_copy *c, const char *what)
{
	if (!c->failed)
		snprintf(c->error, sizeof(c->error), "%s: %s", what, PQerrorMessage(c->conn));
	c->failed = true;
}

int mq_copy_begin(struct mq_copy *c, PGconn *conn, const char *sql)
{
	PGresult *res;

	*c = (struct mq_copy){ .conn = conn, .first_in_row = true };
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		set_error(c, "COPY");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	c->cap = FLUSH_AT + 4096;
	c->buf = mq_xmalloc(c->cap);
	return 0;
}

static void flush(struct mq_copy *c)
{
	if (c->len > 0 && !c->failed && PQputCopyData(c->conn, c->buf, (int)c->len) != 1)
		set_error(c, "COPY data");
	c->len = 0;
}

static void put(struct mq_copy *c, const char *s, size_t n)
{
	if (c->len + n > c->cap) {
		c->cap = (c->len + n) * 2;
		c->buf = mq_xrealloc(c->buf, c->cap);
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static void separate(struct mq_copy *c)
{
	if (!c->first_in_row)
		put(c, "\t", 1);
	c->first_in_row = false;
}

void mq_copy_text(struct mq_copy *c, const char *s)
{
	separate(c);
	if (s == NULL) {
		put(c, "\\N", 2);
		return;
	}
	while (*s) {
		size_t plain = strcspn(s, "\\\t\n\r");

		put(c, s, plain);
		s += plain;
		switch (*s) {
		case '\\': put(c, "\\\\", 2); break;
		case '\t': put(c, "\\t", 2); break;
		case '\n': put(c, "\\n", 2); break;
		case '\r': put(c, "\\r", 2); break;
		default: continue;	/* the end */
		}
		s++;
	}
}

void mq_copy_int(struct mq_copy *c, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	separate(c);
	put(c, tmp, (size_t)n);
}

void mq_copy_null(struct mq_copy *c)
{
	mq_copy_text(c, NULL);
}

void mq_copy_row_end(struct mq_copy *c)
{
	put(c, "\n", 1);
	c->first_in_row = true;
	if (c->len >= FLUSH_AT)
		flush(c);
}

int mq_copy_end(struct mq_copy *c)
{
	PGresult *res;

	flush(c);
	if (PQputCopyEnd(c->conn, c->failed ? "client error" : NULL) != 1)
		set_error(c, "COPY end");
	while ((res = PQgetResult(c->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			set_error(c, "COPY");
		PQclear(res);
	}
	free(c->buf);
	c->buf = NULL;
	return c->failed ? -1 : 0;
}

int mq_copy_out_begin(struct mq_copy *c, PGconn *conn, const char *sql)
{
	PGresult *res;

	*c = (struct mq_copy){ .conn = conn };
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		set_error(c, "COPY");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int mq_copy_out_row(struct mq_copy *c, char **fields, int max)
{
	PGresult *res;
	char *line;
	int len, n = 0;

	if (c->buf) {
		PQfreemem(c->buf);
		c->buf = NULL;
	}
	len = PQgetCopyData(c->conn, &line, 0);
	if (len == -1) {	/* the end: the COPY's own result says how it went */
		while ((res = PQgetResult(c->conn)) != NULL) {
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				set_error(c, "COPY");
			PQclear(res);
		}
		return c->failed ? -1 : 0;
	}
	if (len < 0) {
		set_error(c, "COPY data");
		while ((res = PQgetResult(c->conn)) != NULL)
			PQclear(res);
		return -1;
	}
	c->buf = line;
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	for (char *p = line; p && n < max; n++) {
		char *tab = strchr(p, '\t');

		if (tab)
			*tab = '\0';
		fields[n] = strcmp(p, "\\N") == 0 ? NULL : p;
		p = tab ? tab + 1 : NULL;
	}
	return n;
}

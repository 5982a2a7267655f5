/*
 * csv.c: an RFC 4180 reader (see csv.h), a character at a time: simple,
 * and at a few hundred megabytes a second far from the bottleneck of an
 * import, which is the database.
 */
#include "core/csv.h"

void mq_csv_open(struct mq_csv *c, FILE *in)
{
	*c = (struct mq_csv){ .in = in, .next_line = 1 };
	/* a UTF-8 byte order mark, as some editors write, is not data */
	if (getc(in) == 0xef && getc(in) == 0xbb && getc(in) == 0xbf)
		c->bytes = 3;
	else
		rewind(in);
}

static void put(struct mq_csv *c, size_t *len, char ch)
{
	if (*len + 1 >= c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->buf = mq_xrealloc(c->buf, c->cap);
	}
	c->buf[(*len)++] = ch;
}

static int get(struct mq_csv *c)
{
	int ch = getc(c->in);

	if (ch != EOF)
		c->bytes++;
	if (ch == '\n')
		c->next_line++;
	return ch;
}

int mq_csv_next(struct mq_csv *c)
{
	size_t len = 0, starts[MQ_CSV_MAX_FIELDS];
	bool quoted = false, was_quoted = false;
	int ch;

	c->line = c->next_line;
	c->nfields = 0;
	if ((ch = get(c)) == EOF)
		return 0;
	starts[c->nfields++] = 0;
	for (;; ch = get(c)) {
		if (quoted) {
			if (ch == EOF)
				return -1;
			if (ch == '"') {
				ch = get(c);
				if (ch != '"') {
					quoted = false;
					ungetc(ch, c->in);
					c->bytes -= ch != EOF;
					c->next_line -= ch == '\n';
					continue;
				}
			}
			put(c, &len, (char)ch);
			continue;
		}
		if (ch == '"') {
			if (was_quoted || len != starts[c->nfields - 1])
				return -1;	/* a quote inside an unquoted field */
			quoted = was_quoted = true;
		} else if (ch == ',') {
			if (c->nfields == MQ_CSV_MAX_FIELDS)
				return -1;
			put(c, &len, '\0');
			starts[c->nfields++] = len;
			was_quoted = false;
		} else if (ch == '\n' || ch == EOF) {
			break;
		} else if (ch == '\r') {
			continue;	/* CRLF; a lone CR in an unquoted field is dropped */
		} else {
			if (was_quoted)
				return -1;	/* text after a closing quote */
			put(c, &len, (char)ch);
		}
	}
	put(c, &len, '\0');
	for (int i = 0; i < c->nfields; i++)
		c->fields[i] = c->buf + starts[i];
	return 1;
}

void mq_csv_close(struct mq_csv *c)
{
	free(c->buf);
	c->buf = NULL;
}

bool mq_csv_formula(const char *cell)
{
	cell += strspn(cell, "'");
	return *cell != '\0' && strchr("=+-@\t\r", *cell) != NULL;
}

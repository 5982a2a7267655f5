/*
 * csv.h: reading RFC 4180 CSV (MovieLens's files; Letterboxd's and IMDb's
 * exports): fields separated by commas, optionally in double quotes, ""
 * for a quote inside them, quoted fields may hold commas and line breaks;
 * LF or CRLF line ends.
 */
#ifndef MQ_CSV_H
#define MQ_CSV_H

#include "core/common.h"

#define MQ_CSV_MAX_FIELDS 24

struct mq_csv {
	FILE *in;
	char *buf;		/* the current record, fields NUL-separated */
	size_t cap;
	char *fields[MQ_CSV_MAX_FIELDS];
	int nfields;
	uint64_t line;		/* of the record's first line, for messages */
	uint64_t bytes;		/* read so far, for progress */
	uint64_t next_line;
};

/* Starts reading in (skipping a UTF-8 byte order mark). */
void mq_csv_open(struct mq_csv *c, FILE *in);

/* Reads the next record.  Returns 1, 0 at the end, or -1 for a malformed
 * record (an unterminated quote, a quote inside an unquoted field, more
 * than MQ_CSV_MAX_FIELDS fields). */
int mq_csv_next(struct mq_csv *c);

void mq_csv_close(struct mq_csv *c);

/* Whether a spreadsheet would take cell for a formula, or it is one
 * defused: quotes (') and then =, +, -, @, a tab or a carriage return.
 * A writer puts a ' before such a cell and a reader takes one away, so
 * that every text reads back as written (OWASP's CSV injection). */
bool mq_csv_formula(const char *cell);

#endif

/*
 * fuzz_csv.c: MovieLens's files as `marquee import movielens` reads them:
 * the CSV reader (core/csv.c), titles, genres and ids (cli/movielens.c),
 * and each file's rows turned into COPY text (cli/import_movielens.c).
 *
 * Input: a first byte choosing the file (movies.csv, links.csv,
 * ratings.csv, tags.csv), then its contents.  What must hold: a record
 * written out again as CSV reads back the same; a row becomes exactly
 * its columns of COPY text, nothing unescaped that would start another
 * column or row; a title is cut to 300 characters, never inside one.
 */
#include "harness.h"

/* The importer's row functions are static: this target is compiled with
 * them (and with stand-ins for the command-line plumbing they never
 * reach here). */
#define put csv_put
#include "core/csv.c"
#undef put
#include "cli/bulk_indexes.c"
#include "cli/copy.c"
#include "cli/import_movielens.c"
#include "cli/movielens.c"
#include "core/utf8.h"

void mq_cli_error(const char *cmd, const char *fmt, ...)
{
	(void)cmd, (void)fmt;
}

bool mq_cli_exec(const char *cmd, PGconn *conn, const char *sql)
{
	(void)cmd, (void)conn, (void)sql;
	abort();
}

struct mq_ctx *mq_cli_ctx_new(const struct mq_config *cfg, const char *app, bool tmdb)
{
	(void)cfg, (void)app, (void)tmdb;
	abort();
}

void mq_cli_ctx_free(struct mq_ctx *c)
{
	(void)c;
	abort();
}

void mq_cli_catalog_changed(struct mq_config *cfg, PGconn *conn, const char *cmd)
{
	(void)cfg, (void)conn, (void)cmd;
	abort();
}

void mq_progress_start(struct mq_progress *p, const char *label, uint64_t total)
{
	(void)p, (void)label, (void)total;
}

void mq_progress_set(struct mq_progress *p, uint64_t done)
{
	(void)p, (void)done;
}

void mq_progress_end(struct mq_progress *p)
{
	(void)p;
}

static const struct {
	const struct source *src;
	int columns;	/* of its COPY (0: kept in memory, links.csv) */
} files[] = {
	{ &movies_csv, 10 }, { &links_csv, 0 }, { &ratings_csv, 4 }, { &tags_csv, 4 },
};

/* A record written as CSV, every field quoted, reads back the same. */
static void round_trip(struct mq_arena *a, const struct mq_csv *csv)
{
	char *text = mq_arena_strdup(a, "");
	struct mq_csv again;
	FILE *f;

	for (int i = 0; i < csv->nfields; i++) {
		char *q = mq_arena_strdup(a, "\"");

		for (const char *p = csv->fields[i]; *p; p++)
			q = mq_arena_printf(a, "%s%s", q, *p == '"' ? "\"\"" : (char[]){ *p, 0 });
		text = mq_arena_printf(a, "%s%s%s\"", text, i ? "," : "", q);
	}
	text = mq_arena_printf(a, "%s\n", text);
	f = fmemopen(text, strlen(text), "r");
	FZ_CHECK(f != NULL);
	mq_csv_open(&again, f);
	FZ_CHECK(mq_csv_next(&again) == 1 && again.nfields == csv->nfields);
	for (int i = 0; i < csv->nfields; i++)
		FZ_CHECK(strcmp(again.fields[i], csv->fields[i]) == 0);
	FZ_CHECK(mq_csv_next(&again) == 0);
	mq_csv_close(&again);
	fclose(f);
}

/* The COPY text of one row: columns - 1 tabs, one newline, at the end. */
static void check_copy_row(const struct mq_copy *c, size_t from, int columns)
{
	int tabs = 0;

	FZ_CHECK(c->len > from && c->buf[c->len - 1] == '\n');
	for (size_t i = from; i < c->len - 1; i++) {
		FZ_CHECK(c->buf[i] != '\n' && c->buf[i] != '\r' && c->buf[i] != '\0');
		tabs += c->buf[i] == '\t';
	}
	FZ_CHECK(tabs == columns - 1);
}

static void check_title(const char *raw)
{
	struct mq_ml_title t;
	int rc = mq_ml_title(raw, &t);

	FZ_CHECK((rc == 0) == (t.title[0] != '\0'));
	FZ_CHECK(mq_utf8_length(t.title) <= MQ_ML_TITLE_MAX);
	FZ_CHECK(mq_utf8_length(t.original_title) <= MQ_ML_TITLE_MAX);
	FZ_CHECK(t.year == 0 || (t.year >= 1870 && t.year <= 2100));
	if (fz_utf8_ok(raw, strlen(raw))) {
		FZ_CHECK(fz_utf8_ok(t.title, strlen(t.title)));
		FZ_CHECK(fz_utf8_ok(t.original_title, strlen(t.original_title)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a;
	struct mq_csv csv;
	struct mq_copy c;
	uint64_t prev_line = 0;
	int file, rc;
	FILE *f;

	if (size < 2)
		return 0;
	a = mq_arena_new(0);
	file = data[0] % (int)MQ_ARRAY_LEN(files);
	f = fmemopen(mq_arena_strndup(a, (const char *)data + 1, size - 1), size - 1, "r");
	FZ_CHECK(f != NULL);
	/* what mq_copy_begin() would make, without a server to send to:
	 * rows under FLUSH_AT are never sent */
	c = (struct mq_copy){ .first_in_row = true, .cap = FLUSH_AT + 4096 };
	c.buf = mq_xmalloc(c.cap);
	mq_csv_open(&csv, f);
	/* the header, as open_csv() checks it */
	rc = mq_csv_next(&csv);
	if (rc != 1 || strcmp(csv.fields[0], files[file].src->header) != 0)
		goto out;
	while ((rc = mq_csv_next(&csv)) == 1) {
		size_t from = c.len;

		FZ_CHECK(csv.nfields >= 1 && csv.nfields <= MQ_CSV_MAX_FIELDS);
		FZ_CHECK(csv.line > prev_line && csv.bytes <= size - 1);
		prev_line = csv.line;
		round_trip(a, &csv);
		if (csv.nfields >= 2)
			check_title(csv.fields[1]);
		if (csv.nfields == 1 && csv.fields[0][0] == '\0')
			continue;
		if (!files[file].src->copy) {
			size_t had = links.n;

			if (!files[file].src->keep(&csv)) {
				FZ_CHECK(links.n == had);	/* nothing of it was kept */
				break;
			}
			FZ_CHECK(links.n == had + 1 && links.v[had].id > 0 && links.v[had].tmdb >= 0);
			FZ_CHECK(links.v[had].imdb[0] == '\0' || strncmp(links.v[had].imdb, "tt", 2) == 0);
			continue;
		}
		if (!files[file].src->row(&c, &csv)) {
			FZ_CHECK(c.len == from && c.first_in_row);	/* nothing of it was written */
			break;	/* the import stops at the first bad row */
		}
		check_copy_row(&c, from, files[file].columns);
		FZ_CHECK(c.len < FLUSH_AT);
	}
out:
	/* the links read are joined to the films (none here: a file at a time) */
	if (files[file].src->done)
		(void)files[file].src->done();
	staged_free();
	free(c.buf);
	mq_csv_close(&csv);
	fclose(f);
	mq_arena_destroy(a);
	return 0;
}

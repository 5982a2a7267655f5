/*
 * fuzz_portability.c: an upload to POST /api/users/me/import/ as the
 * import job reads it (portability/formats.c, through the zip reader of
 * portability/archive.c and the CSV reader of core/csv.c), and CSV cells
 * as the export writes them (mq_csv_cell) read back by the import.
 *
 * Input: a first byte; even: the rest is the upload.  What must hold:
 * every row kept names a movie (a TMDb id, an IMDb id of tt and 7 to 10
 * digits, or a title), of valid UTF-8, with a known kind, half stars 0
 * to 10 (a rating has some), dates as RFC 3339 UTC ("YYYY-MM-DDTHH:MM:SSZ"),
 * a year 0 or 1870-2100; at most MQ_IMPORT_INVALID_SHOWN invalid rows
 * shown, of as many counted or more; never more rows than rows_max.
 * Odd: the rest is a cell: written by mq_csv_cell as a review's text in
 * a Letterboxd import CSV and read back, it is the same text.  A first
 * byte of 2 mod 4: the rest is a multipart/form-data body (a browser's
 * form, http/multipart.c); the part "file" found lies inside the body and
 * holds no delimiter.
 */
#include "harness.h"

#include <json-c/json.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/utf8.h"
#include "http/multipart.h"
#include "portability/export.h"
#include "portability/formats.h"

static bool text_ok(const char *s)
{
	return s == NULL || fz_utf8_ok(s, strlen(s));
}

static bool when_ok(const char *s)
{
	return s == NULL || (strlen(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
			     s[13] == ':' && s[16] == ':' && s[19] == 'Z');
}

static void check_import(struct mq_ctx *c, const uint8_t *data, size_t size)
{
	struct mq_import im;
	enum mq_status st = mq_import_parse(c, data, size, &im);

	if (st != MQ_OK) {
		FZ_CHECK(st == MQ_INVALID || st == MQ_UNSUPPORTED || st == MQ_TOO_LARGE ||
			 st == MQ_INTERNAL);
		FZ_CHECK(c->err.detail != NULL);
		return;
	}
	FZ_CHECK(im.format != NULL);
	FZ_CHECK(im.n <= im.rows_max);
	FZ_CHECK((int)json_object_array_length(im.invalid) <= MQ_IMPORT_INVALID_SHOWN);
	FZ_CHECK((int)json_object_array_length(im.invalid) <= im.invalid_count);
	for (int i = 0; i < im.n; i++) {
		const struct mq_import_item *it = &im.items[i];

		FZ_CHECK(it->kind >= MQ_ITEM_RATING && it->kind <= MQ_ITEM_LIST_ITEM);
		FZ_CHECK(it->tmdb_id > 0 || it->imdb_id || it->title);
		FZ_CHECK(it->tmdb_id >= 0 && it->tmdb_id <= INT32_MAX);
		FZ_CHECK(it->imdb_id == NULL || (strncmp(it->imdb_id, "tt", 2) == 0 &&
						 strlen(it->imdb_id) >= 9 && strlen(it->imdb_id) <= 12));
		FZ_CHECK(it->half_stars >= 0 && it->half_stars <= 10);
		FZ_CHECK(it->kind != MQ_ITEM_RATING || it->half_stars > 0);
		FZ_CHECK(it->year == 0 || (it->year >= 1870 && it->year <= 2100));
		FZ_CHECK(when_ok(it->at));
		FZ_CHECK(text_ok(it->title) && text_ok(it->body) && text_ok(it->heading) &&
			 text_ok(it->list) && text_ok(it->list_description) && text_ok(it->source));
		FZ_CHECK(it->kind != MQ_ITEM_LIST_ITEM || (it->list && it->list[0]));
		FZ_CHECK(it->kind != MQ_ITEM_REVIEW || (it->body && it->body[0]));
	}
}

static void check_cell(struct mq_ctx *c, const uint8_t *data, size_t size)
{
	char *cell = fz_cstr(c->arena, data, size);
	struct mq_import im;
	struct mq_buf b;

	if (cell[0] == '\0' || strlen(cell) != size || !fz_utf8_ok(cell, size) ||
	    mq_utf8_length(cell) > 10000)
		return;
	mq_buf_init(&b, c->arena, 256);
	mq_buf_puts(&b, "Title,Year,Review\nHeat,1995,");
	mq_csv_cell(&b, cell);
	mq_buf_puts(&b, "\r\n");
	FZ_CHECK(mq_import_parse(c, b.data, b.len, &im) == MQ_OK);
	FZ_CHECK(im.n == 1 && im.items[0].kind == MQ_ITEM_REVIEW);
	FZ_CHECK(strcmp(im.items[0].body, cell) == 0);
	/* what a spreadsheet would see first is no formula's start */
	const char *w = b.data + strlen("Title,Year,Review\nHeat,1995,");
	w += *w == '"';
	FZ_CHECK(*w == '\0' || strchr("=+-@\t\r", *w) == NULL);
}

static void check_multipart(const uint8_t *data, size_t size)
{
	static const char ct[] = "multipart/form-data; boundary=XyZ";
	const char *body = (const char *)data, *part;
	size_t n;

	if (mq_multipart_part(ct, body, size, "file", &part, &n) != 0)
		return;
	FZ_CHECK(part >= body && part + n <= body + size);
	FZ_CHECK(memmem(part, n, "\r\n--XyZ", 7) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_ctx c = { .cfg = fz_config(), .arena = a };

	if (size >= 1) {
		if (data[0] & 1)
			check_cell(&c, data + 1, size - 1);
		else if (data[0] & 2)
			check_multipart(data + 1, size - 1);
		else
			check_import(&c, data + 1, size - 1);
	}
	mq_arena_destroy(a);
	return 0;
}

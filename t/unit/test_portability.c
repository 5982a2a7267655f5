/*
 * test_portability.c: the parsers of data portability (src/portability/):
 * each format's rows and conversions, dates, the zip reader's bounds and
 * names (zips made by the writer), and CSV cells defused and read back.
 */
#include "core/common.h"

#include <stdarg.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "portability/archive.h"
#include "portability/export.h"
#include "portability/formats.h"
#include "unit.h"

static struct mq_config cfg = { .port_entries_max = 10, .port_unpacked_max = 64 * 1024,
				.port_rows_max = 100 };
static struct mq_ctx ctx;

static void setup(void)
{
	ctx = (struct mq_ctx){ .cfg = &cfg, .arena = mq_arena_new(0) };
}

static void teardown(void)
{
	mq_arena_destroy(ctx.arena);
}

static enum mq_status parse(const char *text, struct mq_import *im)
{
	return mq_import_parse(&ctx, text, strlen(text), im);
}

/* A zip of the n (name, data) pairs, made by mq_zip_write, read back. */
static const char *zip_of(size_t *len, int n, ...)
{
	char path[] = "/tmp/test_portability-XXXXXX";
	struct mq_zip_entry e[16];
	const char *err;
	va_list ap;
	int fd = mkstemp(path);
	FILE *f;
	char *buf;

	ck_assert_int_ge(fd, 0);
	close(fd);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		e[i].name = va_arg(ap, const char *);
		e[i].data = va_arg(ap, const char *);
		e[i].len = strlen(e[i].data);
	}
	va_end(ap);
	ck_assert_int_eq(mq_zip_write(path, e, n, &err), 0);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	buf = mq_arena_alloc(ctx.arena, 1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	unlink(path);
	return buf;
}

START_TEST(imdb_ratings_halved)
{
	struct mq_import im;

	ck_assert_int_eq(parse("Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,"
			       "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
			       "tt0113277,7,2021-05-01,Heat,u,Movie,8.3,170,1995,\"Crime, Drama\",1,,M\n"
			       "tt0078748,1,2021-05-02,Alien,u,movie,8.5,117,1979,Horror,1,,R\n"
			       "tt0903747,9,2021-05-03,Breaking Bad,u,TV Series,9.5,49,2008,Drama,1,,\n"
			       "tt0078749,11,2021-05-03,Eleven,u,Movie,1,1,2000,,1,,\n"
			       "tt0078740,7,2021-13-03,Bad date,u,Movie,1,1,2000,,1,,\n", &im), MQ_OK);
	ck_assert_str_eq(im.format, "imdb");
	ck_assert_int_eq(im.n, 2);
	ck_assert_int_eq(im.items[0].half_stars, 7);	/* 3.5 stars */
	ck_assert_int_eq(im.items[1].half_stars, 1);	/* 0.5 */
	ck_assert_str_eq(im.items[0].imdb_id, "tt0113277");
	ck_assert_str_eq(im.items[0].at, "2021-05-01T00:00:00Z");
	ck_assert_int_eq(im.items[0].year, 1995);
	ck_assert_int_eq(im.skipped_count, 1);
	ck_assert_int_eq(im.invalid_count, 2);
}
END_TEST

START_TEST(letterboxd_stars)
{
	static const struct {
		const char *rating;
		int half;	/* -1: refused */
	} cases[] = { { "0.5", 1 }, { "1", 2 }, { "4.5", 9 }, { "5", 10 }, { "5.0", 10 }, { "0", -1 },
		      { "5.5", -1 }, { "4.25", -1 }, { "x", -1 }, { "10", -1 }, { "-1", -1 } };

	for (size_t i = 0; i < MQ_ARRAY_LEN(cases); i++) {
		struct mq_import im;
		const char *csv = mq_arena_printf(ctx.arena, "Title,Year,Rating\nHeat,1995,%s\n",
						  cases[i].rating);

		ck_assert_int_eq(parse(csv, &im), MQ_OK);
		if (cases[i].half < 0) {
			ck_assert_msg(im.invalid_count == 1, "%s should be refused", cases[i].rating);
		} else {
			ck_assert_int_eq(im.n, 1);
			ck_assert_int_eq(im.items[0].kind, MQ_ITEM_RATING);
			ck_assert_int_eq(im.items[0].half_stars, cases[i].half);
		}
	}
}
END_TEST

START_TEST(dates_checked_and_made_utc)
{
	static const struct {
		const char *in, *out;	/* out NULL: refused */
	} cases[] = {
		{ "2024-02-29", "2024-02-29T00:00:00Z" },
		{ "2023-02-29", NULL },
		{ "2022-03-02T21:30:00.000Z", "2022-03-02T21:30:00Z" },
		{ "2022-03-02T21:30:00+02:00", "2022-03-02T19:30:00Z" },
		{ "2022-03-02 21:30", "2022-03-02T21:30:00Z" },
		{ "2022-03-02T25:30:00Z", NULL },
		{ "2099-01-01", NULL },
		{ "02/03/2022", NULL },
		{ "2022-03-02Tjunk", NULL },
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(cases); i++) {
		struct mq_import im;
		const char *csv = mq_arena_printf(ctx.arena, "Title,Year,WatchedDate\nHeat,1995,%s\n",
						  cases[i].in);

		ck_assert_int_eq(parse(csv, &im), MQ_OK);
		if (cases[i].out == NULL) {
			ck_assert_msg(im.invalid_count == 1, "%s should be refused", cases[i].in);
		} else {
			ck_assert_int_eq(im.n, 1);
			ck_assert_int_eq(im.items[0].kind, MQ_ITEM_WATCH);
			ck_assert_str_eq(im.items[0].at, cases[i].out);
		}
	}
}
END_TEST

START_TEST(trakt_items_by_shape)
{
	struct mq_import im;

	ck_assert_int_eq(parse("[{\"rated_at\":\"2022-03-01T10:00:00.000Z\",\"rating\":8,\"type\":\"movie\","
			       "\"movie\":{\"title\":\"Ronin\",\"year\":1998,\"ids\":{\"tmdb\":8195,\"imdb\":null}}},"
			       "{\"watched_at\":\"2022-03-02T21:30:00.000Z\",\"action\":\"scrobble\",\"type\":\"movie\","
			       "\"movie\":{\"title\":\"Alien\",\"year\":1979,\"ids\":{\"imdb\":\"tt0078748\"}}},"
			       "{\"listed_at\":\"2022-03-03T08:00:00.000Z\",\"rank\":1,\"type\":\"movie\","
			       "\"notes\":\"soon\",\"movie\":{\"title\":\"Heat\",\"year\":1995,\"ids\":{}}},"
			       "{\"plays\":3,\"last_watched_at\":\"2022-01-01T00:00:00.000Z\","
			       "\"movie\":{\"title\":\"Heat\",\"year\":1995,\"ids\":{\"tmdb\":949}}},"
			       "{\"rating\":9,\"type\":\"episode\",\"episode\":{}},"
			       "{\"rating\":0,\"type\":\"movie\",\"movie\":{\"title\":\"X\",\"year\":1}},"
			       "{\"movie\":{\"title\":\"Y\",\"year\":2000}}]", &im), MQ_OK);
	ck_assert_str_eq(im.format, "trakt");
	ck_assert_int_eq(im.n, 4);
	ck_assert_int_eq(im.items[0].kind, MQ_ITEM_RATING);
	ck_assert_int_eq(im.items[0].half_stars, 8);
	ck_assert_int_eq(im.items[0].tmdb_id, 8195);
	ck_assert_int_eq(im.items[1].kind, MQ_ITEM_WATCH);
	ck_assert_str_eq(im.items[1].imdb_id, "tt0078748");
	ck_assert_int_eq(im.items[2].kind, MQ_ITEM_WATCHLIST);
	ck_assert_str_eq(im.items[2].body, "soon");
	ck_assert_int_eq(im.items[3].kind, MQ_ITEM_WATCHED);
	ck_assert_int_eq(im.skipped_count, 1);
	ck_assert_int_eq(im.invalid_count, 2);
}
END_TEST

START_TEST(letterboxd_zip_and_its_list)
{
	struct mq_import im;
	size_t len;
	const char *zip = zip_of(&len, 3, "ratings.csv", "Date,Name,Year,Letterboxd URI,Rating\n"
				 "2023-01-02,Heat,1995,u,4.5\n",
				 "lists/crime.csv", "Letterboxd list export v7\nDate,Name,Tags,URL,Description\n"
				 "2023-03-01,Crime nights,,u,Heists\n\nPosition,Name,Year,URL,Description\n"
				 "2,Ronin,1998,u,\n1,Heat,1995,u,best\n",
				 "profile.csv", "Username\nalice\n");

	ck_assert_int_eq(mq_import_parse(&ctx, zip, len, &im), MQ_OK);
	ck_assert_str_eq(im.format, "letterboxd");
	ck_assert_int_eq(im.n, 3);
	ck_assert_int_eq(im.items[0].half_stars, 9);
	ck_assert_str_eq(im.items[0].source, "ratings.csv:2");
	ck_assert_int_eq(im.items[1].kind, MQ_ITEM_LIST_ITEM);
	ck_assert_str_eq(im.items[1].list, "Crime nights");
	ck_assert_str_eq(im.items[1].list_description, "Heists");
	ck_assert_int_eq(im.items[1].position, 2);
	ck_assert_str_eq(im.items[2].body, "best");
}
END_TEST

/* Trakt's export: files by their names (pages, a list without
 * lists-lists.json: named by its slug); other files not read. */
START_TEST(trakt_export_by_names)
{
	static const char movie[] = "{\"title\":\"Heat\",\"year\":1995,\"ids\":{\"tmdb\":949,"
				    "\"plex\":{\"guid\":null}}}";
	struct mq_import im;
	size_t len;
	char history[256], fav[256], list[256];
	const char *zip;

	snprintf(history, sizeof(history), "[{\"id\":1,\"watched_at\":\"2022-01-01T00:00:00.000Z\","
		 "\"action\":\"watch\",\"type\":\"movie\",\"movie\":%s}]", movie);
	snprintf(fav, sizeof(fav), "[{\"rank\":1,\"id\":2,\"listed_at\":\"2022-01-01T00:00:00.000Z\","
		 "\"notes\":null,\"type\":\"movie\",\"movie\":%s}]", movie);
	snprintf(list, sizeof(list), "[{\"rank\":3,\"id\":3,\"listed_at\":\"2022-01-01T00:00:00.000Z\","
		 "\"notes\":\"n\",\"type\":\"movie\",\"movie\":%s}]", movie);
	zip = zip_of(&len, 5, "export/watched-history-2.json", history, "lists-favorites.json", fav,
		     "lists-list-12-my-list.json", list, "comments-movies.json", "[{\"x\":1}]",
		     "lists-listx.json", fav);
	ck_assert_int_eq(mq_import_parse(&ctx, zip, len, &im), MQ_OK);
	ck_assert_str_eq(im.format, "trakt");
	ck_assert_int_eq(im.n, 3);
	ck_assert_int_eq(im.invalid_count, 0);
	ck_assert_int_eq(im.items[0].kind, MQ_ITEM_WATCH);
	ck_assert_int_eq(im.items[1].kind, MQ_ITEM_FAVORITE);
	ck_assert_int_eq(im.items[2].kind, MQ_ITEM_LIST_ITEM);
	ck_assert_str_eq(im.items[2].list, "my-list");
	ck_assert_int_eq(im.items[2].position, 3);
	ck_assert_str_eq(im.items[2].body, "n");
}
END_TEST

/* Our export's rows that are the user's: each checked. */
START_TEST(ours_social_rows)
{
	struct mq_import im;

	ck_assert_int_eq(parse("{\"format\":\"marquee-export\",\"profile\":{\"username\":\"a\","
			       "\"display_name\":\"A\",\"bio\":\"\",\"locale\":\"pt-BR\",\"region\":null},"
			       "\"comments\":[{\"id\":5,\"parent\":4,\"body\":\"hi\",\"created_at\":"
			       "\"2022-01-01T00:00:00Z\",\"movie\":{\"tmdb_id\":949}},{\"id\":6,\"body\":\"x\","
			       "\"movie\":{\"tmdb_id\":949}}],\"follows\":{\"following\":[\"bob\",\"../x\"],"
			       "\"followers\":[\"eve\"]},\"notification_settings\":[{\"kind\":\"reply\","
			       "\"email\":false},{\"kind\":\"security\",\"email\":false},{\"kind\":\"like\","
			       "\"push\":\"no\"}]}", &im), MQ_OK);
	ck_assert_str_eq(im.format, "marquee");
	ck_assert_int_eq(im.n, 4);
	ck_assert_int_eq(im.items[0].kind, MQ_ITEM_COMMENT);
	ck_assert_int_eq(im.items[0].ref, 5);
	ck_assert_int_eq(im.items[0].parent_ref, 4);
	ck_assert_int_eq(im.items[1].kind, MQ_ITEM_FOLLOW);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(im.items[1].data, "username")), "bob");
	ck_assert_int_eq(im.items[2].kind, MQ_ITEM_PROFILE);
	ck_assert_int_eq(im.items[3].kind, MQ_ITEM_SETTING);
	/* a comment without its date, a bad username, two bad settings */
	ck_assert_int_eq(im.invalid_count, 4);
}
END_TEST

START_TEST(zip_bounds_and_names)
{
	static const char *const unsafe[] = { "../x.csv", "a/../../x.csv", "/etc/x.csv", "a\\x.csv",
					       "a//x.csv", "./x.csv", "c:x.csv" };
	char *big = mq_arena_alloc(ctx.arena, 100001);
	struct mq_import im;
	size_t len;
	const char *zip;

	for (size_t i = 0; i < MQ_ARRAY_LEN(unsafe); i++) {
		zip = zip_of(&len, 1, unsafe[i], "x");
		ck_assert_msg(mq_import_parse(&ctx, zip, len, &im) == MQ_INVALID, "%s taken", unsafe[i]);
		ck_assert_ptr_nonnull(strstr(ctx.err.detail, "safe relative path"));
	}
	memset(big, '0', 100000);
	big[100000] = '\0';
	zip = zip_of(&len, 1, "ratings.csv", big);
	ck_assert_uint_lt(len, 2000);	/* packed a hundredfold and more */
	ck_assert_int_eq(mq_import_parse(&ctx, zip, len, &im), MQ_TOO_LARGE);
	zip = zip_of(&len, 11, "1", "", "2", "", "3", "", "4", "", "5", "", "6", "", "7", "", "8", "", "9", "",
		     "10", "", "11", "");
	ck_assert_int_eq(mq_import_parse(&ctx, zip, len, &im), MQ_TOO_LARGE);
	ck_assert_int_eq(mq_import_parse(&ctx, "PK\x03\x04junk", 8, &im), MQ_INVALID);
}
END_TEST

START_TEST(rows_bounded)
{
	struct mq_buf b;
	struct mq_import im;

	mq_buf_init(&b, ctx.arena, 1024);
	mq_buf_puts(&b, "Title,Year\n");
	for (int i = 0; i <= cfg.port_rows_max; i++)
		mq_buf_printf(&b, "Film %d,2000\n", i);
	ck_assert_int_eq(parse(b.data, &im), MQ_TOO_LARGE);
}
END_TEST

START_TEST(csv_cells_defused_and_read_back)
{
	static const char *const cells[] = { "=1+1", "+1 for the chase", "-5", "@SUM(A1)", "\tx",
					     "a, b", "say \"hi\"", "plain", "'quoted",
					     "'=already", "''+twice", "'\r\n--XyZ" };
	struct mq_import im;
	struct mq_buf b;

	mq_buf_init(&b, ctx.arena, 256);
	mq_csv_cell(&b, "=1+1");
	ck_assert_str_eq(b.data, "'=1+1");
	mq_buf_init(&b, ctx.arena, 256);
	mq_csv_cell(&b, "=cmd|\" /C calc\"!A0");
	ck_assert_str_eq(b.data, "\"'=cmd|\"\" /C calc\"\"!A0\"");
	for (size_t i = 0; i < MQ_ARRAY_LEN(cells); i++) {
		mq_buf_init(&b, ctx.arena, 256);
		mq_buf_puts(&b, "Title,Year,Review\nHeat,1995,");
		mq_csv_cell(&b, cells[i]);
		mq_buf_puts(&b, "\r\n");
		ck_assert_int_eq(parse(b.data, &im), MQ_OK);
		ck_assert_int_eq(im.n, 1);
		ck_assert_str_eq(im.items[0].body, cells[i]);
	}
}
END_TEST

START_TEST(unknown_files_refused)
{
	struct mq_import im;

	ck_assert_int_eq(parse("hello,world\n1,2\n", &im), MQ_UNSUPPORTED);
	ck_assert_int_eq(parse("{\"format\":\"other\"}", &im), MQ_UNSUPPORTED);
	ck_assert_int_eq(parse("[{\"movie\": ", &im), MQ_INVALID);
	ck_assert_int_eq(mq_import_parse(&ctx, "a\0b", 3, &im), MQ_UNSUPPORTED);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("portability");
	TCase *tc = tcase_create("portability");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, imdb_ratings_halved);
	tcase_add_test(tc, letterboxd_stars);
	tcase_add_test(tc, dates_checked_and_made_utc);
	tcase_add_test(tc, trakt_items_by_shape);
	tcase_add_test(tc, letterboxd_zip_and_its_list);
	tcase_add_test(tc, trakt_export_by_names);
	tcase_add_test(tc, ours_social_rows);
	tcase_add_test(tc, zip_bounds_and_names);
	tcase_add_test(tc, rows_bounded);
	tcase_add_test(tc, csv_cells_defused_and_read_back);
	tcase_add_test(tc, unknown_files_refused);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

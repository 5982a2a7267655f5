/*
 * test_catalog.c: the catalog's pure parts: choosing a language, reading
 * MovieLens titles and CSV, generated films, dates, COPY-safe arrays.
 */
#include "core/common.h"

#include <stdio.h>

#include "core/csv.h"
#include "cli/demo_film.h"
#include "cli/movielens.h"
#include "db/db.h"
#include "http/form.h"
#include "http/lang.h"
#include "unit.h"

START_TEST(language_tags_are_normalised)
{
	struct mq_lang l;

	ck_assert_int_eq(mq_lang_parse("FR-ca", 5, &l), 0);
	ck_assert_str_eq(l.tag, "fr-CA");
	ck_assert_str_eq(l.primary, "fr");
	ck_assert_int_eq(mq_lang_parse("pt", 2, &l), 0);
	ck_assert_str_eq(l.tag, "pt");
	for (const char *const *bad = (const char *const[]){ "", "f", "fr_FR", "fr-", "fr-FRA",
							      "français", "12", "fr-1A", NULL };
	     *bad; bad++)
		ck_assert_msg(mq_lang_parse(*bad, strlen(*bad), &l) < 0, "%s should be refused", *bad);
}
END_TEST

START_TEST(accept_language_prefers_the_highest_q)
{
	struct mq_lang l;

	mq_lang_from_header("de;q=0.5, fr-CH, fr;q=0.9, *;q=0.1", &l);
	ck_assert_str_eq(l.tag, "fr-CH");
	mq_lang_from_header("en;q=0.2, es;q=0.8", &l);
	ck_assert_str_eq(l.tag, "es");
	mq_lang_from_header(" it ", &l);
	ck_assert_str_eq(l.tag, "it");
	mq_lang_from_header("*, xx-yyy;q=1, de;q=2", &l);	/* nothing usable */
	ck_assert_str_eq(l.tag, "en-US");
	mq_lang_from_header(NULL, &l);
	ck_assert_str_eq(l.tag, "en-US");
	mq_lang_from_header("da;q=0", &l);			/* q=0: not acceptable */
	ck_assert_str_eq(l.tag, "en-US");
}
END_TEST

/* Our messages' language: the most preferred one with a catalog, the
 * same language in another region counting (pt-PT -> pt-BR), else en. */
START_TEST(accept_language_picks_a_catalog_with_fallbacks)
{
	static const struct {
		const char *header;
		enum mq_ui ui;
		const char *tag;
	} cases[] = {
		{ "pt-PT", MQ_UI_PT_BR, "pt-PT" },
		{ "pt-PT, de;q=0.5", MQ_UI_PT_BR, "pt-PT" },
		{ "it, de;q=0.5", MQ_UI_DE, "it" },
		{ "it", MQ_UI_EN, "it" },
		{ "fr-CA;q=0.8, es;q=0.9", MQ_UI_ES, "es" },
		{ "fr;q=0, de;q=0.1", MQ_UI_DE, "de" },
		{ "zh, en-GB;q=0.5, fr;q=0.4", MQ_UI_EN, "zh" },
		{ "FR-fr", MQ_UI_FR, "fr-FR" },
		{ "", MQ_UI_EN, "en-US" },
	};
	struct mq_lang l;

	for (size_t i = 0; i < MQ_ARRAY_LEN(cases); i++) {
		mq_lang_from_header(cases[i].header, &l);
		ck_assert_msg(l.ui == cases[i].ui, "%s: ui %d", cases[i].header, (int)l.ui);
		ck_assert_str_eq(l.tag, cases[i].tag);
	}
	ck_assert_int_eq(mq_ui_find("pt-BR"), MQ_UI_PT_BR);
	ck_assert_int_eq(mq_ui_find("en-US"), MQ_UI_EN);
	ck_assert_int_eq(mq_ui_find("ptx"), -1);
	ck_assert_str_eq(mq_ui_tag(MQ_UI_PT_BR), "pt-BR");
}
END_TEST

static void title_is(const char *raw, const char *title, const char *original, int year)
{
	struct mq_ml_title t;

	ck_assert_int_eq(mq_ml_title(raw, &t), 0);
	ck_assert_str_eq(t.title, title);
	ck_assert_str_eq(t.original_title, original);
	ck_assert_int_eq(t.year, year);
}

START_TEST(movielens_titles)
{
	title_is("Toy Story (1995)", "Toy Story", "Toy Story", 1995);
	title_is("American President, The (1995)", "The American President",
		 "The American President", 1995);
	title_is("City of Lost Children, The (Cité des enfants perdus, La) (1995)",
		 "The City of Lost Children", "La Cité des enfants perdus", 1995);
	title_is("Léon: The Professional (a.k.a. The Professional) (Léon) (1994)",
		 "Léon: The Professional", "Léon", 1994);
	title_is("Auberge espagnole, L' (2002)", "L'Auberge espagnole", "L'Auberge espagnole", 2002);
	title_is("Fawlty Towers (1975-1979)", "Fawlty Towers", "Fawlty Towers", 1975);
	title_is("Big Bang Theory, The (2007-)", "The Big Bang Theory", "The Big Bang Theory", 2007);
	title_is("Hyena Road", "Hyena Road", "Hyena Road", 0);
	title_is("Movie (Not A Year)", "Movie", "Not A Year", 0);
	title_is("Ancient (1492)", "Ancient", "Ancient", 0);	/* before films: no year */
}
END_TEST

START_TEST(movielens_genres_and_ids)
{
	char imdb[16];

	ck_assert_str_eq(mq_ml_genre("Sci-Fi"), "science-fiction");
	ck_assert_str_eq(mq_ml_genre("Children"), "family");
	ck_assert_ptr_null(mq_ml_genre("IMAX"));
	ck_assert_ptr_null(mq_ml_genre("(no genres listed)"));
	ck_assert_int_eq(mq_ml_imdb_id("0114709", imdb, sizeof(imdb)), 0);
	ck_assert_str_eq(imdb, "tt0114709");
	ck_assert_int_eq(mq_ml_imdb_id("123", imdb, sizeof(imdb)), 0);
	ck_assert_str_eq(imdb, "tt0000123");
	ck_assert_int_eq(mq_ml_imdb_id("12345678", imdb, sizeof(imdb)), 0);
	ck_assert_str_eq(imdb, "tt12345678");
	ck_assert_int_lt(mq_ml_imdb_id("tt123", imdb, sizeof(imdb)), 0);
	ck_assert_int_lt(mq_ml_imdb_id("", imdb, sizeof(imdb)), 0);
}
END_TEST

static FILE *text(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

START_TEST(csv_quotes_commas_and_line_ends)
{
	FILE *f = text("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,x\nlast");
	struct mq_csv c;

	mq_csv_open(&c, f);
	ck_assert_int_eq(mq_csv_next(&c), 1);
	ck_assert_int_eq(c.nfields, 3);
	ck_assert_str_eq(c.fields[1], "b, c");
	ck_assert_str_eq(c.fields[2], "say \"hi\"");
	ck_assert_int_eq(mq_csv_next(&c), 1);
	ck_assert_int_eq(c.line, 2);
	ck_assert_str_eq(c.fields[0], "multi\nline");
	ck_assert_str_eq(c.fields[1], "");
	ck_assert_int_eq(mq_csv_next(&c), 1);
	ck_assert_int_eq(c.line, 4);
	ck_assert_str_eq(c.fields[0], "last");
	ck_assert_int_eq(mq_csv_next(&c), 0);
	mq_csv_close(&c);
	fclose(f);
}
END_TEST

START_TEST(csv_refuses_malformed_records)
{
	static const char *const bad[] = { "\"open,x\n", "a\"b\",c\n", "\"a\"b,c\n" };

	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++) {
		FILE *f = text(bad[i]);
		struct mq_csv c;

		mq_csv_open(&c, f);
		ck_assert_msg(mq_csv_next(&c) < 0, "%s should be refused", bad[i]);
		mq_csv_close(&c);
		fclose(f);
	}
}
END_TEST

START_TEST(generated_films_are_repeatable_and_plausible)
{
	struct mq_demo_film a, b;

	for (uint64_t k = 1; k <= 2000; k++) {
		mq_demo_film(7, k, &a);
		mq_demo_film(7, k, &b);
		ck_assert_str_eq(a.title, b.title);
		ck_assert_str_eq(a.overview, b.overview);
		ck_assert_msg(mq_valid_date(a.release_date), "film %llu: %s", (unsigned long long)k,
			      a.release_date);
		ck_assert_int_ge(a.ngenres, 1);
		ck_assert_int_ge(a.runtime, 1);
		ck_assert_int_le(a.runtime, 1000);
		ck_assert(a.popularity >= 0);
		ck_assert_int_le(a.ratings_sum2, 10 * a.ratings_count);
		ck_assert_int_ge(a.ratings_sum2, a.ratings_count);
		for (int i = 0; i < a.nkeywords; i++)
			for (int j = 0; j < i; j++)
				ck_assert_str_ne(a.keywords[i], a.keywords[j]);
	}
	mq_demo_film(8, 1, &b);
	mq_demo_film(7, 1, &a);
	ck_assert_str_ne(a.overview, b.overview);	/* another seed, another film */
}
END_TEST

START_TEST(dates_are_calendar_dates)
{
	ck_assert(mq_valid_date("2024-02-29"));
	ck_assert(mq_valid_date("2000-02-29"));
	ck_assert(!mq_valid_date("1900-02-29"));
	ck_assert(!mq_valid_date("2023-02-29"));
	ck_assert(!mq_valid_date("2023-04-31"));
	ck_assert(!mq_valid_date("2023-13-01"));
	ck_assert(!mq_valid_date("1869-12-31"));
	ck_assert(!mq_valid_date("2023-1-01"));
	ck_assert(!mq_valid_date("2023-01-01x"));
	ck_assert(!mq_valid_date("+023-01-01"));
}
END_TEST

START_TEST(text_arrays_escape_quotes_and_backslashes)
{
	struct mq_arena *a = mq_arena_new(0);
	const char *items[] = { "plain", "a \"quote\"", "back\\slash", "comma, {brace}" };

	ck_assert_str_eq(mq_db_text_array(a, items, 4),
			 "{\"plain\",\"a \\\"quote\\\"\",\"back\\\\slash\",\"comma, {brace}\"}");
	ck_assert_str_eq(mq_db_text_array(a, items, 0), "{}");
	mq_arena_destroy(a);
}
END_TEST

START_TEST(int_arrays_are_read_as_postgresql_prints_them)
{
	struct mq_arena *a = mq_arena_new(0);
	int n, *ids = mq_db_int_array(a, "{4,18,10770}", &n);

	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(ids[0], 4);
	ck_assert_int_eq(ids[2], 10770);
	mq_db_int_array(a, "{}", &n);
	ck_assert_int_eq(n, 0);
	mq_db_int_array(a, "", &n);
	ck_assert_int_eq(n, 0);
	ids = mq_db_int_array(a, "{7,-2,3}", &n);	/* stops at what is no id */
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ids[0], 7);
	mq_db_int_array(a, "{1,99999999999}", &n);
	ck_assert_int_eq(n, 1);
	mq_arena_destroy(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("catalog");

	tcase_add_test(tc, language_tags_are_normalised);
	tcase_add_test(tc, accept_language_prefers_the_highest_q);
	tcase_add_test(tc, accept_language_picks_a_catalog_with_fallbacks);
	tcase_add_test(tc, movielens_titles);
	tcase_add_test(tc, movielens_genres_and_ids);
	tcase_add_test(tc, csv_quotes_commas_and_line_ends);
	tcase_add_test(tc, csv_refuses_malformed_records);
	tcase_add_test(tc, generated_films_are_repeatable_and_plausible);
	tcase_add_test(tc, dates_are_calendar_dates);
	tcase_add_test(tc, text_arrays_escape_quotes_and_backslashes);
	tcase_add_test(tc, int_arrays_are_read_as_postgresql_prints_them);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

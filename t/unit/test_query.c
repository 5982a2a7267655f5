/*
 * test_query.c: query strings, percent-decoding, UTF-8 validation.
 */
#include "core/common.h"

#include "core/utf8.h"
#include "http/query.h"
#include "unit.h"

static struct mq_arena *a;
static const struct mq_query_limits lim = { 8, 256 };

static void setup(void)
{
	a = mq_arena_new(0);
}

static void teardown(void)
{
	mq_arena_destroy(a);
}

START_TEST(decodes_and_keeps_order_and_repeats)
{
	struct mq_query q;
	const char *err = NULL;

	ck_assert_int_eq(mq_query_parse(a, "title=Am%C3%A9lie&genre=1&genre=2&q=a+b&empty=&flag", &lim, &q, &err), 0);
	ck_assert_int_eq(q.count, 6);
	ck_assert_str_eq(mq_query_get(&q, "title"), "Amélie");
	ck_assert_str_eq(mq_query_get(&q, "genre"), "1");
	ck_assert_int_eq(mq_query_count(&q, "genre"), 2);
	ck_assert_str_eq(q.params[2].value, "2");
	ck_assert_str_eq(mq_query_get(&q, "q"), "a b");
	ck_assert_str_eq(mq_query_get(&q, "empty"), "");
	ck_assert_str_eq(mq_query_get(&q, "flag"), "");
	ck_assert_ptr_null(mq_query_get(&q, "missing"));
}
END_TEST

START_TEST(empty_and_stray_ampersands)
{
	struct mq_query q;
	const char *err = NULL;

	ck_assert_int_eq(mq_query_parse(a, "", &lim, &q, &err), 0);
	ck_assert_int_eq(q.count, 0);
	ck_assert_int_eq(mq_query_parse(a, NULL, &lim, &q, &err), 0);
	ck_assert_int_eq(mq_query_parse(a, "&&a=1&", &lim, &q, &err), 0);
	ck_assert_int_eq(q.count, 1);
	ck_assert_str_eq(mq_query_get(&q, "a"), "1");
}
END_TEST

START_TEST(refuses_bad_escapes_nul_and_bad_utf8)
{
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%zz", "a=%00", "a=%C3", "a=%C0%AF", "a=%ED%A0%80", "%FF=1",
	};
	struct mq_query q;

	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++) {
		const char *err = NULL;

		ck_assert_msg(mq_query_parse(a, bad[i], &lim, &q, &err) == -1, "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(err);
	}
}
END_TEST

START_TEST(enforces_limits)
{
	struct mq_query q;
	const char *err = NULL;
	char long_qs[300];

	ck_assert_int_eq(mq_query_parse(a, "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8", &lim, &q, &err), 0);
	ck_assert_int_eq(mq_query_parse(a, "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", &lim, &q, &err), -1);
	ck_assert_str_eq(err, "The query string has too many parameters.");
	memset(long_qs, 'x', sizeof(long_qs) - 1);
	long_qs[sizeof(long_qs) - 1] = '\0';
	ck_assert_int_eq(mq_query_parse(a, long_qs, &lim, &q, &err), -1);
	ck_assert_str_eq(err, "The query string is too long.");
}
END_TEST

START_TEST(utf8_validation)
{
	ck_assert(mq_utf8_valid("plain", 5));
	ck_assert(mq_utf8_valid("\xc3\xa9", 2));			/* é */
	ck_assert(mq_utf8_valid("\xf0\x9f\x8e\xac", 4));		/* 🎬 */
	ck_assert(!mq_utf8_valid("\xc3", 1));				/* truncated */
	ck_assert(!mq_utf8_valid("\xc0\x80", 2));			/* overlong NUL */
	ck_assert(!mq_utf8_valid("\xed\xa0\x80", 3));			/* surrogate */
	ck_assert(!mq_utf8_valid("\xf4\x90\x80\x80", 4));		/* > U+10FFFF */
	ck_assert(!mq_utf8_valid("\xff", 1));
}
END_TEST

START_TEST(int_parsing)
{
	int64_t v;

	ck_assert_int_eq(mq_parse_int64("42", 1, 100, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(mq_parse_int64("0", 1, 100, &v), -1);
	ck_assert_int_eq(mq_parse_int64("101", 1, 100, &v), -1);
	ck_assert_int_eq(mq_parse_int64(" 4", 1, 100, &v), -1);
	ck_assert_int_eq(mq_parse_int64("+4", 1, 100, &v), -1);
	ck_assert_int_eq(mq_parse_int64("4x", 1, 100, &v), -1);
	ck_assert_int_eq(mq_parse_int64("", 1, 100, &v), -1);
	ck_assert_int_eq(mq_parse_int64("99999999999999999999", 1, INT64_MAX, &v), -1);
	ck_assert_int_eq(mq_parse_int64("-5", -10, 10, &v), 0);
	ck_assert_int_eq(v, -5);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("query");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, decodes_and_keeps_order_and_repeats);
	tcase_add_test(tc, empty_and_stray_ampersands);
	tcase_add_test(tc, refuses_bad_escapes_nul_and_bad_utf8);
	tcase_add_test(tc, enforces_limits);
	tcase_add_test(tc, utf8_validation);
	tcase_add_test(tc, int_parsing);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

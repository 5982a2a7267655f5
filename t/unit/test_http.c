/*
 * test_http.c: the pure parts of the HTTP layer: ETag comparison, the
 * JSON content-type check, status texts.  Includes http.c to reach its
 * static helpers (h2o's habit).
 */
#include "../../src/http/http.c"

#include "unit.h"

START_TEST(etag_weak_comparison)
{
	const char *tag = "W/\"abc\"";

	ck_assert(mq_etag_match("W/\"abc\"", tag));
	ck_assert(mq_etag_match("\"abc\"", tag));
	ck_assert(mq_etag_match("\"x\", W/\"abc\"", tag));
	ck_assert(mq_etag_match("\"x\" ,  W/\"abc\"  ", tag));
	ck_assert(mq_etag_match("*", tag));
	ck_assert(!mq_etag_match("W/\"abcd\"", tag));
	ck_assert(!mq_etag_match("W/\"ab\"", tag));
	ck_assert(!mq_etag_match("", tag));
	ck_assert(!mq_etag_match(NULL, tag));
}
END_TEST

START_TEST(etags_differ_by_body)
{
	struct mq_arena *a = mq_arena_new(0);
	const char *e1 = mq_etag_for(a, "one", 3), *e2 = mq_etag_for(a, "two", 3);

	ck_assert_str_ne(e1, e2);
	ck_assert_str_eq(e1, mq_etag_for(a, "one", 3));
	ck_assert(strncmp(e1, "W/\"", 3) == 0);
	mq_arena_destroy(a);
}
END_TEST

START_TEST(json_content_types)
{
	ck_assert(content_type_is_json("application/json"));
	ck_assert(content_type_is_json("application/json; charset=utf-8"));
	ck_assert(content_type_is_json("Application/JSON;charset=UTF-8"));
	ck_assert(content_type_is_json("application/json; charset=\"utf-8\""));
	ck_assert(!content_type_is_json("application/json; charset=latin1"));
	ck_assert(!content_type_is_json("application/jsonp"));
	ck_assert(!content_type_is_json("text/plain"));
	ck_assert(!content_type_is_json("application/x-www-form-urlencoded"));
	ck_assert(!content_type_is_json(NULL));
}
END_TEST

START_TEST(status_text_lookup)
{
	ck_assert_str_eq(mq_status_text(404), "Not Found");
	ck_assert_str_eq(mq_status_text(413), "Content Too Large");
	ck_assert_str_eq(mq_status_text(599), "Unknown");
}
END_TEST

START_TEST(request_ids)
{
	ck_assert(request_id_ok("a1b2-c3_d4.e5"));
	ck_assert(!request_id_ok(""));
	ck_assert(!request_id_ok("has space"));
	ck_assert(!request_id_ok("x\r\nSet-Cookie: a=b"));
}
END_TEST

/* A problem's detail may quote the client's bytes; JSON is UTF-8.  (The
 * avatar upload quoted a Content-Type of Latin-1: t/fuzz/fuzz_image.) */
START_TEST(details_are_utf8)
{
	struct mq_arena *a = mq_arena_new(0);
	const char *ok = "caf\xc3\xa9 \xf0\x9f\x8e\xac";

	ck_assert_ptr_eq(utf8_text(a, ok), ok);
	ck_assert_ptr_null(utf8_text(a, NULL));
	ck_assert_str_eq(utf8_text(a, "image/p\xe9ng"), "image/p\xef\xbf\xbdng");
	ck_assert_str_eq(utf8_text(a, "x\xc3"), "x\xef\xbf\xbd");
	ck_assert_str_eq(utf8_text(a, "\xc0\xaf\xc3\xa9"), "\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9");
	ck_assert_str_eq(utf8_text(a, "\xed\xa0\x80!"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
	mq_arena_destroy(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, etag_weak_comparison);
	tcase_add_test(tc, etags_differ_by_body);
	tcase_add_test(tc, json_content_types);
	tcase_add_test(tc, status_text_lookup);
	tcase_add_test(tc, request_ids);
	tcase_add_test(tc, details_are_utf8);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

/*
 * test_watch.c: what the watch features parse and write byte by byte:
 * multipart/form-data fields (Plex's webhooks), iCalendar content lines
 * (folding, escaping), ISO 3166-1 region codes.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/region.h"
#include "http/multipart.h"
#include "unit.h"
#include "watch/calendar.h"

static struct mq_arena *a;

static void setup(void)
{
	a = mq_arena_new(0);
}

static void teardown(void)
{
	mq_arena_destroy(a);
}

/* The part called name of body, as a string ("<none>" when refused). */
static const char *part(const char *type, const char *body, const char *name)
{
	const char *p;
	size_t n;

	if (mq_multipart_part(type, body, strlen(body), name, &p, &n) != 0)
		return "<none>";
	return mq_arena_strndup(a, p, n);
}

START_TEST(multipart_finds_the_named_part)
{
	const char *type = "multipart/form-data; boundary=XyZ";
	const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"thumb\"; filename=\"payload\"\r\n"
			   "Content-Type: image/jpeg\r\n\r\n\xff\xd8--Xy\r\n--XyZ\r\n"
			   "Content-Disposition: form-data; name=\"payload\"\r\n"
			   "Content-Type: application/json\r\n\r\n{\"event\":\"media.scrobble\"}\r\n--XyZ--\r\n";

	ck_assert_str_eq(part(type, body, "payload"), "{\"event\":\"media.scrobble\"}");
	ck_assert_str_eq(part(type, body, "thumb"), "\xff\xd8--Xy");
	ck_assert_str_eq(part(type, body, "other"), "<none>");
	ck_assert_str_eq(part("multipart/form-data; boundary=\"XyZ\"; charset=utf-8", body, "payload"),
			 "{\"event\":\"media.scrobble\"}");
	ck_assert_str_eq(part("Multipart/Form-Data;boundary=XyZ", body, "payload"),
			 "{\"event\":\"media.scrobble\"}");
	/* a preamble before the first delimiter */
	ck_assert_str_eq(part(type, mq_arena_printf(a, "preamble\r\n%s", body), "payload"),
			 "{\"event\":\"media.scrobble\"}");
	ck_assert_str_eq(part(type, "--XyZ\r\n\r\nno headers\r\n--XyZ--", "payload"), "<none>");
	ck_assert_str_eq(part(type, "--XyZ\r\nContent-Disposition: form-data; name=payload\r\n\r\n"
			      "bare\r\n--XyZ--", "payload"), "bare");
}
END_TEST

START_TEST(multipart_refuses_what_is_not)
{
	static const char *const types[] = {
		"application/json", "multipart/form-data", "multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"open", "multipart/mixed; boundary=XyZ",
		"multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789x",
	};
	const char *ok = "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n{}\r\n--XyZ--\r\n";

	for (size_t i = 0; i < MQ_ARRAY_LEN(types); i++)
		ck_assert_str_eq(part(types[i], ok, "payload"), "<none>");
	/* unterminated parts, truncated headers, another boundary, nothing */
	ck_assert_str_eq(part("multipart/form-data; boundary=XyZ",
			      "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n{}", "payload"),
			 "<none>");
	ck_assert_str_eq(part("multipart/form-data; boundary=XyZ",
			      "--XyZ\r\nContent-Disposition: form-data; name=\"payload\"", "payload"), "<none>");
	ck_assert_str_eq(part("multipart/form-data; boundary=Abc", ok, "payload"), "<none>");
	ck_assert_str_eq(part("multipart/form-data; boundary=XyZ", "", "payload"), "<none>");
	ck_assert_str_eq(part("multipart/form-data; boundary=XyZ", "--XyZ--\r\n", "payload"), "<none>");
	ck_assert_str_eq(part("multipart/form-data; boundary=XyZ",
			      "--XyZ\r\nContent-Disposition: form-data; name=\"payloads\"\r\n\r\n{}\r\n--XyZ--",
			      "payload"), "<none>");
}
END_TEST

static const char *line(const char *name, const char *value, bool text)
{
	struct mq_buf b;

	mq_buf_init(&b, a, 64);
	mq_calendar_line(&b, name, value, text);
	return b.data;
}

START_TEST(calendar_escapes_text)
{
	ck_assert_str_eq(line("SUMMARY", "a;b,c\\d\ne", true), "SUMMARY:a\\;b\\,c\\\\d\\ne\r\n");
	ck_assert_str_eq(line("SUMMARY", "tab\there\x01\x7f", true), "SUMMARY:tabhere\r\n");
	ck_assert_str_eq(line("URL", "https://x/a,b;c", false), "URL:https://x/a,b;c\r\n");
}
END_TEST

START_TEST(calendar_folds_at_75_octets)
{
	char value[300];
	const char *out, *p;

	memset(value, 'x', 200);
	value[200] = '\0';
	out = line("DESCRIPTION", value, true);
	for (p = out; *p; ) {
		const char *end = strstr(p, "\r\n");

		ck_assert_ptr_nonnull(end);
		ck_assert_int_le(end - p, 75);
		p = end + 2;
		if (*p)
			ck_assert_int_eq(*p, ' ');
	}
	ck_assert_int_eq(strlen(out), strlen("DESCRIPTION:") + 200 + 2 + 2 * 2 /* two folds */ + 2);
	/* "é" (2 octets) and "—" (3) are never split: the line breaks before */
	for (int i = 0; i < 60; i++)
		memcpy(value + 3 * i, "\xe2\x80\x94", 3);
	value[180] = '\0';
	out = line("SUMMARY", value, true);
	for (p = out; (p = strstr(p, "\r\n ")) != NULL; p += 3)
		ck_assert_int_ne((unsigned char)p[3] & 0xC0, 0x80);
	ck_assert_int_eq(strlen(line("A", "", false)), 4);
}
END_TEST

START_TEST(regions)
{
	char code[3];

	ck_assert(mq_region_parse("US", code));
	ck_assert_str_eq(code, "US");
	ck_assert(mq_region_parse("fr", code));
	ck_assert_str_eq(code, "FR");
	ck_assert(mq_region_parse("zw", code));
	ck_assert(mq_region_parse("AD", code));
	ck_assert(!mq_region_parse("XX", code));
	ck_assert(!mq_region_parse("UK", code));
	ck_assert(!mq_region_parse("USA", code));
	ck_assert(!mq_region_parse("U", code));
	ck_assert(!mq_region_parse("", code));
	ck_assert(!mq_region_parse("1A", code));
	ck_assert(!mq_region_parse(NULL, code));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("watch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, multipart_finds_the_named_part);
	tcase_add_test(tc, multipart_refuses_what_is_not);
	tcase_add_test(tc, calendar_escapes_text);
	tcase_add_test(tc, calendar_folds_at_75_octets);
	tcase_add_test(tc, regions);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

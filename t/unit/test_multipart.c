/*
 * test_multipart.c: the part of a multipart/form-data body
 * (http/multipart.c) as browsers send a form's file.
 */
#include "core/common.h"

#include "http/multipart.h"
#include "unit.h"

#define CT "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define DELIM "------WebKitFormBoundary7MA4YWxkTrZu0gW"

static int part(const char *ct, const char *body, const char *name, char *out, size_t outlen)
{
	const char *data;
	size_t n;
	int rc = mq_multipart_part(ct, body, strlen(body), name, &data, &n);

	if (rc == 0) {
		ck_assert_uint_lt(n, outlen);
		memcpy(out, data, n);
		out[n] = '\0';
	}
	return rc;
}

START_TEST(a_browsers_form)
{
	static const char body[] =
		DELIM "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
		DELIM "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ratings.csv\"\r\n"
		"Content-Type: text/csv\r\n\r\nDate,Name\r\n2023-01-02,Heat\r\n\r\n"
		DELIM "--\r\n";
	char out[256];

	ck_assert_int_eq(part(CT, body, "file", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Date,Name\r\n2023-01-02,Heat\r\n");
	ck_assert_int_eq(part(CT, body, "note", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "hello");
	ck_assert_int_eq(part(CT, body, "other", out, sizeof(out)), 1);
	ck_assert_int_eq(part(CT, body, "fil", out, sizeof(out)), 1);
	ck_assert_int_eq(part("multipart/form-data; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"",
			      "preamble\r\n" DELIM "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
			      "x\r\n" DELIM "--", "file", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "x");
}
END_TEST

START_TEST(malformed_refused)
{
	static const char *const bad_types[] = { "multipart/form-data", "multipart/form-data; boundary=",
						 "multipart/form-data; boundary=\"abc",
						 "text/csv; boundary=abc",
						 "multipart/form-data; boundary=" DELIM DELIM DELIM };
	char out[64];

	for (size_t i = 0; i < MQ_ARRAY_LEN(bad_types); i++)
		ck_assert_int_eq(part(bad_types[i], DELIM "--\r\n", "file", out, sizeof(out)), -1);
	ck_assert_int_eq(part(CT, "no delimiter at all", "file", out, sizeof(out)), -1);
	ck_assert_int_eq(part(CT, DELIM "\r\nContent-Disposition: form-data; name=\"file\"\r\n", "file", out,
			      sizeof(out)), -1);	/* the headers never end */
	ck_assert_int_eq(part(CT, DELIM "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunclosed",
			      "file", out, sizeof(out)), -1);
	ck_assert_int_eq(part(CT, DELIM "\r\n\r\nno headers\r\n" DELIM "--", "file", out, sizeof(out)), 1);
	ck_assert(mq_multipart_is("Multipart/Form-Data; boundary=x"));
	ck_assert(!mq_multipart_is("multipart/form-datax"));
	ck_assert(!mq_multipart_is(NULL));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("multipart");
	TCase *tc = tcase_create("multipart");

	tcase_add_test(tc, a_browsers_form);
	tcase_add_test(tc, malformed_refused);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

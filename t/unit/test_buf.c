/*
 * test_buf.c: the growing string (core/buf.c), past its first capacity:
 * no test of the service made one grow (./dev coverage), yet a response's
 * headers, a TMDb body and a log line are built in one.
 */
#include "core/common.h"

#include "core/buf.h"
#include "unit.h"

START_TEST(appends_grow_the_buffer)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_buf b;
	char want[1001];

	mq_buf_init(&b, a, 4);
	for (int i = 0; i < 1000; i++) {
		mq_buf_append(&b, &"0123456789"[i % 10], 1);
		want[i] = (char)('0' + i % 10);
	}
	want[1000] = '\0';
	ck_assert_uint_eq(b.len, 1000);
	ck_assert_uint_gt(b.cap, 1000);
	ck_assert_str_eq(b.data, want);
	mq_buf_puts(&b, "");
	ck_assert_uint_eq(b.len, 1000);
	mq_arena_destroy(a);
}
END_TEST

/* printf that does not fit is formatted again into the grown buffer,
 * from a fresh va_list */
START_TEST(printf_grows_and_formats_again)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_buf b;

	mq_buf_init(&b, a, 8);
	mq_buf_puts(&b, "ab");
	mq_buf_printf(&b, "[%s|%d|%.3f]", "a long string that does not fit", -42, 1.5);
	ck_assert_str_eq(b.data, "ab[a long string that does not fit|-42|1.500]");
	ck_assert_uint_eq(b.len, strlen(b.data));
	mq_buf_printf(&b, "%s", "");
	mq_buf_printf(&b, "%c", 'z');
	ck_assert_str_eq(b.data + b.len - 2, "]z");
	mq_arena_destroy(a);
}
END_TEST

START_TEST(exactly_full)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_buf b;

	mq_buf_init(&b, a, 4);
	mq_buf_append(&b, "abc", 3);	/* 3 bytes and the NUL: full */
	ck_assert_str_eq(b.data, "abc");
	mq_buf_printf(&b, "%s", "d");
	ck_assert_str_eq(b.data, "abcd");
	ck_assert_uint_gt(b.cap, 4);
	mq_arena_destroy(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, appends_grow_the_buffer);
	tcase_add_test(tc, printf_grows_and_formats_again);
	tcase_add_test(tc, exactly_full);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

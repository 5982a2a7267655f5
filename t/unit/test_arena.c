/*
 * test_arena.c: the request arena.
 */
#include "core/common.h"

#include "core/arena.h"
#include "unit.h"

static int cleaned;

static void count_cleanup(void *p)
{
	cleaned += *(int *)p;
}

START_TEST(allocations_are_aligned_and_distinct)
{
	struct mq_arena *a = mq_arena_new(0);
	char *p = mq_arena_alloc(a, 3), *q = mq_arena_alloc(a, 5);

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_ne(p, q);
	ck_assert_uint_eq((uintptr_t)p % 16, 0);
	ck_assert_uint_eq((uintptr_t)q % 16, 0);
	mq_arena_destroy(a);
}
END_TEST

START_TEST(big_allocations_get_their_own_block)
{
	struct mq_arena *a = mq_arena_new(1024);
	char *small = mq_arena_alloc(a, 16);
	char *big = mq_arena_alloc(a, 100000);
	char *small2 = mq_arena_alloc(a, 16);

	memset(big, 'x', 100000);
	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_nonnull(small2);
	ck_assert_uint_ge(mq_arena_blocks(a), 2);
	mq_arena_reset(a);
	ck_assert_uint_eq(mq_arena_blocks(a), 1);
	ck_assert_uint_eq(mq_arena_used(a), 0);
	mq_arena_destroy(a);
}
END_TEST

START_TEST(reset_runs_cleanups_once_in_reverse)
{
	struct mq_arena *a = mq_arena_new(0);
	int one = 1, ten = 10;

	cleaned = 0;
	mq_arena_defer(a, count_cleanup, &one);
	mq_arena_defer(a, count_cleanup, &ten);
	mq_arena_defer(a, count_cleanup, NULL);	/* ignored */
	mq_arena_reset(a);
	ck_assert_int_eq(cleaned, 11);
	mq_arena_reset(a);
	ck_assert_int_eq(cleaned, 11);
	mq_arena_destroy(a);
}
END_TEST

START_TEST(many_requests_keep_one_block)
{
	struct mq_arena *a = mq_arena_new(4096);

	for (int req = 0; req < 1000; req++) {
		for (int i = 0; i < 100; i++)
			mq_arena_printf(a, "request %d item %d", req, i);
		mq_arena_reset(a);
		ck_assert_uint_eq(mq_arena_blocks(a), 1);
	}
	mq_arena_destroy(a);
}
END_TEST

START_TEST(strings)
{
	struct mq_arena *a = mq_arena_new(0);

	ck_assert_str_eq(mq_arena_strdup(a, "hello"), "hello");
	ck_assert_str_eq(mq_arena_strndup(a, "hello", 3), "hel");
	ck_assert_str_eq(mq_arena_printf(a, "%s-%d", "x", 42), "x-42");
	ck_assert_uint_eq(strlen(mq_arena_printf(a, "%5000d", 1)), 5000);
	mq_arena_destroy(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("arena");

	tcase_add_test(tc, allocations_are_aligned_and_distinct);
	tcase_add_test(tc, big_allocations_get_their_own_block);
	tcase_add_test(tc, reset_runs_cleanups_once_in_reverse);
	tcase_add_test(tc, many_requests_keep_one_block);
	tcase_add_test(tc, strings);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

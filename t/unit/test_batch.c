/*
 * test_batch.c: writes queued for after the answer (core/batch.h): what
 * a batch gives when it is taken, and when it is due (the analytics
 * queue's own test counts to 64 through its callers).
 */
#include "core/common.h"

#include "core/batch.h"
#include "unit.h"

START_TEST(an_empty_batch_gives_nothing)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_batch b = { 0 };
	size_t n = 99;

	ck_assert_int_eq(mq_batch_due_ms(&b), -1);
	ck_assert_ptr_null(mq_batch_take(&b, a, true, &n));
	ck_assert_uint_eq(n, 99);
	mq_arena_destroy(a);
}
END_TEST

/* (Whether a young batch waits depends on the clock: a stalled machine
 * makes it old.  What is certain is that now takes it whole.) */
START_TEST(now_takes_a_batch_whole)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_batch b = { 0 };
	size_t n = 0;
	const char *text;
	int due;

	mq_batch_add(&b, json_tokener_parse("{\"m\": 1}"));
	mq_batch_add(&b, json_tokener_parse("{\"m\": 2}"));
	due = mq_batch_due_ms(&b);
	ck_assert_msg(due >= 0 && due <= 1000, "two items: due in [0, 1000] ms, not %d", due);
	text = mq_batch_take(&b, a, true, &n);
	ck_assert_str_eq(text, "[{\"m\":1},{\"m\":2}]");
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(mq_batch_due_ms(&b), -1);
	ck_assert_ptr_null(mq_batch_take(&b, a, true, &n));
	mq_arena_destroy(a);
}
END_TEST

START_TEST(a_full_or_old_batch_is_due)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_batch b = { 0 };
	size_t n = 0;

	for (int i = 0; i < 64; i++)
		mq_batch_add(&b, json_object_new_int(i));
	ck_assert_int_eq(mq_batch_due_ms(&b), 0);
	ck_assert_ptr_nonnull(mq_batch_take(&b, a, false, &n));
	ck_assert_uint_eq(n, 64);
	mq_batch_add(&b, json_object_new_int(1));
	b.since_ns -= 1000000000ULL;	/* a second ago */
	ck_assert_int_eq(mq_batch_due_ms(&b), 0);
	ck_assert_ptr_nonnull(mq_batch_take(&b, a, false, &n));
	mq_arena_destroy(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("batch");
	TCase *t = tcase_create("batch");

	tcase_add_test(t, an_empty_batch_gives_nothing);
	tcase_add_test(t, now_takes_a_batch_whole);
	tcase_add_test(t, a_full_or_old_batch_is_due);
	suite_add_tcase(s, t);
	return s;
}

MQ_UNIT_MAIN()

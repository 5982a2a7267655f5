/*
 * test_analytics_queue.c: the worker's queue of views, searches and
 * impressions (analytics/events.c) -- what it holds and when it is due,
 * with [analytics] browsing on and off.  Writing it needs a database:
 * t/api/analytics_events.t.
 */
#include "core/common.h"

#include "analytics/events.h"
#include "core/config.h"
#include "unit.h"

START_TEST(browsing_off_queues_nothing)
{
	struct mq_config cfg = { .analytics_browsing = false };
	struct mq_ctx c = { .cfg = &cfg };
	struct json_object *results = json_tokener_parse("[{\"id\": 7}, {\"id\": 8}]");

	mq_analytics_view(&c, 1, 7);
	mq_analytics_search(&c, 1, "heat", NULL, 3, false);
	mq_analytics_impressions(&c, 0, results, 0, "popular");
	ck_assert_int_eq(mq_analytics_due_ms(), -1);
	json_object_put(results);
}
END_TEST

START_TEST(a_queue_is_due_in_a_second_or_at_64)
{
	struct mq_config cfg = { .analytics_browsing = true };
	struct mq_ctx c = { .cfg = &cfg };
	int due;

	ck_assert_int_eq(mq_analytics_due_ms(), -1);
	mq_analytics_view(&c, 0, 7);
	due = mq_analytics_due_ms();
	ck_assert_msg(due > 0 && due <= 1000, "one view: due in (0, 1000] ms, not %d", due);
	for (int i = 1; i < 63; i++)
		mq_analytics_view(&c, 0, 7);
	ck_assert_int_gt(mq_analytics_due_ms(), 0);
	mq_analytics_search(&c, 0, "heat", NULL, 3, false);
	ck_assert_int_eq(mq_analytics_due_ms(), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("analytics_queue");
	TCase *t = tcase_create("queue");

	tcase_add_test(t, browsing_off_queues_nothing);
	tcase_add_test(t, a_queue_is_due_in_a_second_or_at_64);
	suite_add_tcase(s, t);
	return s;
}

MQ_UNIT_MAIN()

/*
 * unit.h: shared scaffolding for the check-based unit tests.
 *
 * Each test file defines `static Suite *suite(void)` and ends with
 * MQ_UNIT_MAIN(); the program prints TAP, so it runs alone
 * (./t/unit/test_router) or under make check.
 */
#ifndef MQ_UNIT_H
#define MQ_UNIT_H

#include <check.h>

#define MQ_UNIT_MAIN()                                          \
	int main(void)                                          \
	{                                                       \
		SRunner *sr = srunner_create(suite());          \
		int failed;                                     \
		srunner_set_tap(sr, "-");                       \
		srunner_run_all(sr, CK_SILENT);                 \
		failed = srunner_ntests_failed(sr);             \
		srunner_free(sr);                               \
		return failed ? 1 : 0;                          \
	}

#endif

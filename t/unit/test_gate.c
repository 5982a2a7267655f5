/*
 * test_gate.c: the turns of the CPU-heavy routes (pool/gate.c), between
 * processes sharing a real scoreboard file as the pool's workers do.
 */
#include "core/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/scoreboard.h"
#include "pool/gate.h"
#include "unit.h"

#define MS 1000000ULL

static char path[64];

static struct mq_scoreboard *board(uint32_t nslots)
{
	struct mq_scoreboard *sb;

	snprintf(path, sizeof(path), "/tmp/mq-test-gate-%d", (int)getpid());
	sb = mq_scoreboard_create(path, nslots);
	ck_assert_ptr_nonnull(sb);
	unlink(path);
	return sb;
}

static uint64_t in(uint64_t ns)
{
	return mq_now_mono_ns() + ns;
}

static int child_status(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

START_TEST(the_limit_holds_and_a_leave_lets_one_in)
{
	struct mq_scoreboard *sb = board(4);

	ck_assert(mq_gate_enter(sb, 0, 2, in(10 * MS)));
	ck_assert(mq_gate_enter(sb, 1, 2, in(10 * MS)));
	ck_assert(!mq_gate_enter(sb, 2, 2, in(20 * MS)));
	ck_assert_uint_eq(sb->gate.slots[2].held, 0);
	ck_assert_uint_eq(sb->gate.slots[2].ticket, 0);	/* not left in line */
	mq_gate_leave(sb, 0);
	ck_assert(mq_gate_enter(sb, 2, 2, in(10 * MS)));
	ck_assert(!mq_gate_enter(sb, 3, 2, mq_now_mono_ns()));
}
END_TEST

/* A waiter in another process is let in by a leave, not before. */
START_TEST(a_waiter_enters_when_the_holder_leaves)
{
	struct mq_scoreboard *sb = board(2);
	pid_t pid;

	uint64_t t0 = mq_now_mono_ns();	/* the leave comes 50 ms after, or later */

	ck_assert(mq_gate_enter(sb, 0, 1, in(10 * MS)));
	if ((pid = fork()) == 0) {
		bool entered = mq_gate_enter(sb, 1, 1, in(5000 * MS));

		_exit(!entered ? 1 : mq_now_mono_ns() - t0 < 50 * MS ? 2 : 0);
	}
	usleep(50000);
	mq_gate_leave(sb, 0);
	ck_assert_int_eq(child_status(pid), 0);
}
END_TEST

/* Waiters enter in the order they came, whoever is woken first. */
START_TEST(waiters_enter_in_turn)
{
	struct mq_scoreboard *sb = board(4);
	uint64_t *entered = mmap(NULL, 4 * sizeof(uint64_t), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pids[3];

	ck_assert_ptr_ne(entered, MAP_FAILED);
	ck_assert(mq_gate_enter(sb, 0, 1, in(10 * MS)));
	for (int k = 1; k <= 3; k++) {
		if ((pids[k - 1] = fork()) == 0) {
			if (!mq_gate_enter(sb, k, 1, in(5000 * MS)))
				_exit(1);
			entered[k] = mq_now_mono_ns();
			usleep(5000);
			mq_gate_leave(sb, k);
			_exit(0);
		}
		/* in line before the next one comes */
		while (__atomic_load_n(&sb->gate.slots[k].ticket, __ATOMIC_SEQ_CST) == 0)
			usleep(1000);
	}
	mq_gate_leave(sb, 0);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(child_status(pids[k]), 0);
	ck_assert_uint_lt(entered[1], entered[2]);
	ck_assert_uint_lt(entered[2], entered[3]);
	munmap(entered, 4 * sizeof(uint64_t));
}
END_TEST

/* A worker that dies holding a turn: the master's reap gives it back. */
START_TEST(a_dead_holders_turn_is_forgotten)
{
	struct mq_scoreboard *sb = board(2);
	pid_t pid;

	if ((pid = fork()) == 0)
		_exit(mq_gate_enter(sb, 1, 1, in(10 * MS)) ? 0 : 1);
	ck_assert_int_eq(child_status(pid), 0);
	ck_assert(!mq_gate_enter(sb, 0, 1, in(5 * MS)));
	mq_gate_forget(sb, 1);
	ck_assert(mq_gate_enter(sb, 0, 1, in(10 * MS)));
	mq_gate_forget(sb, 1);	/* held by no one: nothing to give back */
	ck_assert(!mq_gate_enter(sb, 1, 1, in(5 * MS)));
}
END_TEST

/* Six processes taking turns, two at a time, each sleeping inside so
 * that the others try meanwhile: never more inside at once (counted
 * apart from the gate's flags). */
START_TEST(never_more_than_the_limit_inside)
{
	enum { PROCS = 6, ROUNDS = 100, LIMIT = 2 };
	struct mq_scoreboard *sb = board(PROCS);
	int *shared = mmap(NULL, 2 * sizeof(int), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pids[PROCS];

	ck_assert_ptr_ne(shared, MAP_FAILED);
	for (int p = 0; p < PROCS; p++) {
		if ((pids[p] = fork()) != 0)
			continue;
		for (int i = 0; i < ROUNDS; i++) {
			if (!mq_gate_enter(sb, p, LIMIT, in(10000 * MS)))
				_exit(1);
			int inside = __atomic_add_fetch(&shared[0], 1, __ATOMIC_SEQ_CST);
			int most = __atomic_load_n(&shared[1], __ATOMIC_SEQ_CST);

			while (inside > most &&
			       !__atomic_compare_exchange_n(&shared[1], &most, inside, false,
							    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				;
			usleep(200);	/* others run meanwhile */
			__atomic_sub_fetch(&shared[0], 1, __ATOMIC_SEQ_CST);
			mq_gate_leave(sb, p);
		}
		_exit(0);
	}
	for (int p = 0; p < PROCS; p++)
		ck_assert_int_eq(child_status(pids[p]), 0);
	ck_assert_int_ge(shared[1], 1);
	ck_assert_int_le(shared[1], LIMIT);
	munmap(shared, 2 * sizeof(int));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("gate");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, the_limit_holds_and_a_leave_lets_one_in);
	tcase_add_test(tc, a_waiter_enters_when_the_holder_leaves);
	tcase_add_test(tc, waiters_enter_in_turn);
	tcase_add_test(tc, a_dead_holders_turn_is_forgotten);
	tcase_add_test(tc, never_more_than_the_limit_inside);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

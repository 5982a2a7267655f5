/*
 * gate.c: turns of the CPU-heavy routes (gate.h).
 */
#include "pool/gate.h"

#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/common.h"

#define WAIT_MAX_NS 1000000ULL

int mq_gate_default_limit(void)
{
	static int cpus;

	if (cpus == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		cpus = n > 0 ? (int)n : 1;
	}
	return cpus;
}

static int holders(const struct mq_scoreboard *sb)
{
	int n = 0;

	for (uint32_t i = 0; i < sb->nslots; i++)
		n += __atomic_load_n(&sb->slots[i].heavy, __ATOMIC_SEQ_CST) != 0;
	return n;
}

static void wake_one(struct mq_scoreboard *sb)
{
	__atomic_add_fetch(&sb->gate, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &sb->gate, FUTEX_WAKE, 1, NULL, NULL, 0);
}

bool mq_gate_enter(struct mq_scoreboard *sb, int slot, int limit, uint64_t deadline_mono_ns)
{
	volatile uint32_t *mine = &sb->slots[slot].heavy;

	for (;;) {
		uint32_t seen = __atomic_load_n(&sb->gate, __ATOMIC_SEQ_CST);
		uint64_t now, wait;

		__atomic_store_n(mine, 1, __ATOMIC_SEQ_CST);
		if (holders(sb) <= limit)
			return true;
		__atomic_store_n(mine, 0, __ATOMIC_SEQ_CST);
		if ((now = mq_now_mono_ns()) >= deadline_mono_ns)
			return false;
		wait = deadline_mono_ns - now < WAIT_MAX_NS ? deadline_mono_ns - now : WAIT_MAX_NS;
		/* returns at once if a leave bumped the word since seen */
		syscall(SYS_futex, &sb->gate, FUTEX_WAIT, seen,
			&(struct timespec){ .tv_nsec = (long)wait }, NULL, 0);
	}
}

void mq_gate_leave(struct mq_scoreboard *sb, int slot)
{
	__atomic_store_n(&sb->slots[slot].heavy, 0, __ATOMIC_SEQ_CST);
	wake_one(sb);
}

void mq_gate_forget(struct mq_scoreboard *sb, int slot)
{
	if (__atomic_exchange_n(&sb->slots[slot].heavy, 0, __ATOMIC_SEQ_CST))
		wake_one(sb);
}

/*
 * gate.c: turns of the CPU-heavy routes (gate.h).
 */
#include "pool/gate.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* A waiter looks at the deadline this often when no turn comes. */
#define WAIT_MAX_NS 10000000ULL

static void lock(struct mq_gate_state *g)
{
	/* a worker died holding it: the turns are flags per slot, with
	 * nothing half done to undo */
	if (pthread_mutex_lock(&g->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&g->lock);
}

static int holders(const struct mq_scoreboard *sb)
{
	int n = 0;

	for (uint32_t i = 0; i < sb->nslots; i++)
		n += sb->gate.slots[i].held != 0;
	return n;
}

/* The slot that has waited longest, or -1 (tickets wrap: compared by
 * difference). */
static int first_waiter(const struct mq_scoreboard *sb)
{
	int first = -1;

	for (uint32_t i = 0; i < sb->nslots; i++) {
		uint32_t t = sb->gate.slots[i].ticket;

		if (t && (first < 0 || (int32_t)(t - sb->gate.slots[first].ticket) < 0))
			first = (int)i;
	}
	return first;
}

/* Under the lock, a turn just freed: handed to the first waiter, whose
 * slot is returned for waking (-1: none waits). */
static int hand_over(struct mq_scoreboard *sb)
{
	int w = first_waiter(sb);

	if (w >= 0) {
		sb->gate.slots[w].ticket = 0;
		__atomic_store_n(&sb->gate.slots[w].held, 1, __ATOMIC_RELEASE);
	}
	return w;
}

static void wake(struct mq_scoreboard *sb, int slot)
{
	if (slot >= 0)
		syscall(SYS_futex, &sb->gate.slots[slot].held, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void sleep_until_held(struct mq_scoreboard *sb, int slot, uint64_t deadline)
{
	uint64_t now = mq_now_mono_ns(), wait;

	if (now >= deadline)
		return;
	wait = deadline - now < WAIT_MAX_NS ? deadline - now : WAIT_MAX_NS;
	/* returns at once if the turn was handed over meanwhile */
	syscall(SYS_futex, &sb->gate.slots[slot].held, FUTEX_WAIT, 0,
		&(struct timespec){ .tv_nsec = (long)wait }, NULL, 0);
}

bool mq_gate_enter(struct mq_scoreboard *sb, int slot, int limit, uint64_t deadline_mono_ns)
{
	struct mq_gate_state *g = &sb->gate;
	bool in;

	lock(g);
	if (first_waiter(sb) < 0 && holders(sb) < limit) {
		g->slots[slot].held = 1;
		pthread_mutex_unlock(&g->lock);
		return true;
	}
	if (++g->next_ticket == 0)
		++g->next_ticket;
	g->slots[slot].ticket = g->next_ticket;
	for (;;) {
		pthread_mutex_unlock(&g->lock);
		sleep_until_held(sb, slot, deadline_mono_ns);
		lock(g);
		if ((in = g->slots[slot].held != 0))
			break;
		/* a turn free and no one handed it (a raised limit): take it */
		if (first_waiter(sb) == slot && holders(sb) < limit) {
			g->slots[slot].held = in = 1;
			break;
		}
		if (mq_now_mono_ns() >= deadline_mono_ns)
			break;
	}
	g->slots[slot].ticket = 0;
	pthread_mutex_unlock(&g->lock);
	return in;
}

void mq_gate_leave(struct mq_scoreboard *sb, int slot)
{
	int w;

	lock(&sb->gate);
	sb->gate.slots[slot].held = 0;
	w = hand_over(sb);
	pthread_mutex_unlock(&sb->gate.lock);
	wake(sb, w);
}

void mq_gate_forget(struct mq_scoreboard *sb, int slot)
{
	int w = -1;

	lock(&sb->gate);
	sb->gate.slots[slot].ticket = 0;
	if (sb->gate.slots[slot].held) {
		sb->gate.slots[slot].held = 0;
		w = hand_over(sb);
	}
	pthread_mutex_unlock(&sb->gate.lock);
	wake(sb, w);
}

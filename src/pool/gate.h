/*
 * gate.h: a few requests of the CPU-heavy routes at a time, across the
 * pool (routes flagged MQ_RF_HEAVY; [server] heavy_requests).
 *
 * A personalised recommendation is CPU, in its worker and in its
 * PostgreSQL backend, on the same cores.  Run more at once than there are
 * CPUs and they only share the CPUs: each takes longer, and the turns the
 * scheduler hands round a dozen busy processes make the slowest
 * hundredth several times the median (docs/performance.md, "The
 * recommendations' tail").  Waiting at the gate instead, they run a CPU
 * each, in turn.
 *
 * The turns are kept by slot in the scoreboard (struct mq_gate_state),
 * under a robust mutex shared by the processes, so that the master gives
 * back a dead worker's turn (mq_gate_forget) as it reaps it: no count to
 * leak.  Waiters take tickets; a turn left is handed to the one that has
 * waited longest, which sleeps on its slot's flag until then: in order,
 * and no newcomer passes them (a race for a freed turn let the newcomers
 * win, and the waiters' wait grew the tail).
 */
#ifndef MQ_GATE_H
#define MQ_GATE_H

#include "core/scoreboard.h"

/* Waits for a turn of slot until deadline (CLOCK_MONOTONIC ns); false
 * when the deadline came first. */
bool mq_gate_enter(struct mq_scoreboard *sb, int slot, int limit, uint64_t deadline_mono_ns);

/* Leaves slot's turn, waking one waiter. */
void mq_gate_leave(struct mq_scoreboard *sb, int slot);

/* Master side: the turn of a worker that died holding it. */
void mq_gate_forget(struct mq_scoreboard *sb, int slot);

#endif

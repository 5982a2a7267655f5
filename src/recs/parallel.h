/*
 * parallel.h: running a loop over 0..n-1 on several threads.
 *
 * Training splits its per-item and per-user loops (the rows of a
 * similarity, the users of a sweep) over threads; each thread takes the
 * next chunk of indices from a shared counter, so uneven rows balance
 * out.  fn is called with the thread's number (0..threads-1, for its
 * scratch space) and a range [from, to).
 */
#ifndef MQ_RECS_PARALLEL_H
#define MQ_RECS_PARALLEL_H

#include "core/common.h"

typedef void mq_recs_range_fn(void *arg, int thread, size_t from, size_t to);

/* Runs fn over [0, n) in chunks of chunk on threads threads (1: in the
 * caller's thread), and returns when all are done. */
void mq_recs_parallel(int threads, size_t n, size_t chunk, mq_recs_range_fn *fn, void *arg);

/* How many threads training uses when not told: the CPUs online, at most 8. */
int mq_recs_default_threads(void);

#endif

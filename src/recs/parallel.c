/*
 * parallel.c: a shared counter and a few threads (parallel.h).
 */
#include "recs/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

struct job {
	mq_recs_range_fn *fn;
	void *arg;
	size_t n, chunk;
	atomic_size_t next;
};

struct worker {
	struct job *job;
	int thread;
};

static void *run(void *p)
{
	struct worker *w = p;
	struct job *j = w->job;
	size_t from;

	while ((from = atomic_fetch_add(&j->next, j->chunk)) < j->n)
		j->fn(j->arg, w->thread, from, from + j->chunk < j->n ? from + j->chunk : j->n);
	return NULL;
}

void mq_recs_parallel(int threads, size_t n, size_t chunk, mq_recs_range_fn *fn, void *arg)
{
	struct job j = { .fn = fn, .arg = arg, .n = n, .chunk = chunk ? chunk : 1 };
	pthread_t tid[64];
	struct worker w[64];
	int started = 0;

	atomic_init(&j.next, 0);
	if (threads > 64)
		threads = 64;
	for (int t = 1; t < threads; t++) {
		w[t] = (struct worker){ &j, t };
		if (pthread_create(&tid[t], NULL, run, &w[t]) != 0)
			break;	/* fewer threads: the work still gets done */
		started = t;
	}
	w[0] = (struct worker){ &j, 0 };
	run(&w[0]);
	for (int t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
}

int mq_recs_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

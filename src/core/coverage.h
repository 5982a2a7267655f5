/*
 * coverage.h: gcov's counters in a coverage build (configure
 * --enable-coverage defines MQ_COVERAGE; ./dev coverage makes one).  In
 * any other build these are empty and cost nothing.
 *
 * gcov writes a process's counters when it exits, added to the .gcda
 * files of the build.  A worker would lose them twice over: it runs as
 * [server] user, who may not write the build's files, and the master
 * kills one that overruns request_timeout (SIGKILL: no exit handlers).
 * So a worker starts counting from zero when it is forked (what came
 * before is the master's to write), writes under MQ_COVERAGE_DIR/<uid>
 * once it has dropped its privileges (a directory anyone may create
 * in; ./dev coverage merges it into the build with gcov-tool), and adds
 * its counters to the files after every request.
 */
#ifndef MQ_COVERAGE_H
#define MQ_COVERAGE_H

#include "core/common.h"

#ifdef MQ_COVERAGE

#include <unistd.h>

/* libgcov's own (gcc --coverage links it). */
void __gcov_dump(void);
void __gcov_reset(void);

/* In a process just forked: count from zero. */
static inline void mq_coverage_forked(void)
{
	__gcov_reset();
}

/* In a process that is no longer root: write the counters where it may,
 * MQ_COVERAGE_DIR/<uid>/<the build's absolute path>/... (gcov reads
 * GCOV_PREFIX when it writes). */
static inline void mq_coverage_user(void)
{
	const char *dir = getenv("MQ_COVERAGE_DIR");
	char prefix[4096];

	if (dir == NULL || *dir != '/' || getuid() == 0)
		return;
	snprintf(prefix, sizeof(prefix), "%s/%lu", dir, (unsigned long)getuid());
	setenv("GCOV_PREFIX", prefix, 1);
}

/* Adds the counters to the files now, and counts from zero again: what a
 * SIGKILL loses is what ran since. */
static inline void mq_coverage_flush(void)
{
	__gcov_dump();
	__gcov_reset();
}

#else

static inline void mq_coverage_forked(void) {}
static inline void mq_coverage_user(void) {}
static inline void mq_coverage_flush(void) {}

#endif

#endif

/*
 * progress.h: a progress bar for long CLI jobs (imports, demo data).
 *
 * On a terminal, one line redrawn at most ten times a second:
 *
 *     movies  [#########...........]  45%  450000/1000000  38211/s  eta 14s
 *
 * Elsewhere (a pipe, journald), nothing until the end, then one summary
 * line, so logs are not flooded with carriage returns.
 */
#ifndef MQ_PROGRESS_H
#define MQ_PROGRESS_H

#include "core/common.h"

struct mq_progress {
	const char *label;
	uint64_t total;		/* 0: unknown, shows a count only */
	uint64_t done;
	uint64_t started_ns;
	uint64_t drawn_ns;
	bool tty;
};

void mq_progress_start(struct mq_progress *p, const char *label, uint64_t total);

/* Records that done items are finished (an absolute count). */
void mq_progress_set(struct mq_progress *p, uint64_t done);

/* Draws the final state and ends the line. */
void mq_progress_end(struct mq_progress *p);

#endif

/*
 * worker.h: a worker process: its long-lived state and its request loop.
 */
#ifndef MQ_WORKER_H
#define MQ_WORKER_H

#include "core/common.h"

struct mq_config;
struct mq_router;
struct mq_db;
struct mq_cache;
struct mq_scoreboard;
struct mq_tmdb;

struct mq_worker {
	const struct mq_config *cfg;
	const struct mq_router *router;
	struct mq_db *db;
	struct mq_cache *cache;
	struct mq_tmdb *tmdb;	/* never NULL: unconfigured, it answers 503 */
	struct mq_scoreboard *sb;
	int slot;
	uint32_t generation;
};

/* Runs a worker in a freshly forked child: connects, serves requests from
 * listen_fd until told to stop or max_requests is reached, and returns the
 * process exit status (0 when it left on purpose). */
int mq_worker_run(const struct mq_config *cfg, const struct mq_router *router,
		  struct mq_scoreboard *sb, int slot, uint32_t generation, int listen_fd);

#endif

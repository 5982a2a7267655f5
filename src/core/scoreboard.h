/*
 * scoreboard.h: the pool's shared memory, one slot per worker.
 *
 * The master creates the file and maps it before forking; each worker
 * writes only its own slot; the master folds a dead worker's counters into
 * the "retired" totals before reusing its slot, so sums over live slots
 * plus retired ones never go backwards.  `marquee status` and /metrics read
 * it without locks; the master's fold is bracketed by a sequence counter
 * that readers check so they never count a worker twice.
 */
#ifndef MQ_SCOREBOARD_H
#define MQ_SCOREBOARD_H

#include "core/common.h"

#include <pthread.h>

#define MQ_SB_MAGIC 0x4d51534255ULL	/* "MQSBU" */
#define MQ_SB_VERSION 3
#define MQ_SB_ROUTES 192		/* route table rows + the two below */
#define MQ_SB_ROUTE_NOT_FOUND (MQ_SB_ROUTES - 2)
#define MQ_SB_ROUTE_NOT_ALLOWED (MQ_SB_ROUTES - 1)
#define MQ_SB_STATUSES 24
#define MQ_SB_LATENCY_BUCKETS 12

#define MQ_SB_MAX_SLOTS 384		/* 3 x MQ_MAX_WORKERS: the master's */

/* The turns of pool/gate.h, by slot, together so that a look at all of
 * them reads a few kilobytes, not a page of every slot.  lock is robust
 * and shared between processes; mq_scoreboard_create makes it. */
struct mq_gate_state {
	pthread_mutex_t lock;
	uint32_t next_ticket;
	uint32_t pad;
	struct {
		volatile uint32_t held;	/* a futex: set when a turn is handed over */
		uint32_t ticket;	/* waiting since this ticket; 0: not waiting */
	} slots[MQ_SB_MAX_SLOTS];
};

enum mq_worker_state {
	MQ_W_FREE = 0,
	MQ_W_STARTING,
	MQ_W_IDLE,
	MQ_W_BUSY,
	MQ_W_EXITING,
};

struct mq_route_stats {
	uint64_t status[MQ_SB_STATUSES];
	uint64_t latency[MQ_SB_LATENCY_BUCKETS];	/* not cumulative */
	uint64_t latency_sum_us;
};

struct mq_worker_stats {
	uint64_t requests;
	uint64_t db_reconnects;
	uint64_t cache_hits;
	uint64_t cache_misses;
	struct mq_route_stats routes[MQ_SB_ROUTES];
};

struct mq_slot {
	volatile int32_t pid;
	volatile uint32_t state;
	uint32_t generation;
	uint32_t pad;
	uint64_t started_real_ns;	/* when the worker started */
	volatile uint64_t request_mono_ns;	/* when the current request started */
	char method[8];
	char route[96];
	char request_id[68];
	uint64_t rss_kb;
	struct mq_worker_stats stats;
};

struct mq_scoreboard {
	uint64_t magic;
	uint32_t version;
	uint32_t nslots;
	int32_t master_pid;
	uint32_t generation;		/* current worker generation */
	uint64_t started_real_ns;
	volatile uint64_t seq;		/* odd while the master folds a slot */
	uint64_t worker_starts;
	uint64_t worker_exits;		/* left on purpose (max_requests, stop) */
	uint64_t worker_crashes;	/* died, or exited non-zero (timeouts apart) */
	uint64_t worker_timeouts;	/* killed for request_timeout */
	uint64_t worker_young_deaths;	/* crashes of workers that died young */
	/* crash-loop back-off: restarts beyond workers_floor wait until
	 * backoff_until_mono_ns (CLOCK_MONOTONIC); 0 when not slowed */
	volatile uint64_t backoff_until_mono_ns;
	volatile uint32_t backoff_ms;
	volatile uint32_t workers_floor;
	struct mq_gate_state gate;
	struct mq_worker_stats retired;
	struct mq_slot slots[];
};

/* Creates (truncates) the file at path sized for nslots and maps it.
 * Returns NULL with errno set. */
struct mq_scoreboard *mq_scoreboard_create(const char *path, uint32_t nslots);

/* Maps an existing scoreboard read-only (for `marquee status`). */
const struct mq_scoreboard *mq_scoreboard_open(const char *path, size_t *size);

void mq_scoreboard_unmap(const void *sb, size_t size);
size_t mq_scoreboard_size(uint32_t nslots);

/* Master side: a free slot, or -1. */
int mq_scoreboard_claim(struct mq_scoreboard *sb, pid_t pid, uint32_t generation);

/* Master side: the slot of pid, or -1. */
int mq_scoreboard_find(const struct mq_scoreboard *sb, pid_t pid);

/* Master side: adds the slot's counters to the retired totals, frees it. */
void mq_scoreboard_release(struct mq_scoreboard *sb, int slot);

/* Worker side. */
void mq_scoreboard_begin(struct mq_scoreboard *sb, int slot, const char *method,
			 const char *route, const char *request_id);
void mq_scoreboard_end(struct mq_scoreboard *sb, int slot, int route_index, int status,
		       uint64_t duration_ns);
void mq_scoreboard_state(struct mq_scoreboard *sb, int slot, enum mq_worker_state state);

/* The bucket of a status code; MQ_SB_STATUSES-1 is "other". */
int mq_scoreboard_status_index(int status);
int mq_scoreboard_status_code(int index);	/* 0 for "other" */

/* Upper bounds of the latency buckets in microseconds; the last is +Inf. */
extern const uint64_t mq_scoreboard_latency_bounds_us[MQ_SB_LATENCY_BUCKETS];

/* Sums every slot and the retired totals into out, consistently. */
void mq_scoreboard_sum(const struct mq_scoreboard *sb, struct mq_worker_stats *out);

const char *mq_worker_state_name(enum mq_worker_state s);

#endif

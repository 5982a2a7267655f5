/*
 * scoreboard.c: the shared-memory file, slots and counters.
 */
#include "core/scoreboard.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const int status_codes[MQ_SB_STATUSES - 1] = {
	200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405,
	409, 410, 412, 413, 414, 415, 422, 429, 500, 503, 504,
};

const uint64_t mq_scoreboard_latency_bounds_us[MQ_SB_LATENCY_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 5000000, UINT64_MAX,
};

int mq_scoreboard_status_index(int status)
{
	for (int i = 0; i < MQ_SB_STATUSES - 1; i++)
		if (status_codes[i] == status)
			return i;
	return MQ_SB_STATUSES - 1;
}

int mq_scoreboard_status_code(int index)
{
	return index >= 0 && index < MQ_SB_STATUSES - 1 ? status_codes[index] : 0;
}

const char *mq_worker_state_name(enum mq_worker_state s)
{
	static const char *const names[] = { "free", "starting", "idle", "busy", "exiting" };

	return (unsigned)s < MQ_ARRAY_LEN(names) ? names[s] : "?";
}

size_t mq_scoreboard_size(uint32_t nslots)
{
	return sizeof(struct mq_scoreboard) + (size_t)nslots * sizeof(struct mq_slot);
}

struct mq_scoreboard *mq_scoreboard_create(const char *path, uint32_t nslots)
{
	size_t size = mq_scoreboard_size(nslots);
	struct mq_scoreboard *sb;
	pthread_mutexattr_t attr;
	int fd;

	if (nslots > MQ_SB_MAX_SLOTS) {
		errno = EINVAL;
		return NULL;
	}

	/* Unlink first: a reader that still maps an older file keeps it. */
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	/* ftruncate zero-fills without touching pages: unused slots cost
	 * no memory. */
	if (ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return NULL;
	}
	sb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (sb == MAP_FAILED)
		return NULL;
	sb->magic = MQ_SB_MAGIC;
	sb->version = MQ_SB_VERSION;
	sb->nslots = nslots;
	sb->master_pid = (int32_t)getpid();
	/* a worker that dies holding the lock leaves it to the next taker
	 * (EOWNERDEAD), not locked for good */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&sb->gate.lock, &attr);
	pthread_mutexattr_destroy(&attr);
	sb->started_real_ns = mq_now_real_ns();
	return sb;
}

const struct mq_scoreboard *mq_scoreboard_open(const char *path, size_t *size)
{
	struct stat st;
	const struct mq_scoreboard *sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(*sb)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	sb = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (sb == MAP_FAILED)
		return NULL;
	if (sb->magic != MQ_SB_MAGIC || sb->version != MQ_SB_VERSION ||
	    mq_scoreboard_size(sb->nslots) > (size_t)st.st_size) {
		munmap((void *)sb, (size_t)st.st_size);
		errno = EINVAL;
		return NULL;
	}
	*size = (size_t)st.st_size;
	return sb;
}

void mq_scoreboard_unmap(const void *sb, size_t size)
{
	if (sb)
		munmap((void *)sb, size);
}

int mq_scoreboard_claim(struct mq_scoreboard *sb, pid_t pid, uint32_t generation)
{
	for (uint32_t i = 0; i < sb->nslots; i++) {
		struct mq_slot *s = &sb->slots[i];

		if (s->state != MQ_W_FREE)
			continue;
		memset(s, 0, offsetof(struct mq_slot, stats));
		memset(&s->stats, 0, sizeof(s->stats));
		s->generation = generation;
		s->started_real_ns = mq_now_real_ns();
		s->pid = (int32_t)pid;
		s->state = MQ_W_STARTING;
		return (int)i;
	}
	return -1;
}

int mq_scoreboard_find(const struct mq_scoreboard *sb, pid_t pid)
{
	for (uint32_t i = 0; i < sb->nslots; i++)
		if (sb->slots[i].state != MQ_W_FREE && sb->slots[i].pid == (int32_t)pid)
			return (int)i;
	return -1;
}

static void add_stats(struct mq_worker_stats *to, const struct mq_worker_stats *from)
{
	to->requests += from->requests;
	to->db_reconnects += from->db_reconnects;
	to->cache_hits += from->cache_hits;
	to->cache_misses += from->cache_misses;
	for (int r = 0; r < MQ_SB_ROUTES; r++) {
		const struct mq_route_stats *f = &from->routes[r];
		struct mq_route_stats *t = &to->routes[r];

		for (int i = 0; i < MQ_SB_STATUSES; i++)
			t->status[i] += f->status[i];
		for (int i = 0; i < MQ_SB_LATENCY_BUCKETS; i++)
			t->latency[i] += f->latency[i];
		t->latency_sum_us += f->latency_sum_us;
	}
}

void mq_scoreboard_release(struct mq_scoreboard *sb, int slot)
{
	struct mq_slot *s = &sb->slots[slot];

	__atomic_add_fetch(&sb->seq, 1, __ATOMIC_SEQ_CST);
	add_stats(&sb->retired, &s->stats);
	s->state = MQ_W_FREE;
	s->pid = 0;
	__atomic_add_fetch(&sb->seq, 1, __ATOMIC_SEQ_CST);
}

void mq_scoreboard_sum(const struct mq_scoreboard *sb, struct mq_worker_stats *out)
{
	/* A fold takes microseconds; yield rather than spin while one runs.
	 * After many tries the last (possibly torn) sum is kept: metrics
	 * may be a little off once, never garbage. */
	for (int attempt = 0; attempt < 1000; attempt++) {
		uint64_t seq = __atomic_load_n(&sb->seq, __ATOMIC_ACQUIRE);

		memset(out, 0, sizeof(*out));
		if (seq & 1) {
			sched_yield();
			continue;
		}
		add_stats(out, &sb->retired);
		for (uint32_t i = 0; i < sb->nslots; i++)
			if (sb->slots[i].state != MQ_W_FREE)
				add_stats(out, &sb->slots[i].stats);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&sb->seq, __ATOMIC_ACQUIRE) == seq)
			return;
	}
}

void mq_scoreboard_state(struct mq_scoreboard *sb, int slot, enum mq_worker_state state)
{
	sb->slots[slot].state = state;
}

void mq_scoreboard_begin(struct mq_scoreboard *sb, int slot, const char *method,
			 const char *route, const char *request_id)
{
	struct mq_slot *s = &sb->slots[slot];

	mq_strlcpy(s->method, method, sizeof(s->method));
	mq_strlcpy(s->route, route, sizeof(s->route));
	mq_strlcpy(s->request_id, request_id, sizeof(s->request_id));
	s->request_mono_ns = mq_now_mono_ns();
	s->state = MQ_W_BUSY;
}

void mq_scoreboard_end(struct mq_scoreboard *sb, int slot, int route_index, int status,
		       uint64_t duration_ns)
{
	struct mq_slot *s = &sb->slots[slot];
	struct mq_route_stats *rs;
	uint64_t us = duration_ns / 1000;
	int b = 0;

	if (route_index < 0 || route_index >= MQ_SB_ROUTES)
		route_index = MQ_SB_ROUTE_NOT_FOUND;
	rs = &s->stats.routes[route_index];
	rs->status[mq_scoreboard_status_index(status)]++;
	while (us > mq_scoreboard_latency_bounds_us[b])
		b++;
	rs->latency[b]++;
	rs->latency_sum_us += us;
	s->stats.requests++;
	s->state = MQ_W_IDLE;
}

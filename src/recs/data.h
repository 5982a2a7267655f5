/*
 * data.h: the ratings a recommender learns from, in memory.
 *
 * Users and items are known outside by 64-bit ids (a MovieLens userId, a
 * Marquee movie id) and inside by dense indices 0..n-1, handed out in the
 * order the ids are first seen.  A data set is a list of (user, item,
 * value, day) events; a set (struct mq_recs_set) is a subset of them,
 * indexed by user and by item (compressed sparse rows), which is what the
 * models train on.  Everything here is plain memory: no database, no
 * request; the training job fills a data set from PostgreSQL and `marquee
 * recs eval` from a file.
 */
#ifndef MQ_RECS_DATA_H
#define MQ_RECS_DATA_H

#include "core/common.h"

/* One event.  value: an explicit rating (0.5 to 5) or, for implicit
 * feedback, a strength; day: days since 1970 (time effects, recency). */
struct mq_recs_rating {
	uint32_t user;
	uint32_t item;
	float value;
	int32_t day;
};

/* External ids to dense indices: open addressing, grown by doubling. */
struct mq_recs_ids {
	int64_t *ids;		/* by index */
	uint32_t n, cap;
	uint32_t *slots;	/* index + 1, 0 for empty */
	uint32_t nslots;
};

struct mq_recs_data {
	struct mq_recs_rating *r;
	size_t n, cap;
	struct mq_recs_ids users, items;
};

/* The index of id, added when new.  Never fails (aborts on OOM). */
uint32_t mq_recs_ids_put(struct mq_recs_ids *m, int64_t id);

/* The index of id, or UINT32_MAX when unknown. */
uint32_t mq_recs_ids_get(const struct mq_recs_ids *m, int64_t id);

void mq_recs_ids_free(struct mq_recs_ids *m);

/* Appends an event for the external ids (indices assigned as needed). */
void mq_recs_data_add(struct mq_recs_data *d, int64_t user, int64_t item, float value,
		      int32_t day);
void mq_recs_data_free(struct mq_recs_data *d);

/* A set of events, indexed both ways.  r[] is the set's own copy;
 * by_user[uptr[u] .. uptr[u+1]) are the indices into r of user u's
 * events, sorted by item; by_item likewise, sorted by user. */
struct mq_recs_set {
	struct mq_recs_rating *r;
	size_t n;
	uint32_t nusers, nitems;
	size_t *uptr, *iptr;
	uint32_t *by_user, *by_item;
	double mean;		/* of the values */
};

/* Builds a set of the events r[0..n) (copied) over nusers x nitems. */
void mq_recs_set_build(struct mq_recs_set *s, const struct mq_recs_rating *r, size_t n,
		       uint32_t nusers, uint32_t nitems);
void mq_recs_set_free(struct mq_recs_set *s);

static inline size_t mq_recs_user_count(const struct mq_recs_set *s, uint32_t u)
{
	return s->uptr[u + 1] - s->uptr[u];
}

static inline size_t mq_recs_item_count(const struct mq_recs_set *s, uint32_t i)
{
	return s->iptr[i + 1] - s->iptr[i];
}

/* The integers of an array literal as PostgreSQL prints it ("{4,18}"),
 * at most max, into out; returns how many (reading stops at anything
 * else). */
size_t mq_recs_int_array(const char *literal, int64_t *out, size_t max);

/* A small, fast, seedable generator (splitmix64): the same seed gives the
 * same folds and the same initial factors on every machine. */
struct mq_recs_rng {
	uint64_t s;
};

uint64_t mq_recs_rng_next(struct mq_recs_rng *g);
double mq_recs_rng_uniform(struct mq_recs_rng *g);	/* [0, 1) */
double mq_recs_rng_normal(struct mq_recs_rng *g);	/* N(0, 1), Box-Muller */
/* Shuffles v[0..n) in place (Fisher-Yates). */
void mq_recs_rng_shuffle(struct mq_recs_rng *g, uint32_t *v, size_t n);

#endif

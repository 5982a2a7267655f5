/*
 * data.c: ratings in memory, their indexes, and the generator that makes
 * every run reproducible.
 */
#include "recs/data.h"

#include <math.h>

static uint32_t hash64(int64_t id, uint32_t nslots)
{
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(x >> 32) & (nslots - 1);
}

static void ids_grow(struct mq_recs_ids *m)
{
	uint32_t nslots = m->nslots ? m->nslots * 2 : 1024;

	free(m->slots);
	m->slots = mq_xcalloc(nslots, sizeof(*m->slots));
	m->nslots = nslots;
	for (uint32_t i = 0; i < m->n; i++) {
		uint32_t h = hash64(m->ids[i], nslots);

		while (m->slots[h])
			h = (h + 1) & (nslots - 1);
		m->slots[h] = i + 1;
	}
}

uint32_t mq_recs_ids_get(const struct mq_recs_ids *m, int64_t id)
{
	if (m->nslots == 0)
		return UINT32_MAX;
	for (uint32_t h = hash64(id, m->nslots); m->slots[h]; h = (h + 1) & (m->nslots - 1))
		if (m->ids[m->slots[h] - 1] == id)
			return m->slots[h] - 1;
	return UINT32_MAX;
}

uint32_t mq_recs_ids_put(struct mq_recs_ids *m, int64_t id)
{
	uint32_t h, i = mq_recs_ids_get(m, id);

	if (i != UINT32_MAX)
		return i;
	if ((m->n + 1) * 2 > m->nslots)	/* at most half full */
		ids_grow(m);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->ids = mq_xrealloc(m->ids, m->cap * sizeof(*m->ids));
	}
	m->ids[m->n] = id;
	for (h = hash64(id, m->nslots); m->slots[h]; h = (h + 1) & (m->nslots - 1))
		;
	m->slots[h] = m->n + 1;
	return m->n++;
}

void mq_recs_ids_free(struct mq_recs_ids *m)
{
	free(m->ids);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void mq_recs_data_add(struct mq_recs_data *d, int64_t user, int64_t item, float value,
		      int32_t day)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 65536;
		d->r = mq_xrealloc(d->r, d->cap * sizeof(*d->r));
	}
	d->r[d->n++] = (struct mq_recs_rating){
		.user = mq_recs_ids_put(&d->users, user),
		.item = mq_recs_ids_put(&d->items, item),
		.value = value,
		.day = day,
	};
}

void mq_recs_data_free(struct mq_recs_data *d)
{
	free(d->r);
	mq_recs_ids_free(&d->users);
	mq_recs_ids_free(&d->items);
	memset(d, 0, sizeof(*d));
}

/* A stable counting sort of the event indices in[0..n) by key (user or
 * item) into out, with ptr[0..nkeys] the start of each key's run. */
static void count_sort(const struct mq_recs_rating *r, const uint32_t *in, size_t n, bool by_user,
		       uint32_t nkeys, size_t *ptr, uint32_t *out)
{
	memset(ptr, 0, (nkeys + 1) * sizeof(*ptr));
	for (size_t k = 0; k < n; k++)
		ptr[(by_user ? r[in[k]].user : r[in[k]].item) + 1]++;
	for (uint32_t k = 0; k < nkeys; k++)
		ptr[k + 1] += ptr[k];
	size_t *next = mq_xmalloc(nkeys * sizeof(*next) + 1);
	memcpy(next, ptr, nkeys * sizeof(*next));
	for (size_t k = 0; k < n; k++)
		out[next[by_user ? r[in[k]].user : r[in[k]].item]++] = in[k];
	free(next);
}

void mq_recs_set_build(struct mq_recs_set *s, const struct mq_recs_rating *r, size_t n,
		       uint32_t nusers, uint32_t nitems)
{
	uint32_t *seq = mq_xmalloc(n * sizeof(*seq) + 1);
	double sum = 0;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->nusers = nusers;
	s->nitems = nitems;
	s->r = mq_xmalloc(n * sizeof(*s->r) + 1);
	if (n)
		memcpy(s->r, r, n * sizeof(*r));
	s->uptr = mq_xmalloc((nusers + 1) * sizeof(*s->uptr));
	s->iptr = mq_xmalloc((nitems + 1) * sizeof(*s->iptr));
	s->by_user = mq_xmalloc(n * sizeof(*s->by_user) + 1);
	s->by_item = mq_xmalloc(n * sizeof(*s->by_item) + 1);
	for (size_t k = 0; k < n; k++) {
		seq[k] = (uint32_t)k;
		sum += r[k].value;
	}
	s->mean = n ? sum / (double)n : 0;
	/* by item (users in event order), then stably by user: each user's
	 * events come out sorted by item, and each item's by user */
	count_sort(s->r, seq, n, false, nitems, s->iptr, s->by_item);
	count_sort(s->r, s->by_item, n, true, nusers, s->uptr, s->by_user);
	for (size_t k = 0; k < n; k++)
		seq[k] = s->by_user[k];
	count_sort(s->r, seq, n, false, nitems, s->iptr, s->by_item);
	free(seq);
}

void mq_recs_set_free(struct mq_recs_set *s)
{
	free(s->r);
	free(s->uptr);
	free(s->iptr);
	free(s->by_user);
	free(s->by_item);
	memset(s, 0, sizeof(*s));
}

size_t mq_recs_int_array(const char *literal, int64_t *out, size_t max)
{
	size_t n = 0;

	if (literal == NULL)
		return 0;
	for (const char *p = literal + (*literal == '{'); *p && *p != '}' && n < max;) {
		char *end;
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		out[n++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

uint64_t mq_recs_rng_next(struct mq_recs_rng *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double mq_recs_rng_uniform(struct mq_recs_rng *g)
{
	return (double)(mq_recs_rng_next(g) >> 11) * 0x1.0p-53;
}

double mq_recs_rng_normal(struct mq_recs_rng *g)
{
	double u = mq_recs_rng_uniform(g), v = mq_recs_rng_uniform(g);

	return sqrt(-2.0 * log(u > 0 ? u : 0x1.0p-53)) * cos(2.0 * M_PI * v);
}

void mq_recs_rng_shuffle(struct mq_recs_rng *g, uint32_t *v, size_t n)
{
	for (size_t k = n; k > 1; k--) {
		size_t j = (size_t)(mq_recs_rng_next(g) % k);
		uint32_t t = v[k - 1];

		v[k - 1] = v[j];
		v[j] = t;
	}
}

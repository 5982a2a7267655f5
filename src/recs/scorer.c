/*
 * scorer.c: the request-time scorer of the hybrid (hybrid.h), which both
 * GET /api/movies/recommended/ and `marquee recs eval` run.  Apart from
 * hybrid.c so that the workers link none of training (and no BLAS).
 */
#include "recs/hybrid.h"

static size_t slot_of(const struct mq_recs_scorer *sc, int64_t item)
{
	size_t h = (size_t)(((uint64_t)item * 0x9e3779b97f4a7c15ULL) >> 17) & (sc->nslots - 1);

	while (sc->slot[h].item && sc->slot[h].item != item)
		h = (h + 1) & (sc->nslots - 1);
	return h;
}

void mq_recs_scorer_init(struct mq_recs_scorer *sc, size_t expected)
{
	sc->nslots = 64;
	while (sc->nslots < expected * 2)
		sc->nslots *= 2;
	sc->slot = mq_xcalloc(sc->nslots, sizeof(*sc->slot));
	sc->n = 0;
}

void mq_recs_scorer_free(struct mq_recs_scorer *sc)
{
	free(sc->slot);
	memset(sc, 0, sizeof(*sc));
}

static void grow(struct mq_recs_scorer *sc)
{
	struct mq_recs_scored *old = sc->slot;
	size_t n = sc->nslots;

	sc->nslots *= 2;
	sc->slot = mq_xcalloc(sc->nslots, sizeof(*sc->slot));
	for (size_t k = 0; k < n; k++)
		if (old[k].item)
			sc->slot[slot_of(sc, old[k].item)] = old[k];
	free(old);
}

struct mq_recs_scored *mq_recs_scorer_get(struct mq_recs_scorer *sc, int64_t item)
{
	struct mq_recs_scored *e = &sc->slot[slot_of(sc, item)];

	return e->item ? e : NULL;
}

/* item's entry, added (score 0) when new. */
static struct mq_recs_scored *entry(struct mq_recs_scorer *sc, int64_t item)
{
	struct mq_recs_scored *e;

	if ((sc->n + 1) * 2 > sc->nslots)
		grow(sc);
	e = &sc->slot[slot_of(sc, item)];
	if (e->item == 0) {
		*e = (struct mq_recs_scored){ .item = item };
		sc->n++;
	}
	return e;
}

void mq_recs_scorer_add(struct mq_recs_scorer *sc, int64_t from, float w, const int64_t *to,
			const float *lw, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct mq_recs_scored *e;
		float c = w * lw[k];

		if (to[k] == 0)
			continue;	/* id 0 marks nothing */
		e = entry(sc, to[k]);
		e->score += c;
		if (c > e->because_part) {
			e->because_part = c;
			e->because = from;
		}
	}
}

void mq_recs_scorer_merge(struct mq_recs_scorer *sc, const struct mq_recs_scored *in, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct mq_recs_scored *e;

		if (in[k].item == 0)
			continue;
		e = entry(sc, in[k].item);
		e->score += in[k].score;
		if (in[k].because_part > e->because_part) {
			e->because_part = in[k].because_part;
			e->because = in[k].because;
		}
	}
}

static bool ranks_before(const struct mq_recs_scored *a, const struct mq_recs_scored *b)
{
	return a->score > b->score || (a->score == b->score && a->item < b->item);
}

size_t mq_recs_scorer_top(const struct mq_recs_scorer *sc, size_t k,
			  bool (*skip)(void *arg, int64_t item), void *arg,
			  struct mq_recs_scored *out)
{
	size_t n = 0;

	/* insertion into the sorted top k: k is a page's worth, small */
	for (size_t s = 0; s < sc->nslots; s++) {
		const struct mq_recs_scored *e = &sc->slot[s];
		size_t at;

		if (e->item == 0 || !(e->score > 0) || (skip && skip(arg, e->item)))
			continue;
		if (n == k && !ranks_before(e, &out[k - 1]))
			continue;
		at = n < k ? n++ : k - 1;
		while (at > 0 && ranks_before(e, &out[at - 1])) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = *e;
	}
	return n;
}

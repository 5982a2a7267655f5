/*
 * scorer.c: the request-time scorer of the hybrid (hybrid.h), which both
 * GET /api/movies/recommended/ and `marquee recs eval` run.  Apart from
 * hybrid.c so that the workers link none of training (and no BLAS).
 */
#include "recs/hybrid.h"

#include <stdlib.h>

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

static int cmp_rank(const void *a, const void *b)
{
	return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

/* The heap h of n entries, the worst at 0, with h[at] moved down to
 * its place. */
static void sift_down(struct mq_recs_scored *h, size_t n, size_t at)
{
	for (;;) {
		size_t worst = at, l = 2 * at + 1, r = l + 1;
		struct mq_recs_scored t;

		if (l < n && ranks_before(&h[worst], &h[l]))
			worst = l;
		if (r < n && ranks_before(&h[worst], &h[r]))
			worst = r;
		if (worst == at)
			return;
		t = h[at];
		h[at] = h[worst];
		h[worst] = t;
		at = worst;
	}
}

/* The best k kept in a heap whose root is the worst of them, then
 * sorted: the ranking is a strict order (ids are unique), so this is the
 * list an insertion into a sorted top k gives, without its quadratic
 * moves (500 candidates of a user: a tenth of the worker's time). */
size_t mq_recs_scorer_top(const struct mq_recs_scorer *sc, size_t k,
			  bool (*skip)(void *arg, int64_t item), void *arg,
			  struct mq_recs_scored *out)
{
	size_t n = 0;

	if (k == 0)
		return 0;
	for (size_t s = 0; s < sc->nslots; s++) {
		const struct mq_recs_scored *e = &sc->slot[s];

		if (e->item == 0 || !(e->score > 0) || (n == k && !ranks_before(e, &out[0])) ||
		    (skip && skip(arg, e->item)))
			continue;
		if (n < k) {
			size_t at = n++;

			/* up while the parent ranks before it */
			while (at > 0 && ranks_before(&out[(at - 1) / 2], e)) {
				out[at] = out[(at - 1) / 2];
				at = (at - 1) / 2;
			}
			out[at] = *e;
		} else {
			out[0] = *e;
			sift_down(out, n, 0);
		}
	}
	qsort(out, n, sizeof(*out), cmp_rank);
	return n;
}

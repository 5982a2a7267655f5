/*
 * user_lists.c: each heavy user's candidates, scored at training time
 * (hybrid.h).
 *
 * GET /api/movies/recommended/ sums one item list per signal; for a user
 * with hundreds of signals that is a megabyte of lists read and summed
 * per request (236 ms p99 for a user with 200 ratings at 4 connections,
 * docs/recommendations.md), most of it the same as yesterday.  So the
 * training run sums them once for the users with many signals, with the
 * scorer the request runs, and keeps the best with the strength of each
 * signal it summed (the basis): at request time only the difference
 * between the user's signals now and the basis is folded in (a new
 * signal added, a changed one by its change, a withdrawn one taken out).
 * The result is the ranking that folding everything in per request
 * gives, as long as the page stays within the kept candidates.
 */
#include "recs/hybrid.h"

#include "recs/parallel.h"

/* The users of one chunk, scored in parallel, then emitted in order. */
#define CHUNK 256

struct job {
	const struct mq_recs_set *s;
	const float *weight;
	const struct mq_recs_neighbors *lists;
	const int64_t *item_ids;
	const uint8_t *shown;
	size_t min_signals, max_signals, k;
	uint32_t *users;		/* of this chunk */
	struct mq_recs_scored *best;	/* CHUNK x k */
	size_t *nbest;
	struct mq_recs_basis *basis;	/* CHUNK x max_signals */
	size_t *nbasis;
	int64_t *scratch[64];		/* a thread's list ids */
	float *scratch_w[64];
	int64_t *own[64];		/* a thread's user's excluded items, sorted */
};

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

struct own {
	const int64_t *ids;
	size_t n;
};

static bool is_own(void *arg, int64_t item)
{
	const struct own *o = arg;

	return bsearch(&item, o->ids, o->n, sizeof(*o->ids), cmp_id) != NULL;
}

/* The newest max of the user's events (all of them when fewer), as the
 * request reads them (recommend.c: newest first, at most max_signals). */
static size_t newest(const struct mq_recs_set *s, uint32_t u, size_t max, uint32_t *out)
{
	size_t n = 0;

	for (size_t p = s->uptr[u]; p < s->uptr[u + 1]; p++)
		out[n++] = s->by_user[p];
	if (n <= max)
		return n;
	/* selection by day, newest first: max is hundreds, n rarely more */
	for (size_t a = 0; a < max; a++)
		for (size_t b = a + 1; b < n; b++)
			if (s->r[out[b]].day > s->r[out[a]].day) {
				uint32_t t = out[a];

				out[a] = out[b];
				out[b] = t;
			}
	return max;
}

static void score_user(struct job *j, int thread, size_t slot)
{
	const struct mq_recs_set *s = j->s;
	const struct mq_recs_neighbors *nb = j->lists;
	uint32_t u = j->users[slot];
	size_t count = mq_recs_user_count(s, u);
	uint32_t *ev = mq_xmalloc(count * sizeof(*ev));
	size_t n = newest(s, u, j->max_signals, ev), nown = 0;
	struct mq_recs_scorer sc;
	struct own own = { j->own[thread], 0 };

	struct mq_recs_basis *basis = j->basis + slot * j->max_signals;

	j->nbasis[slot] = 0;
	mq_recs_scorer_init(&sc, n * 64);
	for (size_t x = 0; x < n; x++) {
		uint32_t e = ev[x], item = s->r[e].item;
		size_t from = nb->ptr[item], len = nb->ptr[item + 1] - from;

		if (!j->shown[e])
			j->own[thread][nown++] = j->item_ids[item];
		/* a movie without a list lends its content neighbours at
		 * request time: left to the request, out of the basis */
		if (len == 0)
			continue;
		if (len > MQ_RECS_LIST_K)
			len = MQ_RECS_LIST_K;
		basis[j->nbasis[slot]++] = (struct mq_recs_basis){ j->item_ids[item], j->weight[e] };
		for (size_t k = 0; k < len; k++) {
			j->scratch[thread][k] = j->item_ids[nb->item[from + k]];
			j->scratch_w[thread][k] = nb->score[from + k];
		}
		mq_recs_scorer_add(&sc, j->item_ids[item], j->weight[e], j->scratch[thread],
				   j->scratch_w[thread], len);
	}
	own.n = nown;
	qsort(j->own[thread], nown, sizeof(int64_t), cmp_id);
	qsort(basis, j->nbasis[slot], sizeof(*basis), cmp_id);	/* item first */
	j->nbest[slot] = mq_recs_scorer_top(&sc, j->k, is_own, &own, j->best + slot * j->k);
	mq_recs_scorer_free(&sc);
	free(ev);
}

static void run(void *arg, int thread, size_t from, size_t to)
{
	for (size_t slot = from; slot < to; slot++)
		score_user(arg, thread, slot);
}

size_t mq_recs_user_lists(const struct mq_recs_set *s, const float *weight,
			  const struct mq_recs_neighbors *lists, const int64_t *item_ids,
			  const uint8_t *shown, size_t min_signals, size_t max_signals, size_t k,
			  int threads, mq_recs_user_list_fn *emit, void *arg)
{
	struct job j = { .s = s, .weight = weight, .lists = lists, .item_ids = item_ids,
			 .shown = shown, .min_signals = min_signals, .max_signals = max_signals,
			 .k = k };
	size_t emitted = 0, longest = 0;

	if (min_signals == 0 || k == 0)
		return 0;
	threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
	for (uint32_t u = 0; u < s->nusers; u++)
		if (mq_recs_user_count(s, u) > longest)
			longest = mq_recs_user_count(s, u);
	for (int t = 0; t < threads; t++) {
		j.scratch[t] = mq_xmalloc(MQ_RECS_LIST_K * sizeof(int64_t));
		j.scratch_w[t] = mq_xmalloc(MQ_RECS_LIST_K * sizeof(float));
		j.own[t] = mq_xmalloc((longest + 1) * sizeof(int64_t));
	}
	j.users = mq_xmalloc(CHUNK * sizeof(*j.users));
	j.best = mq_xmalloc(CHUNK * k * sizeof(*j.best));
	j.nbest = mq_xmalloc(CHUNK * sizeof(*j.nbest));
	j.basis = mq_xmalloc(CHUNK * max_signals * sizeof(*j.basis));
	j.nbasis = mq_xmalloc(CHUNK * sizeof(*j.nbasis));
	for (uint32_t u = 0; u < s->nusers;) {
		size_t n = 0;

		while (u < s->nusers && n < CHUNK) {
			if (mq_recs_user_count(s, u) >= min_signals)
				j.users[n++] = u;
			u++;
		}
		mq_recs_parallel(threads, n, 4, run, &j);
		for (size_t x = 0; x < n; x++)
			if (emit(arg, j.users[x], j.best + x * k, j.nbest[x],
				 j.basis + x * max_signals, j.nbasis[x]) == 0)
				emitted++;
	}
	for (int t = 0; t < threads; t++) {
		free(j.scratch[t]);
		free(j.scratch_w[t]);
		free(j.own[t]);
	}
	free(j.users);
	free(j.best);
	free(j.nbest);
	free(j.basis);
	free(j.nbasis);
	return emitted;
}

/*
 * metrics.c: rating error, top-N accuracy, coverage, and top-k selection.
 */
#include "recs/metrics.h"

#include <math.h>

void mq_recs_error_add(struct mq_recs_error_sum *e, double predicted, double actual)
{
	double d = predicted - actual;

	e->squared += d * d;
	e->absolute += fabs(d);
	e->n++;
}

double mq_recs_rmse(const struct mq_recs_error_sum *e)
{
	return e->n ? sqrt(e->squared / (double)e->n) : NAN;
}

double mq_recs_mae(const struct mq_recs_error_sum *e)
{
	return e->n ? e->absolute / (double)e->n : NAN;
}

static bool contains(const uint32_t *sorted, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted[mid] == x)
			return true;
		if (sorted[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void mq_recs_rank_score(const uint32_t *top, size_t n, size_t k, const uint32_t *relevant,
			size_t nrel, struct mq_recs_rank_scores *out)
{
	size_t hits = 0, ideal = nrel < k ? nrel : k;
	double dcg = 0, idcg = 0, ap = 0;

	if (n > k)
		n = k;
	for (size_t i = 0; i < n; i++) {
		if (!contains(relevant, nrel, top[i]))
			continue;
		hits++;
		dcg += 1.0 / log2((double)i + 2.0);
		ap += (double)hits / (double)(i + 1);
	}
	for (size_t i = 0; i < ideal; i++)
		idcg += 1.0 / log2((double)i + 2.0);
	out->precision = (double)hits / (double)k;
	out->recall = (double)hits / (double)nrel;
	out->ndcg = idcg > 0 ? dcg / idcg : 0;
	out->ap = ideal ? ap / (double)ideal : 0;
}

void mq_recs_rank_sum_init(struct mq_recs_rank_sum *s, size_t nitems)
{
	memset(s, 0, sizeof(*s));
	s->shown = mq_xcalloc(nitems + 1, 1);
	s->nitems = nitems;
}

void mq_recs_rank_sum_add(struct mq_recs_rank_sum *s, const uint32_t *top, size_t n, size_t k,
			  const uint32_t *relevant, size_t nrel)
{
	struct mq_recs_rank_scores m;

	for (size_t i = 0; i < n && i < k; i++)
		if (top[i] < s->nitems && !s->shown[top[i]]) {
			s->shown[top[i]] = 1;
			s->distinct++;
		}
	if (nrel == 0)
		return;
	mq_recs_rank_score(top, n, k, relevant, nrel, &m);
	s->sum.precision += m.precision;
	s->sum.recall += m.recall;
	s->sum.ndcg += m.ndcg;
	s->sum.ap += m.ap;
	s->users++;
}

void mq_recs_rank_sum_mean(const struct mq_recs_rank_sum *s, size_t candidates,
			   struct mq_recs_rank_scores *mean, double *coverage)
{
	double n = s->users ? (double)s->users : NAN;

	mean->precision = s->sum.precision / n;
	mean->recall = s->sum.recall / n;
	mean->ndcg = s->sum.ndcg / n;
	mean->ap = s->sum.ap / n;
	*coverage = candidates ? (double)s->distinct / (double)candidates : NAN;
}

void mq_recs_rank_sum_free(struct mq_recs_rank_sum *s)
{
	free(s->shown);
	memset(s, 0, sizeof(*s));
}

/* a before b in a ranking: the higher score, then the lower index */
static bool better(float sa, uint32_t a, float sb, uint32_t b)
{
	return sa > sb || (sa == sb && a < b);
}

static void swap(float *hs, uint32_t *hi, size_t a, size_t b)
{
	float ts = hs[a];
	uint32_t ti = hi[a];

	hs[a] = hs[b];
	hi[a] = hi[b];
	hs[b] = ts;
	hi[b] = ti;
}

/* The heap keeps the worst of the k best at its root. */
static void sift_down(float *hs, uint32_t *hi, size_t n, size_t at)
{
	for (;;) {
		size_t l = 2 * at + 1, r = l + 1, worst = at;

		if (l < n && better(hs[worst], hi[worst], hs[l], hi[l]))
			worst = l;
		if (r < n && better(hs[worst], hi[worst], hs[r], hi[r]))
			worst = r;
		if (worst == at)
			return;
		swap(hs, hi, at, worst);
		at = worst;
	}
}

size_t mq_recs_top_k(const float *scores, size_t n, const uint8_t *skip, size_t k, uint32_t *top)
{
	float *hs;
	size_t m = 0;

	if (k == 0)
		return 0;
	hs = mq_xmalloc(k * sizeof(*hs));
	for (size_t i = 0; i < n; i++) {
		float s = scores[i];

		if ((skip && skip[i]) || isnan(s) || s == -INFINITY)
			continue;
		if (m < k) {
			/* sift up */
			size_t at = m++;

			hs[at] = s;
			top[at] = (uint32_t)i;
			while (at > 0) {
				size_t parent = (at - 1) / 2;

				if (!better(hs[parent], top[parent], hs[at], top[at]))
					break;
				swap(hs, top, at, parent);
				at = parent;
			}
		} else if (better(s, (uint32_t)i, hs[0], top[0])) {
			hs[0] = s;
			top[0] = (uint32_t)i;
			sift_down(hs, top, m, 0);
		}
	}
	/* heap sort: the worst to the end, one by one */
	for (size_t end = m; end > 1; end--) {
		swap(hs, top, 0, end - 1);
		sift_down(hs, top, end - 1, 0);
	}
	free(hs);
	return m;
}

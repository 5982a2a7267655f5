/*
 * metrics.h: how good a recommender is, measured as the literature does.
 *
 * Rating accuracy: RMSE and MAE of predictions against held-out ratings.
 * Top-N accuracy of one user's ranked list against the set of items that
 * are relevant to the user (in `marquee recs eval`: held-out ratings of 4
 * or more), at a cut-off k:
 *
 *   precision@k  hits / k
 *   recall@k     hits / |relevant|
 *   ndcg@k       DCG / IDCG, binary gains, DCG = sum over ranks i <= k of
 *                rel(i) / log2(i + 1), IDCG the DCG of min(k, |relevant|)
 *                hits at the top (Järvelin & Kekäläinen 2002)
 *   ap@k         sum over hit ranks i <= k of precision@i, divided by
 *                min(k, |relevant|) (MAP@k is its mean over users)
 *
 * Each is averaged over the users with at least one relevant item.
 * Catalog coverage@k: the share of the candidate items that appear in at
 * least one user's top k.
 */
#ifndef MQ_RECS_METRICS_H
#define MQ_RECS_METRICS_H

#include "core/common.h"

struct mq_recs_error_sum {
	double squared, absolute;
	size_t n;
};

void mq_recs_error_add(struct mq_recs_error_sum *e, double predicted, double actual);
double mq_recs_rmse(const struct mq_recs_error_sum *e);	/* NAN when empty */
double mq_recs_mae(const struct mq_recs_error_sum *e);

struct mq_recs_rank_scores {
	double precision, recall, ndcg, ap;
};

/* The metrics of the ranked list top[0..n) (n <= k; a shorter list counts
 * its missing ranks as misses) against relevant[0..nrel), sorted
 * ascending.  nrel must be at least 1. */
void mq_recs_rank_score(const uint32_t *top, size_t n, size_t k, const uint32_t *relevant,
			size_t nrel, struct mq_recs_rank_scores *out);

/* Sums of the per-user metrics, and the items seen in the top lists. */
struct mq_recs_rank_sum {
	struct mq_recs_rank_scores sum;
	size_t users;
	uint8_t *shown;		/* by item: appeared in a top list */
	size_t nitems, distinct;
};

void mq_recs_rank_sum_init(struct mq_recs_rank_sum *s, size_t nitems);
/* Adds one user's list (and its metrics, when nrel > 0). */
void mq_recs_rank_sum_add(struct mq_recs_rank_sum *s, const uint32_t *top, size_t n, size_t k,
			  const uint32_t *relevant, size_t nrel);
/* The means over users (NAN when no user had a relevant item), and the
 * coverage over candidates items. */
void mq_recs_rank_sum_mean(const struct mq_recs_rank_sum *s, size_t candidates,
			   struct mq_recs_rank_scores *mean, double *coverage);
void mq_recs_rank_sum_free(struct mq_recs_rank_sum *s);

/* The k best of scores[0..n) into top (indices, best first), skipping
 * items with skip[i] set (skip may be NULL) and scores that are NaN or
 * -INFINITY.  Ties go to the lower index, so a ranking is reproducible.
 * Returns how many were found (at most k). */
size_t mq_recs_top_k(const float *scores, size_t n, const uint8_t *skip, size_t k, uint32_t *top);

#endif

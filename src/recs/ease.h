/*
 * ease.h: EASE, the embarrassingly shallow autoencoder (Steck,
 * "Embarrassingly shallow autoencoders for sparse data", WWW 2019).
 *
 * An item-item weight matrix B with a zero diagonal that reconstructs the
 * user-item matrix X, minimising |X - XB|^2 + |Lambda^1/2 B|^2; its closed
 * form is P = (X'X + Lambda)^-1, B_ij = -P_ij / P_jj (j != i).  Lambda is
 * lambda I plus the emphasis below times diag(X'X).  The scores of the
 * model "ease" are discounted by popularity like the hybrid's (hybrid.h).  A user's
 * scores are x_u B: a sum over the items the user touched, like
 * item-kNN, but with weights that account for every other item at once
 * (negative ones included).  X holds the signal strengths (signals.h):
 * a rating of 4 or more 1, a lower one 0.3, not interested negative.
 *
 * The cost is the inverse of an items x items matrix (LAPACK's spotrf and
 * spotri through OpenBLAS, threaded), so the model takes the
 * most-rated items only: at most max_items, each with at least MQ_RECS_EASE_MIN
 * events.  lambda follows the paper's advice of a few hundred for
 * MovieLens-sized data (chosen on ml-latest-small, docs/recommendations.md).
 */
#ifndef MQ_RECS_EASE_H
#define MQ_RECS_EASE_H

#include "recs/data.h"

#define MQ_RECS_EASE_LAMBDA 150.0f
/* dropout emphasis p / (1 - p), p = 0.5 (Steck, "Autoencoders that don't
 * overfit towards the identity", NeurIPS 2020): the diagonal of X'X is
 * added again, so popular items are held back more than rare ones */
#define MQ_RECS_EASE_EMPHASIS 1.0f
#define MQ_RECS_EASE_MAX_ITEMS 6000
#define MQ_RECS_EASE_MIN 2

struct mq_recs_ease {
	uint32_t n;		/* items kept */
	uint32_t *item;		/* by row: the item (n of them) */
	int32_t *row;		/* by item: its row, or -1 when not kept */
	float *b;		/* n x n, row j: the weights of j towards each item */
};

/* Fits EASE on s with event weights weight[] (0: not a signal).
 * Returns 0, or -1 when the Gram matrix could not be inverted. */
int mq_recs_ease_train(struct mq_recs_ease *e, const struct mq_recs_set *s, const float *weight,
		       float lambda, uint32_t max_items);
void mq_recs_ease_free(struct mq_recs_ease *e);

#endif

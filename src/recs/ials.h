/*
 * ials.h: implicit-feedback matrix factorisation by alternating least
 * squares (Hu, Koren & Volinsky, "Collaborative filtering for implicit
 * feedback datasets", ICDM 2008).
 *
 * Every (user, item) pair has a preference p_ui (1 when the user showed
 * interest in the item, else 0) held with a confidence c_ui = 1 + alpha
 * w_ui, w_ui the strength of the signals (1 for pairs without any).  The
 * factors minimise
 *
 *     sum over all pairs c_ui (p_ui - x_u . y_i)^2 + lambda (|X|^2 + |Y|^2)
 *
 * and each user's factors given the items' have the closed form (eq. 4)
 *
 *     x_u = (Y'Y + Y'(C_u - I)Y + lambda I)^-1 Y' C_u p(u)
 *
 * where Y'Y is shared by all users and only the items u touched add to
 * it: a sweep costs O(nnz f^2 + (users + items) f^3).  The same formula
 * folds a user in at request time against a published item model: that
 * is how a user's newest ratings count before the next training run, and
 * how a user who was not there at training gets recommendations at all.
 * A negative signal (not interested) is a pair with p = 0 and a high
 * confidence: it pushes x_u away from the item.  Section 5 of the paper
 * explains a score as a sum over the items u touched,
 *
 *     score_ui = sum_j s^u_ij c_uj p_uj,  s^u_ij = y_i' W^u y_j,
 *     W^u = (Y'Y + Y'(C_u - I)Y + lambda I)^-1,
 *
 * which is where "because you liked X" comes from.
 */
#ifndef MQ_RECS_IALS_H
#define MQ_RECS_IALS_H

#include "recs/data.h"

#define MQ_RECS_IALS_FACTORS 64
#define MQ_RECS_IALS_LAMBDA 10.0f
#define MQ_RECS_IALS_ALPHA 1.0f
#define MQ_RECS_IALS_SWEEPS 12

/* One signal of a user, for folding in. */
struct mq_recs_signal {
	const float *y;		/* the item's factors (f) */
	float confidence;	/* c_uj: 1 + alpha w */
	float preference;	/* p_uj: 1 or 0 */
};

/* Scratch space for fold-ins of f factors; one per thread. */
struct mq_recs_foldin {
	int f;
	float *a, *b, *z;	/* f x f, f, ZROWS x f */
};

void mq_recs_foldin_init(struct mq_recs_foldin *w, int f);
void mq_recs_foldin_free(struct mq_recs_foldin *w);

/* x = (gram + sum (c - 1) y y' + lambda I)^-1 sum c p y over sig[0..n).
 * gram is Y'Y (f x f) of the item model.  When winv is not NULL it
 * receives W^u (f x f) for explanations.  Returns 0, or -1 when the
 * system is singular (x is then 0). */
int mq_recs_fold_in(struct mq_recs_foldin *w, const float *gram, float lambda,
		    const struct mq_recs_signal *sig, size_t n, float *x, float *winv);

/* The item factors of an implicit model fitted on s: events with
 * weight[e] > 0 are positive with confidence 1 + alpha weight[e], events
 * with weight[e] < 0 negative with confidence 1 + alpha |weight[e]|.
 * Returns Y (nitems x f, malloc'd) and the users' X when x is not NULL. */
float *mq_recs_ials_train(const struct mq_recs_set *s, const float *weight, int f, float alpha,
			  float lambda, int sweeps, uint64_t seed, int threads, float **x,
			  void (*progress)(void *arg, int sweep, int sweeps), void *progress_arg);

#endif

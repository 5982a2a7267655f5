/*
 * baseline.h: the baseline predictor b_ui = mu + b_u + b_i.
 *
 * Koren, "Factor in the neighbors: scalable and accurate collaborative
 * filtering", ACM TKDD 4(1), 2010, section 2.1: the user and item biases
 * minimise the squared error plus lambda_u * sum b_u^2 + lambda_i * sum
 * b_i^2.  Each has a closed form given the other,
 *
 *     b_i = sum over u in R(i) of (r_ui - mu - b_u) / (lambda_i + |R(i)|)
 *     b_u = sum over i in R(u) of (r_ui - mu - b_i) / (lambda_u + |R(u)|)
 *
 * so they are fitted by alternating least squares, a few sweeps of the
 * two.  The paper's constants for this regularisation are lambda_i = 25
 * and lambda_u = 10.  Every other rating model builds on these biases.
 */
#ifndef MQ_RECS_BASELINE_H
#define MQ_RECS_BASELINE_H

#include "recs/data.h"

#define MQ_RECS_BIAS_LAMBDA_ITEM 3.0
#define MQ_RECS_BIAS_LAMBDA_USER 5.0
#define MQ_RECS_BIAS_SWEEPS 10

struct mq_recs_biases {
	double mean;
	float *user, *item;
	uint32_t nusers, nitems;
};

/* Fits the biases of s (sweeps of ALS).  Free with mq_recs_biases_free. */
void mq_recs_biases_fit(struct mq_recs_biases *b, const struct mq_recs_set *s,
			double lambda_item, double lambda_user, int sweeps);
void mq_recs_biases_free(struct mq_recs_biases *b);

/* b_ui; a user or item unseen in training has bias 0. */
static inline double mq_recs_bias(const struct mq_recs_biases *b, uint32_t u, uint32_t i)
{
	return b->mean + (u < b->nusers ? b->user[u] : 0) + (i < b->nitems ? b->item[i] : 0);
}

#endif

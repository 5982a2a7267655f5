/*
 * model.h: the recommenders `marquee recs eval` compares and `marquee recs
 * train` publishes, behind one interface.
 *
 * A model is fitted on a training set (data.h) and then either predicts
 * ratings (rating models: the baseline predictor, SVD++, item-kNN, the
 * blend) or scores every item for a user, higher is better (all of them;
 * for rating models the score is the predicted rating).  Each algorithm
 * lives in its own file and cites the paper it follows.
 */
#ifndef MQ_RECS_MODEL_H
#define MQ_RECS_MODEL_H

#include "recs/data.h"

/* Knobs a caller may set; 0 means the algorithm's own default. */
struct mq_recs_opts {
	int factors;		/* latent dimensions */
	int iterations;		/* epochs or sweeps */
	int neighbors;		/* kept per item (item-kNN, EASE, serving) */
	double learning_rate;	/* SGD models: a constant step size instead of the
				 * shrinking default (small data sets) */
	uint64_t seed;		/* initial factors, SGD order, probe split */
	int threads;		/* 0: as many as OpenBLAS uses */
	bool quiet;		/* no progress on stderr */
};

struct mq_recs_model;

struct mq_recs_algo {
	const char *name;
	bool rates;		/* predicts ratings (RMSE, MAE apply) */
	struct mq_recs_model *(*fit)(const struct mq_recs_set *train, const struct mq_recs_opts *o);
	/* rating models: the rating u would give i on day */
	float (*predict)(const struct mq_recs_model *m, uint32_t u, uint32_t i, int32_t day);
	/* scores of every item for u into out[0..nitems) */
	void (*score)(const struct mq_recs_model *m, uint32_t u, float *out);
	void (*free)(struct mq_recs_model *m);
};

/* Every model has this first, so that the interface can find its
 * algorithm and the training set's shape. */
struct mq_recs_model {
	const struct mq_recs_algo *algo;
	uint32_t nusers, nitems;
};

/* The algorithms, by name ("baseline", "svd++", ...), in the order eval
 * prints them. */
extern const struct mq_recs_algo *const mq_recs_algos[];
const struct mq_recs_algo *mq_recs_algo_find(const char *name);

/* Fits algo on train: the model, whose base the caller need not fill. */
struct mq_recs_model *mq_recs_fit(const struct mq_recs_algo *algo, const struct mq_recs_set *train,
				  const struct mq_recs_opts *o);

/* A rating model's scores: its prediction for every item, on the user's
 * last day in training (the "now" of the user). */
void mq_recs_score_by_prediction(const struct mq_recs_model *m, uint32_t u, float *out);

/* Clamps a prediction to the rating scale (0.5 to 5). */
static inline float mq_recs_clamp(double r)
{
	return r < 0.5 ? 0.5f : r > 5.0 ? 5.0f : (float)r;
}

#endif

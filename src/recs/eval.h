/*
 * eval.h: the offline evaluation protocol of `marquee recs eval`.
 *
 * Ratings are split into folds (each rating to one fold, at random with
 * the seed) or into a given training and test file.  For each fold every
 * model is fitted on the other folds and measured on this one:
 *
 *   - RMSE and MAE of its predictions of the held-out ratings (rating
 *     models only; predictions clamped to 0.5 .. 5);
 *   - for each user with held-out ratings, the top k of the items that
 *     have a training rating and that the user did not rate in training,
 *     against the relevant items: the user's held-out ratings of at least
 *     relevant_min (4); precision, recall, NDCG, MAP at k (metrics.h),
 *     averaged over users with a relevant item; coverage at k over the
 *     items that have a training rating;
 *   - the seconds its training took (wall clock) and the peak resident
 *     memory of fitting and measuring it (VmHWM, reset for each model).
 *
 * One JSON line per model, its metrics the mean over folds.
 */
#ifndef MQ_RECS_EVAL_H
#define MQ_RECS_EVAL_H

#include "recs/data.h"
#include "recs/model.h"

struct mq_recs_eval_opts {
	int folds;		/* 2 or more; ignored with a test set */
	size_t ntrain;		/* with a test set: d->r[0..ntrain) train, the rest test */
	bool test_set;
	size_t k;
	double relevant_min;
	const char *const *models;	/* names, NULL-terminated; NULL: every one */
	struct mq_recs_opts model;	/* seed, factors, ... */
	bool progress;		/* one line on stderr per model and fold */
};

/* Assigns each of n ratings a fold in 0..folds-1: a shuffled round robin,
 * so folds differ in size by at most one.  fold[] has n entries. */
void mq_recs_folds(size_t n, int folds, uint64_t seed, uint8_t *fold);

/* Runs the protocol over d and prints one JSON line per model to out.
 * Returns 0, or -1 with the reason in err (an unknown model). */
int mq_recs_eval(const struct mq_recs_data *d, const struct mq_recs_eval_opts *o, FILE *out,
		 char *err, size_t errlen);

#endif

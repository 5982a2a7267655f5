/*
 * knn.h: item-item similarities from behaviour, and the neighbourhood
 * models built on them.
 *
 * Two similarities, each computed a row (one item against every other)
 * at a time by scattering over the item's users' items, so the cost is
 * the sum over users of |R(u)|^2 and the memory one row:
 *
 *   pearson   the shrunk Pearson correlation of baseline residuals
 *             r_uj - b_uj over the users who rated both, times
 *             (n_ij - 1) / (n_ij - 1 + 100)  (Koren, TKDD 2010, eq. 2;
 *             Bell & Koren, ICDM 2007): for predicting ratings;
 *   cosine    co-occurrence of positive signals over the geometric mean
 *             of the items' counts, shrunk by n_ij / (n_ij + 10)
 *             (Sarwar et al., WWW 2001; Deshpande & Karypis, TOIS 2004):
 *             "people who liked this also liked", and top-N ranking.
 *
 * The rating model (knn-baseline) predicts
 *     r_ui = b_ui + sum_j s_ij (r_uj - b_uj) / sum_j s_ij
 * over the k = 40 items u rated that are most similar to i with s_ij > 0
 * (Koren 2010, eq. 3).  The ranking model (item-knn) scores
 *     s(u, i) = sum over j in R(u), i in the kept neighbours of j of s_ij.
 */
#ifndef MQ_RECS_KNN_H
#define MQ_RECS_KNN_H

#include "recs/baseline.h"
#include "recs/data.h"

enum mq_recs_sim { MQ_RECS_SIM_PEARSON, MQ_RECS_SIM_COSINE };

/* Scratch space for one thread computing rows. */
struct mq_recs_knn_work {
	double *sxy, *sxx, *syy;
	uint32_t *n;
	uint32_t *touched;
	size_t ntouched;
};

void mq_recs_knn_work_init(struct mq_recs_knn_work *w, uint32_t nitems);
void mq_recs_knn_work_free(struct mq_recs_knn_work *w);

/* Item i's similarities with every item it shares a user with: their
 * indices into w->touched[0..w->ntouched) and the similarity of
 * w->touched[k] into sim[k] (sim has room for nitems).  residual:
 * by event (s->r index), the value the similarity works on (a baseline
 * residual, or a positive signal's weight, 0 for none); users with more
 * than max_user events are skipped (a user who rated everything says
 * little about any pair, and costs |R(u)|^2). */
void mq_recs_knn_row(const struct mq_recs_set *s, const float *residual, enum mq_recs_sim kind,
		     uint32_t i, size_t max_user, struct mq_recs_knn_work *w, float *sim);

/* Item neighbour lists: item j's are item[ptr[j] .. ptr[j+1]) with their
 * score[], best first. */
struct mq_recs_neighbors {
	uint32_t nitems;
	size_t *ptr;		/* nitems + 1 */
	uint32_t *item;
	float *score;
};

/* Lists of up to k per item, each filled by fill(arg, j, items, scores)
 * returning how many it wrote (at most k), on threads threads. */
void mq_recs_neighbors_build(struct mq_recs_neighbors *out, uint32_t nitems, uint32_t k,
			     int threads,
			     size_t (*fill)(void *arg, int thread, uint32_t j, uint32_t *items,
					    float *scores),
			     void *arg);

/* The k most similar items of every item by cosine of the positive
 * signals (weight[e] > 0 for event e), threads rows at once. */
void mq_recs_neighbors_cosine(const struct mq_recs_set *s, const float *weight, uint32_t k,
			      int threads, struct mq_recs_neighbors *out);
void mq_recs_neighbors_free(struct mq_recs_neighbors *nb);

#endif

/*
 * hybrid.h: the recommender that serves, and the item model it reads.
 *
 * Training turns EASE (ease.h) into sparse item lists: for each item j,
 * its MQ_RECS_LIST_K strongest positive weights B_ji towards other items
 * i, each times popularity(i)^-beta.  Items EASE leaves out (too few
 * signals) get their MQ_RECS_KNN_LIST_K item-kNN cosine neighbours
 * (knn.h) instead, scaled down to EASE's range.  At request time a user's score for item i is
 *
 *     score(i) = sum over the user's signals j of w_uj * list_j(i)
 *
 * w_uj the strength of the user's signal on j (signals.h, negative for
 * not interested): EASE's x_u B, truncated to the strongest weights,
 * with the user's current signals: a rating given a second ago counts.
 * The popularity discount (beta = 0.34) keeps the lists from collapsing
 * onto the blockbusters every list shares (Steck, "Calibrated
 * recommendations", RecSys 2018, on why accuracy alone does that):
 * chosen on ml-latest-small as the value that keeps NDCG@10 above twice
 * popularity's with catalog coverage above 10% (docs/recommendations.md).
 *
 * The scorer below is the one `marquee recs eval` measures as "hybrid"
 * and the one GET /api/movies/recommended/ runs, so the table in the docs
 * is the served recommender's.
 */
#ifndef MQ_RECS_HYBRID_H
#define MQ_RECS_HYBRID_H

#include "recs/data.h"
#include "recs/knn.h"

#define MQ_RECS_LIST_K 400	/* an EASE item's list */
#define MQ_RECS_KNN_LIST_K 50	/* an item-kNN list */
#define MQ_RECS_POP_BETA 0.34
/* A user's candidates kept, at request time and by training: the pages
 * of /api/movies/recommended/ go this deep before the cold-start pool */
#define MQ_RECS_CANDIDATES 500
#define MQ_RECS_COSINE_SCALE 0.05f

/* popularity(i)^-beta for every item of s, popularity the number of
 * positive signals (malloc'd). */
float *mq_recs_discounts(const struct mq_recs_set *s, const float *weight);

/* The item lists of the hybrid (above) for the events of s with
 * strengths weight[], k per item, threads threads; knn are the items'
 * cosine neighbours (mq_recs_neighbors_cosine with MQ_RECS_KNN_LIST_K),
 * for the items EASE leaves out.  Returns 0, or -1 when EASE failed (the
 * lists are then item-kNN's alone). */
int mq_recs_hybrid_lists(const struct mq_recs_set *s, const float *weight,
			 const struct mq_recs_neighbors *knn, uint32_t k, int threads,
			 struct mq_recs_neighbors *out);

/* One candidate of a user: its score and the signal that gave the most
 * to it ("because you liked"), with that contribution. */
struct mq_recs_scored {
	int64_t item;
	float score;
	int64_t because;	/* 0: none (the candidate came from elsewhere) */
	float because_part;	/* the largest single contribution */
};

/* Scores accumulated by item id (open addressing). */
struct mq_recs_scorer {
	struct mq_recs_scored *slot;
	size_t nslots, n;
};

void mq_recs_scorer_init(struct mq_recs_scorer *sc, size_t expected);
void mq_recs_scorer_free(struct mq_recs_scorer *sc);

/* Adds signal strength w of item from to the n items of its list (ids
 * to[k], weights lw[k]). */
void mq_recs_scorer_add(struct mq_recs_scorer *sc, int64_t from, float w, const int64_t *to,
			const float *lw, size_t n);

/* The entry of item (NULL when it has no score). */
struct mq_recs_scored *mq_recs_scorer_get(struct mq_recs_scorer *sc, int64_t item);

/* Adds n scored entries (a user's candidates kept by training) to sc:
 * their scores add up with what is there, and the larger single
 * contribution names the "because". */
void mq_recs_scorer_merge(struct mq_recs_scorer *sc, const struct mq_recs_scored *e, size_t n);

/* The best k candidates with a positive score into out (best first, ties
 * to the lower id), leaving out those skip(arg, item) says; returns how
 * many. */
size_t mq_recs_scorer_top(const struct mq_recs_scorer *sc, size_t k,
			  bool (*skip)(void *arg, int64_t item), void *arg,
			  struct mq_recs_scored *out);

/* A signal training summed into a user's candidates, and its strength. */
struct mq_recs_basis {
	int64_t item;
	float weight;
};

/* One user's candidates (user_lists.c): called in user order with the
 * user's index, best n, and the nb signals summed into them (sorted by
 * item); returns 0,
 * or -1 to count it as not kept. */
typedef int mq_recs_user_list_fn(void *arg, uint32_t user, const struct mq_recs_scored *best,
				 size_t n, const struct mq_recs_basis *basis, size_t nb);

/* Scores, with the request's scorer, every user of s with at least
 * min_signals events: the newest max_signals of them, each event e with
 * strength weight[e] adding its item's list (lists, over s's items, whose
 * external ids are item_ids; an item whose list is empty is left out:
 * the request lends it its content neighbours), and emits the best k that
 * are not the user's own (an event's item is the user's own unless
 * shown[e]: on the watchlist only), on threads threads.  Returns how many
 * were emitted; 0 when min_signals is 0. */
size_t mq_recs_user_lists(const struct mq_recs_set *s, const float *weight,
			  const struct mq_recs_neighbors *lists, const int64_t *item_ids,
			  const uint8_t *shown, size_t min_signals, size_t max_signals, size_t k,
			  int threads, mq_recs_user_list_fn *emit, void *arg);

#endif

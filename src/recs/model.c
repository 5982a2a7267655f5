/*
 * model.c: the table of algorithms, and what they share.
 */
#include "recs/model.h"

extern const struct mq_recs_algo mq_recs_baseline, mq_recs_biased_mf, mq_recs_svdpp,
	mq_recs_timesvdpp, mq_recs_knn_baseline, mq_recs_blend, mq_recs_item_knn,
	mq_recs_popularity, mq_recs_ials, mq_recs_ease, mq_recs_hybrid;

const struct mq_recs_algo *const mq_recs_algos[] = {
	&mq_recs_baseline, &mq_recs_biased_mf, &mq_recs_svdpp, &mq_recs_timesvdpp,
	&mq_recs_knn_baseline, &mq_recs_blend, &mq_recs_popularity, &mq_recs_item_knn,
	&mq_recs_ials, &mq_recs_ease, &mq_recs_hybrid, NULL,
};

const struct mq_recs_algo *mq_recs_algo_find(const char *name)
{
	for (size_t i = 0; mq_recs_algos[i]; i++)
		if (strcmp(mq_recs_algos[i]->name, name) == 0)
			return mq_recs_algos[i];
	return NULL;
}

struct mq_recs_model *mq_recs_fit(const struct mq_recs_algo *algo, const struct mq_recs_set *train,
				  const struct mq_recs_opts *o)
{
	struct mq_recs_model *m = algo->fit(train, o);

	m->algo = algo;
	m->nusers = train->nusers;
	m->nitems = train->nitems;
	return m;
}

void mq_recs_score_by_prediction(const struct mq_recs_model *m, uint32_t u, float *out)
{
	for (uint32_t i = 0; i < m->nitems; i++)
		out[i] = m->algo->predict(m, u, i, -1);
}

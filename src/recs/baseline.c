/*
 * baseline.c: regularised user and item biases by alternating least
 * squares (baseline.h), and the baseline predictor as a model.
 */
#include "recs/baseline.h"

#include "recs/model.h"

void mq_recs_biases_fit(struct mq_recs_biases *b, const struct mq_recs_set *s,
			double lambda_item, double lambda_user, int sweeps)
{
	b->mean = s->mean;
	b->nusers = s->nusers;
	b->nitems = s->nitems;
	b->user = mq_xcalloc(s->nusers + 1, sizeof(*b->user));
	b->item = mq_xcalloc(s->nitems + 1, sizeof(*b->item));
	for (int sweep = 0; sweep < sweeps; sweep++) {
		for (uint32_t i = 0; i < s->nitems; i++) {
			double sum = 0;

			for (size_t k = s->iptr[i]; k < s->iptr[i + 1]; k++) {
				const struct mq_recs_rating *r = &s->r[s->by_item[k]];

				sum += r->value - b->mean - b->user[r->user];
			}
			b->item[i] = (float)(sum / (lambda_item + (double)mq_recs_item_count(s, i)));
		}
		for (uint32_t u = 0; u < s->nusers; u++) {
			double sum = 0;

			for (size_t k = s->uptr[u]; k < s->uptr[u + 1]; k++) {
				const struct mq_recs_rating *r = &s->r[s->by_user[k]];

				sum += r->value - b->mean - b->item[r->item];
			}
			b->user[u] = (float)(sum / (lambda_user + (double)mq_recs_user_count(s, u)));
		}
	}
}

void mq_recs_biases_free(struct mq_recs_biases *b)
{
	free(b->user);
	free(b->item);
	memset(b, 0, sizeof(*b));
}

struct baseline {
	struct mq_recs_model base;
	struct mq_recs_biases b;
};

static struct mq_recs_model *baseline_fit(const struct mq_recs_set *train,
					  const struct mq_recs_opts *o)
{
	struct baseline *m = mq_xcalloc(1, sizeof(*m));

	mq_recs_biases_fit(&m->b, train, MQ_RECS_BIAS_LAMBDA_ITEM, MQ_RECS_BIAS_LAMBDA_USER,
			   o->iterations ? o->iterations : MQ_RECS_BIAS_SWEEPS);
	return &m->base;
}

static float baseline_predict(const struct mq_recs_model *mm, uint32_t u, uint32_t i, int32_t day)
{
	const struct baseline *m = (const struct baseline *)mm;

	return mq_recs_clamp(mq_recs_bias(&m->b, u, i));
}

static void baseline_free(struct mq_recs_model *mm)
{
	struct baseline *m = (struct baseline *)mm;

	mq_recs_biases_free(&m->b);
	free(m);
}

const struct mq_recs_algo mq_recs_baseline = {
	.name = "baseline",
	.rates = true,
	.fit = baseline_fit,
	.predict = baseline_predict,
	.score = mq_recs_score_by_prediction,
	.free = baseline_free,
};

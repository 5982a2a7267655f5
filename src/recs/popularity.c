/*
 * popularity.c: every user gets the items most users rated, the
 * reference every top-N recommender has to beat (Cremonesi, Koren &
 * Turrin, "Performance of recommender algorithms on top-N recommendation
 * tasks", RecSys 2010, where it beats several rating models).
 */
#include "recs/model.h"

struct popularity {
	struct mq_recs_model base;
	float *count;
};

static struct mq_recs_model *pop_fit(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	struct popularity *m = mq_xcalloc(1, sizeof(*m));

	m->count = mq_xmalloc((s->nitems + 1) * sizeof(*m->count));
	for (uint32_t i = 0; i < s->nitems; i++)
		m->count[i] = (float)mq_recs_item_count(s, i);
	return &m->base;
}

static void pop_score(const struct mq_recs_model *mm, uint32_t u, float *out)
{
	const struct popularity *m = (const struct popularity *)mm;

	memcpy(out, m->count, mm->nitems * sizeof(*out));
}

static void pop_free(struct mq_recs_model *mm)
{
	struct popularity *m = (struct popularity *)mm;

	free(m->count);
	free(m);
}

const struct mq_recs_algo mq_recs_popularity = {
	.name = "popularity", .rates = false, .fit = pop_fit, .score = pop_score, .free = pop_free,
};

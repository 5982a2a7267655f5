/*
 * signals.c: the strength of a user's interest (signals.h).
 */
#include "recs/signals.h"

static float rating_weight(float rating)
{
	return rating >= MQ_RECS_LIKED_MIN ? MQ_RECS_W_LIKED : rating > 0 ? MQ_RECS_W_RATED : 0;
}

static float max_f(float a, float b)
{
	return a > b ? a : b;
}

float mq_recs_pair_weight(const struct mq_recs_pair *p)
{
	float w = rating_weight(p->rating);

	if (p->not_interested)
		return MQ_RECS_W_NOT_INTERESTED;
	if (p->favorite)
		w = max_f(w, MQ_RECS_W_FAVORITE);
	if (p->watched)
		w = max_f(w, MQ_RECS_W_WATCHED);
	if (p->watchlist)
		w = max_f(w, MQ_RECS_W_WATCHLIST);
	return w;
}

float *mq_recs_rating_weights(const struct mq_recs_set *s)
{
	float *w = mq_xmalloc((s->n + 1) * sizeof(*w));

	for (size_t e = 0; e < s->n; e++)
		w[e] = rating_weight(s->r[e].value);
	return w;
}

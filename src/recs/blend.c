/*
 * blend.c: a linear blend of rating models, fitted on a probe set.
 *
 * As the Netflix Prize teams did (Töscher, Jahrer & Bell, "The BigChaos
 * solution to the Netflix Grand Prize", 2009, section 3; Koren, "The
 * BellKor solution to the Netflix Grand Prize", 2009): a random tenth of
 * the training ratings is held out as a probe set, every component is
 * fitted on the rest and predicts the probe, and ridge regression finds
 * the weights of the predictions (and of a few meta-features: how many
 * ratings the user and the item have, which say how far each component
 * can be trusted) that predict the probe best.  The components are then
 * fitted again on all the training ratings and blended with those
 * weights.  The components are fitted side by side, one a thread.
 * Each component errs differently: the neighbourhood model
 * sees local relations among items, the factor models global ones, the
 * time-aware one the mood of a day.
 */
#include "recs/baseline.h"
#include "recs/model.h"
#include "recs/parallel.h"

#include <lapacke.h>
#include <math.h>

#define PROBE_SHARE 0.1
#define RIDGE 1.0

extern const struct mq_recs_algo mq_recs_baseline, mq_recs_timesvdpp, mq_recs_svdpp,
	mq_recs_knn_baseline, mq_recs_blend;

static const struct mq_recs_algo *const components[] = {
	&mq_recs_baseline, &mq_recs_svdpp, &mq_recs_timesvdpp, &mq_recs_knn_baseline,
};
#define NCOMP MQ_ARRAY_LEN(components)
/* the constant, the predictions, and each prediction times the user's
 * and the item's log support */
#define NFEAT (1 + 3 * NCOMP)

struct blend {
	struct mq_recs_model base;
	struct mq_recs_model *m[NCOMP];
	const struct mq_recs_set *train;
	double w[NFEAT];
	double mean;
};

static void features(const struct blend *b, const struct mq_recs_set *s,
		     struct mq_recs_model *const *m, uint32_t u, uint32_t i, int32_t day,
		     double *x)
{
	double lu = u < s->nusers ? log1p((double)mq_recs_user_count(s, u)) / 5 : 0;
	double li = i < s->nitems ? log1p((double)mq_recs_item_count(s, i)) / 5 : 0;

	x[0] = 1;
	for (size_t c = 0; c < NCOMP; c++) {
		double p = m[c]->algo->predict(m[c], u, i, day) - b->mean;

		x[1 + c] = p;
		x[1 + NCOMP + c] = p * lu;
		x[1 + 2 * NCOMP + c] = p * li;
	}
}

struct fit_job {
	const struct mq_recs_set *s;
	const struct mq_recs_opts *o;
	struct mq_recs_model **out;
};

static void fit_components(void *arg, int thread, size_t from, size_t to)
{
	struct fit_job *j = arg;

	for (size_t c = from; c < to; c++)
		j->out[c] = mq_recs_fit(components[c], j->s, j->o);
}

/* Fits every component on s into out, on up to o->threads threads (they
 * are independent: each its own thread). */
static void fit_all(const struct mq_recs_set *s, const struct mq_recs_opts *o,
		    struct mq_recs_model **out)
{
	struct fit_job j = { s, o, out };
	int threads = o->threads > 0 ? o->threads : mq_recs_default_threads();

	mq_recs_parallel(threads < (int)NCOMP ? threads : (int)NCOMP, NCOMP, 1, fit_components, &j);
}

static struct mq_recs_model *blend_fit(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	struct blend *b = mq_xcalloc(1, sizeof(*b));
	struct mq_recs_rng g = { o->seed * 104729 + 3 };
	struct mq_recs_rating *core = mq_xmalloc((s->n + 1) * sizeof(*core)),
			      *probe = mq_xmalloc((s->n + 1) * sizeof(*probe));
	size_t ncore = 0, nprobe = 0;
	struct mq_recs_set cs;
	struct mq_recs_model *pm[NCOMP];
	double a[NFEAT * NFEAT] = { 0 }, y[NFEAT] = { 0 }, x[NFEAT];

	b->mean = s->mean;
	b->train = s;
	for (size_t e = 0; e < s->n; e++) {
		if (mq_recs_rng_uniform(&g) < PROBE_SHARE)
			probe[nprobe++] = s->r[e];
		else
			core[ncore++] = s->r[e];
	}
	mq_recs_set_build(&cs, core, ncore, s->nusers, s->nitems);
	fit_all(&cs, o, pm);
	/* the normal equations of the probe: A = X'X + ridge, y = X'r */
	for (size_t e = 0; e < nprobe; e++) {
		const struct mq_recs_rating *r = &probe[e];

		features(b, &cs, pm, r->user, r->item, r->day, x);
		for (size_t p = 0; p < NFEAT; p++) {
			y[p] += x[p] * (r->value - b->mean);
			for (size_t q = 0; q < NFEAT; q++)
				a[p * NFEAT + q] += x[p] * x[q];
		}
	}
	for (size_t p = 0; p < NFEAT; p++)
		a[p * NFEAT + p] += RIDGE;
	if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', NFEAT, 1, a, NFEAT, y, 1) == 0) {
		memcpy(b->w, y, sizeof(b->w));
	} else {
		memset(b->w, 0, sizeof(b->w));	/* the mean of its components */
		for (size_t c = 0; c < NCOMP; c++)
			b->w[1 + c] = 1.0 / NCOMP;
	}
	for (size_t c = 0; c < NCOMP; c++)
		pm[c]->algo->free(pm[c]);
	fit_all(s, o, b->m);
	mq_recs_set_free(&cs);
	free(core);
	free(probe);
	return &b->base;
}

static float blend_predict(const struct mq_recs_model *mm, uint32_t u, uint32_t i, int32_t day)
{
	const struct blend *b = (const struct blend *)mm;
	double x[NFEAT], r = b->mean;

	features(b, b->train, b->m, u, i, day, x);
	for (size_t p = 0; p < NFEAT; p++)
		r += b->w[p] * x[p];
	return mq_recs_clamp(r);
}

static void blend_free(struct mq_recs_model *mm)
{
	struct blend *b = (struct blend *)mm;

	for (size_t c = 0; c < NCOMP; c++)
		b->m[c]->algo->free(b->m[c]);
	free(b);
}

const struct mq_recs_algo mq_recs_blend = {
	.name = "blend", .rates = true, .fit = blend_fit, .predict = blend_predict,
	.score = mq_recs_score_by_prediction, .free = blend_free,
};

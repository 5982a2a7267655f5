/*
 * ials.c: alternating least squares for implicit feedback (ials.h), and
 * iALS as a top-N model.
 */
#include "recs/ials.h"

#include <cblas.h>
#include <math.h>

#include "recs/linalg.h"
#include "recs/model.h"
#include "recs/parallel.h"
#include "recs/signals.h"

/* rows of sqrt(c - 1) y gathered before one ssyrk */
#define ZROWS 128

void mq_recs_foldin_init(struct mq_recs_foldin *w, int f)
{
	w->f = f;
	w->a = mq_xmalloc((size_t)f * f * sizeof(*w->a));
	w->b = mq_xmalloc((size_t)f * sizeof(*w->b));
	w->z = mq_xmalloc((size_t)ZROWS * f * sizeof(*w->z));
}

void mq_recs_foldin_free(struct mq_recs_foldin *w)
{
	free(w->a);
	free(w->b);
	free(w->z);
	memset(w, 0, sizeof(*w));
}

int mq_recs_fold_in(struct mq_recs_foldin *w, const float *gram, float lambda,
		    const struct mq_recs_signal *sig, size_t n, float *x, float *winv)
{
	const int f = w->f;
	size_t rows = 0;

	memcpy(w->a, gram, (size_t)f * f * sizeof(*w->a));
	memset(w->b, 0, (size_t)f * sizeof(*w->b));
	for (int d = 0; d < f; d++)
		w->a[d * f + d] += lambda;
	for (size_t k = 0; k < n; k++) {
		float c1 = sig[k].confidence - 1;

		if (sig[k].preference > 0)
			mq_recs_axpy(f, sig[k].confidence * sig[k].preference, sig[k].y, w->b);
		if (c1 <= 0)
			continue;
		for (int d = 0; d < f; d++)
			w->z[rows * f + d] = sqrtf(c1) * sig[k].y[d];
		if (++rows == ZROWS || k + 1 == n) {
			cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, f, (int)rows, 1.0f, w->z,
				    f, 1.0f, w->a, f);
			rows = 0;
		}
	}
	if (rows)
		cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, f, (int)rows, 1.0f, w->z, f,
			    1.0f, w->a, f);
	if (winv) {
		/* W^u: the inverse, from the Cholesky factor */
		memcpy(winv, w->a, (size_t)f * f * sizeof(*winv));
		for (int r = 0; r < f; r++)
			for (int c = 0; c < r; c++)
				winv[r * f + c] = winv[c * f + r];
	}
	if (mq_recs_solve_spd(f, w->a, w->b) < 0) {
		memset(x, 0, (size_t)f * sizeof(*x));
		return -1;
	}
	memcpy(x, w->b, (size_t)f * sizeof(*x));
	if (winv && mq_recs_invert_spd_f(f, winv) < 0)
		memset(winv, 0, (size_t)f * f * sizeof(*winv));
	return 0;
}

/* ---- training ---- */

struct half {
	const struct mq_recs_set *s;
	const float *weight;
	bool users;		/* solving X given Y, else Y given X */
	const float *other;	/* the fixed side */
	float *out;
	const float *gram;
	float alpha, lambda;
	int f;
	struct mq_recs_foldin *work;
	struct mq_recs_signal **sig;
};

static void solve_rows(void *arg, int thread, size_t from, size_t to)
{
	struct half *h = arg;
	const struct mq_recs_set *s = h->s;
	struct mq_recs_signal *sig = h->sig[thread];

	for (size_t row = from; row < to; row++) {
		const size_t *ptr = h->users ? s->uptr : s->iptr;
		const uint32_t *idx = h->users ? s->by_user : s->by_item;
		size_t n = 0;

		for (size_t k = ptr[row]; k < ptr[row + 1]; k++) {
			uint32_t e = idx[k];
			uint32_t other = h->users ? s->r[e].item : s->r[e].user;
			float w = h->weight[e];

			if (w == 0)
				continue;
			sig[n].y = h->other + (size_t)other * h->f;
			sig[n].confidence = 1 + h->alpha * fabsf(w);
			sig[n++].preference = w > 0;
		}
		mq_recs_fold_in(&h->work[thread], h->gram, h->lambda, sig, n,
				h->out + row * (size_t)h->f, NULL);
	}
}

static void half_sweep(struct half *h, int threads)
{
	const struct mq_recs_set *s = h->s;
	size_t nother = h->users ? s->nitems : s->nusers;
	float *gram = mq_xmalloc((size_t)h->f * h->f * sizeof(*gram));

	mq_recs_gram(h->f, nother, h->other, 0, gram);
	h->gram = gram;
	mq_recs_parallel(threads, h->users ? s->nusers : s->nitems, 16, solve_rows, h);
	free(gram);
}

float *mq_recs_ials_train(const struct mq_recs_set *s, const float *weight, int f, float alpha,
			  float lambda, int sweeps, uint64_t seed, int threads, float **xout,
			  void (*progress)(void *arg, int sweep, int sweeps), void *progress_arg)
{
	struct mq_recs_rng g = { seed * 31337 + 7 };
	float *x = mq_xmalloc(((size_t)s->nusers * f + 1) * sizeof(*x));
	float *y = mq_xmalloc(((size_t)s->nitems * f + 1) * sizeof(*y));
	size_t maxrow = 0;
	struct half h = { .s = s, .weight = weight, .alpha = alpha, .lambda = lambda, .f = f };

	if (threads < 1)
		threads = 1;
	for (size_t k = 0; k < (size_t)s->nusers * f; k++)
		x[k] = (float)(0.01 * mq_recs_rng_normal(&g));
	for (size_t k = 0; k < (size_t)s->nitems * f; k++)
		y[k] = (float)(0.01 * mq_recs_rng_normal(&g));
	for (uint32_t u = 0; u < s->nusers; u++)
		maxrow = mq_recs_user_count(s, u) > maxrow ? mq_recs_user_count(s, u) : maxrow;
	for (uint32_t i = 0; i < s->nitems; i++)
		maxrow = mq_recs_item_count(s, i) > maxrow ? mq_recs_item_count(s, i) : maxrow;
	h.work = mq_xcalloc((size_t)threads, sizeof(*h.work));
	h.sig = mq_xcalloc((size_t)threads, sizeof(*h.sig));
	for (int t = 0; t < threads; t++) {
		mq_recs_foldin_init(&h.work[t], f);
		h.sig[t] = mq_xmalloc((maxrow + 1) * sizeof(**h.sig));
	}
	for (int it = 0; it < sweeps; it++) {
		h.users = true, h.other = y, h.out = x;
		half_sweep(&h, threads);
		h.users = false, h.other = x, h.out = y;
		half_sweep(&h, threads);
		if (progress)
			progress(progress_arg, it + 1, sweeps);
	}
	for (int t = 0; t < threads; t++) {
		mq_recs_foldin_free(&h.work[t]);
		free(h.sig[t]);
	}
	free(h.work);
	free(h.sig);
	if (xout)
		*xout = x;
	else
		free(x);
	return y;
}

/* ---- the top-N model ---- */

struct ials {
	struct mq_recs_model base;
	int f;
	float *x, *y;
};

static struct mq_recs_model *ials_fit(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	struct ials *m = mq_xcalloc(1, sizeof(*m));
	float *w = mq_recs_rating_weights(s);

	m->f = o->factors ? o->factors : MQ_RECS_IALS_FACTORS;
	m->y = mq_recs_ials_train(s, w, m->f, MQ_RECS_IALS_ALPHA, MQ_RECS_IALS_LAMBDA,
				  o->iterations ? o->iterations : MQ_RECS_IALS_SWEEPS, o->seed,
				  o->threads > 0 ? o->threads : mq_recs_default_threads(), &m->x,
				  NULL, NULL);
	free(w);
	return &m->base;
}

static void ials_score(const struct mq_recs_model *mm, uint32_t u, float *out)
{
	const struct ials *m = (const struct ials *)mm;

	cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)mm->nitems, m->f, 1.0f, m->y, m->f,
		    m->x + (size_t)u * m->f, 1, 0.0f, out, 1);
}

static void ials_free(struct mq_recs_model *mm)
{
	struct ials *m = (struct ials *)mm;

	free(m->x);
	free(m->y);
	free(m);
}

const struct mq_recs_algo mq_recs_ials = {
	.name = "ials", .rates = false, .fit = ials_fit, .score = ials_score, .free = ials_free,
};

/*
 * svdpp.c: latent-factor models of ratings, trained by stochastic gradient
 * descent on the regularised squared error.
 *
 *   biased-mf   r_ui = mu + b_u + b_i + q_i . p_u
 *               (Koren, Bell, Volinsky, "Matrix factorization techniques
 *               for recommender systems", IEEE Computer 42(8), 2009)
 *   svd++       r_ui = mu + b_u + b_i + q_i . (p_u + |N(u)|^-1/2 sum_{j in N(u)} y_j)
 *               where N(u) is every item u rated: who rated what is
 *               information apart from how (Koren, "Factorization meets
 *               the neighborhood: a multifaceted collaborative filtering
 *               model", KDD 2008, section 4.1, eq. 15)
 *   timesvd++   svd++ with the biases of time (Koren, "Collaborative
 *               filtering with temporal dynamics", KDD 2009, eq. 9-10):
 *               b_u(t) = b_u + alpha_u dev_u(t) + b_{u,t} (a drift and a
 *               bias of each day a user rated on: the mood of a session)
 *               and b_i(t) = b_i + b_{i,Bin(t)} (30 bins of the span).
 *
 * The step sizes and regularisation are Koren's (gamma = 0.007, lambda =
 * 0.005 for biases and 0.015 for factors, steps shrunk by 0.9 a sweep;
 * the time terms' from the 2009 paper), the biases start from the ALS
 * baseline.  That schedule was made for the Netflix data's 100 million
 * ratings: on a matrix of a few hundred ratings the factors hardly move
 * from their start (the model is then its biases), so a caller with
 * little data gives a constant learning rate and more sweeps instead
 * (struct mq_recs_opts).  As in the papers' implementations the implicit part
 * |N(u)|^-1/2 sum y_j is held fixed while one user's ratings are visited
 * and the y_j updated once per user, which keeps a sweep linear in the
 * ratings.  The order of users and of each user's ratings is shuffled
 * with the seed, so a run is reproducible.
 */
#include "recs/baseline.h"
#include "recs/linalg.h"
#include "recs/model.h"

#include <math.h>

#define FACTORS 50
#define EPOCHS 25
#define INIT_SD 0.01
#define GAMMA 0.007
#define GAMMA_DECAY 0.9
#define LAMBDA_BIAS 0.005
#define LAMBDA_FACTOR 0.015
/* time effects (KDD 2009, section 4.2 and table 2) */
#define TIME_BINS 30
#define BETA 0.4
#define GAMMA_DAY 0.0025
#define LAMBDA_DAY 0.005
#define GAMMA_ALPHA 0.00001
#define LAMBDA_ALPHA 50.0
#define GAMMA_BIN 0.00005
#define LAMBDA_BIN 0.1

enum variant { BIASED_MF, SVDPP, TIMESVDPP };

struct svdpp {
	struct mq_recs_model base;
	enum variant variant;
	int f;
	double mean;
	float *bu, *bi;
	float *p, *q, *y;	/* users x f, items x f, items x f */
	float *pu;		/* after training: p_u + the implicit part, users x f */
	/* time */
	int32_t day0, day1;
	float *mean_day;	/* t_u */
	float *alpha;
	float *bin;		/* items x TIME_BINS */
	size_t *day_ptr;	/* user u's days: days[day_ptr[u] .. day_ptr[u+1]) */
	int32_t *days;
	float *bday;
	int32_t *last_day;	/* user's last day in training */
	/* per training rating (as s->r): what its day gives, worked out once
	 * rather than in every sweep (a pow and a binary search a rating) */
	double *r_dev;		/* dev_u(t) */
	ssize_t *r_day;		/* the index of b_{u,t} */
	uint8_t *r_bin;		/* Bin(t) */
};

static int bin_of(const struct svdpp *m, int32_t day)
{
	int64_t span = (int64_t)m->day1 - m->day0 + 1;
	int64_t b = ((int64_t)day - m->day0) * TIME_BINS / span;

	return b < 0 ? 0 : b >= TIME_BINS ? TIME_BINS - 1 : (int)b;
}

static double dev(const struct svdpp *m, uint32_t u, int32_t day)
{
	double d = (double)day - m->mean_day[u];

	return d == 0 ? 0 : (d > 0 ? 1 : -1) * pow(fabs(d), BETA);
}

/* The index of b_{u,day}, or -1 when u did not rate on that day. */
static ssize_t day_index(const struct svdpp *m, uint32_t u, int32_t day)
{
	size_t lo = m->day_ptr[u], hi = m->day_ptr[u + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->days[mid] == day)
			return (ssize_t)mid;
		if (m->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* The days each user rated on, t_u and the span of time. */
static void time_setup(struct svdpp *m, const struct mq_recs_set *s)
{
	size_t n = 0;

	m->day0 = INT32_MAX;
	m->day1 = INT32_MIN;
	m->mean_day = mq_xcalloc(s->nusers + 1, sizeof(*m->mean_day));
	m->alpha = mq_xcalloc(s->nusers + 1, sizeof(*m->alpha));
	m->bin = mq_xcalloc((size_t)s->nitems * TIME_BINS + 1, sizeof(*m->bin));
	m->day_ptr = mq_xcalloc(s->nusers + 1, sizeof(*m->day_ptr));
	m->days = mq_xmalloc(s->n * sizeof(*m->days) + 1);
	for (uint32_t u = 0; u < s->nusers; u++) {
		size_t first = n;
		double sum = 0;

		for (size_t k = s->uptr[u]; k < s->uptr[u + 1]; k++) {
			int32_t d = s->r[s->by_user[k]].day;

			m->days[n++] = d;
			sum += d;
			m->day0 = d < m->day0 ? d : m->day0;
			m->day1 = d > m->day1 ? d : m->day1;
		}
		m->mean_day[u] = n > first ? (float)(sum / (double)(n - first)) : 0;
		qsort(m->days + first, n - first, sizeof(*m->days), cmp_day);
		/* distinct days only */
		size_t w = first;
		for (size_t k = first; k < n; k++)
			if (k == first || m->days[k] != m->days[w - 1])
				m->days[w++] = m->days[k];
		n = w;
		m->day_ptr[u + 1] = n;
	}
	m->bday = mq_xcalloc(n + 1, sizeof(*m->bday));
	if (m->day0 > m->day1)
		m->day0 = m->day1 = 0;
	m->r_dev = mq_xmalloc(s->n * sizeof(*m->r_dev) + 1);
	m->r_day = mq_xmalloc(s->n * sizeof(*m->r_day) + 1);
	m->r_bin = mq_xmalloc(s->n * sizeof(*m->r_bin) + 1);
	for (size_t e = 0; e < s->n; e++) {
		const struct mq_recs_rating *r = &s->r[e];

		m->r_dev[e] = dev(m, r->user, r->day);
		m->r_day[e] = day_index(m, r->user, r->day);
		m->r_bin[e] = (uint8_t)bin_of(m, r->day);
	}
}

/* The part of the prediction that is biases, for a rating on day
 * (day < 0: the user's last day in training). */
static double biases(const struct svdpp *m, uint32_t u, uint32_t i, int32_t day, ssize_t *di)
{
	double b = m->mean + m->bu[u] + m->bi[i];

	*di = -1;
	if (m->variant != TIMESVDPP)
		return b;
	if (day < 0)
		day = m->last_day[u];
	*di = day_index(m, u, day);
	return b + m->alpha[u] * dev(m, u, day) + (*di >= 0 ? m->bday[*di] : 0) +
	       m->bin[(size_t)i * TIME_BINS + (size_t)bin_of(m, day)];
}

/* biases() of training rating e (of user u), from what time_setup
 * worked out: the same sum in the same order. */
static double rating_biases(const struct svdpp *m, uint32_t u, size_t e,
			    const struct mq_recs_rating *r)
{
	double b = m->mean + m->bu[u] + m->bi[r->item];

	if (m->variant != TIMESVDPP)
		return b;
	return b + m->alpha[u] * m->r_dev[e] + (m->r_day[e] >= 0 ? m->bday[m->r_day[e]] : 0) +
	       m->bin[(size_t)r->item * TIME_BINS + m->r_bin[e]];
}

/* One sweep over the ratings, users in the order given. */
static void sweep(struct svdpp *m, const struct mq_recs_set *s, const uint32_t *users,
		  struct mq_recs_rng *g, double gamma, float *z, float *grad, uint32_t *order)
{
	const int f = m->f;
	const double gb = gamma, gd = GAMMA_DAY * gamma / GAMMA, ga = GAMMA_ALPHA * gamma / GAMMA,
		     gbin = GAMMA_BIN * gamma / GAMMA;

	for (uint32_t uk = 0; uk < s->nusers; uk++) {
		uint32_t u = users[uk];
		size_t nu = mq_recs_user_count(s, u);
		float *pu = m->p + (size_t)u * f;
		double norm = nu ? 1.0 / sqrt((double)nu) : 0;

		if (nu == 0)
			continue;
		memset(z, 0, (size_t)f * sizeof(*z));
		memset(grad, 0, (size_t)f * sizeof(*grad));
		if (m->variant != BIASED_MF) {
			for (size_t k = s->uptr[u]; k < s->uptr[u + 1]; k++)
				mq_recs_axpy(f, 1.0f, m->y + (size_t)s->r[s->by_user[k]].item * f, z);
			for (int x = 0; x < f; x++)
				z[x] = (float)(z[x] * norm) + pu[x];
		} else {
			memcpy(z, pu, (size_t)f * sizeof(*z));
		}
		for (size_t k = 0; k < nu; k++)
			order[k] = s->by_user[s->uptr[u] + k];
		mq_recs_rng_shuffle(g, order, nu);
		for (size_t k = 0; k < nu; k++) {
			const struct mq_recs_rating *r = &s->r[order[k]];
			float *qi = m->q + (size_t)r->item * f;
			double e = r->value - rating_biases(m, u, order[k], r) - mq_recs_dot(f, qi, z);

			m->bu[u] += (float)(gb * (e - LAMBDA_BIAS * m->bu[u]));
			m->bi[r->item] += (float)(gb * (e - LAMBDA_BIAS * m->bi[r->item]));
			if (m->variant == TIMESVDPP) {
				float *bb = &m->bin[(size_t)r->item * TIME_BINS + m->r_bin[order[k]]];
				double dv = m->r_dev[order[k]];
				ssize_t di = m->r_day[order[k]];

				m->alpha[u] += (float)(ga * (e * dv - LAMBDA_ALPHA * m->alpha[u]));
				if (di >= 0)
					m->bday[di] += (float)(gd * (e - LAMBDA_DAY * m->bday[di]));
				*bb += (float)(gbin * (e - LAMBDA_BIN * *bb));
			}
			for (int x = 0; x < f; x++) {
				float pq = pu[x], qx = qi[x];

				/* z holds p_u + implicit: move it with p_u */
				pu[x] += (float)(gamma * (e * qx - LAMBDA_FACTOR * pq));
				z[x] += pu[x] - pq;
				qi[x] += (float)(gamma * (e * z[x] - LAMBDA_FACTOR * qx));
				grad[x] += (float)(e * qx);
			}
		}
		if (m->variant == BIASED_MF)
			continue;
		for (size_t k = s->uptr[u]; k < s->uptr[u + 1]; k++) {
			float *yj = m->y + (size_t)s->r[s->by_user[k]].item * f;

			for (int x = 0; x < f; x++)
				yj[x] += (float)(gamma * (grad[x] * norm - LAMBDA_FACTOR * yj[x]));
		}
	}
}

/* p_u + the implicit part, once, for predictions. */
static void finish(struct svdpp *m, const struct mq_recs_set *s)
{
	const int f = m->f;

	m->pu = mq_xmalloc((size_t)s->nusers * f * sizeof(*m->pu) + 1);
	m->last_day = mq_xcalloc(s->nusers + 1, sizeof(*m->last_day));
	for (uint32_t u = 0; u < s->nusers; u++) {
		float *z = m->pu + (size_t)u * f;
		size_t nu = mq_recs_user_count(s, u);

		memcpy(z, m->p + (size_t)u * f, (size_t)f * sizeof(*z));
		for (size_t k = s->uptr[u]; k < s->uptr[u + 1]; k++) {
			const struct mq_recs_rating *r = &s->r[s->by_user[k]];

			if (m->variant != BIASED_MF)
				mq_recs_axpy(f, (float)(1.0 / sqrt((double)nu)),
					     m->y + (size_t)r->item * f, z);
			m->last_day[u] = r->day > m->last_day[u] ? r->day : m->last_day[u];
		}
	}
}

static struct mq_recs_model *fit(const struct mq_recs_set *s, const struct mq_recs_opts *o,
				 enum variant v)
{
	struct svdpp *m = mq_xcalloc(1, sizeof(*m));
	struct mq_recs_rng g = { o->seed * 7919 + 17 };
	struct mq_recs_biases b;
	int epochs = o->iterations ? o->iterations : EPOCHS;
	size_t maxu = 0;
	double gamma = o->learning_rate > 0 ? o->learning_rate : GAMMA;
	double decay = o->learning_rate > 0 ? 1.0 : GAMMA_DECAY;

	m->variant = v;
	m->f = o->factors ? o->factors : FACTORS;
	mq_recs_biases_fit(&b, s, MQ_RECS_BIAS_LAMBDA_ITEM, MQ_RECS_BIAS_LAMBDA_USER,
			   MQ_RECS_BIAS_SWEEPS);
	m->mean = b.mean;
	m->bu = b.user;
	m->bi = b.item;
	m->p = mq_xmalloc((size_t)s->nusers * m->f * sizeof(*m->p) + 1);
	m->q = mq_xmalloc((size_t)s->nitems * m->f * sizeof(*m->q) + 1);
	m->y = mq_xcalloc((size_t)s->nitems * m->f + 1, sizeof(*m->y));
	for (size_t k = 0; k < (size_t)s->nusers * m->f; k++)
		m->p[k] = (float)(INIT_SD * mq_recs_rng_normal(&g));
	for (size_t k = 0; k < (size_t)s->nitems * m->f; k++)
		m->q[k] = (float)(INIT_SD * mq_recs_rng_normal(&g));
	if (v == TIMESVDPP)
		time_setup(m, s);

	uint32_t *users = mq_xmalloc((s->nusers + 1) * sizeof(*users));
	for (uint32_t u = 0; u < s->nusers; u++) {
		users[u] = u;
		maxu = mq_recs_user_count(s, u) > maxu ? mq_recs_user_count(s, u) : maxu;
	}
	uint32_t *order = mq_xmalloc((maxu + 1) * sizeof(*order));
	float *z = mq_xmalloc((size_t)m->f * sizeof(*z)), *grad = mq_xmalloc((size_t)m->f * sizeof(*grad));
	for (int e = 0; e < epochs; e++, gamma *= decay) {
		mq_recs_rng_shuffle(&g, users, s->nusers);
		sweep(m, s, users, &g, gamma, z, grad, order);
	}
	free(users);
	free(order);
	free(z);
	free(grad);
	free(m->r_dev);
	free(m->r_day);
	free(m->r_bin);
	m->r_dev = NULL;
	m->r_day = NULL;
	m->r_bin = NULL;
	finish(m, s);
	return &m->base;
}

static float predict(const struct mq_recs_model *mm, uint32_t u, uint32_t i, int32_t day)
{
	const struct svdpp *m = (const struct svdpp *)mm;
	ssize_t di;

	if (u >= mm->nusers || i >= mm->nitems)
		return mq_recs_clamp(m->mean + (u < mm->nusers ? m->bu[u] : 0) +
				     (i < mm->nitems ? m->bi[i] : 0));
	return mq_recs_clamp(biases(m, u, i, day, &di) +
			     mq_recs_dot(m->f, m->q + (size_t)i * m->f, m->pu + (size_t)u * m->f));
}

static void svdpp_free(struct mq_recs_model *mm)
{
	struct svdpp *m = (struct svdpp *)mm;

	free(m->bu);
	free(m->bi);
	free(m->p);
	free(m->q);
	free(m->y);
	free(m->pu);
	free(m->mean_day);
	free(m->alpha);
	free(m->bin);
	free(m->day_ptr);
	free(m->days);
	free(m->bday);
	free(m->last_day);
	free(m);
}

static struct mq_recs_model *fit_mf(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	return fit(s, o, BIASED_MF);
}

static struct mq_recs_model *fit_svdpp(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	return fit(s, o, SVDPP);
}

static struct mq_recs_model *fit_time(const struct mq_recs_set *s, const struct mq_recs_opts *o)
{
	return fit(s, o, TIMESVDPP);
}

const struct mq_recs_algo mq_recs_biased_mf = {
	.name = "biased-mf", .rates = true, .fit = fit_mf, .predict = predict,
	.score = mq_recs_score_by_prediction, .free = svdpp_free,
};

const struct mq_recs_algo mq_recs_svdpp = {
	.name = "svd++", .rates = true, .fit = fit_svdpp, .predict = predict,
	.score = mq_recs_score_by_prediction, .free = svdpp_free,
};

const struct mq_recs_algo mq_recs_timesvdpp = {
	.name = "timesvd++", .rates = true, .fit = fit_time, .predict = predict,
	.score = mq_recs_score_by_prediction, .free = svdpp_free,
};

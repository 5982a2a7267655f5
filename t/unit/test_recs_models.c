/*
 * test_recs_models.c: the algorithms on small matrices: closed forms
 * checked by hand (biases, EASE, the iALS fold-in, TF-IDF cosines), the
 * request-time scorer, and every model on a planted structure of two
 * tastes, which it must tell apart.
 */
#include "core/common.h"

#include <math.h>
#include <stdlib.h>

#include "recs/baseline.h"
#include "recs/content.h"
#include "recs/ease.h"
#include "recs/hybrid.h"
#include "recs/ials.h"
#include "recs/linalg.h"
#include "recs/metrics.h"
#include "recs/model.h"
#include "recs/signals.h"
#include "unit.h"

#define EPS 1e-4

START_TEST(biases_by_hand)
{
	/* u0: i0 5, i1 3; u1: i0 4.  mean 4.  One sweep, lambda_i 3,
	 * lambda_u 2:
	 *   b_i0 = ((5-4) + (4-4)) / (3+2) = 0.2,  b_i1 = (3-4) / (3+1) = -0.25
	 *   b_u0 = ((5-4-0.2) + (3-4+0.25)) / (2+2) = 0.0125
	 *   b_u1 = (4-4-0.2) / (2+1) = -0.0666667 */
	struct mq_recs_data d = { 0 };
	struct mq_recs_set s;
	struct mq_recs_biases b;

	mq_recs_data_add(&d, 0, 0, 5, 0);
	mq_recs_data_add(&d, 0, 1, 3, 0);
	mq_recs_data_add(&d, 1, 0, 4, 0);
	mq_recs_set_build(&s, d.r, d.n, d.users.n, d.items.n);
	mq_recs_biases_fit(&b, &s, 3, 2, 1);
	ck_assert_double_eq_tol(b.mean, 4, EPS);
	ck_assert_double_eq_tol(b.item[0], 0.2, EPS);
	ck_assert_double_eq_tol(b.item[1], -0.25, EPS);
	ck_assert_double_eq_tol(b.user[0], 0.0125, EPS);
	ck_assert_double_eq_tol(b.user[1], -0.0666667, EPS);
	ck_assert_double_eq_tol(mq_recs_bias(&b, 1, 1), 4 - 0.0666667 - 0.25, EPS);
	ck_assert_double_eq_tol(mq_recs_bias(&b, 7, 9), 4, EPS);	/* unseen: the mean */
	mq_recs_biases_free(&b);
	mq_recs_set_free(&s);
	mq_recs_data_free(&d);
}
END_TEST

START_TEST(ease_by_hand)
{
	/* X = [1 1; 1 0; 0 1]: X'X = [2 1; 1 2]; with the dropout emphasis
	 * the diagonal doubles, lambda 1: G = [5 1; 1 5], P = G^-1 =
	 * [5 -1; -1 5] / 24, B_01 = -P_01 / P_11 = (1/24) / (5/24) = 0.2 */
	struct mq_recs_data d = { 0 };
	struct mq_recs_set s;
	struct mq_recs_ease e;
	float w[4] = { 1, 1, 1, 1 };

	ck_assert(MQ_RECS_EASE_EMPHASIS == 1.0f);
	mq_recs_data_add(&d, 0, 0, 1, 0);
	mq_recs_data_add(&d, 0, 1, 1, 0);
	mq_recs_data_add(&d, 1, 0, 1, 0);
	mq_recs_data_add(&d, 2, 1, 1, 0);
	mq_recs_set_build(&s, d.r, d.n, d.users.n, d.items.n);
	ck_assert_int_eq(mq_recs_ease_train(&e, &s, w, 1.0f, 100), 0);
	ck_assert_uint_eq(e.n, 2);
	ck_assert_double_eq_tol(e.b[0], 0, EPS);	/* a zero diagonal */
	ck_assert_double_eq_tol(e.b[1], 0.2, EPS);
	ck_assert_double_eq_tol(e.b[2], 0.2, EPS);
	ck_assert_double_eq_tol(e.b[3], 0, EPS);
	mq_recs_ease_free(&e);
	mq_recs_set_free(&s);
	mq_recs_data_free(&d);
}
END_TEST

START_TEST(fold_in_by_hand)
{
	/* Y = I (2 items, 2 factors), so Y'Y = I; one positive signal on
	 * item 0 with confidence 3, lambda 1:
	 *   A = I + I + (3-1) e0 e0' = diag(4, 2), b = 3 e0, x = (0.75, 0)
	 * and a negative one on item 1 (p 0, confidence 5) adds 4 e1 e1'
	 * to A and nothing to b: A = diag(4, 6). */
	const float y0[] = { 1, 0 }, y1[] = { 0, 1 }, gram[] = { 1, 0, 0, 1 };
	struct mq_recs_signal sig[] = { { y0, 3, 1 }, { y1, 5, 0 } };
	struct mq_recs_foldin w;
	float x[2], winv[4];

	mq_recs_foldin_init(&w, 2);
	ck_assert_int_eq(mq_recs_fold_in(&w, gram, 1, sig, 2, x, winv), 0);
	ck_assert_double_eq_tol(x[0], 0.75, EPS);
	ck_assert_double_eq_tol(x[1], 0, EPS);
	ck_assert_double_eq_tol(winv[0], 0.25, EPS);	/* W = diag(1/4, 1/6) */
	ck_assert_double_eq_tol(winv[3], 1.0 / 6, EPS);
	mq_recs_foldin_free(&w);
}
END_TEST

START_TEST(content_cosines_by_hand)
{
	/* a: genre 1, keyword 10; b: genre 1, keyword 11; c: genre 2,
	 * keyword 10.  idf: genre 1 and keyword 10 in 2 of 3, ln 1.5;
	 * genre 2 and keyword 11 in 1 of 3, ln 3.
	 * cos(a, b) = ln1.5^2 / (sqrt(2 ln1.5^2) sqrt(ln1.5^2 + ln3^2)) */
	struct mq_recs_catalog c = { 0 };
	struct mq_recs_idf t;
	const int64_t g1[] = { 1 }, g2[] = { 2 }, k10[] = { 10 }, k11[] = { 11 };
	double l15 = log(1.5), l3 = log(3), want;

	mq_recs_catalog_add(&c, 100, 1, g1, 1, k10, 1, NULL, 0);
	mq_recs_catalog_add(&c, 101, 1, g1, 1, k11, 1, NULL, 0);
	mq_recs_catalog_add(&c, 102, 1, g2, 1, k10, 1, NULL, 0);
	mq_recs_content_idf(&c, &t);
	ck_assert_double_eq_tol(mq_recs_idf_get(&t, mq_recs_feature_make(MQ_RECS_F_GENRE, 1)), l15, EPS);
	ck_assert_double_eq_tol(mq_recs_idf_get(&t, mq_recs_feature_make(MQ_RECS_F_KEYWORD, 11)), l3, EPS);
	want = l15 * l15 / (sqrt(2 * l15 * l15) * sqrt(l15 * l15 + l3 * l3));
	ck_assert_double_eq_tol(mq_recs_content_cosine(&c, &t, 0, 1), want, EPS);
	ck_assert_double_eq_tol(mq_recs_content_cosine(&c, &t, 1, 2), 0, EPS);
	ck_assert_double_eq_tol(mq_recs_content_cosine(&c, &t, 0, 0), 1, EPS);
	/* language and decade weigh half: a movie of the same decade only */
	mq_recs_idf_free(&t);
	mq_recs_catalog_free(&c);
}
END_TEST

START_TEST(content_neighbors_planted)
{
	/* two horror films sharing rare keywords, two comedies likewise, and
	 * filler: each one's nearest is its twin */
	struct mq_recs_catalog c = { 0 };
	struct mq_recs_idf t;
	struct mq_recs_neighbors nb;
	const int64_t horror[] = { 27 }, comedy[] = { 35 }, drama[] = { 18 };
	const int64_t kh[] = { 100, 101 }, kc[] = { 200, 201 };

	mq_recs_catalog_add(&c, 1, 5, horror, 1, kh, 2, "en", 1922);
	mq_recs_catalog_add(&c, 2, 3, comedy, 1, kc, 2, "fr", 1999);
	mq_recs_catalog_add(&c, 3, 9, horror, 1, kh, 2, "de", 1931);
	mq_recs_catalog_add(&c, 4, 1, comedy, 1, kc, 1, "fr", 2001);
	for (int64_t id = 5; id < 40; id++) {
		const int64_t kw[] = { 1000 + id };

		mq_recs_catalog_add(&c, id, 1, id % 2 ? horror : drama, 1, kw, 1, "en", 1990);
	}
	mq_recs_content_idf(&c, &t);
	mq_recs_content_neighbors(&c, &t, 3, 2, &nb);
	ck_assert_uint_eq(nb.item[nb.ptr[0]], 2);	/* index 2 is movie 3 */
	ck_assert_uint_eq(nb.item[nb.ptr[2]], 0);
	ck_assert_uint_eq(nb.item[nb.ptr[1]], 3);
	ck_assert_uint_eq(nb.item[nb.ptr[3]], 1);
	ck_assert(nb.score[nb.ptr[0]] > nb.score[nb.ptr[0] + 1]);
	ck_assert(nb.score[nb.ptr[0]] <= 1.0f);
	mq_recs_neighbors_free(&nb);
	mq_recs_idf_free(&t);
	mq_recs_catalog_free(&c);
}
END_TEST

static bool skip_odd(void *arg, int64_t item)
{
	(void)arg;
	return item % 2;
}

START_TEST(scorer_sums_and_explains)
{
	/* liked 1 (weight 1): its list 10 0.5, 11 0.2; liked 2 (weight
	 * 0.5): 10 0.1, 12 0.8; not interested in 3 (-1): 11 0.3.
	 * 10: 0.5 + 0.05 = 0.55 because of 1; 11: 0.2 - 0.3 < 0 (gone);
	 * 12: 0.4 because of 2 */
	const int64_t l1[] = { 10, 11 }, l2[] = { 10, 12 }, l3[] = { 11 };
	const float w1[] = { 0.5f, 0.2f }, w2[] = { 0.1f, 0.8f }, w3[] = { 0.3f };
	struct mq_recs_scorer sc;
	struct mq_recs_scored top[4];

	mq_recs_scorer_init(&sc, 2);
	mq_recs_scorer_add(&sc, 1, 1, l1, w1, 2);
	mq_recs_scorer_add(&sc, 2, 0.5f, l2, w2, 2);
	mq_recs_scorer_add(&sc, 3, -1, l3, w3, 1);
	ck_assert_uint_eq(mq_recs_scorer_top(&sc, 4, NULL, NULL, top), 2);
	ck_assert_int_eq(top[0].item, 10);
	ck_assert_double_eq_tol(top[0].score, 0.55, EPS);
	ck_assert_int_eq(top[0].because, 1);
	ck_assert_double_eq_tol(top[0].because_part, 0.5, EPS);
	ck_assert_int_eq(top[1].item, 12);
	ck_assert_int_eq(top[1].because, 2);
	ck_assert(mq_recs_scorer_get(&sc, 11)->score < 0);
	ck_assert_ptr_null(mq_recs_scorer_get(&sc, 99));
	ck_assert_uint_eq(mq_recs_scorer_top(&sc, 1, NULL, NULL, top), 1);
	ck_assert_int_eq(top[0].item, 10);
	/* a skip: only even ids */
	mq_recs_scorer_add(&sc, 4, 1, (const int64_t[]){ 13 }, (const float[]){ 9 }, 1);
	ck_assert_uint_eq(mq_recs_scorer_top(&sc, 4, skip_odd, NULL, top), 2);
	ck_assert_int_eq(top[0].item, 10);
	/* growing past its first size keeps every entry */
	for (int64_t id = 100; id < 400; id++)
		mq_recs_scorer_add(&sc, 5, 1, &id, (const float[]){ 0.001f }, 1);
	ck_assert_double_eq_tol(mq_recs_scorer_get(&sc, 10)->score, 0.55, EPS);
	ck_assert_double_eq_tol(mq_recs_scorer_get(&sc, 399)->score, 0.001, EPS);
	mq_recs_scorer_free(&sc);
}
END_TEST

/* What user_lists.c hands the emitter, by hand. */
struct kept {
	uint32_t users[4];
	struct mq_recs_scored best[4][4];
	struct mq_recs_basis basis[4][4];
	size_t n[4], nb[4], calls;
};

static int keep(void *arg, uint32_t user, const struct mq_recs_scored *best, size_t n,
		const struct mq_recs_basis *basis, size_t nb)
{
	struct kept *k = arg;

	k->users[k->calls] = user;
	memcpy(k->best[k->calls], best, n * sizeof(*best));
	memcpy(k->basis[k->calls], basis, nb * sizeof(*basis));
	k->nb[k->calls] = nb;
	k->n[k->calls++] = n;
	return n ? 0 : -1;
}

/* The best k of many, against every scored entry sorted: the top k is
 * a heap (mq_recs_scorer_top), so its order must come out as the
 * ranking's, ties broken by the smaller id, whatever the order the
 * entries sit in the table. */
static int by_rank(const void *a, const void *b)
{
	const struct mq_recs_scored *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

START_TEST(scorer_top_k_of_many)
{
	enum { N = 3000 };
	static struct mq_recs_scored all[N], top[N];
	struct mq_recs_scorer sc;
	size_t n = 0;
	uint32_t x = 12345;

	mq_recs_scorer_init(&sc, 16);
	for (int64_t id = 1; id <= N; id++) {
		/* scores of few distinct values: many ties; a tenth not positive */
		float w;

		x = x * 1103515245u + 12345u;
		w = (float)((x >> 16) % 50) / 10.0f - 0.4f;
		mq_recs_scorer_add(&sc, 1, 1, &id, &w, 1);
		if (w > 0)
			all[n++] = (struct mq_recs_scored){ .item = id, .score = w };
	}
	qsort(all, n, sizeof(*all), by_rank);
	for (size_t k = 1; k <= n + 5; k += k < 20 ? 1 : 97) {
		size_t got = mq_recs_scorer_top(&sc, k, NULL, NULL, top);

		ck_assert_uint_eq(got, k < n ? k : n);
		for (size_t i = 0; i < got; i++) {
			ck_assert_int_eq(top[i].item, all[i].item);
			ck_assert(top[i].score == all[i].score);
		}
	}
	ck_assert_uint_eq(mq_recs_scorer_top(&sc, 0, NULL, NULL, top), 0);
	mq_recs_scorer_free(&sc);
}
END_TEST

START_TEST(user_lists_by_hand)
{
	/* user 1: rated 10 (day 5), has 11 on the watchlist only (day 6),
	 * rated 12 long ago (day 1); user 2: liked 13, which has no list.
	 * Lists: 10 -> 13 0.5, 11 0.2; 11 -> 13 0.1, 12 0.4; 12 -> 13 1.
	 * With the newest two signals (11, 10): 13 = 0.5 + 0.5 * 0.1 = 0.55
	 * because of 10; 11 = 0.2 (on the watchlist: still shown); 12 =
	 * 0.5 * 0.4 = 0.2, a tie with 11 that the lower id wins; 12's own
	 * list is not read (older than the newest two). */
	struct mq_recs_data d = { 0 };
	struct mq_recs_set set;
	size_t ptr[] = { 0, 2, 4, 5, 5 };
	uint32_t item[] = { 3, 1, 3, 2, 3 };
	float score[] = { 0.5f, 0.2f, 0.1f, 0.4f, 1.0f }, *weight;
	struct mq_recs_neighbors lists = { 4, ptr, item, score };
	const uint8_t shown[] = { 0, 1, 0, 0 };
	struct kept k = { 0 };

	mq_recs_data_add(&d, 1, 10, 1.0f, 5);
	mq_recs_data_add(&d, 1, 11, 0.5f, 6);
	mq_recs_data_add(&d, 1, 12, 1.0f, 1);
	mq_recs_data_add(&d, 2, 13, 1.0f, 3);
	mq_recs_set_build(&set, d.r, d.n, d.users.n, d.items.n);
	weight = mq_xmalloc(set.n * sizeof(*weight));
	for (size_t e = 0; e < set.n; e++)
		weight[e] = set.r[e].value;
	ck_assert_uint_eq(mq_recs_user_lists(&set, weight, &lists, d.items.ids, shown, 1, 2, 4, 2,
					     keep, &k), 1);
	ck_assert_uint_eq(k.calls, 2);
	ck_assert_uint_eq(k.n[0], 3);
	ck_assert_int_eq(d.users.ids[k.users[0]], 1);
	ck_assert_int_eq(k.best[0][0].item, 13);
	ck_assert_double_eq_tol(k.best[0][0].score, 0.55, EPS);
	ck_assert_int_eq(k.best[0][0].because, 10);
	ck_assert_double_eq_tol(k.best[0][0].because_part, 0.5, EPS);
	ck_assert_int_eq(k.best[0][1].item, 11);
	ck_assert_int_eq(k.best[0][2].item, 12);
	ck_assert_int_eq(k.best[0][2].because, 11);
	/* the basis: the signals summed, by item, with their strengths */
	ck_assert_uint_eq(k.nb[0], 2);
	ck_assert_int_eq(k.basis[0][0].item, 10);
	ck_assert_double_eq_tol(k.basis[0][0].weight, 1.0, EPS);
	ck_assert_int_eq(k.basis[0][1].item, 11);
	ck_assert_double_eq_tol(k.basis[0][1].weight, 0.5, EPS);
	/* user 2: nothing to recommend; 13 has no list, so no basis either
	 * (the request lends it its content neighbours) */
	ck_assert_uint_eq(k.n[1], 0);
	ck_assert_uint_eq(k.nb[1], 0);
	/* only users with three signals or more; none kept when 0 */
	memset(&k, 0, sizeof(k));
	ck_assert_uint_eq(mq_recs_user_lists(&set, weight, &lists, d.items.ids, shown, 3, 2, 4, 1,
					     keep, &k), 1);
	ck_assert_uint_eq(k.calls, 1);
	ck_assert_uint_eq(mq_recs_user_lists(&set, weight, &lists, d.items.ids, shown, 0, 2, 4, 1,
					     keep, &k), 0);
	/* kept candidates merged into a request's scorer add up */
	struct mq_recs_scorer sc;
	mq_recs_scorer_init(&sc, 2);
	mq_recs_scorer_merge(&sc, k.best[0], k.n[0]);
	mq_recs_scorer_add(&sc, 14, 1, (const int64_t[]){ 12 }, (const float[]){ 0.6f }, 1);
	ck_assert_double_eq_tol(mq_recs_scorer_get(&sc, 12)->score, 0.8, EPS);
	ck_assert_int_eq(mq_recs_scorer_get(&sc, 12)->because, 14);
	ck_assert_int_eq(mq_recs_scorer_get(&sc, 13)->because, 10);
	mq_recs_scorer_free(&sc);
	free(weight);
	mq_recs_set_free(&set);
	mq_recs_data_free(&d);
}
END_TEST

START_TEST(signal_strengths)
{
	struct mq_recs_pair p = { .rating = 4.5f };

	ck_assert(mq_recs_pair_weight(&p) == MQ_RECS_W_LIKED);
	p.rating = 2;
	ck_assert(mq_recs_pair_weight(&p) == MQ_RECS_W_RATED);
	p.watchlist = true;
	ck_assert(mq_recs_pair_weight(&p) == MQ_RECS_W_WATCHLIST);	/* the strongest */
	p.favorite = true;
	ck_assert(mq_recs_pair_weight(&p) == MQ_RECS_W_FAVORITE);
	p.not_interested = true;
	ck_assert(mq_recs_pair_weight(&p) < 0);	/* overrides the rest */
	ck_assert(mq_recs_pair_weight(&(struct mq_recs_pair){ 0 }) == 0);
}
END_TEST

/* ---- planted structure: two tastes ---- */

enum { USERS = 60, ITEMS = 40, HALF = ITEMS / 2 };

/* Users 0..29 like items 0..19 and dislike a few of 20..39; users 30..59
 * the reverse.  Each rates 10 of its kind (4 or 5) and 3 of the other
 * (1 or 1.5); one liked item is held out per user (the test). */
static void planted(struct mq_recs_data *train, struct mq_recs_data *test)
{
	for (int u = 0; u < USERS; u++) {
		int own = u < USERS / 2 ? 0 : HALF, other = HALF - own;

		for (int k = 0; k < 11; k++) {
			int item = own + (u * 3 + k * 7) % HALF;
			float r = 4 + (float)((u + k) % 2);

			mq_recs_data_add(k == 10 ? test : train, u, item, r, 17000 + k);
		}
		for (int k = 0; k < 3; k++)
			mq_recs_data_add(train, u, other + (u + k * 5) % HALF, 1 + 0.5f * (float)(k % 2),
					 17000 + k);
	}
}

static int same_side(int user, uint32_t item_index, const struct mq_recs_data *d)
{
	int64_t item = d->items.ids[item_index];

	return (user < USERS / 2) == (item < HALF);
}

START_TEST(models_tell_two_tastes_apart)
{
	struct mq_recs_data train = { 0 }, test = { 0 };
	/* a constant step and more sweeps for the SGD models: the default
	 * schedule is for a hundred thousand ratings, not eight hundred */
	struct mq_recs_opts o = { .seed = 1, .threads = 2, .factors = 8, .quiet = true,
				  .learning_rate = 0.01, .iterations = 300 };
	struct mq_recs_set s;
	const struct mq_recs_algo *a = mq_recs_algos[_i];
	struct mq_recs_model *m;
	float scores[ITEMS];
	uint8_t skip[ITEMS];
	uint32_t top[5];
	int right = 0, total = 0;

	planted(&train, &test);
	/* the test's items by the training's indices */
	mq_recs_set_build(&s, train.r, train.n, train.users.n, train.items.n);
	ck_assert_uint_eq(train.items.n, ITEMS);
	m = mq_recs_fit(a, &s, &o);
	if (strcmp(a->name, "popularity") == 0 || strcmp(a->name, "baseline") == 0) {
		/* not personal by design: the same list for everyone */
		a->free(m);
		mq_recs_set_free(&s);
		mq_recs_data_free(&train);
		mq_recs_data_free(&test);
		return;
	}
	for (uint32_t u = 0; u < s.nusers; u++) {
		size_t n;

		memset(skip, 0, sizeof(skip));
		for (size_t k = s.uptr[u]; k < s.uptr[u + 1]; k++)
			skip[s.r[s.by_user[k]].item] = 1;
		a->score(m, u, scores);
		n = mq_recs_top_k(scores, ITEMS, skip, 5, top);
		for (size_t k = 0; k < n; k++, total++)
			right += same_side((int)train.users.ids[u], top[k], &train);
	}
	/* nearly all of each user's top 5 are of the user's taste */
	ck_assert_msg(total > 0 && right >= total * 9 / 10, "%s: %d of %d of the user's taste",
		      a->name, right, total);
	if (a->rates) {
		/* a liked held-out item predicted high, one of the other taste low */
		double liked = 0, other = 0;

		for (size_t k = 0; k < test.n; k++) {
			uint32_t u = mq_recs_ids_get(&train.users, test.users.ids[test.r[k].user]);
			uint32_t i = mq_recs_ids_get(&train.items, test.items.ids[test.r[k].item]);
			int64_t item = test.items.ids[test.r[k].item];
			uint32_t j = mq_recs_ids_get(&train.items, item < HALF ? item + HALF : item - HALF);

			liked += a->predict(m, u, i, -1);
			other += a->predict(m, u, j, -1);
		}
		ck_assert_msg(liked / (double)test.n > 3.5 && other / (double)test.n < 2.5,
			      "%s: liked %.2f, other %.2f", a->name, liked / (double)test.n,
			      other / (double)test.n);
	}
	a->free(m);
	mq_recs_set_free(&s);
	mq_recs_data_free(&train);
	mq_recs_data_free(&test);
}
END_TEST

static size_t count_algos(void)
{
	size_t n = 0;

	while (mq_recs_algos[n])
		n++;
	return n;
}

static Suite *suite(void)
{
	Suite *s = suite_create("recs models");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	mq_recs_threads(1);
	tcase_add_test(tc, biases_by_hand);
	tcase_add_test(tc, ease_by_hand);
	tcase_add_test(tc, fold_in_by_hand);
	tcase_add_test(tc, content_cosines_by_hand);
	tcase_add_test(tc, content_neighbors_planted);
	tcase_add_test(tc, scorer_sums_and_explains);
	tcase_add_test(tc, scorer_top_k_of_many);
	tcase_add_test(tc, user_lists_by_hand);
	tcase_add_test(tc, signal_strengths);
	tcase_add_loop_test(tc, models_tell_two_tastes_apart, 0, (int)count_algos());
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

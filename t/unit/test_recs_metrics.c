/*
 * test_recs_metrics.c: the evaluation's measures on hand-computed
 * examples, top-k selection, folds, rating files and the data set.
 */
#include "core/common.h"

#include <math.h>

#include "recs/data.h"
#include "recs/eval.h"
#include "recs/metrics.h"
#include "recs/ratings_file.h"
#include "unit.h"

#define EPS 1e-6

START_TEST(rmse_and_mae)
{
	/* errors 1, 0, -2: RMSE sqrt(5/3), MAE 1 */
	struct mq_recs_error_sum e = { 0 };

	ck_assert(isnan(mq_recs_rmse(&e)));
	mq_recs_error_add(&e, 3, 2);
	mq_recs_error_add(&e, 4, 4);
	mq_recs_error_add(&e, 2, 4);
	ck_assert_double_eq_tol(mq_recs_rmse(&e), 1.2909944487, EPS);
	ck_assert_double_eq_tol(mq_recs_mae(&e), 1.0, EPS);
}
END_TEST

START_TEST(ranking_metrics_by_hand)
{
	/* top 5: 5 1 9 3 7; relevant {1, 3, 8}: hits at ranks 2 and 4.
	 * precision 2/5; recall 2/3;
	 * DCG = 1/log2(3) + 1/log2(5) = 0.6309298 + 0.4306766 = 1.0616064,
	 * IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309298, NDCG = 0.4981965;
	 * AP = (1/2 + 2/4) / min(5, 3) = 1/3. */
	const uint32_t top[] = { 5, 1, 9, 3, 7 }, rel[] = { 1, 3, 8 };
	struct mq_recs_rank_scores m;

	mq_recs_rank_score(top, 5, 5, rel, 3, &m);
	ck_assert_double_eq_tol(m.precision, 0.4, EPS);
	ck_assert_double_eq_tol(m.recall, 2.0 / 3, EPS);
	ck_assert_double_eq_tol(m.ndcg, 1.0616064 / 2.1309298, EPS);
	ck_assert_double_eq_tol(m.ap, 1.0 / 3, EPS);
}
END_TEST

START_TEST(ranking_metrics_edges)
{
	const uint32_t perfect[] = { 2, 4 }, rel[] = { 2, 4 }, miss[] = { 1, 3, 5 };
	const uint32_t one[] = { 7 };
	struct mq_recs_rank_scores m;

	/* everything relevant first: 1 throughout, precision is hits / k */
	mq_recs_rank_score(perfect, 2, 10, rel, 2, &m);
	ck_assert_double_eq_tol(m.ndcg, 1, EPS);
	ck_assert_double_eq_tol(m.ap, 1, EPS);
	ck_assert_double_eq_tol(m.recall, 1, EPS);
	ck_assert_double_eq_tol(m.precision, 0.2, EPS);
	/* no hit: all zero */
	mq_recs_rank_score(miss, 3, 3, rel, 2, &m);
	ck_assert_double_eq_tol(m.ndcg + m.ap + m.recall + m.precision, 0, EPS);
	/* the relevant item at rank 3 of 3, one relevant:
	 * NDCG = (1/log2(4)) / 1 = 0.5, AP = (1/3) / 1 */
	const uint32_t third[] = { 1, 3, 7 };
	mq_recs_rank_score(third, 3, 3, one, 1, &m);
	ck_assert_double_eq_tol(m.ndcg, 0.5, EPS);
	ck_assert_double_eq_tol(m.ap, 1.0 / 3, EPS);
	/* more relevant than k: recall over all of them, IDCG over k */
	const uint32_t many[] = { 1, 2, 3, 4, 5, 6 }, two[] = { 1, 2 };
	mq_recs_rank_score(two, 2, 2, many, 6, &m);
	ck_assert_double_eq_tol(m.recall, 2.0 / 6, EPS);
	ck_assert_double_eq_tol(m.ndcg, 1, EPS);
	ck_assert_double_eq_tol(m.ap, 1, EPS);
}
END_TEST

START_TEST(means_over_users_and_coverage)
{
	/* user a: top {0, 1}, relevant {0}: precision 1/2, ndcg 1;
	 * user b: top {1, 2}, relevant {9}: all 0;
	 * user c: top {3, 1}, nothing relevant: not averaged, but covered.
	 * Shown: 0 1 2 3 of 8 candidates: coverage 0.5. */
	const uint32_t a[] = { 0, 1 }, b[] = { 1, 2 }, c[] = { 3, 1 }, ra[] = { 0 }, rb[] = { 9 };
	struct mq_recs_rank_sum s;
	struct mq_recs_rank_scores mean;
	double coverage;

	mq_recs_rank_sum_init(&s, 10);
	mq_recs_rank_sum_add(&s, a, 2, 2, ra, 1);
	mq_recs_rank_sum_add(&s, b, 2, 2, rb, 1);
	mq_recs_rank_sum_add(&s, c, 2, 2, NULL, 0);
	mq_recs_rank_sum_mean(&s, 8, &mean, &coverage);
	ck_assert_uint_eq(s.users, 2);
	ck_assert_double_eq_tol(mean.precision, 0.25, EPS);
	ck_assert_double_eq_tol(mean.ndcg, 0.5, EPS);
	ck_assert_double_eq_tol(mean.recall, 0.5, EPS);
	ck_assert_double_eq_tol(coverage, 0.5, EPS);
	mq_recs_rank_sum_free(&s);
}
END_TEST

START_TEST(top_k_selection)
{
	const float s[] = { 0.5f, 2.0f, NAN, 2.0f, -INFINITY, 1.0f, 3.0f, 0.1f };
	const uint8_t skip[] = { 0, 0, 0, 0, 0, 0, 1, 0 };
	uint32_t top[8];
	size_t n;

	n = mq_recs_top_k(s, 8, NULL, 3, top);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(top[0], 6);
	ck_assert_uint_eq(top[1], 1);	/* ties: the lower index first */
	ck_assert_uint_eq(top[2], 3);
	n = mq_recs_top_k(s, 8, skip, 8, top);
	ck_assert_uint_eq(n, 5);	/* NaN, -inf and the skipped are left out */
	ck_assert_uint_eq(top[0], 1);
	ck_assert_uint_eq(top[1], 3);
	ck_assert_uint_eq(top[2], 5);
	ck_assert_uint_eq(top[3], 0);
	ck_assert_uint_eq(top[4], 7);
	ck_assert_uint_eq(mq_recs_top_k(s, 8, NULL, 0, top), 0);
}
END_TEST

START_TEST(folds_are_a_partition)
{
	enum { N = 1003 };
	uint8_t f1[N], f2[N], f3[N];
	size_t count[5] = { 0 }, same = 0;

	mq_recs_folds(N, 5, 1, f1);
	mq_recs_folds(N, 5, 1, f2);
	mq_recs_folds(N, 5, 2, f3);
	for (size_t i = 0; i < N; i++) {
		ck_assert_uint_lt(f1[i], 5);
		ck_assert_uint_eq(f1[i], f2[i]);	/* the same seed, the same folds */
		count[f1[i]]++;
		same += f1[i] == f3[i];
	}
	for (int f = 0; f < 5; f++)
		ck_assert(count[f] == N / 5 || count[f] == N / 5 + 1);
	ck_assert_uint_lt(same, N / 2);	/* another seed, other folds */
}
END_TEST

static ssize_t read_text(struct mq_recs_data *d, const char *text, char *err, size_t len)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	ssize_t n = mq_recs_ratings_read_stream(d, in, "test", err, len);

	fclose(in);
	return n;
}

START_TEST(rating_files_by_content)
{
	struct mq_recs_data d = { 0 };
	char err[256];

	/* MovieLens CSV with its header */
	ck_assert_int_eq(read_text(&d, "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n"
				      "1,1029,3.0,1260759179\r\n\n7,31,5,86400\n", err, sizeof(err)), 3);
	ck_assert_uint_eq(d.users.n, 2);
	ck_assert_uint_eq(d.items.n, 2);
	ck_assert(d.r[0].value == 2.5f);
	ck_assert_int_eq(d.r[0].day, 1260759144 / 86400);
	ck_assert_uint_eq(d.r[2].item, d.r[0].item);	/* movie 31 twice: one index */
	ck_assert_int_eq(d.r[2].day, 1);
	mq_recs_data_free(&d);
	/* ml-100k's u.data: tabs */
	ck_assert_int_eq(read_text(&d, "196\t242\t3\t881250949\n186\t302\t3\t891717742\n", err,
				   sizeof(err)), 2);
	ck_assert_int_eq(mq_recs_ids_get(&d.items, 302), 1);
	mq_recs_data_free(&d);
	/* ml-1m's ratings.dat */
	ck_assert_int_eq(read_text(&d, "1::1193::5::978300760\n1::661::3::978302109\n", err,
				   sizeof(err)), 2);
	ck_assert(d.r[1].value == 3.0f);
	mq_recs_data_free(&d);
	/* no timestamp: day 0 */
	ck_assert_int_eq(read_text(&d, "1 2 4.5\n", err, sizeof(err)), 1);
	ck_assert_int_eq(d.r[0].day, 0);
	mq_recs_data_free(&d);
	/* malformed: the line is named */
	ck_assert_int_eq(read_text(&d, "userId,movieId,rating,timestamp\n1,2,3,4\n1,x,3,4\n", err,
				   sizeof(err)), -1);
	ck_assert_str_eq(err, "test:3: expected user, item, rating and timestamp");
	mq_recs_data_free(&d);
	ck_assert_int_eq(read_text(&d, "1,2\n", err, sizeof(err)), -1);
	mq_recs_data_free(&d);
}
END_TEST

START_TEST(sets_index_both_ways)
{
	struct mq_recs_data d = { 0 };
	struct mq_recs_set s;

	/* users 10 20, items 7 8 9 */
	mq_recs_data_add(&d, 10, 9, 1, 0);
	mq_recs_data_add(&d, 20, 7, 2, 0);
	mq_recs_data_add(&d, 10, 7, 3, 0);
	mq_recs_data_add(&d, 20, 8, 4, 0);
	mq_recs_set_build(&s, d.r, d.n, d.users.n, d.items.n);
	ck_assert_double_eq_tol(s.mean, 2.5, EPS);
	ck_assert_uint_eq(mq_recs_user_count(&s, 0), 2);
	/* user 10's events sorted by item index: item 9 is index 0, 7 is 1 */
	ck_assert_uint_eq(s.r[s.by_user[s.uptr[0]]].item, 0);
	ck_assert_uint_eq(s.r[s.by_user[s.uptr[0] + 1]].item, 1);
	/* item 7 (index 1): users 20 (index 1) and 10 (index 0), sorted */
	ck_assert_uint_eq(mq_recs_item_count(&s, 1), 2);
	ck_assert_uint_eq(s.r[s.by_item[s.iptr[1]]].user, 0);
	ck_assert_uint_eq(s.r[s.by_item[s.iptr[1] + 1]].user, 1);
	ck_assert_uint_eq(mq_recs_ids_get(&d.users, 99), UINT32_MAX);
	mq_recs_set_free(&s);
	mq_recs_data_free(&d);
}
END_TEST

START_TEST(int_array_literals)
{
	int64_t v[4];

	ck_assert_uint_eq(mq_recs_int_array("{4,18,-3}", v, 4), 3);
	ck_assert_int_eq(v[2], -3);
	ck_assert_uint_eq(mq_recs_int_array("{}", v, 4), 0);
	ck_assert_uint_eq(mq_recs_int_array("{1,2,3,4,5}", v, 4), 4);
	ck_assert_uint_eq(mq_recs_int_array(NULL, v, 4), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("recs metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rmse_and_mae);
	tcase_add_test(tc, ranking_metrics_by_hand);
	tcase_add_test(tc, ranking_metrics_edges);
	tcase_add_test(tc, means_over_users_and_coverage);
	tcase_add_test(tc, top_k_selection);
	tcase_add_test(tc, folds_are_a_partition);
	tcase_add_test(tc, rating_files_by_content);
	tcase_add_test(tc, sets_index_both_ways);
	tcase_add_test(tc, int_array_literals);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

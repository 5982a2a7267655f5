/*
 * eval.c: folds, fitting, measuring, and one JSON line per model
 * (eval.h).
 */
#include "recs/eval.h"

#include <malloc.h>
#include <math.h>

#include "recs/metrics.h"

void mq_recs_folds(size_t n, int folds, uint64_t seed, uint8_t *fold)
{
	struct mq_recs_rng g = { seed };
	uint32_t *order = mq_xmalloc(n * sizeof(*order) + 1);

	for (size_t k = 0; k < n; k++)
		order[k] = (uint32_t)k;
	mq_recs_rng_shuffle(&g, order, n);
	for (size_t k = 0; k < n; k++)
		fold[order[k]] = (uint8_t)(k % (size_t)folds);
	free(order);
}

/* The peak resident memory since the last reset, in MiB (VmHWM); the
 * reset writes 5 to /proc/self/clear_refs (Linux 4.0 and later). */
static void peak_reset(void)
{
	FILE *f;

	malloc_trim(0);	/* what earlier models freed is not this one's */
	f = fopen("/proc/self/clear_refs", "w");
	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static double peak_mb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = NAN;

	if (f == NULL)
		return NAN;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtod(line + 6, NULL);
	fclose(f);
	return kb / 1024.0;
}

struct result {
	double rmse, mae, seconds, rss;
	struct mq_recs_rank_scores rank;
	double coverage;
};

/* The split of one fold: train and test events. */
struct split {
	struct mq_recs_set train, test;
	uint8_t *has_train;	/* by item */
	size_t candidates;
};

static void split_make(struct split *sp, const struct mq_recs_data *d,
		       const struct mq_recs_eval_opts *o, const uint8_t *fold, int f)
{
	struct mq_recs_rating *tr = mq_xmalloc(d->n * sizeof(*tr) + 1),
			      *te = mq_xmalloc(d->n * sizeof(*te) + 1);
	size_t ntr = 0, nte = 0;

	for (size_t k = 0; k < d->n; k++) {
		bool test = o->test_set ? k >= o->ntrain : fold[k] == f;

		if (test)
			te[nte++] = d->r[k];
		else
			tr[ntr++] = d->r[k];
	}
	mq_recs_set_build(&sp->train, tr, ntr, d->users.n, d->items.n);
	mq_recs_set_build(&sp->test, te, nte, d->users.n, d->items.n);
	free(tr);
	free(te);
	sp->has_train = mq_xcalloc(d->items.n + 1, 1);
	sp->candidates = 0;
	for (uint32_t i = 0; i < d->items.n; i++)
		if (mq_recs_item_count(&sp->train, i)) {
			sp->has_train[i] = 1;
			sp->candidates++;
		}
}

static void split_free(struct split *sp)
{
	mq_recs_set_free(&sp->train);
	mq_recs_set_free(&sp->test);
	free(sp->has_train);
}

/* The top-k measures of m over the users of the test set. */
static void rank_measure(const struct mq_recs_model *m, const struct split *sp,
			 const struct mq_recs_eval_opts *o, struct result *res)
{
	const struct mq_recs_set *tr = &sp->train, *te = &sp->test;
	float *scores = mq_xmalloc((tr->nitems + 1) * sizeof(*scores));
	uint8_t *skip = mq_xmalloc(tr->nitems + 1);
	uint32_t *top = mq_xmalloc(o->k * sizeof(*top));
	uint32_t *rel = mq_xmalloc((te->n + 1) * sizeof(*rel));
	struct mq_recs_rank_sum sum;

	mq_recs_rank_sum_init(&sum, tr->nitems);
	for (uint32_t u = 0; u < te->nusers; u++) {
		size_t nrel = 0, n;

		if (mq_recs_user_count(te, u) == 0)
			continue;
		/* by_user is sorted by item: rel comes out sorted */
		for (size_t k = te->uptr[u]; k < te->uptr[u + 1]; k++)
			if (te->r[te->by_user[k]].value >= o->relevant_min)
				rel[nrel++] = te->r[te->by_user[k]].item;
		for (uint32_t i = 0; i < tr->nitems; i++)
			skip[i] = !sp->has_train[i];
		for (size_t k = tr->uptr[u]; k < tr->uptr[u + 1]; k++)
			skip[tr->r[tr->by_user[k]].item] = 1;
		m->algo->score(m, u, scores);
		n = mq_recs_top_k(scores, tr->nitems, skip, o->k, top);
		mq_recs_rank_sum_add(&sum, top, n, o->k, rel, nrel);
	}
	mq_recs_rank_sum_mean(&sum, sp->candidates, &res->rank, &res->coverage);
	mq_recs_rank_sum_free(&sum);
	free(scores);
	free(skip);
	free(top);
	free(rel);
}

static void rating_measure(const struct mq_recs_model *m, const struct split *sp,
			   struct result *res)
{
	struct mq_recs_error_sum e = { 0 };

	for (size_t k = 0; k < sp->test.n; k++) {
		const struct mq_recs_rating *r = &sp->test.r[k];

		mq_recs_error_add(&e, m->algo->predict(m, r->user, r->item, r->day), r->value);
	}
	res->rmse = mq_recs_rmse(&e);
	res->mae = mq_recs_mae(&e);
}

static void run_fold(const struct mq_recs_algo *a, const struct split *sp,
		     const struct mq_recs_eval_opts *o, struct result *res)
{
	uint64_t t0;
	struct mq_recs_model *m;

	memset(res, 0, sizeof(*res));
	res->rmse = res->mae = NAN;
	peak_reset();
	t0 = mq_now_mono_ns();
	m = mq_recs_fit(a, &sp->train, &o->model);
	res->seconds = (double)(mq_now_mono_ns() - t0) / 1e9;
	if (a->rates)
		rating_measure(m, sp, res);
	rank_measure(m, sp, o, res);
	res->rss = peak_mb();
	a->free(m);
}

/* A number, or null for NaN (a metric that does not apply). */
static void put_num(FILE *out, const char *name, double v, int digits)
{
	if (isnan(v))
		fprintf(out, ", \"%s\": null", name);
	else
		fprintf(out, ", \"%s\": %.*f", name, digits, v);
}

static void print_result(FILE *out, const char *model, const struct result *r,
			 const struct mq_recs_eval_opts *o, int folds)
{
	fprintf(out, "{\"model\": \"%s\"", model);
	put_num(out, "rmse", r->rmse, 4);
	put_num(out, "mae", r->mae, 4);
	put_num(out, "precision_at_k", r->rank.precision, 4);
	put_num(out, "recall_at_k", r->rank.recall, 4);
	put_num(out, "ndcg_at_k", r->rank.ndcg, 4);
	put_num(out, "map_at_k", r->rank.ap, 4);
	put_num(out, "coverage_at_k", r->coverage, 4);
	put_num(out, "train_seconds", r->seconds, 2);
	put_num(out, "peak_rss_mb", r->rss, 1);
	fprintf(out, ", \"k\": %zu, \"folds\": %d}\n", o->k, folds);
	fflush(out);
}

static void add_into(struct result *sum, const struct result *r)
{
	sum->rmse += r->rmse;
	sum->mae += r->mae;
	sum->seconds += r->seconds;
	sum->rss = r->rss > sum->rss ? r->rss : sum->rss;
	sum->rank.precision += r->rank.precision;
	sum->rank.recall += r->rank.recall;
	sum->rank.ndcg += r->rank.ndcg;
	sum->rank.ap += r->rank.ap;
	sum->coverage += r->coverage;
}

static void divide(struct result *sum, int n)
{
	sum->rmse /= n;
	sum->mae /= n;
	sum->seconds /= n;
	sum->rank.precision /= n;
	sum->rank.recall /= n;
	sum->rank.ndcg /= n;
	sum->rank.ap /= n;
	sum->coverage /= n;
}

int mq_recs_eval(const struct mq_recs_data *d, const struct mq_recs_eval_opts *o, FILE *out,
		 char *err, size_t errlen)
{
	const struct mq_recs_algo *algos[64];
	int nalgos = 0, folds = o->test_set ? 1 : o->folds;
	uint8_t *fold = mq_xcalloc(d->n + 1, 1);
	struct split *sp = mq_xcalloc((size_t)folds, sizeof(*sp));

	for (size_t i = 0; o->models ? o->models[i] != NULL : mq_recs_algos[i] != NULL; i++) {
		const struct mq_recs_algo *a = o->models ? mq_recs_algo_find(o->models[i])
							 : mq_recs_algos[i];

		if (a == NULL || nalgos == (int)MQ_ARRAY_LEN(algos)) {
			snprintf(err, errlen, "unknown model %s", o->models[i]);
			free(fold);
			free(sp);
			return -1;
		}
		algos[nalgos++] = a;
	}
	if (!o->test_set)
		mq_recs_folds(d->n, folds, o->model.seed, fold);
	for (int f = 0; f < folds; f++)
		split_make(&sp[f], d, o, fold, f);
	for (int a = 0; a < nalgos; a++) {
		struct result sum = { 0 }, r;

		for (int f = 0; f < folds; f++) {
			run_fold(algos[a], &sp[f], o, &r);
			if (o->progress)
				fprintf(stderr, "%-12s fold %d/%d  rmse %.4f  ndcg@%zu %.4f  %.2fs\n",
					algos[a]->name, f + 1, folds, r.rmse, o->k, r.rank.ndcg,
					r.seconds);
			add_into(&sum, &r);
		}
		divide(&sum, folds);
		print_result(out, algos[a]->name, &sum, o, folds);
	}
	for (int f = 0; f < folds; f++)
		split_free(&sp[f]);
	free(sp);
	free(fold);
	return 0;
}

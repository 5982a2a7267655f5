/*
 * recs_train.c: `marquee recs train`: the signals and the catalog out of
 * PostgreSQL (COPY), the models fitted (src/recs/), a new version in.
 *
 * One run at a time (an advisory lock; a second run says so and exits
 * 0).  The version's row is inserted first, on its own, with status
 * 'training'; then its data is written and the version made active in
 * one transaction: until that commits, requests read the old version,
 * and a run that fails or is killed anywhere leaves the old version
 * serving and its own row 'training', which the next run marks 'failed'.
 * After the swap, versions before the one it replaced are deleted
 * (their rows go with them).
 */
#include "core/common.h"

#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <unistd.h>

#include "catalog/changes.h"
#include "cli/cli.h"
#include "cli/copy.h"
#include "cli/progress.h"
#include "cli/recs.h"
#include "core/config.h"
#include "db/db.h"
#include "recs/content.h"
#include "recs/hybrid.h"
#include "recs/linalg.h"
#include "recs/parallel.h"
#include "recs/signals.h"

#define CMD "recs train"
/* pg_advisory_lock key of training runs ("recs" in ASCII) */
#define TRAIN_LOCK "1919247731"

/* Every user's signals, one row per user and movie; provisional movies
 * (seen by their makers only: sql/0010_hardening.sql) are left out. */
#define SIGNALS_SQL \
	"COPY (SELECT user_id, movie_id, max(rating), bool_or(favorite), bool_or(watched), " \
	"  bool_or(watchlist), bool_or(not_interested), " \
	"  floor(extract(epoch FROM max(at)) / 86400)::int " \
	"FROM (SELECT user_id, movie_id, rating, false AS favorite, false AS watched, " \
	"        false AS watchlist, false AS not_interested, updated_at AS at FROM ratings " \
	"      UNION ALL SELECT user_id, movie_id, NULL, true, false, false, false, created_at " \
	"        FROM favorites " \
	"      UNION ALL SELECT user_id, movie_id, NULL, false, true, false, false, watched_at " \
	"        FROM watch_history " \
	"      UNION ALL SELECT user_id, movie_id, NULL, false, watched, true, false, created_at " \
	"        FROM watchlist " \
	"      UNION ALL SELECT user_id, movie_id, NULL, false, false, false, true, created_at " \
	"        FROM not_interested) s " \
	"WHERE movie_id NOT IN (SELECT id FROM movies WHERE provisional_by IS NOT NULL) " \
	"GROUP BY user_id, movie_id) TO STDOUT"

#define MOVIES_SQL \
	"COPY (SELECT id, popularity, genre_ids, keyword_ids, original_language, year " \
	"FROM movies WHERE provisional_by IS NULL) TO STDOUT"

struct train {
	struct mq_ctx *c;
	PGconn *conn;
	bool quiet;
	int threads;
	int64_t version;
	struct mq_recs_data signals;
	struct mq_recs_set set;
	float *weight;
	struct mq_recs_catalog catalog;
	struct mq_recs_idf idf;
	struct mq_recs_neighbors also, lists, similar;
	uint8_t *shown;		/* by event: on the watchlist only (not the user's own) */
	size_t shown_cap;
	double seconds[5];
	size_t rows_written, users_written;
	struct mq_copy *copy;	/* of write_users */
	char *buf;		/* a row's bytea text */
	size_t bufcap;
};

enum stage { READ, LISTS, CONTENT, WRITE, TOTAL };

static double since(uint64_t t0)
{
	return (double)(mq_now_mono_ns() - t0) / 1e9;
}

static bool exec_ok(struct train *t, const char *sql)
{
	return mq_cli_exec(CMD, t->conn, sql);
}

/* One parameterised statement's first value (a copy), or NULL. */
static char *query_value(struct train *t, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(t->conn, sql, n, NULL, params, NULL, NULL, 0);
	char *v = NULL;

	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
		mq_cli_error(CMD, "%s", PQresultErrorMessage(res));
	else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = mq_xstrdup(PQgetvalue(res, 0, 0));
	else
		v = mq_xstrdup("");
	PQclear(res);
	return v;
}

static int read_signals(struct train *t)
{
	struct mq_copy cp;
	struct mq_progress pr;
	char *f[8];
	int n;
	uint64_t rows = 0;

	if (mq_copy_out_begin(&cp, t->conn, SIGNALS_SQL) < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	if (!t->quiet)
		mq_progress_start(&pr, "signals", 0);
	while ((n = mq_copy_out_row(&cp, f, 8)) > 0) {
		struct mq_recs_pair p = {
			.rating = f[2] ? strtof(f[2], NULL) : 0,
			.favorite = f[3] && *f[3] == 't',
			.watched = f[4] && *f[4] == 't',
			.watchlist = f[5] && *f[5] == 't',
			.not_interested = f[6] && *f[6] == 't',
		};
		float w = mq_recs_pair_weight(&p);

		if (n == 8 && f[0] && f[1] && w != 0) {
			mq_recs_data_add(&t->signals, strtoll(f[0], NULL, 10), strtoll(f[1], NULL, 10),
					 w, f[7] ? (int32_t)strtol(f[7], NULL, 10) : 0);
			if (t->signals.n > t->shown_cap)
				t->shown = mq_xrealloc(t->shown, t->shown_cap = t->signals.n * 2);
			t->shown[t->signals.n - 1] = !(p.rating > 0 || p.favorite || p.watched ||
						       p.not_interested);
		}
		if (!t->quiet && (++rows & 0xfff) == 0)
			mq_progress_set(&pr, rows);
	}
	if (!t->quiet) {
		mq_progress_set(&pr, rows);
		mq_progress_end(&pr);
	}
	if (n < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	return 0;
}

static int read_movies(struct train *t)
{
	static int64_t genres[256], keywords[4096];
	struct mq_copy cp;
	char *f[6];
	int n;

	if (mq_copy_out_begin(&cp, t->conn, MOVIES_SQL) < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	while ((n = mq_copy_out_row(&cp, f, 6)) > 0) {
		if (n != 6 || f[0] == NULL)
			continue;
		mq_recs_catalog_add(&t->catalog, strtoll(f[0], NULL, 10),
				    f[1] ? strtof(f[1], NULL) : 0, genres,
				    mq_recs_int_array(f[2], genres, MQ_ARRAY_LEN(genres)), keywords,
				    mq_recs_int_array(f[3], keywords, MQ_ARRAY_LEN(keywords)), f[4],
				    f[5] ? (int)strtol(f[5], NULL, 10) : 0);
	}
	if (n < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	return 0;
}

static void fit(struct train *t)
{
	uint64_t t0 = mq_now_mono_ns();
	struct mq_recs_data *d = &t->signals;

	mq_recs_set_build(&t->set, d->r, d->n, d->users.n, d->items.n);
	t->weight = mq_xmalloc((t->set.n + 1) * sizeof(*t->weight));
	for (size_t e = 0; e < t->set.n; e++)
		t->weight[e] = t->set.r[e].value;
	if (!t->quiet)
		fprintf(stderr, "lists    %zu signals of %u users on %u movies\n", t->set.n,
			t->set.nusers, t->set.nitems);
	mq_recs_neighbors_cosine(&t->set, t->weight, MQ_RECS_KNN_LIST_K, t->threads, &t->also);
	mq_recs_hybrid_lists(&t->set, t->weight, &t->also, MQ_RECS_LIST_K, t->threads, &t->lists);
	t->seconds[LISTS] = since(t0);
	t0 = mq_now_mono_ns();
	if (!t->quiet)
		fprintf(stderr, "content  %zu movies\n", t->catalog.n);
	mq_recs_content_idf(&t->catalog, &t->idf);
	mq_recs_content_neighbors(&t->catalog, &t->idf, MQ_RECS_SIMILAR_K, t->threads, &t->similar);
	t->seconds[CONTENT] = since(t0);
}

/* ---- writing ---- */

/* The low bytes of v, little-endian, as hex at p; returns the end. */
static char *put_hex(char *p, uint64_t v, int bytes)
{
	static const char hex[] = "0123456789abcdef";

	for (int b = 0; b < bytes; b++) {
		uint8_t byte = (uint8_t)(v >> (8 * b));

		*p++ = hex[byte >> 4];
		*p++ = hex[byte & 15];
	}
	return p;
}

static uint32_t float_bits(float f)
{
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	return bits;
}

/* Room in t->buf for a bytea of n tuples of unit bytes as text, "\x"
 * written; returns where the hex goes. */
static char *bytea_text(struct train *t, size_t n, size_t unit)
{
	size_t len = 2 + n * unit * 2 + 1;

	if (len > t->bufcap)
		t->buf = mq_xrealloc(t->buf, t->bufcap = len * 2);
	t->buf[0] = '\\';
	t->buf[1] = 'x';
	return t->buf + 2;
}

/* A list as bytea's text input, "\x" and (int64 id, float32 weight)
 * pairs, little-endian. */
static void put_list(struct mq_copy *cp, struct train *t, uint32_t item)
{
	const struct mq_recs_neighbors *nb = &t->lists;
	size_t n = nb->ptr[item + 1] - nb->ptr[item];
	char *p;

	if (n == 0) {
		mq_copy_null(cp);
		return;
	}
	p = bytea_text(t, n, 12);
	for (size_t k = nb->ptr[item]; k < nb->ptr[item + 1]; k++) {
		p = put_hex(p, (uint64_t)t->signals.items.ids[nb->item[k]], 8);
		p = put_hex(p, float_bits(nb->score[k]), 4);
	}
	*p = '\0';
	mq_copy_text(cp, t->buf);
}

/* Two arrays, ids and scores, from a list over ids. */
static void put_arrays(struct mq_copy *cp, const struct mq_recs_neighbors *nb, uint32_t j,
		       const int64_t *ids, char **buf, size_t *cap)
{
	size_t n = nb->ptr[j + 1] - nb->ptr[j], len = 2 + n * 24;
	int w;

	if (n == 0) {
		mq_copy_null(cp);
		mq_copy_null(cp);
		return;
	}
	if (len > *cap)
		*buf = mq_xrealloc(*buf, *cap = len * 2);
	w = 0;
	for (size_t k = nb->ptr[j]; k < nb->ptr[j + 1]; k++)
		w += snprintf(*buf + w, *cap - (size_t)w, "%c%lld", k == nb->ptr[j] ? '{' : ',',
			      (long long)ids[nb->item[k]]);
	snprintf(*buf + w, *cap - (size_t)w, "}");
	mq_copy_text(cp, *buf);
	w = 0;
	for (size_t k = nb->ptr[j]; k < nb->ptr[j + 1]; k++)
		w += snprintf(*buf + w, *cap - (size_t)w, "%c%.4g", k == nb->ptr[j] ? '{' : ',',
			      (double)nb->score[k]);
	snprintf(*buf + w, *cap - (size_t)w, "}");
	mq_copy_text(cp, *buf);
}

static int write_items(struct train *t)
{
	const struct mq_recs_catalog *cat = &t->catalog;
	struct mq_copy cp;
	struct mq_progress pr;
	char *buf = NULL;
	size_t cap = 0;

	if (mq_copy_begin(&cp, t->conn, "COPY recs_items (version, movie_id, content_ids, "
			  "content_scores, liked_ids, liked_scores, list) FROM STDIN") < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	if (!t->quiet)
		mq_progress_start(&pr, "write", cat->n);
	/* every movie of the catalog, with what the signals say of it */
	for (size_t m = 0; m < cat->n; m++) {
		uint32_t item = mq_recs_ids_get(&t->signals.items, cat->id[m]);
		bool has_sim = t->similar.ptr[m + 1] > t->similar.ptr[m];
		bool has_list = item != UINT32_MAX;

		if (!has_sim && !has_list)
			continue;
		mq_copy_int(&cp, t->version);
		mq_copy_int(&cp, cat->id[m]);
		put_arrays(&cp, &t->similar, (uint32_t)m, cat->id, &buf, &cap);
		if (has_list) {
			put_arrays(&cp, &t->also, item, t->signals.items.ids, &buf, &cap);
			put_list(&cp, t, item);
		} else {
			mq_copy_null(&cp);
			mq_copy_null(&cp);
			mq_copy_null(&cp);
		}
		mq_copy_row_end(&cp);
		t->rows_written++;
		if (!t->quiet && (m & 0xfff) == 0)
			mq_progress_set(&pr, m);
	}
	if (!t->quiet) {
		mq_progress_set(&pr, cat->n);
		mq_progress_end(&pr);
	}
	free(buf);
	if (mq_copy_end(&cp) < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	return 0;
}

/* One user's kept candidates and their basis as bytea's text input:
 * (int64 movie id, float32 score, int64 because, float32 because_part)
 * tuples and (int64 movie id, float32 strength) pairs, little-endian
 * (recommend.c reads them). */
static int put_user(void *arg, uint32_t user, const struct mq_recs_scored *best, size_t n,
		    const struct mq_recs_basis *basis, size_t nb)
{
	struct train *t = arg;
	struct mq_copy *cp = t->copy;
	char *p;

	if (n == 0)
		return -1;
	mq_copy_int(cp, t->version);
	mq_copy_int(cp, t->signals.users.ids[user]);
	p = bytea_text(t, n, 24);
	for (size_t k = 0; k < n; k++) {
		p = put_hex(p, (uint64_t)best[k].item, 8);
		p = put_hex(p, float_bits(best[k].score), 4);
		p = put_hex(p, (uint64_t)best[k].because, 8);
		p = put_hex(p, float_bits(best[k].because_part), 4);
	}
	*p = '\0';
	mq_copy_text(cp, t->buf);
	p = bytea_text(t, nb, 12);
	for (size_t k = 0; k < nb; k++) {
		p = put_hex(p, (uint64_t)basis[k].item, 8);
		p = put_hex(p, float_bits(basis[k].weight), 4);
	}
	*p = '\0';
	mq_copy_text(cp, t->buf);
	mq_copy_row_end(cp);
	t->users_written++;
	return 0;
}

/* The candidates of the users with at least [recs] precompute_signals
 * signals (user_lists.c), as recs_users rows. */
static int write_users(struct train *t)
{
	const struct mq_config *cfg = t->c->cfg;
	struct mq_copy cp;

	if (cfg->recs_precompute_signals == 0)
		return 0;
	if (mq_copy_begin(&cp, t->conn, "COPY recs_users (version, user_id, list, basis) FROM STDIN") < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	t->copy = &cp;
	mq_recs_user_lists(&t->set, t->weight, &t->lists, t->signals.items.ids, t->shown,
			   (size_t)cfg->recs_precompute_signals, (size_t)cfg->recs_max_signals,
			   MQ_RECS_CANDIDATES, t->threads, put_user, t);
	t->copy = NULL;
	if (mq_copy_end(&cp) < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	return 0;
}

static const char *feature_kind(mq_recs_feature f, char *value, size_t len)
{
	uint32_t v = (uint32_t)(f & 0xffffffffu);

	switch ((enum mq_recs_feature_kind)(f >> 56)) {
	case MQ_RECS_F_GENRE: snprintf(value, len, "%u", v); return "genre";
	case MQ_RECS_F_KEYWORD: snprintf(value, len, "%u", v); return "keyword";
	case MQ_RECS_F_LANGUAGE: snprintf(value, len, "%c%c", (char)(v >> 8), (char)(v & 255)); return "language";
	case MQ_RECS_F_DECADE: snprintf(value, len, "%u", v); return "decade";
	}
	return NULL;
}

static int write_features(struct train *t)
{
	struct mq_copy cp;
	char value[32];

	if (mq_copy_begin(&cp, t->conn, "COPY recs_features (version, kind, value, idf) FROM STDIN") < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	for (size_t k = 0; k < t->idf.nslots; k++) {
		const char *kind = t->idf.key[k] ? feature_kind(t->idf.key[k], value, sizeof(value)) : NULL;
		char idf[32];

		if (kind == NULL)
			continue;
		snprintf(idf, sizeof(idf), "%.6g", (double)t->idf.idf[k]);
		mq_copy_int(&cp, t->version);
		mq_copy_text(&cp, kind);
		mq_copy_text(&cp, value);
		mq_copy_text(&cp, idf);
		mq_copy_row_end(&cp);
	}
	if (mq_copy_end(&cp) < 0) {
		mq_cli_error(CMD, "%s", cp.error);
		return -1;
	}
	return 0;
}

static double peak_mb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtod(line + 6, NULL);
	if (f)
		fclose(f);
	return kb / 1024;
}

static char *metrics_json(const struct train *t)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fprintf(f, "{\"signals\": %zu, \"users\": %u, \"movies_with_signals\": %u, "
		"\"movies\": %zu, \"rows\": %zu, \"user_rows\": %zu, \"list_entries\": %zu, "
		"\"similar_entries\": %zu, "
		"\"seconds\": {\"read\": %.2f, \"lists\": %.2f, \"content\": %.2f, \"write\": %.2f, "
		"\"total\": %.2f}, \"peak_rss_mb\": %.1f, \"threads\": %d}",
		t->set.n, t->set.nusers, t->set.nitems, t->catalog.n, t->rows_written, t->users_written,
		t->lists.ptr ? t->lists.ptr[t->lists.nitems] : 0,
		t->similar.ptr ? t->similar.ptr[t->similar.nitems] : 0, t->seconds[READ],
		t->seconds[LISTS], t->seconds[CONTENT], t->seconds[WRITE], t->seconds[TOTAL],
		peak_mb(), t->threads);
	fclose(f);
	return out;
}

/* The data and the swap, in one transaction. */
static int publish(struct train *t, uint64_t t_start)
{
	char version[24], *metrics, *v;
	uint64_t t0 = mq_now_mono_ns();

	snprintf(version, sizeof(version), "%lld", (long long)t->version);
	if (!exec_ok(t, "BEGIN") || write_items(t) < 0 || write_features(t) < 0 ||
	    write_users(t) < 0)
		goto fail;
	t->seconds[WRITE] = since(t0);
	t->seconds[TOTAL] = since(t_start);
	metrics = metrics_json(t);
	const char *params[] = { version, metrics };
	v = query_value(t, "UPDATE recs_versions SET status = 'retired' WHERE status = 'active' "
			"RETURNING id", 0, NULL);
	free(v);
	v = query_value(t, "UPDATE recs_versions SET status = 'active', published_at = now(), "
			"metrics = $2::jsonb WHERE id = $1 RETURNING id", 2, params);
	free(metrics);
	if (v == NULL || *v == '\0') {
		free(v);
		goto fail;
	}
	free(v);
	/* the swap: requests that read recs_active now see this version */
	v = query_value(t, "INSERT INTO recs_active (version) VALUES ($1) ON CONFLICT (one) DO "
			"UPDATE SET version = excluded.version, since = now() RETURNING version", 1,
			params);
	if (v == NULL || *v == '\0' || !exec_ok(t, "COMMIT")) {
		free(v);
		goto fail;
	}
	free(v);
	return 0;
fail:
	PQclear(PQexec(t->conn, "ROLLBACK"));
	return -1;
}

/* Versions before the one the new one replaced go, with their rows; so
 * do failed runs' rows after a week. */
static void prune(struct train *t)
{
	exec_ok(t, "DELETE FROM recs_versions WHERE (status = 'retired' AND id < (SELECT max(id) "
		"FROM recs_versions WHERE status = 'retired')) OR (status = 'failed' AND "
		"started_at < now() - interval '7 days')");
}

static void train_free(struct train *t)
{
	mq_recs_data_free(&t->signals);
	mq_recs_set_free(&t->set);
	free(t->weight);
	free(t->shown);
	free(t->buf);
	mq_recs_catalog_free(&t->catalog);
	mq_recs_idf_free(&t->idf);
	mq_recs_neighbors_free(&t->also);
	mq_recs_neighbors_free(&t->lists);
	mq_recs_neighbors_free(&t->similar);
}

/* Takes the lock, marks the runs it outlived, and starts a version.
 * Returns 1 when another run holds the lock, 0, or -1. */
static int begin(struct train *t)
{
	char host[128] = "", trainer[200], *v;

	/* reading every signal and writing a version take longer than the
	 * workers' limit ([database] statement_timeout, 10 s by default),
	 * which is not for a job: at 100,000 movies the COPY of the
	 * version's rows was cancelled by it on a loaded machine */
	if (!exec_ok(t, "SET statement_timeout = 0"))
		return -1;
	v = query_value(t, "SELECT pg_try_advisory_lock(" TRAIN_LOCK ")", 0, NULL);
	if (v == NULL || strcmp(v, "t") != 0) {
		if (v)
			mq_cli_error(CMD, "another training run is in progress; this one stops");
		free(v);
		return v ? 1 : -1;
	}
	free(v);
	/* holding the lock: a run still 'training' was killed or failed */
	if (!exec_ok(t, "UPDATE recs_versions SET status = 'failed', error = 'the run ended "
		     "before it published (killed, or it failed)' WHERE status = 'training'"))
		return -1;
	gethostname(host, sizeof(host) - 1);
	snprintf(trainer, sizeof(trainer), "%s %d", host, (int)getpid());
	const char *params[] = { trainer };
	v = query_value(t, "INSERT INTO recs_versions (trainer) VALUES ($1) RETURNING id", 1, params);
	if (v == NULL || *v == '\0') {
		free(v);
		return -1;
	}
	t->version = strtoll(v, NULL, 10);
	free(v);
	return 0;
}

static void record_failure(struct train *t, const char *why)
{
	char version[24];
	const char *params[] = { version, why };

	snprintf(version, sizeof(version), "%lld", (long long)t->version);
	free(query_value(t, "UPDATE recs_versions SET status = 'failed', error = left($2, 2000) "
			 "WHERE id = $1 AND status = 'training'", 2, params));
}

int mq_cli_recs_train(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct train t = { .threads = 0 };
	uint64_t t0 = mq_now_mono_ns();
	int c, rc = 1, b;
	int64_t n;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if (mq_parse_int64(optarg, 1, 64, &n) < 0) {
				mq_cli_error(CMD, "--threads: expected 1 to 64");
				return 2;
			}
			t.threads = (int)n;
			break;
		case 'q': t.quiet = true; break;
		default: return mq_cli_recs_usage();
		}
	}
	if (optind != argc)
		return mq_cli_recs_usage();
	t.threads = t.threads ? t.threads : cfg->recs_threads ? cfg->recs_threads
						     : mq_recs_default_threads();
	t.quiet = t.quiet || !isatty(STDERR_FILENO);
	mq_recs_threads(t.threads);
	t.c = mq_cli_ctx_new(cfg, "marquee recs train", false);
	if (mq_db_connect(t.c->db) < 0) {
		mq_cli_error(CMD, "%s", mq_db_error(t.c->db));
		goto out;
	}
	t.conn = mq_db_conn(t.c->db);
	if ((b = begin(&t)) != 0) {
		rc = b > 0 ? 0 : 1;
		goto out;
	}
	if (read_signals(&t) < 0 || read_movies(&t) < 0) {
		record_failure(&t, "reading the signals or the catalog failed");
		goto out;
	}
	t.seconds[READ] = since(t0);
	fit(&t);
	if (publish(&t, t0) < 0) {
		record_failure(&t, "writing the version failed");
		goto out;
	}
	prune(&t);
	/* /similar/ and /recommendations/ answers were made from the old one */
	mq_catalog_changed(t.c);
	printf("version %lld: %zu signals of %u users, %zu movies, %.1fs, peak %.0f MiB\n",
	       (long long)t.version, t.set.n, t.set.nusers, t.catalog.n, since(t0), peak_mb());
	rc = 0;
out:
	train_free(&t);
	mq_cli_ctx_free(t.c);
	return rc;
}

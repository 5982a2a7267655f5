/*
 * import_tmdb.c: `marquee import tmdb`, movies from TMDb into the catalog,
 * one at a time, through the import the API uses (mq_tmdb_import).
 *
 *   --ids FILE    TMDb ids, one per line ('#' comments, blank lines skipped)
 *   --popular N   TMDb's N most popular movies
 *   --trending    this week's trending movies
 *   --stale DAYS  re-read movies last asked of TMDb more than DAYS days
 *                 ago, the longest unasked first, at most --limit (the
 *                 nightly job); a movie deleted meanwhile stays deleted
 *   --rate R      at most R calls to TMDb a second (default 4)
 *
 * Resumable: a movie the catalog has is skipped (--stale takes the
 * stalest first), so a run stopped halfway goes on where it stopped when
 * started again.  A 429 or an open circuit breaker is waited out (its
 * Retry-After), up to MAX_WAITS times a movie; a movie that fails in
 * another way (TMDb's answer, or the database refusing its data) is
 * counted and skipped, and with --stale marked as asked, so that it does
 * not come first again the next night.  Only a database that is down
 * stops the run.  Exits 0 when nothing failed, 1 otherwise, 2 on bad
 * usage.
 */
#include "core/common.h"

#include <curl/curl.h>
#include <getopt.h>
#include <time.h>
#include <unistd.h>

#include "catalog/changes.h"
#include "catalog/tmdb_import.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"

#define CMD "import tmdb"
#define MAX_IDS 100000
#define MAX_POPULAR 10000	/* TMDb's lists stop at page 500 */
#define MAX_WAITS 5

static struct mq_stmt stale = MQ_STMT_READ(
	"SELECT tmdb_id FROM movies WHERE tmdb_id IS NOT NULL "
	"AND (tmdb_checked_at IS NULL OR tmdb_checked_at < now() - make_interval(days => $1::int)) "
	"ORDER BY tmdb_checked_at NULLS FIRST, id LIMIT $2");

/* A refresh that did not update the movie still asked TMDb about it. */
static struct mq_stmt checked = MQ_STMT(
	"UPDATE movies SET tmdb_checked_at = now() WHERE tmdb_id = $1");

struct job {
	struct mq_config *cfg;
	struct mq_ctx *c;
	uint64_t interval_ns, last_call_ns;
	int64_t *ids;
	size_t n, cap;
	bool refresh;
	unsigned imported, refreshed, present, missing, gone, failed;
};

static void add_id(struct job *j, int64_t id)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 64;
		j->ids = mq_xrealloc(j->ids, j->cap * sizeof(*j->ids));
	}
	j->ids[j->n++] = id;
}

/* Keeps to --rate. */
static void throttle(struct job *j)
{
	mq_cli_throttle(&j->last_call_ns, j->interval_ns);
}

static int read_ids(struct job *j, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int64_t id;
	int n = 0;

	if (f == NULL) {
		mq_cli_error(CMD, "%s: %s", path, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "#\r\n");

		n++;
		while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		line[len] = '\0';
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if (mq_parse_int64(line, 1, INT32_MAX, &id) < 0 || j->n >= MAX_IDS) {
			mq_cli_error(CMD, "%s:%d: not a TMDb id (or more than %d of them)", path, n,
				     MAX_IDS);
			fclose(f);
			return 2;
		}
		add_id(j, id);
	}
	fclose(f);
	return 0;
}

/* Adds the ids of one page of a TMDb list; returns how many it had, or
 * -1 when TMDb failed. */
static int read_list_page(struct job *j, const char *path, int page, size_t max)
{
	const char *params[] = { "page", mq_arena_printf(j->c->arena, "%d", page), NULL };
	struct json_object *list, *id;
	struct mq_tmdb_answer ans;
	size_t n;

	for (int wait = 0; wait <= MAX_WAITS; wait++) {
		throttle(j);
		mq_tmdb_get(j->c->tmdb, j->c->arena, path, params, &ans);
		if (ans.status != MQ_TMDB_UNAVAILABLE || wait == MAX_WAITS)
			break;
		sleep((unsigned)(ans.retry_after > 0 ? ans.retry_after : 1));
	}
	if (ans.status != MQ_TMDB_OK || !json_object_object_get_ex(ans.json, "results", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		mq_cli_error(CMD, "TMDb %s: %s", path, ans.why ? ans.why : "no results");
		return -1;
	}
	n = json_object_array_length(list);
	for (size_t i = 0; i < n && j->n < max; i++)
		if (json_object_object_get_ex(json_object_array_get_idx(list, i), "id", &id) &&
		    json_object_is_type(id, json_type_int) && json_object_get_int64(id) > 0 &&
		    json_object_get_int64(id) <= INT32_MAX)
			add_id(j, json_object_get_int64(id));
	return (int)n;
}

static int read_list(struct job *j, const char *path, size_t max, int pages)
{
	for (int page = 1; page <= pages && j->n < max; page++) {
		int n = read_list_page(j, path, page, max);

		if (n < 0)
			return 1;
		if (n == 0)
			break;
	}
	return 0;
}

static int read_stale(struct job *j, const char *days, const char *limit)
{
	const char *params[] = { days, limit };
	PGresult *res = mq_db_exec(j->c->db, &stale, 2, params);

	if (res == NULL) {
		mq_cli_error(CMD, "%s", mq_db_error(j->c->db));
		return 1;
	}
	for (int i = 0; i < PQntuples(res); i++)
		add_id(j, strtoll(PQgetvalue(res, i, 0), NULL, 10));
	PQclear(res);
	j->refresh = true;
	return 0;
}

/* Counts an import; a movie read again makes its cached detail stale. */
static void counted(struct job *j, bool created, bool written, int64_t movie_id)
{
	if (created) {
		j->imported++;
	} else if (!written) {
		j->present++;
	} else {
		j->refreshed++;
		mq_movie_changed(j->c, mq_arena_int(j->c->arena, movie_id));
	}
}

/* The database failed on one movie: the movie's failure (its data), or,
 * when the database is gone, the run's (-1). */
static int db_failed(struct job *j, int64_t tmdb_id)
{
	if (mq_db_state(j->c->db) == MQ_DB_DOWN) {
		mq_cli_error(CMD, "%s", mq_db_error(j->c->db));
		return -1;
	}
	j->failed++;
	mq_cli_error(CMD, "TMDb id %lld: %s", (long long)tmdb_id, mq_db_error(j->c->db));
	return 0;
}

/* Marks a refreshed movie as asked about whatever TMDb said; -1 when the
 * database is down. */
static int mark_checked(struct job *j, int64_t tmdb_id)
{
	char id[24];
	const char *params[] = { id };
	PGresult *res;

	if (!j->refresh)
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)tmdb_id);
	if ((res = mq_db_exec(j->c->db, &checked, 1, params)) == NULL)
		return mq_db_state(j->c->db) == MQ_DB_DOWN ? -1 : 0;
	PQclear(res);
	return 0;
}

/* True (counted as there already) when the catalog has the movie and
 * this is no refresh: no call to TMDb, so no waiting for --rate. */
static bool present(struct job *j, int64_t tmdb_id)
{
	int64_t movie_id;

	if (j->refresh || mq_tmdb_movie_find(j->c->db, tmdb_id, &movie_id) != 0)
		return false;
	j->present++;
	return true;
}

/* Imports one movie, waiting out 429s and the breaker.  Returns 0, or -1
 * when the database is down or TMDb is not configured (the run stops). */
static int import_one(struct job *j, int64_t tmdb_id)
{
	struct mq_tmdb_answer ans;
	int64_t movie_id;
	bool created;

	if (present(j, tmdb_id))
		return 0;
	for (int wait = 0; wait <= MAX_WAITS; wait++) {
		throttle(j);
		switch (mq_tmdb_import(j->c->db, j->c->tmdb, j->c->arena, tmdb_id, j->refresh, &movie_id,
				       &created, &ans)) {
		case MQ_IMPORT_OK:
			counted(j, created, ans.json != NULL, movie_id);
			return 0;
		case MQ_IMPORT_GONE:
			j->gone++;
			return 0;
		case MQ_IMPORT_DB:
			return db_failed(j, tmdb_id) < 0 || mark_checked(j, tmdb_id) < 0 ? -1 : 0;
		case MQ_IMPORT_TMDB:
			break;
		}
		if (ans.status == MQ_TMDB_UNCONFIGURED) {
			mq_cli_error(CMD, "[tmdb] has no api_key_file or read_token_file");
			return -1;
		}
		if (ans.status != MQ_TMDB_UNAVAILABLE || wait == MAX_WAITS)
			break;
		sleep((unsigned)(ans.retry_after > 0 ? ans.retry_after : 1));
		mq_arena_reset(j->c->arena);
	}
	if (ans.status == MQ_TMDB_NOT_FOUND) {
		j->missing++;
	} else {
		j->failed++;
		mq_cli_error(CMD, "TMDb id %lld: %s", (long long)tmdb_id, ans.why);
	}
	/* TMDb's 429s and breaker are its state, not the movie's: asked later */
	return ans.status == MQ_TMDB_UNAVAILABLE ? 0 : mark_checked(j, tmdb_id);
}

static int run(struct job *j)
{
	struct mq_progress p;
	int rc = 0;

	mq_progress_start(&p, "tmdb", j->n);
	for (size_t i = 0; i < j->n && rc == 0; i++) {
		rc = import_one(j, j->ids[i]);
		mq_arena_reset(j->c->arena);
		mq_progress_set(&p, i + 1);
	}
	mq_progress_end(&p);
	if (j->imported || j->refreshed)
		mq_catalog_changed(j->c);
	printf("imported %u, refreshed %u, already there %u, not on TMDb %u, failed %u, "
	       "deleted meanwhile %u\n",
	       j->imported, j->refreshed, j->present, j->missing, j->failed, j->gone);
	return rc < 0 || j->failed ? 1 : 0;
}

struct options {
	const char *ids, *stale_days, *limit;
	int64_t popular, rate;
	bool trending;
};

static bool number(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return mq_parse_int64(s, min, max, out) == 0;
}

/* Returns 0, or 2 after printing the usage. */
static int parse(struct options *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ids", required_argument, NULL, 'i' }, { "popular", required_argument, NULL, 'p' },
		{ "trending", no_argument, NULL, 't' }, { "stale", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' }, { "rate", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t n;
	bool ok = true;
	int c;

	*o = (struct options){ .limit = "1000", .rate = 4 };
	optind = 1;
	while (ok && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': o->ids = optarg; break;
		case 'p': ok = number(optarg, 1, MAX_POPULAR, &o->popular); break;
		case 't': o->trending = true; break;
		case 's': o->stale_days = optarg; ok = number(optarg, 0, 36500, &n); break;
		case 'l': o->limit = optarg; ok = number(optarg, 1, MAX_IDS, &n); break;
		case 'r': ok = number(optarg, 1, 1000, &o->rate); break;
		default: ok = false; break;
		}
	}
	if (ok && optind == argc && (o->ids != NULL) + (o->popular > 0) + o->trending +
					    (o->stale_days != NULL) == 1)
		return 0;
	fprintf(stderr, "usage: marquee import tmdb (--ids FILE | --popular N (at most %d) | "
			"--trending | --stale DAYS [--limit N]) [--rate R]\n", MAX_POPULAR);
	return 2;
}

/* The ids the options name. */
static int collect(struct job *j, const struct options *o)
{
	j->interval_ns = 1000000000u / (uint64_t)o->rate;
	if (o->ids)
		return read_ids(j, o->ids);
	if (o->stale_days)
		return read_stale(j, o->stale_days, o->limit);
	if (o->popular)
		return read_list(j, "/movie/popular", (size_t)o->popular, MAX_POPULAR / 20);
	return read_list(j, "/trending/movie/week", 20, 1);
}

int mq_cli_import_tmdb(struct mq_config *cfg, int argc, char **argv)
{
	struct job j = { .cfg = cfg };
	struct options o;
	int rc;

	if (parse(&o, argc, argv) != 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	j.c = mq_cli_ctx_new(cfg, "marquee import tmdb", true);
	if (j.c->tmdb == NULL) {
		mq_cli_error(CMD, "libcurl failed to initialise");
		rc = 1;
	} else if (!mq_tmdb_configured(j.c->tmdb)) {
		mq_cli_error(CMD, "[tmdb] has no api_key_file or read_token_file");
		rc = 1;
	} else if (mq_db_connect(j.c->db) < 0) {
		mq_cli_error(CMD, "%s", mq_db_error(j.c->db));
		rc = 1;
	} else if ((rc = collect(&j, &o)) == 0) {
		rc = run(&j);
	}
	free(j.ids);
	mq_cli_ctx_free(j.c);
	curl_global_cleanup();
	return rc;
}

/*
 * demo_data.c: `marquee demo-data`, a catalog without the internet.
 *
 *   marquee demo-data [--movies N] [--seed S] [--curated FILE]
 *
 * Loads the curated films (about a hundred well-known ones with their real
 * TMDb and IMDb ids, from data/demo-movies.tsv) and tops the generated
 * films up to N (see demo_film.h).  Running it again adds only what is
 * missing, so `./dev up` can call it every time.
 *
 * Generated films go in through COPY into a staging table and one INSERT
 * ... SELECT per chunk, with the per-row search trigger switched off
 * (marquee.bulk) and each film's search document computed in the same
 * statement: a million films load in minutes, not hours.  VACUUM ANALYZE
 * follows, without which the planner ignores the fresh indexes.
 */
#include "core/common.h"

#include <getopt.h>
#include <math.h>

#include "cache/cache.h"
#include "cli/cli.h"
#include "cli/copy.h"
#include "cli/demo_film.h"
#include "cli/progress.h"
#include "core/config.h"
#include "db/db.h"

#define CHUNK 20000
#define MAX_FIELDS 10

static const char *const tsv_columns[MAX_FIELDS] = {
	"tmdb_id", "imdb_id", "title", "original_title", "original_language",
	"release_date", "runtime", "genres", "keywords", "overview",
};

static struct mq_stmt upsert_keywords = MQ_STMT(
	"INSERT INTO keywords (name) "
	"SELECT DISTINCT ON (lower(k)) k FROM unnest(string_to_array($1, ',')) k "
	"ON CONFLICT ((lower(name))) DO NOTHING");

/* One curated film with its genres (TMDb names) and keywords; nothing when
 * its TMDb or IMDb id is already in the catalog.  Returns how many films
 * it added (0 or 1). */
static struct mq_stmt insert_curated = MQ_STMT(
	"WITH m AS ("
	"  INSERT INTO movies (tmdb_id, imdb_id, source, title, original_title, original_language, "
	"                      release_date, runtime, overview, popularity) "
	"  VALUES ($1, $2, 'demo', $3, $4, $5, $6, $7, $10, $11) "
	"  ON CONFLICT DO NOTHING RETURNING id), "
	"g AS (INSERT INTO movie_genres (movie_id, genre_id) "
	"      SELECT m.id, g.id FROM m JOIN genres g ON g.name = ANY (string_to_array($8, ','))), "
	"k AS (INSERT INTO movie_keywords (movie_id, keyword_id) "
	"      SELECT m.id, k.id FROM m JOIN keywords k "
	"        ON lower(k.name) = ANY (string_to_array(lower($9), ','))) "
	"SELECT count(*) FROM m");

/* How many films of this seed were generated already. */
static struct mq_stmt count_generated = MQ_STMT(
	"SELECT coalesce((SELECT generated FROM demo_catalog WHERE seed = $1), 0)");

static struct mq_stmt note_generated = MQ_STMT(
	"INSERT INTO demo_catalog (seed, generated) VALUES ($1, $2) "
	"ON CONFLICT (seed) DO UPDATE SET generated = excluded.generated");

static struct mq_stmt insert_chunk = MQ_STMT(
	"INSERT INTO movies (id, source, title, original_title, overview, tagline, release_date, "
	"  runtime, original_language, status, popularity, rating, "
	"  created_at, updated_at, genre_ids, keyword_ids, search) "
	"SELECT id, 'demo', title, original_title, overview, tagline, release_date, runtime, "
	"  original_language, status, popularity, movie_rating(ratings_count, ratings_sum), "
	"  now() - age * interval '1 second', now() - age * interval '1 second', "
	"  genre_ids, keyword_ids, movie_document(title, original_title, keywords, overview) "
	"FROM demo_staging WHERE id BETWEEN $1 AND $2");

/* The rated films' statistics, in the rows their insert made (HOT
 * updates: movie_stats leaves room on its pages). */
static struct mq_stmt stats_chunk = MQ_STMT(
	"UPDATE movie_stats s SET ratings_count = d.ratings_count, ratings_sum = d.ratings_sum "
	"FROM demo_staging d WHERE d.id BETWEEN $1 AND $2 AND d.ratings_count > 0 "
	"AND s.movie_id = d.id");

struct ids {
	const char *name;
	int64_t id;
};

struct run {
	PGconn *conn;
	struct mq_db *db;
	uint64_t seed;
	struct ids genres[32];
	size_t ngenres;
	struct ids *keywords;	/* sorted by name */
	size_t nkeywords;
};

static bool exec(PGconn *c, const char *sql)
{
	return mq_cli_exec("demo-data", c, sql);
}

static PGresult *run_stmt(struct run *run, struct mq_stmt *st, int n, const char *const *params)
{
	PGresult *res = mq_db_exec(run->db, st, n, params);

	if (res == NULL)
		mq_cli_error("demo-data", "%s", mq_db_error(run->db));
	return res;
}

/* A fixed popularity for a curated film, from its TMDb id: the real films
 * come first in every list ordered by popularity (the default) and in the
 * trending fallback, above every generated film (demo_film.c gives them
 * less than 200), in a stable order; the generated ones stay for scale.
 * TMDb's own numbers replace these when the films are refreshed from it
 * (`marquee import tmdb --stale`). */
static const char *curated_popularity(const char *tmdb_id, char *buf, size_t size)
{
	/* not MQ_FNV1A_BASIS (a digit short of it): the demo's popularities
	 * were made with this one */
	uint64_t h = mq_fnv1a(1469598103934665603ULL, tmdb_id);

	snprintf(buf, size, "%.3f", 201.0 + (double)(h % 100000) / 1000.0);
	return buf;
}

static int split_tsv(char *line, char **fields)
{
	int n = 0;

	for (char *p = line;; p++) {
		if (n == MAX_FIELDS)
			return -1;
		fields[n++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p = '\0';
	}
	return n;
}

/* Loads one curated film; returns 1 when added, 0 when it was there, -1
 * on failure. */
static int curated_row(struct run *run, char **f)
{
	char pop[32];
	const char *params[] = { f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9],
				 curated_popularity(f[0], pop, sizeof(pop)) };
	const char *kw[] = { f[8] };
	PGresult *res;

	int added;

	if ((res = run_stmt(run, &upsert_keywords, 1, kw)) == NULL)
		return -1;
	PQclear(res);
	if ((res = run_stmt(run, &insert_curated, 11, params)) == NULL)
		return -1;
	added = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return added;
}

/* Loads the curated films; each is skipped when already there. */
static int load_curated(struct run *run, const char *path)
{
	FILE *in = fopen(path, "r");
	char *line = NULL, *fields[MAX_FIELDS];
	size_t cap = 0, lineno = 0, loaded = 0;
	ssize_t len;
	int rc = -1;

	if (in == NULL) {
		mq_cli_error("demo-data", "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (mq_db_begin(run->db) < 0)
		goto out;
	while ((len = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (split_tsv(line, fields) != MAX_FIELDS) {
			mq_cli_error("demo-data", "%s:%zu: expected %d tab-separated fields", path,
				     lineno, MAX_FIELDS);
			goto out;
		}
		if (lineno == 1) {
			for (int i = 0; i < MAX_FIELDS; i++)
				if (strcmp(fields[i], tsv_columns[i]) != 0) {
					mq_cli_error("demo-data", "%s: column %d should be %s", path,
						     i + 1, tsv_columns[i]);
					goto out;
				}
			continue;
		}
		int added = curated_row(run, fields);

		if (added < 0) {
			mq_cli_error("demo-data", "%s:%zu: not loaded", path, lineno);
			goto out;
		}
		loaded += (size_t)added;
	}
	if (mq_db_commit(run->db) < 0) {
		mq_cli_error("demo-data", "%s", mq_db_error(run->db));
		goto out;
	}
	printf("curated: %zu films from %s\n", loaded, path);
	rc = 0;
out:
	mq_db_rollback(run->db);
	free(line);
	fclose(in);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ids *)a)->name, ((const struct ids *)b)->name);
}

/* Fetches name → id pairs (names as malloc'ed copies) sorted by name. */
static struct ids *fetch_ids(struct run *run, const char *sql, size_t *n)
{
	PGresult *res = PQexec(run->conn, sql);
	struct ids *out;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		mq_cli_error("demo-data", "%s", PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	*n = (size_t)PQntuples(res);
	out = mq_xcalloc(*n + 1, sizeof(*out));
	for (size_t i = 0; i < *n; i++) {
		out[i].id = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
		out[i].name = mq_xstrdup(PQgetvalue(res, (int)i, 1));
	}
	PQclear(res);
	qsort(out, *n, sizeof(*out), by_name);
	return out;
}

static int64_t lookup(const struct ids *list, size_t n, const char *name)
{
	struct ids key = { .name = name };
	const struct ids *hit = bsearch(&key, list, n, sizeof(*list), by_name);

	return hit ? hit->id : 0;
}

static void free_ids(struct ids *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free((char *)list[i].name);
	free(list);
}

/* Every generated keyword exists, and both id maps are loaded. */
static int prepare_maps(struct run *run)
{
	const char *const *words;
	size_t n = mq_demo_keywords(&words), len = 0;
	char *all;
	PGresult *res;
	struct ids *genres;

	for (size_t i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	all = mq_xcalloc(1, len + 1);
	for (size_t i = 0, at = 0; i < n; i++)
		at += (size_t)snprintf(all + at, len + 1 - at, "%s%s", i ? "," : "", words[i]);
	const char *params[] = { all };
	res = run_stmt(run, &upsert_keywords, 1, params);
	free(all);
	if (res == NULL)
		return -1;
	PQclear(res);
	run->keywords = fetch_ids(run, "SELECT id, lower(name) FROM keywords", &run->nkeywords);
	genres = fetch_ids(run, "SELECT id, slug FROM genres", &run->ngenres);
	if (run->keywords == NULL || genres == NULL || run->ngenres > MQ_ARRAY_LEN(run->genres)) {
		if (genres)
			mq_cli_error("demo-data", "more genres (%zu) than it knows how to weigh",
				     run->ngenres);
		free_ids(genres, run->ngenres);
		run->ngenres = 0;
		return -1;
	}
	memcpy(run->genres, genres, run->ngenres * sizeof(*genres));
	free(genres);	/* the names now belong to run->genres */
	return 0;
}

static void copy_id_array(struct mq_copy *c, const int64_t *ids, int n)
{
	char buf[256];
	size_t len = 0;

	buf[len++] = '{';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld", i ? "," : "",
					(long long)ids[i]);
	snprintf(buf + len, sizeof(buf) - len, "}");
	mq_copy_text(c, buf);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct ids *)a)->id, y = ((const struct ids *)b)->id;

	return (x > y) - (x < y);
}

/* The ids of names, sorted by id as the database keeps such arrays. */
static int ids_of(const struct ids *map, size_t nmap, const char *const *names, int n,
		  struct ids *out)
{
	int found = 0;

	for (int i = 0; i < n; i++)
		if ((out[found].id = lookup(map, nmap, names[i])) > 0)
			out[found++].name = names[i];
	qsort(out, (size_t)found, sizeof(*out), by_id);
	return found;
}

static void copy_film(struct run *run, struct mq_copy *c, int64_t id, uint64_t age,
		      const struct mq_demo_film *f)
{
	struct ids genres[MQ_DEMO_MAX_GENRES], keywords[MQ_DEMO_MAX_KEYWORDS];
	int64_t genre_ids[MQ_DEMO_MAX_GENRES], keyword_ids[MQ_DEMO_MAX_KEYWORDS];
	char names[MQ_DEMO_MAX_KEYWORDS * 40] = "", num[32];
	int ng = ids_of(run->genres, run->ngenres, f->genres, f->ngenres, genres);
	int nk = ids_of(run->keywords, run->nkeywords, f->keywords, f->nkeywords, keywords);
	size_t len = 0;

	for (int i = 0; i < ng; i++)
		genre_ids[i] = genres[i].id;
	/* the document names keywords in id order, as keyword_names() does */
	for (int i = 0; i < nk; i++) {
		keyword_ids[i] = keywords[i].id;
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? " " : "",
					keywords[i].name);
	}
	mq_copy_int(c, id);
	mq_copy_text(c, f->title);
	mq_copy_text(c, f->original_title);
	mq_copy_text(c, f->overview);
	mq_copy_text(c, f->tagline);
	mq_copy_text(c, f->release_date);
	mq_copy_int(c, f->runtime);
	mq_copy_text(c, f->language);
	mq_copy_text(c, f->status);
	snprintf(num, sizeof(num), "%.3f", f->popularity);
	mq_copy_text(c, num);
	mq_copy_int(c, f->ratings_count);
	snprintf(num, sizeof(num), "%d.%d", f->ratings_sum2 / 2, f->ratings_sum2 % 2 ? 5 : 0);
	mq_copy_text(c, num);
	mq_copy_int(c, (int64_t)age);
	copy_id_array(c, genre_ids, ng);
	copy_id_array(c, keyword_ids, nk);
	mq_copy_text(c, names);
	mq_copy_row_end(c);
}

/* Films have + 1 .. want go to the staging table with ids from base + 1;
 * the newest are the most recently added (created_at over three years). */
static int stage(struct run *run, uint64_t have, uint64_t want, int64_t base)
{
	const uint64_t span = 3ull * 365 * 24 * 3600;
	struct mq_progress p;
	struct mq_demo_film f;
	struct mq_copy c;

	if (!exec(run->conn,
		  "CREATE TEMP TABLE demo_staging (id bigint, title text, original_title text, "
		  "overview text, tagline text, release_date date, runtime smallint, "
		  "original_language text, status text, popularity real, ratings_count integer, "
		  "ratings_sum numeric, age bigint, genre_ids integer[], keyword_ids integer[], "
		  "keywords text) ON COMMIT DROP"))
		return -1;
	if (mq_copy_begin(&c, run->conn, "COPY demo_staging FROM STDIN") < 0) {
		mq_cli_error("demo-data", "%s", c.error);
		return -1;
	}
	mq_progress_start(&p, "generate", want - have);
	for (uint64_t k = have + 1; k <= want; k++) {
		mq_demo_film(run->seed, k, &f);
		copy_film(run, &c, base + (int64_t)(k - have), span - span * k / (want + 1), &f);
		if (k % 1024 == 0)
			mq_progress_set(&p, k - have);
	}
	mq_progress_set(&p, want - have);
	mq_progress_end(&p);
	if (mq_copy_end(&c) < 0) {
		mq_cli_error("demo-data", "%s", c.error);
		return -1;
	}
	return 0;
}

static int insert_staged(struct run *run, int64_t first, int64_t last)
{
	struct mq_progress p;
	char a[24], b[24];

	mq_progress_start(&p, "movies", (uint64_t)(last - first + 1));
	for (int64_t lo = first; lo <= last; lo += CHUNK) {
		int64_t hi = lo + CHUNK - 1 < last ? lo + CHUNK - 1 : last;
		const char *params[] = { a, b };
		PGresult *res;

		snprintf(a, sizeof(a), "%lld", (long long)lo);
		snprintf(b, sizeof(b), "%lld", (long long)hi);
		if ((res = run_stmt(run, &insert_chunk, 2, params)) == NULL)
			return -1;
		PQclear(res);
		if ((res = run_stmt(run, &stats_chunk, 2, params)) == NULL)
			return -1;
		PQclear(res);
		mq_progress_set(&p, (uint64_t)(hi - first + 1));
	}
	mq_progress_end(&p);
	return exec(run->conn,
		    "INSERT INTO movie_genres (movie_id, genre_id) "
		    "SELECT id, unnest(genre_ids) FROM demo_staging") &&
	       exec(run->conn,
		    "INSERT INTO movie_keywords (movie_id, keyword_id) "
		    "SELECT id, unnest(keyword_ids) FROM demo_staging") &&
	       exec(run->conn,
		    "SELECT setval(pg_get_serial_sequence('movies', 'id'), "
		    "(SELECT max(id) FROM movies))")
		       ? 0 : -1;
}

static uint64_t generated_count(struct run *run)
{
	char seed[24];
	const char *params[] = { seed };
	PGresult *res;

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)run->seed);
	res = run_stmt(run, &count_generated, 1, params);
	uint64_t n;

	if (res == NULL)
		return UINT64_MAX;
	n = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static int64_t max_movie_id(struct run *run)
{
	PGresult *res = PQexec(run->conn, "SELECT coalesce(max(id), 0) FROM movies");
	int64_t id = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		mq_cli_error("demo-data", "%s", PQresultErrorMessage(res));
	PQclear(res);
	return id;
}

static int note(struct run *run, uint64_t generated)
{
	char seed[24], n[24];
	const char *params[] = { seed, n };
	PGresult *res;

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)run->seed);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)generated);
	if ((res = run_stmt(run, &note_generated, 2, params)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* Generates films have + 1 .. want of the seed, in one transaction: a
 * film deleted since stays deleted. */
static int load_generated(struct run *run, uint64_t want)
{
	uint64_t have = generated_count(run);
	int64_t base;

	if (have == UINT64_MAX)
		return -1;
	if (have >= want) {
		printf("generated: %llu films were generated already\n", (unsigned long long)have);
		return 0;
	}
	if (prepare_maps(run) < 0 || mq_db_begin(run->db) < 0)
		return -1;
	/* ids are handed out here, so no other writer may take one meanwhile */
	if (!exec(run->conn, "LOCK TABLE movies IN SHARE ROW EXCLUSIVE MODE") ||
	    !exec(run->conn, "SET LOCAL marquee.bulk = 'on'") ||
	    (base = max_movie_id(run)) < 0 || stage(run, have, want, base) < 0 ||
	    insert_staged(run, base + 1, base + (int64_t)(want - have)) < 0 ||
	    note(run, want) < 0 ||
	    mq_db_commit(run->db) < 0) {
		mq_db_rollback(run->db);
		return -1;
	}
	printf("generated: %llu films added (%llu generated in all)\n",
	       (unsigned long long)(want - have), (unsigned long long)want);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: marquee demo-data [--movies N] [--seed S] [--curated FILE]\n");
}

int mq_cli_demo_data(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "movies", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "curated", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *curated = MQ_PKGDATADIR "/demo-movies.tsv";
	struct run run = { .seed = 1 };
	int64_t movies = 1000, seed = 1;
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:s:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (mq_parse_int64(optarg, 0, 10000000, &movies) < 0)
				return usage(), 2;
			break;
		case 's':
			if (mq_parse_int64(optarg, 0, INT64_MAX, &seed) < 0)
				return usage(), 2;
			break;
		case 'f': curated = optarg; break;
		default: return usage(), 2;
		}
	}
	if (optind != argc)
		return usage(), 2;
	run.seed = (uint64_t)seed;
	run.db = mq_db_new_owner(cfg, "marquee-demo-data");
	run.conn = mq_db_conn(run.db);
	if (run.conn == NULL) {
		mq_cli_error("demo-data", "cannot connect: %s", mq_db_error(run.db));
		goto out;
	}
	/* a bulk load runs for minutes: the workers' timeout is not for it */
	if (!exec(run.conn, "SET statement_timeout = 0"))
		goto out;
	if (load_curated(&run, curated) < 0 || load_generated(&run, (uint64_t)movies) < 0)
		goto out;
	mq_cli_catalog_changed(cfg, run.conn, "demo-data");
	rc = 0;
out:
	free_ids(run.keywords, run.nkeywords);
	for (size_t i = 0; i < run.ngenres; i++)
		free((char *)run.genres[i].name);
	mq_db_free(run.db);
	return rc;
}

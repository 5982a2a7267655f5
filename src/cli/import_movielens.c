/*
 * import_movielens.c: `marquee import movielens DIR`, MovieLens's
 * movies.csv and links.csv into the catalog, and, when the directory has
 * them, ratings.csv and tags.csv with the users who wrote them.
 *
 * Idempotent: a film is matched by its MovieLens id, else by its TMDb id,
 * else by its IMDb id, and updated only where something changed, so a
 * second run changes nothing and a newer MovieLens release updates in
 * place.  Films that came from TMDb keep TMDb's title and genres and gain
 * only the ids they lacked.  An id that the file gives to two films, or
 * that another film already holds, stays with its first holder and is
 * counted as a conflict.  The whole import is one transaction.
 *
 * MovieLens's users become accounts that cannot log in (no password),
 * movielens-<id>, matched by users.movielens_id on the next run.  A
 * rating is upserted (the newest of the file's, by timestamp, wins), a
 * tag added once.  The rated movies' statistics are recounted at the end
 * with their rows locked, so ratings that users add meanwhile through
 * the API are neither lost nor counted twice.  A first load into an
 * empty catalog makes the indexes of movies, movie_genres, movie_stats
 * and ratings once, after the rows (bulk_indexes.c).
 *
 * Every step is one statement over a whole staging table, and every row
 * is written once: the links are joined to the films as the files are
 * read (links.csv first, into memory), genre ids come from the reader, a
 * new film's genres are inserted from the rows its INSERT returns.  See
 * docs/performance.md, "Bulk loads".
 */
#include "core/common.h"

#include <sys/stat.h>
#include <unistd.h>

#include "catalog/changes.h"
#include "cli/bulk_indexes.h"
#include "cli/cli.h"
#include "cli/copy.h"
#include "core/csv.h"
#include "cli/movielens.h"
#include "cli/progress.h"
#include "core/config.h"
#include "db/db.h"

#define CMD "import movielens"

/* The staged films (ml_films) come with their links and, for a film
 * already imported, its movie's id, joined as the files are read
 * (link_row(), read_known(), movie_row()).  An id that links.csv gives
 * to two films is marked *_dup there; of the films of movies.csv holding
 * it, the one of lower MovieLens id keeps it, the others lose it (their
 * *_dup stays true: an id conflict). */
static const char *const shared_ids_sql[] = {
	"UPDATE ml_films s SET tmdb_id = CASE WHEN s.movielens_id = t.first THEN s.tmdb_id END, "
	"  tmdb_dup = s.movielens_id <> t.first "
	"FROM (SELECT tmdb_id, min(movielens_id) AS first FROM ml_films WHERE tmdb_dup "
	"      GROUP BY tmdb_id) t WHERE s.tmdb_dup AND s.tmdb_id = t.tmdb_id",
	"UPDATE ml_films s SET imdb_id = CASE WHEN s.movielens_id = t.first THEN s.imdb_id END, "
	"  imdb_dup = s.movielens_id <> t.first "
	"FROM (SELECT imdb_id, min(movielens_id) AS first FROM ml_films WHERE imdb_dup "
	"      GROUP BY imdb_id) t WHERE s.imdb_dup AND s.imdb_id = t.imdb_id",
};

/* Matching the films not found by their MovieLens id, in order; each a
 * constant statement over the staging tables.  The rows of the conflict
 * steps count as id conflicts. */
static const struct { const char *sql; bool conflict; } match_steps[] = {
	{ "SELECT 1 FROM ml_films WHERE tmdb_dup", true },
	{ "SELECT 1 FROM ml_films WHERE imdb_dup", true },
	{ "UPDATE ml_films s SET movie_id = m.id FROM movies m "
	  "WHERE s.movie_id IS NULL AND m.movielens_id IS NULL AND m.tmdb_id = s.tmdb_id", false },
	{ "UPDATE ml_films s SET movie_id = m.id FROM movies m "
	  "WHERE s.movie_id IS NULL AND m.movielens_id IS NULL AND m.imdb_id = s.imdb_id "
	  "AND NOT EXISTS (SELECT 1 FROM ml_films o WHERE o.movie_id = m.id)", false },
	/* an id another movie has stays with it */
	{ "UPDATE ml_films s SET tmdb_id = NULL FROM movies m "
	  "WHERE m.tmdb_id = s.tmdb_id AND m.id IS DISTINCT FROM s.movie_id", true },
	{ "UPDATE ml_films s SET imdb_id = NULL FROM movies m "
	  "WHERE m.imdb_id = s.imdb_id AND m.id IS DISTINCT FROM s.movie_id", true },
};

/* The films already there (movie_id set) that changed go into
 * ml_touched, to refresh their derived columns and orphan their cached
 * responses afterwards; the films added (movie_id NULL) are new, so
 * nothing of them is cached. */
enum { WRITE_ADDED = 1 };
static const char *const write_sql[] = {
	"WITH w AS ("
	"  UPDATE movies m SET movielens_id = s.movielens_id, "
	"    tmdb_id = coalesce(m.tmdb_id, s.tmdb_id), imdb_id = coalesce(m.imdb_id, s.imdb_id), "
	"    title = CASE WHEN m.source = 'movielens' THEN s.title ELSE m.title END, "
	"    original_title = CASE WHEN m.source = 'movielens' THEN s.original_title "
	"                     ELSE m.original_title END, "
	"    year = CASE WHEN m.release_date IS NULL THEN coalesce(s.year, m.year) ELSE m.year END, "
	"    updated_at = now() "
	"  FROM ml_films s WHERE s.movie_id = m.id AND ("
	"    m.movielens_id IS DISTINCT FROM s.movielens_id "
	"    OR (m.tmdb_id IS NULL AND s.tmdb_id IS NOT NULL) "
	"    OR (m.imdb_id IS NULL AND s.imdb_id IS NOT NULL) "
	"    OR (m.source = 'movielens' AND (m.title, m.original_title) IS DISTINCT FROM "
	"        (s.title, s.original_title)) "
	"    OR (m.release_date IS NULL AND s.year IS NOT NULL AND m.year IS DISTINCT FROM s.year)) "
	"  RETURNING m.id) "
	"INSERT INTO ml_touched SELECT id FROM w",
	/* [WRITE_ADDED] new films with their derived columns (genre_ids,
	 * document) and their genres, from the rows the INSERT returns: no
	 * second version of each written by a refresh, no join to find them
	 * again; counts the films.  A title that is also the original title
	 * is made into words once (sql/0031_bulk_documents.sql). */
	"WITH ins AS ("
	"  INSERT INTO movies (movielens_id, tmdb_id, imdb_id, source, title, original_title, year, "
	"                      genre_ids, search) "
	"  SELECT movielens_id, tmdb_id, imdb_id, 'movielens', title, original_title, year, "
	"    genre_ids, CASE WHEN title = original_title THEN t.doc || t.doc "
	"                    ELSE movie_document(title, original_title, '', '') END "
	"  FROM ml_films s, LATERAL (SELECT movie_title_document(s.title) AS doc OFFSET 0) t "
	"  WHERE movie_id IS NULL RETURNING id, genre_ids), "
	"genres AS (INSERT INTO movie_genres (movie_id, genre_id) "
	"           SELECT id, unnest(genre_ids) FROM ins) "
	"SELECT count(*) FROM ins",
	"WITH w AS ("
	"  DELETE FROM movie_genres mg USING ml_films s, movies m "
	"  WHERE mg.movie_id = s.movie_id AND m.id = s.movie_id AND m.source = 'movielens' "
	"  AND mg.genre_id <> ALL (s.genre_ids) "
	"  RETURNING mg.movie_id) "
	"INSERT INTO ml_touched SELECT movie_id FROM w",
	"WITH w AS ("
	"  INSERT INTO movie_genres (movie_id, genre_id) "
	"  SELECT s.movie_id, g FROM ml_films s JOIN movies m ON m.id = s.movie_id, "
	"  unnest(s.genre_ids) g WHERE m.source = 'movielens' "
	"  ON CONFLICT DO NOTHING RETURNING movie_id) "
	"INSERT INTO ml_touched SELECT movie_id FROM w",
	/* derived columns (genre_ids, search, ...) of the films already there
	 * that changed */
	"SELECT movies_refresh(array_agg(DISTINCT id)) FROM ml_touched",
};

/* Ratings and tags, after the films: each a constant statement over the
 * staging tables, counted in struct import's opinion[] in this order. */
enum { USERS_ADDED, RATINGS_WRITTEN, TAGS_ADDED, UNKNOWN_FILMS, OPINION_STEPS };
static const char *const opinion_sql[] = {
	[USERS_ADDED] =
	"INSERT INTO users (username, email, imported, movielens_id) "
	"SELECT 'movielens-' || u, 'movielens-' || u || '@movielens.invalid', true, u "
	"FROM (SELECT user_id AS u FROM ml_ratings UNION SELECT user_id FROM ml_tags) s "
	"ORDER BY u ON CONFLICT (movielens_id) DO NOTHING",
	/* the newest rating of each user and film the catalog has */
	[RATINGS_WRITTEN] =
	"INSERT INTO ratings AS r (user_id, movie_id, rating, created_at, updated_at) "
	"SELECT DISTINCT ON (u.id, m.id) u.id, m.id, s.rating, to_timestamp(s.ts), to_timestamp(s.ts) "
	"FROM ml_ratings s JOIN users u ON u.movielens_id = s.user_id "
	"JOIN movies m ON m.movielens_id = s.movielens_id ORDER BY u.id, m.id, s.ts DESC "
	"ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, "
	"  updated_at = excluded.updated_at WHERE r.rating <> excluded.rating",
	[TAGS_ADDED] =
	"INSERT INTO movie_tags (user_id, movie_id, tag, created_at) "
	"SELECT DISTINCT ON (u.id, m.id, lower(s.tag)) u.id, m.id, s.tag, to_timestamp(s.ts) "
	"FROM ml_tags s JOIN users u ON u.movielens_id = s.user_id "
	"JOIN movies m ON m.movielens_id = s.movielens_id ORDER BY u.id, m.id, lower(s.tag), s.ts "
	"ON CONFLICT DO NOTHING",
	[UNKNOWN_FILMS] =
	"SELECT 1 FROM (SELECT movielens_id FROM ml_ratings UNION ALL SELECT movielens_id FROM ml_tags) s "
	"WHERE NOT EXISTS (SELECT 1 FROM movies m WHERE m.movielens_id = s.movielens_id)",
};

/* The rated films' statistics: their rows of movie_stats locked first,
 * then counted in a statement of its own, whose snapshot sees every
 * rating committed before the lock; a rating added through the API after
 * it waits on the lock (its trigger updates the row) and adds itself to
 * the recount. */
static const char *const recount_sql[] = {
	"CREATE TEMP TABLE ml_rated ON COMMIT DROP AS SELECT DISTINCT m.id FROM ml_ratings s "
	"JOIN movies m ON m.movielens_id = s.movielens_id",
	"SELECT 1 FROM movie_stats WHERE movie_id IN (SELECT id FROM ml_rated) ORDER BY movie_id "
	"FOR UPDATE",
};
static const char recount_update[] =
	"SELECT movie_ratings_recount(ARRAY(SELECT id FROM ml_rated))";

struct import {
	PGconn *conn;
	const char *dir;
	uint64_t rows, links, ratings, tags, added, updated, conflicts;
	uint64_t opinion[OPINION_STEPS];
	int64_t *changed;	/* existing movies whose cached responses are stale */
	size_t nchanged, capchanged;
	struct mq_bulk_deferred deferred;	/* a first load's indexes, made after it */
	struct mq_bulk_deferred words;	/* and search_words' when it is empty too */
};

/* A first load into these (all empty) makes their indexes and foreign
 * keys once, after the rows; also movie_genres' key to genres (1.9
 * million checks of a million films' genres, a query each: 5.3 s, where
 * adding the key again checks them in one join), which locks genres until
 * the commit, as movies and movie_genres are locked already: a first
 * load's readers wait for the catalog whole.  And movie_stats' primary
 * key: the load adds its rows with ON CONFLICT DO NOTHING, each a
 * speculative insertion into it otherwise (nothing conflicts in an empty
 * table; the key made after checks them all at once). */
static const char *const first_load_tables[] = {
	"movies", "movie_genres", "movie_stats", "ratings", NULL,
};
static const char *const first_load_keys[] = { "movie_stats", NULL };
static const char *const first_load_refs[] = { "genres", NULL };
/* The words of the new films' documents (a million generated films: half
 * a million words, each into a trigram GIN index and, with ON CONFLICT,
 * its primary key): words are never deleted, so an emptied catalog may
 * still have them; then they are loaded as any other time. */
static const char *const first_load_words[] = { "search_words", NULL };

/* A first load's deferrals.  Returns 0 or -1. */
static int defer_indexes(struct import *im)
{
	if (mq_bulk_defer(im->conn, first_load_tables, first_load_keys, first_load_refs,
			  &im->deferred) < 0)
		return -1;
	if (im->deferred.n == 0)
		return 0;
	return mq_bulk_defer(im->conn, first_load_words, first_load_words, NULL, &im->words);
}

static FILE *open_csv(struct import *im, const char *name, const char *header, struct mq_csv *csv,
		      off_t *size)
{
	char *path = NULL;
	struct stat st;
	FILE *f;

	if (asprintf(&path, "%s/%s", im->dir, name) < 0)
		return NULL;
	f = fopen(path, "r");
	if (f == NULL || fstat(fileno(f), &st) < 0) {
		mq_cli_error(CMD, "cannot read %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		free(path);
		return NULL;
	}
	free(path);
	*size = st.st_size;
	mq_csv_open(csv, f);
	if (mq_csv_next(csv) != 1 || csv->nfields < 1 ||
	    strcmp(csv->fields[0], header) != 0) {
		mq_cli_error(CMD, "%s: expected a header line starting with %s", name, header);
		mq_csv_close(csv);
		fclose(f);
		return NULL;
	}
	return f;
}

/* The catalog's genres, slug and id (load_genres()), to turn a film's
 * MovieLens genres into its genre_ids as it is read rather than with a
 * lookup per film in SQL. */
#define MAX_GENRES 64
static struct { char slug[48]; int id; } genre_ids[MAX_GENRES];
static size_t ngenre_ids;

static int genre_id(const char *slug)
{
	for (size_t i = 0; i < ngenre_ids; i++)
		if (strcmp(genre_ids[i].slug, slug) == 0)
			return genre_ids[i].id;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* "Adventure|Children|Fantasy" as a PostgreSQL array of the catalog's
 * genre ids, ascending, each once: what array_agg(id ORDER BY id) over
 * the genres whose slug the film has gives (a genre the catalog lacks is
 * left out). */
static void genre_array(char *genres, char *out, size_t size)
{
	int ids[MAX_GENRES];
	size_t n = 0, len = 0;

	for (char *save = NULL, *g = strtok_r(genres, "|", &save); g; g = strtok_r(NULL, "|", &save)) {
		const char *slug = mq_ml_genre(g);
		int id = slug ? genre_id(slug) : 0;

		if (id > 0 && n < MAX_GENRES)
			ids[n++] = id;
	}
	qsort(ids, n, sizeof(*ids), cmp_int);
	out[len++] = '{';
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || ids[i] != ids[i - 1]) && len + 16 < size)
			len += (size_t)snprintf(out + len, size - len, "%s%d", len > 1 ? "," : "", ids[i]);
	snprintf(out + len, size - len, "}");
}

/* links.csv, read before movies.csv and joined to its films as they are
 * read (rather than staged apart and joined in SQL: a million films'
 * join, with the ids given twice found by hash aggregates, took 5-6 s
 * of the load).  Sorted by MovieLens id once read. */
struct ml_link {
	int32_t id, tmdb;	/* tmdb 0: none */
	uint32_t line;
	bool tmdb_shared, imdb_shared;	/* another link has the same id */
	char imdb[16];		/* "": none */
};
static struct { struct ml_link *v; size_t n, cap; } links;

/* The films already imported (by MovieLens id: their movie's id), sorted;
 * and the MovieLens ids of movies.csv with their lines, to find one given
 * twice. */
struct ml_known { int64_t movielens_id, id; };
static struct { struct ml_known *v; size_t n, cap; } known;
struct ml_seen { int32_t id; uint32_t line; };
static struct { struct ml_seen *v; size_t n, cap; } seen;

#define GROW(a) do { if ((a).n == (a).cap) { \
	(a).cap = (a).cap ? (a).cap * 2 : 1024; \
	(a).v = mq_xrealloc((a).v, (a).cap * sizeof(*(a).v)); } } while (0)

/* qsort, also of nothing (v NULL: no array yet) */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

static void staged_free(void)
{
	free(links.v);
	free(known.v);
	free(seen.v);
	memset(&links, 0, sizeof(links));
	memset(&known, 0, sizeof(known));
	memset(&seen, 0, sizeof(seen));
}

static int cmp_link_id(const void *a, const void *b)
{
	const struct ml_link *x = a, *y = b;

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return (x->line > y->line) - (x->line < y->line);
}

static int cmp_link_tmdb(const void *a, const void *b)
{
	const struct ml_link *x = *(struct ml_link *const *)a, *y = *(struct ml_link *const *)b;

	return (x->tmdb > y->tmdb) - (x->tmdb < y->tmdb);
}

static int cmp_link_imdb(const void *a, const void *b)
{
	return strcmp((*(struct ml_link *const *)a)->imdb, (*(struct ml_link *const *)b)->imdb);
}

static int cmp_seen(const void *a, const void *b)
{
	const struct ml_seen *x = a, *y = b;

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return (x->line > y->line) - (x->line < y->line);
}

/* Marks the links whose TMDb or IMDb id another link has too (by cmp,
 * over the links that have one); movies.csv's films decide who keeps it
 * (shared_ids_sql). */
static void mark_shared(bool imdb)
{
	struct ml_link **by = mq_xmalloc((links.n ? links.n : 1) * sizeof(*by));
	size_t n = 0;

	for (size_t i = 0; i < links.n; i++)
		if (imdb ? links.v[i].imdb[0] != '\0' : links.v[i].tmdb != 0)
			by[n++] = &links.v[i];
	sort(by, n, sizeof(*by), imdb ? cmp_link_imdb : cmp_link_tmdb);
	for (size_t i = 1; i < n; i++) {
		if ((imdb ? cmp_link_imdb : cmp_link_tmdb)(&by[i - 1], &by[i]) != 0)
			continue;
		if (imdb)
			by[i - 1]->imdb_shared = by[i]->imdb_shared = true;
		else
			by[i - 1]->tmdb_shared = by[i]->tmdb_shared = true;
	}
	free(by);
}

/* 0, or -1 (said) when the movieId on line of file is the one sorted
 * before it, from line first. */
static int not_again(const char *file, int32_t id, int32_t before, uint32_t line, uint32_t first)
{
	if (id != before)
		return 0;
	mq_cli_error(CMD, "%s:%lu: movieId %d again (first on line %lu)", file,
		     (unsigned long)line, (int)id, (unsigned long)first);
	return -1;
}

/* After links.csv: sorted by id, each id once (else -1, said), the
 * shared ids marked. */
static int links_done(void)
{
	sort(links.v, links.n, sizeof(*links.v), cmp_link_id);
	for (size_t i = 1; i < links.n; i++)
		if (not_again("links.csv", links.v[i].id, links.v[i - 1].id, links.v[i].line,
			      links.v[i - 1].line) < 0)
			return -1;
	mark_shared(false);
	mark_shared(true);
	return 0;
}

/* After movies.csv: each MovieLens id once, else -1 (said). */
static int films_done(void)
{
	sort(seen.v, seen.n, sizeof(*seen.v), cmp_seen);
	for (size_t i = 1; i < seen.n; i++)
		if (not_again("movies.csv", seen.v[i].id, seen.v[i - 1].id, seen.v[i].line,
			      seen.v[i - 1].line) < 0)
			return -1;
	return 0;
}

static const struct ml_link *link_of(int64_t id)
{
	size_t lo = 0, hi = links.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (links.v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < links.n && links.v[lo].id == id ? &links.v[lo] : NULL;
}

static int64_t known_id(int64_t movielens_id)
{
	size_t lo = 0, hi = known.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (known.v[mid].movielens_id < movielens_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < known.n && known.v[lo].movielens_id == movielens_id ? known.v[lo].id : 0;
}

/* A film of movies.csv with its link and, if imported before, its
 * movie: a row of ml_films. */
static bool movie_row(struct mq_copy *c, struct mq_csv *csv)
{
	const struct ml_link *l;
	struct mq_ml_title t;
	char genres[256];
	int64_t id[1], movie;

	if (csv->nfields != 3 || mq_parse_int64(csv->fields[0], 1, INT32_MAX, id) < 0 ||
	    mq_ml_title(csv->fields[1], &t) < 0)
		return false;
	genre_array(csv->fields[2], genres, sizeof(genres));
	l = link_of(*id);
	movie = known_id(*id);
	GROW(seen);
	seen.v[seen.n++] = (struct ml_seen){ (int32_t)*id, (uint32_t)csv->line };
	mq_copy_int(c, *id);
	mq_copy_text(c, t.title);
	mq_copy_text(c, t.original_title);
	if (t.year)
		mq_copy_int(c, t.year);
	else
		mq_copy_null(c);
	mq_copy_text(c, genres);
	if (l && l->tmdb)
		mq_copy_int(c, l->tmdb);
	else
		mq_copy_null(c);
	mq_copy_text(c, l && l->imdb[0] ? l->imdb : NULL);
	mq_copy_text(c, l && l->tmdb && l->tmdb_shared ? "t" : "f");
	mq_copy_text(c, l && l->imdb[0] && l->imdb_shared ? "t" : "f");
	if (movie)
		mq_copy_int(c, movie);
	else
		mq_copy_null(c);
	mq_copy_row_end(c);
	return true;
}

/* A row of links.csv into links. */
static bool link_row(struct mq_csv *csv)
{
	struct ml_link l = { .line = (uint32_t)csv->line };
	int64_t id, tmdb = 0;

	if (csv->nfields != 3 || mq_parse_int64(csv->fields[0], 1, INT32_MAX, &id) < 0)
		return false;
	if (csv->fields[1][0] && mq_ml_imdb_id(csv->fields[1], l.imdb, sizeof(l.imdb)) < 0)
		return false;
	if (csv->fields[2][0] && mq_parse_int64(csv->fields[2], 1, INT32_MAX, &tmdb) < 0)
		return false;
	l.id = (int32_t)id;
	l.tmdb = (int32_t)tmdb;
	GROW(links);
	links.v[links.n++] = l;
	return true;
}

/* userId, movieId and a timestamp (fields 0, 1, 3) of ratings.csv and
 * tags.csv; field 2 is the rating or the tag. */
static bool user_movie_time(struct mq_copy *c, struct mq_csv *csv, const char *what)
{
	int64_t user, movie, ts;

	if (csv->nfields != 4 || mq_parse_int64(csv->fields[0], 1, INT32_MAX, &user) < 0 ||
	    mq_parse_int64(csv->fields[1], 1, INT32_MAX, &movie) < 0 ||
	    mq_parse_int64(csv->fields[3], 0, INT32_MAX * 4LL, &ts) < 0 || what == NULL)
		return false;
	mq_copy_int(c, user);
	mq_copy_int(c, movie);
	mq_copy_text(c, what);
	mq_copy_int(c, ts);
	mq_copy_row_end(c);
	return true;
}

/* "4.5": half stars from 0.5 to 5.0, as the ratings table takes them. */
static bool rating_row(struct mq_copy *c, struct mq_csv *csv)
{
	char *end, text[8];
	double d;

	if (csv->nfields != 4)
		return false;
	d = strtod(csv->fields[2], &end);
	if (end == csv->fields[2] || *end != '\0' || !(d >= 0.5 && d <= 5.0) || d * 2 != (int)(d * 2))
		return false;
	snprintf(text, sizeof(text), "%.1f", d);
	return user_movie_time(c, csv, text);
}

/* A tag of 1 to 255 characters, as the movie_tags table takes it. */
static bool tag_row(struct mq_copy *c, struct mq_csv *csv)
{
	const char *tag = csv->nfields == 4 ? csv->fields[2] : "";
	size_t chars = 0;

	for (const char *p = tag; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	return user_movie_time(c, csv, chars >= 1 && chars <= 255 ? tag : NULL);
}

/* A CSV file of the import and its staging table, or (copy NULL) what
 * keeps its rows in memory. */
struct source {
	const char *name, *header, *copy, *label;
	bool (*row)(struct mq_copy *, struct mq_csv *);
	bool optional;		/* may be missing from the directory */
	bool (*keep)(struct mq_csv *);
	int (*done)(void);	/* after the last row: 0, or -1 (said) */
};

static const struct source movies_csv = {
	"movies.csv", "movieId",
	"COPY ml_films (movielens_id, title, original_title, year, genre_ids, tmdb_id, imdb_id, "
	"tmdb_dup, imdb_dup, movie_id) FROM STDIN",
	"movies", movie_row, false, NULL, films_done,
};
static const struct source links_csv = {
	"links.csv", "movieId", NULL, "links", NULL, false, link_row, links_done,
};
static const struct source ratings_csv = {
	"ratings.csv", "userId", "COPY ml_ratings (user_id, movielens_id, rating, ts) FROM STDIN",
	"ratings", rating_row, true, NULL, NULL,
};
static const struct source tags_csv = {
	"tags.csv", "userId", "COPY ml_tags (user_id, movielens_id, tag, ts) FROM STDIN",
	"tags", tag_row, true, NULL, NULL,
};

/* Whether dir has the file (an optional one may be missing). */
static bool present(struct import *im, const struct source *src)
{
	char *path = NULL;
	bool ok;

	if (!src->optional)
		return true;
	if (asprintf(&path, "%s/%s", im->dir, src->name) < 0)
		return false;
	ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

/* Copies one CSV file into its staging table (or keeps its rows), a
 * row at a time; counts its rows in *rows.  A missing optional file is
 * no rows. */
static int stage_file(struct import *im, const struct source *src, uint64_t *rows)
{
	struct mq_progress p;
	struct mq_copy c;
	struct mq_csv csv;
	off_t size;
	int rc, ok = -1;
	FILE *f;

	if (!present(im, src))
		return 0;
	if ((f = open_csv(im, src->name, src->header, &csv, &size)) == NULL)
		return -1;
	if (src->copy && mq_copy_begin(&c, im->conn, src->copy) < 0) {
		mq_cli_error(CMD, "%s", c.error);
		goto out;
	}
	mq_progress_start(&p, src->label, (uint64_t)size);
	while ((rc = mq_csv_next(&csv)) == 1) {
		if (csv.nfields == 1 && csv.fields[0][0] == '\0')
			continue;	/* a blank line */
		if (src->copy ? !src->row(&c, &csv) : !src->keep(&csv)) {
			mq_cli_error(CMD, "%s:%llu: not a valid row", src->name,
				     (unsigned long long)csv.line);
			if (src->copy)
				mq_copy_end(&c);
			goto out;
		}
		*rows += 1;
		mq_progress_set(&p, csv.bytes);
	}
	mq_progress_end(&p);
	if (rc < 0)
		mq_cli_error(CMD, "%s:%llu: malformed CSV", src->name, (unsigned long long)csv.line);
	if (src->copy && mq_copy_end(&c) < 0) {
		mq_cli_error(CMD, "%s", c.error);
		goto out;
	}
	if (rc >= 0 && src->done && src->done() < 0)
		goto out;
	ok = rc;
out:
	mq_csv_close(&csv);
	fclose(f);
	return ok;
}

static void note_changed(struct import *im, int64_t id)
{
	if (id <= 0)
		return;
	if (im->nchanged == im->capchanged) {
		im->capchanged = im->capchanged ? im->capchanged * 2 : 256;
		im->changed = mq_xrealloc(im->changed, im->capchanged * sizeof(*im->changed));
	}
	im->changed[im->nchanged++] = id;
}

/* Runs a statement; returns the rows it touched, or -1.  With collect,
 * the first column of every row it returns is a changed movie's id. */
static int64_t run(struct import *im, const char *sql, bool collect)
{
	PGresult *res = PQexec(im->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int64_t n = -1;

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		n = strtoll(PQcmdTuples(res), NULL, 10);
		for (int i = 0; collect && i < PQntuples(res); i++)
			note_changed(im, strtoll(PQgetvalue(res, i, 0), NULL, 10));
	} else {
		mq_cli_error(CMD, "%s", PQresultErrorMessage(res));
	}
	PQclear(res);
	return n;
}

/* The catalog's genres into genre_ids[].  Returns 0 or -1. */
static int load_genres(struct import *im)
{
	PGresult *res = PQexec(im->conn, "SELECT slug, id FROM genres ORDER BY id");
	int ok = -1;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		mq_cli_error(CMD, "%s", PQresultErrorMessage(res));
		goto out;
	}
	ngenre_ids = 0;
	for (int i = 0; i < PQntuples(res) && ngenre_ids < MAX_GENRES; i++) {
		mq_strlcpy(genre_ids[ngenre_ids].slug, PQgetvalue(res, i, 0),
			   sizeof(genre_ids[ngenre_ids].slug));
		genre_ids[ngenre_ids++].id = (int)strtol(PQgetvalue(res, i, 1), NULL, 10);
	}
	ok = 0;
out:
	PQclear(res);
	return ok;
}

static int cmp_known(const void *a, const void *b)
{
	const struct ml_known *x = a, *y = b;

	return (x->movielens_id > y->movielens_id) - (x->movielens_id < y->movielens_id);
}

/* The films imported before, into known.  Returns 0 or -1. */
static int read_known(struct import *im)
{
	struct mq_copy c;
	char *f[2];
	int n;

	if (mq_copy_out_begin(&c, im->conn, "COPY (SELECT movielens_id, id FROM movies "
				"WHERE movielens_id IS NOT NULL) TO STDOUT") < 0) {
		mq_cli_error(CMD, "%s", c.error);
		return -1;
	}
	while ((n = mq_copy_out_row(&c, f, 2)) == 2) {
		GROW(known);
		known.v[known.n++] = (struct ml_known){ strtoll(f[0], NULL, 10), strtoll(f[1], NULL, 10) };
	}
	if (n != 0) {
		mq_cli_error(CMD, "%s", n < 0 ? c.error : "films imported before: not two columns");
		return -1;
	}
	sort(known.v, known.n, sizeof(*known.v), cmp_known);
	return 0;
}

/* Whether movies.csv is there to read, before links.csv is (which is read
 * first, to be joined to it): a directory without it is said so. */
static bool films_file(struct import *im)
{
	char *path = NULL;
	bool ok;

	if (asprintf(&path, "%s/%s", im->dir, movies_csv.name) < 0)
		return false;
	if (!(ok = access(path, R_OK) == 0))
		mq_cli_error(CMD, "cannot read %s: %s", path, strerror(errno));
	free(path);
	return ok;
}

static int merge(struct import *im)
{
	struct mq_progress p;
	int64_t n;

	mq_progress_start(&p, "merge", 1 + MQ_ARRAY_LEN(match_steps) + MQ_ARRAY_LEN(write_sql));
	for (size_t i = 0; i < MQ_ARRAY_LEN(shared_ids_sql); i++)
		if (run(im, shared_ids_sql[i], false) < 0)
			return -1;
	if (!mq_cli_exec(CMD, im->conn, "ANALYZE ml_films"))
		return -1;
	mq_progress_set(&p, 1);
	for (size_t i = 0; i < MQ_ARRAY_LEN(match_steps); i++) {
		if ((n = run(im, match_steps[i].sql, false)) < 0)
			return -1;
		if (match_steps[i].conflict)
			im->conflicts += (uint64_t)n;
		mq_progress_set(&p, 2 + i);
	}
	for (size_t i = 0; i < MQ_ARRAY_LEN(write_sql); i++) {
		if (i == WRITE_ADDED) {
			PGresult *res = PQexec(im->conn, write_sql[i]);

			if (PQresultStatus(res) != PGRES_TUPLES_OK) {
				mq_cli_error(CMD, "%s", PQresultErrorMessage(res));
				PQclear(res);
				return -1;
			}
			im->added = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
			PQclear(res);
		} else if (run(im, write_sql[i], false) < 0) {
			return -1;
		}
		mq_progress_set(&p, 2 + MQ_ARRAY_LEN(match_steps) + i);
	}
	mq_progress_end(&p);
	/* every film already there that changed: its row, or its genres */
	if (run(im, "SELECT DISTINCT id FROM ml_touched", true) < 0)
		return -1;
	im->updated = im->nchanged;
	return 0;
}

/* Users, ratings and tags from the staging tables; the statistics of the
 * films rated.  Returns 0 or -1. */
static int opinions(struct import *im)
{
	int64_t n;

	struct mq_progress p;

	if (im->ratings == 0 && im->tags == 0)
		return 0;
	mq_progress_start(&p, "opinions", OPINION_STEPS);
	for (int i = 0; i < OPINION_STEPS; i++) {
		if ((n = run(im, opinion_sql[i], false)) < 0)
			return -1;
		im->opinion[i] = (uint64_t)n;
		mq_progress_set(&p, (uint64_t)i + 1);
	}
	mq_progress_end(&p);
	for (size_t i = 0; i < MQ_ARRAY_LEN(recount_sql); i++)
		if (run(im, recount_sql[i], false) < 0)
			return -1;
	return run(im, recount_update, true) < 0 ? -1 : 0;
}

static int import(struct import *im)
{
	if (!mq_cli_exec(CMD, im->conn, "BEGIN") ||
	    !mq_cli_exec(CMD, im->conn, "SET LOCAL marquee.bulk = 'on'") ||
	    /* one commit at the end, waited for by nobody but this command */
	    !mq_cli_exec(CMD, im->conn, "SET LOCAL synchronous_commit = off") ||
	    load_genres(im) < 0 ||
	    !mq_cli_exec(CMD, im->conn,
			 "CREATE TEMP TABLE ml_films (movielens_id integer NOT NULL, "
			 "title text NOT NULL, original_title text NOT NULL, year smallint, "
			 "genre_ids integer[] NOT NULL, tmdb_id integer, imdb_id text, "
			 "tmdb_dup boolean NOT NULL, imdb_dup boolean NOT NULL, movie_id bigint) "
			 "ON COMMIT DROP") ||
	    !mq_cli_exec(CMD, im->conn,
			 "CREATE TEMP TABLE ml_touched (id bigint) ON COMMIT DROP") ||
	    !mq_cli_exec(CMD, im->conn,
			 "CREATE TEMP TABLE ml_ratings (user_id integer NOT NULL, "
			 "movielens_id integer NOT NULL, rating numeric(2, 1) NOT NULL, "
			 "ts bigint NOT NULL) ON COMMIT DROP") ||
	    !mq_cli_exec(CMD, im->conn,
			 "CREATE TEMP TABLE ml_tags (user_id integer NOT NULL, "
			 "movielens_id integer NOT NULL, tag text NOT NULL, ts bigint NOT NULL) "
			 "ON COMMIT DROP") ||
	    !films_file(im) || stage_file(im, &links_csv, &im->links) < 0 || read_known(im) < 0 ||
	    stage_file(im, &movies_csv, &im->rows) < 0 ||
	    stage_file(im, &ratings_csv, &im->ratings) < 0 ||
	    stage_file(im, &tags_csv, &im->tags) < 0 ||
	    defer_indexes(im) < 0 ||
	    merge(im) < 0 ||
	    !mq_cli_exec(CMD, im->conn, "ANALYZE ml_ratings") || opinions(im) < 0 ||
	    mq_bulk_restore(im->conn, &im->deferred) < 0 ||
	    mq_bulk_restore(im->conn, &im->words) < 0 ||
	    !mq_cli_exec(CMD, im->conn, "COMMIT")) {
		PQclear(PQexec(im->conn, "ROLLBACK"));
		return -1;
	}
	return 0;
}

/* Orphans the cached responses of every existing movie that changed. */
static void forget_changed(struct mq_config *cfg, struct import *im)
{
	struct mq_ctx *c = mq_cli_ctx_new(cfg, CMD, false);
	char id[24];

	for (size_t i = 0; i < im->nchanged; i++) {
		snprintf(id, sizeof(id), "%lld", (long long)im->changed[i]);
		mq_movie_changed(c, id);
	}
	mq_cli_ctx_free(c);
}

int mq_cli_import_movielens(struct mq_config *cfg, int argc, char **argv)
{
	struct import im = { 0 };
	struct mq_db *db;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: marquee import movielens DIR\n");
		return 2;
	}
	im.dir = argv[1];
	db = mq_db_new_owner(cfg, "marquee-import");
	im.conn = mq_db_conn(db);
	if (im.conn == NULL) {
		mq_cli_error(CMD, "cannot connect: %s", mq_db_error(db));
		goto out;
	}
	/* a bulk load runs for minutes: the workers' timeout is not for it;
	 * its staging tables (a million films: some 200 MB) stay in this
	 * session's memory rather than going to disk and back at every pass
	 * (temp_buffers is set before the first temporary table), and its
	 * joins, sorts and the new rows the triggers read (transition tables:
	 * a million new films are some 250 MB of them) in memory too */
	if (!mq_cli_exec(CMD, im.conn, "SET statement_timeout = 0") ||
	    !mq_cli_exec(CMD, im.conn, "SET temp_buffers = '512MB'") ||
	    !mq_cli_exec(CMD, im.conn, "SET work_mem = '512MB'"))
		goto out;
	if (import(&im) < 0)
		goto out;
	forget_changed(cfg, &im);
	/* the same files again change nothing: no VACUUM of the catalog (at
	 * a million films, seconds of reading every page) and nothing cached
	 * to orphan */
	if (im.added || im.updated || im.opinion[USERS_ADDED] || im.opinion[RATINGS_WRITTEN] ||
	    im.opinion[TAGS_ADDED])
		mq_cli_catalog_changed(cfg, im.conn, CMD);
	printf("movielens: %llu films read, %llu added, %llu updated, %llu id conflicts kept "
	       "with their first holder\n", (unsigned long long)im.rows,
	       (unsigned long long)im.added, (unsigned long long)im.updated,
	       (unsigned long long)im.conflicts);
	if (im.deferred.n)
		printf("movielens: a first load: %zu indexes and foreign keys made after the rows\n",
		       im.deferred.n + im.words.n);
	if (im.ratings || im.tags)
		printf("movielens: %llu ratings and %llu tags read; %llu users added, %llu ratings "
		       "written, %llu tags added, %llu rows of films not in the catalog skipped\n",
		       (unsigned long long)im.ratings, (unsigned long long)im.tags,
		       (unsigned long long)im.opinion[USERS_ADDED],
		       (unsigned long long)im.opinion[RATINGS_WRITTEN],
		       (unsigned long long)im.opinion[TAGS_ADDED],
		       (unsigned long long)im.opinion[UNKNOWN_FILMS]);
	rc = 0;
out:
	free(im.changed);
	mq_bulk_deferred_free(&im.deferred);
	mq_bulk_deferred_free(&im.words);
	staged_free();
	mq_db_free(db);
	return rc;
}

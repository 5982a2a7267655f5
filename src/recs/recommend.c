/*
 * recommend.c: GET /api/movies/recommended/ (serve.h).
 *
 * Three statements at most:
 *
 *   1. the user's signals, newest first (at most [recs] max_signals), each with
 *      its movie's list in the active version (hybrid.h);
 *   2. the scores: each signal's strength times its list, summed in C by
 *      the scorer that `marquee recs eval` measures as "hybrid" (a rating
 *      given a second ago counts: its list is added now); a movie the
 *      version has no list for but content neighbours lends those, weakly
 *      (a new movie's fans get movies like it); the best MQ_RECS_CANDIDATES are
 *      kept, then the cold-start pool (trending this week, new, popular,
 *      interleaved), which is all an anonymous caller or a user without
 *      signals gets;
 *   3. the page: the candidates in order, filtered, without what the user
 *      rated, favorited, watched or marked not interested, then the
 *      filters' most popular movies so that a narrow filter never leaves
 *      the page empty; each joined with its movie in the request's
 *      language and the title of the movie it is "because" of.
 *
 * The reason: because_you_liked when one signal gave at least
 * BECAUSE_SHARE of the score (that movie), similar_users when the score
 * is many small parts (EASE's weights are what people who share the
 * user's movies watch), else the pool's trending, new or popular.
 */
#include "recs/serve.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/genre_names.h"
#include "catalog/movie_json.h"
#include "catalog/movie_sql.h"
#include "catalog/releases.h"
#include "cache/cache.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "recs/hybrid.h"
#include "recs/signals.h"

#define BECAUSE_SHARE 0.2f
#define CONTENT_SCALE 0.02f
#define POOL_TRENDING 60
#define POOL_POPULAR "200"
#define POOL_NEW "20"
#define NEW_DAYS "30 days"
#define BACKSTOP "200"
#define POOL_KEY "recs:pool:v2"

/* $1 user, $2 how many.  The first row: the version, and the user's
 * candidates kept by training with their basis (recs_users:
 * user_lists.c) if it kept them, and whether the watch history was cut;
 * then the user's newest signals.  The version is one value (a scalar
 * subquery): joined as the table recs_active, which no ANALYZE visits
 * (one row, updated once a run), the planner took it for 181 rows and
 * read all of recs_items (1 s at 100,000 movies).  The history is the
 * one source with many rows a movie (each watching): only its newest
 * 2 x $2 rows are read, and a history cut there makes the page look the
 * user's movies up (all_own false) -- read whole, a user's 50,000
 * watchings of a film took a page from 6 to 16 ms. */
static struct mq_stmt signals = MQ_STMT_READ(
	"WITH a AS MATERIALIZED (SELECT r.version, u.list, u.basis "
	"  FROM (SELECT (SELECT version FROM recs_active) AS version) r "
	"  LEFT JOIN recs_users u ON u.version = r.version AND u.user_id = $1), "
	"h AS MATERIALIZED (SELECT movie_id, watched_at FROM watch_history WHERE user_id = $1 "
	"  ORDER BY watched_at DESC, id DESC LIMIT 2 * $2 + 1), "
	"s AS ("
	"  SELECT movie_id, max(rating)::real AS rating, bool_or(favorite) AS favorite, "
	"    bool_or(watched) AS watched, bool_or(watchlist) AS watchlist, "
	"    bool_or(not_interested) AS not_interested "
	"  FROM (SELECT movie_id, rating, false AS favorite, false AS watched, false AS watchlist, "
	"          false AS not_interested, updated_at AS at FROM ratings WHERE user_id = $1 "
	"        UNION ALL SELECT movie_id, NULL, true, false, false, false, created_at "
	"          FROM favorites WHERE user_id = $1 "
	"        UNION ALL SELECT movie_id, NULL, false, true, false, false, watched_at FROM h "
	"        UNION ALL SELECT movie_id, NULL, false, watched, true, false, created_at "
	"          FROM watchlist WHERE user_id = $1 "
	"        UNION ALL SELECT movie_id, NULL, false, false, false, true, created_at "
	"          FROM not_interested WHERE user_id = $1) x "
	"  GROUP BY movie_id ORDER BY max(at) DESC, movie_id DESC LIMIT $2) "
	"SELECT a.version, NULL::bigint, NULL::real, NULL::bool, NULL::bool, NULL::bool, "
	"  NULL::bool, a.list, a.basis, (SELECT count(*) > 2 * $2 FROM h) FROM a "
	"UNION ALL "
	"SELECT a.version, s.movie_id, s.rating, s.favorite, s.watched, s.watchlist, "
	"  s.not_interested, NULL, NULL, NULL FROM a CROSS JOIN s");

/* $1 the version, $2 movies: the lists to fold in.  A movie's content
 * neighbours are read only when it has no list (they are used only then):
 * 200 pairs of arrays printed as text were a fifth of the time. */
static struct mq_stmt lists = MQ_STMT_READ(
	"SELECT movie_id, list, CASE WHEN list IS NULL THEN content_ids END, "
	"  CASE WHEN list IS NULL THEN content_scores END "
	"FROM recs_items WHERE version = $1 AND movie_id = ANY ($2::bigint[])");

static struct mq_stmt active = MQ_STMT_READ("SELECT version FROM recs_active");

/* The pool besides trending: the most popular, and the newest popular. */
static struct mq_stmt pool = MQ_STMT_READ(
	"SELECT ARRAY(SELECT id FROM movies WHERE provisional_by IS NULL "
	"        ORDER BY popularity DESC, id DESC LIMIT " POOL_POPULAR "), "
	"  ARRAY(SELECT id FROM movies WHERE created_at >= now() - interval '" NEW_DAYS "' "
	"        AND provisional_by IS NULL "
	"        ORDER BY created_at DESC, id DESC LIMIT " POOL_NEW ")");

/* $1..$6 and $16, $17 the filters, over movies m; never a provisional movie (one that
 * TMDb has not confirmed: sql/0010_hardening.sql). */
#define FILTERS \
	"m.provisional_by IS NULL AND ($1::int[] IS NULL OR m.genre_ids && $1) " \
	"AND ($2::int[] IS NULL OR m.year = ANY ($2)) " \
	"AND ($3::int IS NULL OR m.year >= $3) AND ($4::int IS NULL OR m.year <= $4) " \
	"AND ($5::text IS NULL OR m.original_language = $5) " \
	"AND ($6::int IS NULL OR m.runtime <= $6) " \
	"AND ($16::int[] IS NULL OR EXISTS (SELECT 1 FROM movie_providers mp " \
	"     WHERE mp.movie_id = m.id AND mp.region = $17 AND mp.provider_id = ANY ($16) " \
	"     AND mp.kind IN ('flatrate', 'free', 'ads'))) "

/* The user's movies to leave out ($11, the user), looked up: when the
 * signals did not read them all. */
#define NOT_OWN(USER) \
	"NOT (EXISTS (SELECT 1 FROM ratings x WHERE x.user_id = " USER " AND x.movie_id = c.id) " \
	"    OR EXISTS (SELECT 1 FROM favorites x WHERE x.user_id = " USER " AND x.movie_id = c.id) " \
	"    OR EXISTS (SELECT 1 FROM watch_history x WHERE x.user_id = " USER " AND x.movie_id = c.id) " \
	"    OR EXISTS (SELECT 1 FROM watchlist x WHERE x.user_id = " USER " AND x.movie_id = c.id " \
	"               AND x.watched) " \
	"    OR EXISTS (SELECT 1 FROM not_interested x WHERE x.user_id = " USER " AND x.movie_id = c.id)) "

/* $7 ids, $8 scores, $9 reasons, $10 because, in rank order; $19 the
 * user's movies the signals read, which $7 is without already and the
 * backstop is not; $12 $13 language; $14 $15 limit and offset; $18 the
 * region whose released movies come first (NULL: none); ACCEPT the
 * condition on movies m, OK what keeps candidates c (the rest of "FROM
 * cand c ..."): the page's cost is mostly OK's probes of movies, one a
 * candidate (some 500-800).  The backstop
 * leaves out the candidates and $19 by hashed anti-joins: "b.id <> ALL
 * ($7)" compared each of its 200 with each of 500 candidates, a third of
 * the statement's 5 ms.  Only ids and ranks go through the candidates:
 * the page's rows take their score, reason and because from $8-$10 by
 * rank (a backstop's rank is past them: 0, popular, none), and the total
 * is counted of ok apart; carried through every step with the ids, and
 * counted by a window that kept all the rows again before the sort, they
 * were a fifth of the statement's CPU. */
#define PAGE_SQL(ACCEPT, OK) \
	"WITH c AS (SELECT * FROM unnest($7::bigint[]) WITH ORDINALITY AS c (id, n)), " \
	"backstop AS (SELECT m.id, m.popularity FROM movies m WHERE " ACCEPT \
	"             ORDER BY m.popularity DESC, m.id DESC LIMIT " BACKSTOP "), " \
	"cand AS (SELECT id, n FROM c " \
	"  UNION ALL SELECT b.id, 1000000 + row_number() OVER " \
	"    (ORDER BY b.popularity DESC, b.id DESC) FROM backstop b " \
	"    WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.id = b.id) " \
	"    AND NOT EXISTS (SELECT 1 FROM unnest($19::bigint[]) o (id) WHERE o.id = b.id)), " \
	"ok AS MATERIALIZED (SELECT c.* FROM cand c " OK "), " \
	"pg AS (SELECT ok.*, " MQ_MOVIE_RELEASED_KEY " AS released " \
	"  FROM ok " MQ_MOVIE_RELEASED_JOIN("ok.id", "$18::text") \
	"  ORDER BY released DESC, n LIMIT $14 OFFSET $15), " \
	"pr AS (SELECT p.*, coalesce(($8::real[])[p.n], 0) AS score, " \
	"  coalesce(($9::text[])[p.n], 'popular') AS reason, ($10::bigint[])[p.n] AS because FROM pg p) " \
	"SELECT (SELECT count(*) FROM ok) AS total, round(p.score::numeric, 4) AS score, p.reason, " \
	"  p.because, " \
	"  (SELECT coalesce((SELECT tr.title FROM movie_translations tr WHERE tr.movie_id = b.id " \
	"     AND tr.language IN ($12, $13) ORDER BY tr.language = $12 DESC LIMIT 1), b.title) " \
	"   FROM movies b WHERE b.id = p.because) AS because_title, " \
	MQ_MOVIE_ITEM_COLUMNS " FROM pr p JOIN movies m ON m.id = p.id " \
	MQ_MOVIE_TRANSLATION("$12", "$13") "ORDER BY p.released DESC, p.n"

/* Without filters (the common case) the statement is planned once, as
 * any other: planning it for each request's values took 2 to 6 ms of
 * about 10.  With filters each request plans it for its values, which
 * keeps a rare filter's backstop off the popularity index ($11 NULL: the
 * lookups planned away).  The lookups have a statement of their own
 * (page_looked_up, $11 given): in page_unfiltered, "$11 IS NULL OR" them
 * made the one plan look twice as costly as one planned for the values,
 * so PostgreSQL planned each request again (1.3 of its 4 ms). */
#define NO_FILTERS(USER) \
	"m.provisional_by IS NULL " \
	"AND ($1::int[], $2::int[], $3::int, $4::int, $5::text, $6::int, $16::int[], $17::text" \
	USER ") IS NULL "
static struct mq_stmt page = MQ_STMT_PLANNED(
	PAGE_SQL(FILTERS, "JOIN movies m ON m.id = c.id WHERE " FILTERS
		 "AND ($11::bigint IS NULL OR " NOT_OWN("$11") ")"));

/* Without filters a candidate is kept when it is shown, which needs no
 * row of movies (MQ_MOVIE_SHOWN): joined with movies, the candidates
 * were most of the page's 4.7 ms at four connections. */
#define SERVABLE(USER) \
	"WHERE " MQ_MOVIE_SHOWN("c.id") "AND ($1::int[], $2::int[], $3::int, $4::int, $5::text, $6::int, $16::int[], $17::text" \
	USER ") IS NULL "
static struct mq_stmt page_unfiltered = MQ_STMT_READ(
	PAGE_SQL(NO_FILTERS(", $11::bigint"), SERVABLE(", $11::bigint")));
static struct mq_stmt page_looked_up = MQ_STMT_READ(
	PAGE_SQL(NO_FILTERS(""), SERVABLE("") "AND " NOT_OWN("$11::bigint")));

struct rec {
	struct mq_ctx *c;
	struct mq_recs_scorer sc;
	int64_t *own;		/* the user's signal movies, sorted */
	size_t nown;
	int64_t version;
	bool personal;		/* a positive signal the lists knew */
	bool all_own;		/* own holds every movie to leave out */
	/* the ranked candidates, as the page statement's arrays */
	struct mq_recs_scored *best;
	size_t nbest;
	int64_t *ids, *because;
	float *score;
	const char **reason;
	size_t n, cap;
	int64_t *set;		/* the ids listed (listed()) */
	size_t mask;
};

/* Each hex digit's value plus one (0: not a digit): a user's lists are
 * a few megabytes of hex a request, decoded by table, not by tests. */
static const int8_t hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* A bytea column's text ("\x" and hex) as bytes (arena), n of them, a
 * multiple of unit; NULL for anything malformed. */
static const uint8_t *unhex(struct mq_arena *a, const char *text, size_t unit, size_t *n)
{
	size_t len = strlen(text);
	uint8_t *out;

	if (len < 2 || text[0] != '\\' || text[1] != 'x' || (len - 2) % (2 * unit) != 0)
		return NULL;
	*n = (len - 2) / 2;
	out = mq_arena_alloc(a, *n + 1);
	for (size_t k = 0; k < *n; k++) {
		int hi = hexval[(unsigned char)text[2 + 2 * k]] - 1;
		int lo = hexval[(unsigned char)text[3 + 2 * k]] - 1;

		if (hi < 0 || lo < 0)
			return NULL;
		out[k] = (uint8_t)(hi << 4 | lo);
	}
	return out;
}

/* bytes little-endian bytes at b */
static uint64_t le(const uint8_t *b, int bytes)
{
	uint64_t v = 0;

	for (int x = bytes - 1; x >= 0; x--)
		v = v << 8 | b[x];
	return v;
}

static float le_float(const uint8_t *b)
{
	uint32_t bits = (uint32_t)le(b, 4);
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* A list column ((int64 id, float32 weight) pairs) into ids and weights
 * (arena); returns how many, 0 for anything malformed. */
static size_t decode_list(struct mq_arena *a, const char *text, int64_t **ids, float **w)
{
	size_t len, n;
	const uint8_t *b = unhex(a, text, 12, &len);

	if (b == NULL)
		return 0;
	n = len / 12;
	*ids = mq_arena_alloc(a, (n + 1) * sizeof(**ids));
	*w = mq_arena_alloc(a, (n + 1) * sizeof(**w));
	for (size_t k = 0; k < n; k++, b += 12) {
		(*ids)[k] = (int64_t)le(b, 8);
		(*w)[k] = le_float(b + 8);
	}
	return n;
}

/* A user's kept candidates ((int64 id, float32 score, int64 because,
 * float32 its part) tuples: sql/0025_recs_users.sql); returns how many. */
static size_t decode_user(struct mq_arena *a, const char *text, struct mq_recs_scored **out)
{
	size_t len, n;
	const uint8_t *b = unhex(a, text, 24, &len);

	if (b == NULL)
		return 0;
	n = len / 24;
	*out = mq_arena_alloc(a, (n + 1) * sizeof(**out));
	for (size_t k = 0; k < n; k++, b += 24)
		(*out)[k] = (struct mq_recs_scored){
			.item = (int64_t)le(b, 8), .score = le_float(b + 8),
			.because = (int64_t)le(b + 12, 8), .because_part = le_float(b + 20),
		};
	return n;
}

/* "{1,2}" and "{0.5,0.25}" into ids and weights; returns how many. */
static size_t decode_arrays(struct mq_arena *a, const char *ids_text, const char *w_text,
			    int64_t **ids, float **w)
{
	size_t n = 1;

	for (const char *p = ids_text; *p; p++)
		n += *p == ',';
	*ids = mq_arena_alloc(a, (n + 1) * sizeof(**ids));
	*w = mq_arena_alloc(a, (n + 1) * sizeof(**w));
	const char *p = ids_text + 1, *q = w_text + 1;
	size_t k = 0;
	while (k < n && *p && *p != '}' && *q && *q != '}') {
		char *end;

		(*ids)[k] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
		(*w)[k++] = strtof(q, &end);
		q = *end == ',' ? end + 1 : end;
	}
	return k;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool is_own(void *arg, int64_t item)
{
	const struct rec *r = arg;

	return bsearch(&item, r->own, r->nown, sizeof(*r->own), cmp_id) != NULL;
}

static const char *ids_literal(struct mq_arena *a, const int64_t *v, size_t n)
{
	char *out = mq_arena_alloc(a, n * 21 + 3), *p = out;

	*p++ = '{';
	for (size_t k = 0; k < n; k++)
		p += snprintf(p, 22, "%s%lld", k ? "," : "", (long long)v[k]);
	*p++ = '}';
	*p = '\0';
	return out;
}

/* A movie to fold in, with the strength to add (negative: taken out). */
struct fold {
	int64_t movie;
	float w;
};

static int cmp_fold(const void *a, const void *b)
{
	return cmp_id(&((const struct fold *)a)->movie, &((const struct fold *)b)->movie);
}

/* What to fold into the kept candidates: every signal whose strength is
 * not what training summed (new, changed), and every signal training
 * summed that is no longer among the newest (withdrawn, or pushed out),
 * taken out; without kept candidates, every signal.  basis and the
 * signals are sorted by movie. */
static size_t differences(const struct fold *now, size_t n, const int64_t *bid, const float *bw,
			  size_t nb, bool kept, struct fold *out)
{
	size_t i = 0, j = 0, k = 0;

	while (i < n || (kept && j < nb)) {
		int64_t m = i < n && (!kept || j >= nb || now[i].movie <= bid[j]) ? now[i].movie
										: bid[j];
		float w = i < n && now[i].movie == m ? now[i++].w : 0;
		float was = kept && j < nb && bid[j] == m ? bw[j++] : 0;

		if (w != was)
			out[k++] = (struct fold){ m, w - was };
	}
	return k;
}

/* Statement 2: the folded movies' lists added with their strengths. */
static enum mq_status fold_in(struct rec *r, const struct fold *f, size_t n)
{
	struct mq_ctx *c = r->c;
	int64_t *ids = mq_arena_alloc(c->arena, (n + 1) * sizeof(*ids));
	PGresult *res;

	for (size_t k = 0; k < n; k++)
		ids[k] = f[k].movie;
	const char *params[] = { mq_arena_int(c->arena, r->version), ids_literal(c->arena, ids, n) };
	if ((res = mq_db_q(c, &lists, 2, params)) == NULL)
		return mq_db_failure(c);
	for (int i = 0; i < PQntuples(res); i++) {
		struct fold key = { mq_row_int(res, i, 0), 0 }, *e;
		int64_t *to = NULL;
		float *lw = NULL;
		size_t len = 0;

		if ((e = bsearch(&key, f, n, sizeof(*f), cmp_fold)) == NULL)
			continue;
		if (!PQgetisnull(res, i, 1)) {
			len = decode_list(c->arena, PQgetvalue(res, i, 1), &to, &lw);
		} else if (!PQgetisnull(res, i, 2)) {
			/* no behaviour yet: movies like it, weakly */
			len = decode_arrays(c->arena, PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), &to, &lw);
			for (size_t k = 0; k < len; k++)
				lw[k] *= CONTENT_SCALE;
		}
		r->personal = r->personal || (e->w > 0 && len > 0);
		mq_recs_scorer_add(&r->sc, e->movie, e->w, to, lw, len);
	}
	return MQ_OK;
}

/* Statements 1 and 2, and the scores. */
static enum mq_status score(struct rec *r, int64_t user)
{
	struct mq_ctx *c = r->c;
	const char *params[] = { mq_arena_int(c->arena, user),
				 mq_arena_int(c->arena, c->cfg->recs_max_signals) };
	PGresult *res = mq_db_q(c, &signals, 2, params);
	struct fold *now, *todo;
	int64_t *bid = NULL;
	float *bw = NULL;
	size_t n = 0, nb = 0, ntodo;
	bool kept = false, cut = false;
	enum mq_status st;
	int rows;

	if (res == NULL)
		return mq_db_failure(c);
	rows = PQntuples(res);
	r->version = rows && !PQgetisnull(res, 0, 0) ? mq_row_int(res, 0, 0) : 0;
	r->own = mq_arena_alloc(c->arena, ((size_t)rows + 1) * sizeof(*r->own));
	now = mq_arena_alloc(c->arena, ((size_t)rows + 1) * sizeof(*now));
	mq_recs_scorer_init(&r->sc, 4096);
	for (int i = 0; i < rows; i++) {
		struct mq_recs_pair p;
		struct mq_recs_scored *best;
		size_t nbest;

		if (PQgetisnull(res, i, 1)) {
			/* the first row: the candidates training kept */
			cut = *PQgetvalue(res, i, 9) == 't';
			if (!PQgetisnull(res, i, 7) && !PQgetisnull(res, i, 8) &&
			    (nbest = decode_user(c->arena, PQgetvalue(res, i, 7), &best)) > 0) {
				mq_recs_scorer_merge(&r->sc, best, nbest);
				nb = decode_list(c->arena, PQgetvalue(res, i, 8), &bid, &bw);
				r->personal = kept = true;
			}
			continue;
		}
		p = (struct mq_recs_pair){
			.rating = PQgetisnull(res, i, 2) ? 0 : strtof(PQgetvalue(res, i, 2), NULL),
			.favorite = *PQgetvalue(res, i, 3) == 't',
			.watched = *PQgetvalue(res, i, 4) == 't',
			.watchlist = *PQgetvalue(res, i, 5) == 't',
			.not_interested = *PQgetvalue(res, i, 6) == 't',
		};
		now[n] = (struct fold){ mq_row_int(res, i, 1), mq_recs_pair_weight(&p) };
		/* excluded from the results: all but the watchlist */
		if (p.rating > 0 || p.favorite || p.watched || p.not_interested)
			r->own[r->nown++] = now[n].movie;
		n++;
	}
	/* fewer signals than asked for, of a history read whole: they are
	 * all there are */
	r->all_own = n < (size_t)c->cfg->recs_max_signals && !cut;
	qsort(r->own, r->nown, sizeof(*r->own), cmp_id);
	qsort(now, n, sizeof(*now), cmp_fold);
	todo = mq_arena_alloc(c->arena, (n + nb + 1) * sizeof(*todo));
	ntodo = differences(now, n, bid, bw, nb, kept, todo);
	if (ntodo > 0 && r->version && (st = fold_in(r, todo, ntodo)) != MQ_OK) {
		mq_recs_scorer_free(&r->sc);
		return st;
	}
	r->best = mq_arena_alloc(c->arena, MQ_RECS_CANDIDATES * sizeof(*r->best));
	r->nbest = mq_recs_scorer_top(&r->sc, MQ_RECS_CANDIDATES, is_own, r, r->best);
	mq_recs_scorer_free(&r->sc);
	return MQ_OK;
}

/* Whether id is listed already, listing it if not: a set of the ids
 * (open addressing; 0 is free, movie ids are positive).  A scan of the
 * list for each of its 500-800 ids was a fifth of the worker's time. */
static bool listed(struct rec *r, int64_t id)
{
	size_t k = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL >> 32) & r->mask;

	for (; r->set[k]; k = (k + 1) & r->mask)
		if (r->set[k] == id)
			return true;
	r->set[k] = id;
	return false;
}

static void push(struct rec *r, int64_t id, float score, const char *reason, int64_t because)
{
	if (r->n == r->cap || id <= 0 || is_own(r, id) || listed(r, id))
		return;
	r->ids[r->n] = id;
	r->score[r->n] = score;
	r->reason[r->n] = reason;
	r->because[r->n++] = because;
}

/* The ids of an array literal, in the arena. */
static int64_t *int_array(struct mq_arena *a, const char *text, size_t *n)
{
	size_t cap = 1;
	int64_t *out;

	for (const char *p = text; *p; p++)
		cap += *p == ',';
	out = mq_arena_alloc(a, (cap + 1) * sizeof(*out));
	*n = mq_recs_int_array(text, out, cap);
	return out;
}

/* The kept pool: "STORED_AT\ntrending\npopular\nnew", STORED_AT in
 * seconds since the epoch.  It is fresh for [recs] pool_ttl; memcached
 * keeps it POOL_KEEP times longer, so that when it goes stale one
 * worker, the one that takes POOL_LOCK, computes it again while the
 * others serve the stale one: without that, every worker busy at the
 * moment it expired computed it at once (a dog-pile of ~0.3 s each).
 * The lock lives POOL_LOCK_TTL, so a worker that dies computing it holds
 * the others back no longer. */
#define POOL_LOCK "recs:pool:v2:lock"
#define POOL_KEEP 10
#define POOL_LOCK_TTL 10

/* The kept pool, split into part[], and whether this request should
 * serve it (fresh, or stale while another worker computes it). */
static bool kept_pool(struct mq_ctx *c, int ttl, char *part[3])
{
	char *v, *save = NULL, *end;
	long long at;
	size_t len;

	if ((v = mq_cache_get(c->cache, c->arena, POOL_KEY, &len)) == NULL)
		return false;
	errno = 0;
	at = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\n' || !(part[0] = strtok_r(end + 1, "\n", &save)) ||
	    !(part[1] = strtok_r(NULL, "\n", &save)) || !(part[2] = strtok_r(NULL, "\n", &save)))
		return false;
	if ((long long)time(NULL) - at < ttl)
		return true;
	/* stale: computed here only by the worker first to ask (1); a cache
	 * that fails the increment (0) is no reason to serve stale data */
	return mq_cache_incr(c->cache, POOL_LOCK, POOL_LOCK_TTL) > 1;
}

/* The pool's lists, trending, popular and new, as array literals
 * ("{1,2}"): the same for every request, and trending is an aggregate of
 * the week's activity (50,000 rows at most, 140 ms at that), so they are
 * kept in the cache for [recs] pool_ttl (kept_pool above). */
static enum mq_status pool_lists(struct mq_ctx *c, char *part[3])
{
	int ttl = c->cfg->recs_pool_ttl_ms / 1000;
	bool keep = ttl > 0 && c->cache;
	int64_t *trend;
	PGresult *res;
	size_t nt;
	enum mq_status st;

	if (keep && kept_pool(c, ttl, part))
		return MQ_OK;
	if ((res = mq_db_q(c, &pool, 0, NULL)) == NULL)
		return mq_db_failure(c);
	if ((st = mq_recs_trending(c, "week", POOL_TRENDING, &trend, &nt)) != MQ_OK)
		return st;
	part[0] = (char *)ids_literal(c->arena, trend, nt);
	part[1] = PQgetvalue(res, 0, 0);
	part[2] = PQgetvalue(res, 0, 1);
	if (keep) {
		char *v = mq_arena_printf(c->arena, "%lld\n%s\n%s\n%s", (long long)time(NULL),
					  part[0], part[1], part[2]);

		mq_cache_set(c->cache, POOL_KEY, v, strlen(v), ttl * POOL_KEEP);
		mq_cache_delete(c->cache, POOL_LOCK);
	}
	return MQ_OK;
}

/* The cold-start pool after the personal candidates: trending, popular,
 * trending, popular, new, and again, skipping what is there already. */
static enum mq_status add_pool(struct rec *r)
{
	struct mq_ctx *c = r->c;
	int64_t *trend, *pop, *fresh;
	size_t nt, np, nf, it = 0, ip = 0, in = 0;
	enum mq_status st;
	char *part[3] = { NULL, NULL, NULL };

	if ((st = pool_lists(c, part)) != MQ_OK)
		return st;
	trend = int_array(c->arena, part[0], &nt);
	pop = int_array(c->arena, part[1], &np);
	fresh = int_array(c->arena, part[2], &nf);
	while (it < nt || ip < np || in < nf) {
		for (int slot = 0; slot < 5; slot++) {
			if ((slot == 0 || slot == 2) && it < nt)
				push(r, trend[it++], 0, "trending", 0);
			else if ((slot == 1 || slot == 3) && ip < np)
				push(r, pop[ip++], 0, "popular", 0);
			else if (slot == 4 && in < nf)
				push(r, fresh[in++], 0, "new", 0);
		}
	}
	return MQ_OK;
}

/* The arrays of statement 3: the personal candidates, then the pool. */
static enum mq_status rank(struct rec *r)
{
	struct mq_arena *a = r->c->arena;

	r->cap = r->nbest + (size_t)POOL_TRENDING + 300;
	r->ids = mq_arena_alloc(a, r->cap * sizeof(*r->ids));
	r->because = mq_arena_alloc(a, r->cap * sizeof(*r->because));
	r->score = mq_arena_alloc(a, r->cap * sizeof(*r->score));
	r->reason = mq_arena_alloc(a, r->cap * sizeof(*r->reason));
	for (r->mask = 1; r->mask < 2 * r->cap; r->mask <<= 1)
		;
	r->set = mq_arena_calloc(a, r->mask--, sizeof(*r->set));
	for (size_t k = 0; k < r->nbest; k++) {
		const struct mq_recs_scored *s = &r->best[k];
		bool one = s->because && s->because_part >= BECAUSE_SHARE * s->score;

		push(r, s->item, s->score, one ? "because_you_liked" : "similar_users",
		     one ? s->because : 0);
	}
	return add_pool(r);
}


static const char *arrays(struct rec *r, int which)
{
	struct mq_arena *a = r->c->arena;
	char *out = mq_arena_alloc(a, r->n * 24 + 3), *p = out;

	*p++ = '{';
	for (size_t k = 0; k < r->n; k++) {
		if (k)
			*p++ = ',';
		if (which == 0)
			p += snprintf(p, 24, "%.6g", (double)r->score[k]);
		else if (which == 1)
			p += snprintf(p, 24, "%s", r->reason[k]);
		else
			p += r->because[k] ? snprintf(p, 24, "%lld", (long long)r->because[k])
					   : snprintf(p, 24, "NULL");
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

/* The movie's "reason" from the row's reason, because and its title. */
static void add_reason(struct json_object *movie, struct json_object *row)
{
	struct json_object *reason = json_object_new_object(), *kind, *because, *title, *m;

	json_object_object_get_ex(row, "reason", &kind);
	json_object_object_get_ex(row, "because", &because);
	json_object_object_get_ex(row, "because_title", &title);
	json_object_object_add(reason, "kind", json_object_get(kind));
	if (because && json_object_get_int64(because) > 0) {
		m = json_object_new_object();
		json_object_object_add(m, "id", json_object_get(because));
		json_object_object_add(m, "title", json_object_get(title));
		json_object_object_add(reason, "movie", m);
	}
	json_object_object_add(movie, "reason", reason);
}

static enum mq_status fetch_page(struct rec *r, int64_t user, const struct mq_recs_filters *f,
				 const struct mq_lang *lang, int64_t limit, int64_t offset,
				 struct mq_recs_list *out)
{
	struct mq_ctx *c = r->c;
	const char *params[] = {
		f->genres, f->years, f->year_from, f->year_to, f->language, f->runtime_max,
		ids_literal(c->arena, r->ids, r->n), arrays(r, 0), arrays(r, 1), arrays(r, 2),
		user && !r->all_own ? mq_arena_int(c->arena, user) : NULL, lang->tag, lang->primary,
		mq_arena_int(c->arena, limit), mq_arena_int(c->arena, offset), f->providers, f->region,
		f->release_region, ids_literal(c->arena, r->own, r->nown),
	};
	bool filtered = f->genres || f->years || f->year_from || f->year_to || f->language ||
			f->runtime_max || f->providers;
	struct mq_stmt *st_page = filtered ? &page : params[10] ? &page_looked_up : &page_unfiltered;
	PGresult *res = mq_db_q(c, st_page, 19, params);
	enum mq_status st;
	struct json_object *movies;

	if (res == NULL)
		return mq_db_failure(c);
	out->count = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	out->results = movies = mq_json_array(c->arena);
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *row = mq_row_object(res, i);
		struct json_object *movie = mq_row_columns(res, i, 5, PQnfields(res));

		json_object_object_add(movie, "score",
				       json_object_get(json_object_object_get(row, "score")));
		add_reason(movie, row);
		json_object_put(row);
		json_object_array_add(movies, movie);
	}
	mq_movies_add_urls(c, movies);
	if ((st = mq_genre_names_fill(c, movies, lang->primary)) != MQ_OK)
		return st;
	return mq_movies_add_releases(c, movies, f->release_region);
}

enum mq_status mq_recs_recommend(struct mq_ctx *c, int64_t user, const struct mq_recs_filters *f,
				 const struct mq_lang *lang, int64_t limit, int64_t offset,
				 struct mq_recs_list *out)
{
	struct rec r = { .c = c };
	enum mq_status st;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if (user) {
		if ((st = score(&r, user)) != MQ_OK)
			return st;
	} else {
		if ((res = mq_db_q(c, &active, 0, NULL)) == NULL)
			return mq_db_failure(c);
		r.version = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
		r.own = mq_arena_alloc(c->arena, sizeof(*r.own));
	}
	if ((st = rank(&r)) != MQ_OK)
		return st;
	out->version = r.version;
	return fetch_page(&r, user, f, lang, limit, offset, out);
}

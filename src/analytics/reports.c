/*
 * reports.c: each report's sections, as statements on the rollups
 * (sql/0014_analytics.sql).
 *
 * Every statement takes the same four parameters, named once in the CTE
 * p: from, to, the interval, the limit.  Series run over whole periods
 * (w: from's period's start, to's period's end, exclusive).
 */
#include "analytics/reports.h"

#include "core/arena.h"
#include "db/db.h"

#define P "WITH p AS (SELECT $1::date AS f, $2::date AS t, $3::text AS iv, $4::int AS lim), " \
	"w AS (SELECT date_trunc(p.iv, p.f)::date AS lo, " \
	"      (date_trunc(p.iv, p.t) + ('1 ' || p.iv)::interval)::date AS hi FROM p) "
#define S(text) MQ_STMT_READ(P text)

/* What a movie's activity is: every view, rating, favorite and
 * watchlist addition. */
#define ACTIVITY "(y.views + y.ratings + y.favorites + y.watchlist_adds)"

#define GENRES(order, having) S( \
	"SELECT g.genre_id AS id, gn.slug, gn.name, sum(g.activity)::bigint AS activity, " \
	"  sum(g.ratings)::bigint AS ratings, " \
	"  round(sum(g.rating_sum) / nullif(sum(g.ratings), 0), 2)::float8 AS average_rating " \
	"FROM p, analytics_genres g JOIN genres gn ON gn.id = g.genre_id " \
	"WHERE g.day BETWEEN p.f AND p.t GROUP BY g.genre_id, gn.slug, gn.name " having \
	" ORDER BY " order ", g.genre_id LIMIT (SELECT lim FROM p)")

/* Whole months from analytics_search_months, the days at the edges from
 * analytics_searches (sql/0030_analytics_user_totals.sql). */
#define SEARCHES(where, order) S( \
	"SELECT s.query, s.searches, s.no_results, s.corrected " \
	"FROM p, analytics_search_window(p.f, p.t) s " where \
	" ORDER BY " order ", s.query LIMIT (SELECT lim FROM p)")

#define CTR(clicks, impressions) \
	"round(" clicks "::numeric / nullif(" impressions ", 0), 4)::float8 AS ctr"

/* The window's movies from their running totals by month and at most 30
 * edge days (sql/0032_analytics_movie_totals.sql), ranked and cut to the
 * limit before their titles are joined (joining every movie with activity first, 100,000
 * over two years, was half of each report's 220 ms); a movie deleted
 * since (its rollups stay, counted in everyone's totals) is left out
 * before the cut by a semi-join, so the report still fills its limit. */
static struct mq_stmt popular = S(
	"SELECT x.movie_id AS id, mv.title, x.views, x.ratings, x.favorites, x.watchlist_adds, "
	"  x.activity "
	"FROM (SELECT y.*, " ACTIVITY " AS activity FROM p, analytics_movie_window_totals(p.f, p.t) y "
	"      WHERE y.movie_id IN (SELECT id FROM movies) "
	"      ORDER BY activity DESC, y.movie_id LIMIT (SELECT lim FROM p)) x "
	"JOIN movies mv ON mv.id = x.movie_id "
	"ORDER BY x.activity DESC, x.movie_id");

static struct mq_stmt favorited = S(
	"SELECT x.movie_id AS id, mv.title, x.favorites, x.unfavorites, x.net "
	"FROM (SELECT y.*, y.favorites - y.unfavorites AS net "
	"      FROM p, analytics_movie_window_totals(p.f, p.t) y "
	"      WHERE y.favorites > 0 AND y.movie_id IN (SELECT id FROM movies) "
	"      ORDER BY y.favorites DESC, net DESC, y.movie_id LIMIT (SELECT lim FROM p)) x "
	"JOIN movies mv ON mv.id = x.movie_id "
	"ORDER BY x.favorites DESC, x.net DESC, x.movie_id");

/* DAU by day; WAU and MAU, the distinct users of each week and month. */
static struct mq_stmt active_series = S(
	"SELECT d.day::text AS period, d.active_users AS users "
	"FROM p, w, analytics_days d WHERE p.iv = 'day' AND d.day >= w.lo AND d.day < w.hi "
	"UNION ALL "
	"SELECT a.start::text, a.users FROM p, w, analytics_active a "
	"WHERE a.period = p.iv AND a.start >= w.lo AND a.start < w.hi "
	"ORDER BY period");

/* From the users' running totals by month and at most 30 edge days,
 * counting only the users who may be among the first (a bound by their
 * events ever), or, for a window of three whole months or fewer, its
 * months and edge days (sql/0030_analytics_user_totals.sql); ranked and
 * cut before the names are joined. */
static struct mq_stmt active_top = S(
	"SELECT u.user_id AS id, us.username, u.events, u.active_days::int AS active_days "
	"FROM (SELECT x.* FROM p, analytics_user_top(p.f, p.t, p.lim) x) u "
	"JOIN users us ON us.id = u.user_id "
	"ORDER BY u.events DESC, u.user_id");

static struct mq_stmt genres_activity = GENRES("activity DESC", "");
static struct mq_stmt genres_rating = GENRES("average_rating DESC, ratings DESC",
					     "HAVING sum(g.ratings) > 0");

/* Active users of each period (DAU, WAU, MAU), the events of signed-in
 * users per active user, new users (who signed up) and returning ones. */
static struct mq_stmt engagement_series = S(
	", d AS (SELECT date_trunc(p.iv, d.day)::date AS period, sum(d.user_events) AS events, "
	"  sum(d.sign_ups) AS new_users "
	"  FROM p, w, analytics_days d WHERE d.day >= w.lo AND d.day < w.hi GROUP BY 1) "
	"SELECT d.period::text AS period, a.users AS active_users, d.events::bigint AS events, "
	"  round(d.events / nullif(a.users, 0), 2)::float8 AS actions_per_user, "
	"  d.new_users::bigint AS new_users, greatest(a.users - d.new_users, 0)::bigint AS returning_users "
	"FROM p, d CROSS JOIN LATERAL (SELECT CASE WHEN p.iv = 'day' "
	"  THEN (SELECT active_users FROM analytics_days WHERE day = d.period) "
	"  ELSE (SELECT users FROM analytics_active WHERE period = p.iv AND start = d.period) "
	"  END AS users) a "
	"ORDER BY d.period");

/* Weekly retention: of each week's sign-ups (the cohorts of the weeks of
 * from to to, whole), how many were active n weeks later. */
static struct mq_stmt engagement_cohorts = S(
	", s AS (SELECT date_trunc('week', g.day)::date AS cohort, count(*) AS size "
	"  FROM p, analytics_signups g WHERE g.day >= date_trunc('week', p.f)::date "
	"  AND g.day < (date_trunc('week', p.t) + interval '1 week')::date GROUP BY 1) "
	"SELECT c.cohort::text AS cohort, s.size::int AS size, (c.week - c.cohort) / 7 AS weeks_after, "
	"  c.users, round(c.users::numeric / s.size, 4)::float8 AS retention "
	"FROM s JOIN analytics_cohorts c USING (cohort) "
	"ORDER BY c.cohort, c.week");

static struct mq_stmt search_top = SEARCHES("", "s.searches DESC");
static struct mq_stmt search_none = SEARCHES("WHERE s.no_results > 0", "s.no_results DESC");

static struct mq_stmt recs_reason = S(
	"SELECT r.reason, sum(r.impressions)::bigint AS impressions, sum(r.clicks)::bigint AS clicks, "
	"  " CTR("sum(r.clicks)", "sum(r.impressions)") " "
	"FROM p, analytics_recs r WHERE r.day BETWEEN p.f AND p.t GROUP BY r.reason "
	"ORDER BY impressions DESC, r.reason LIMIT (SELECT lim FROM p)");

static struct mq_stmt recs_series = S(
	"SELECT date_trunc(p.iv, r.day)::date::text AS period, "
	"  sum(r.impressions)::bigint AS impressions, sum(r.clicks)::bigint AS clicks, "
	"  " CTR("sum(r.clicks)", "sum(r.impressions)") " "
	"FROM p, w, analytics_recs r WHERE r.day >= w.lo AND r.day < w.hi "
	"GROUP BY 1 ORDER BY 1");

/* $1 the user, $2 a year (null: all time, and the last twelve months).
 * The window's watchings (wh) and ratings made (rt), by UTC time. */
static struct mq_stmt user_stats = MQ_STMT_READ(
	"WITH b AS (SELECT make_date($2::int, 1, 1)::timestamp AT TIME ZONE 'UTC' AS f, "
	"    make_date($2::int + 1, 1, 1)::timestamp AT TIME ZONE 'UTC' AS t, "
	"    coalesce(make_date($2::int, 1, 1)::timestamp, "
	"             date_trunc('month', now() AT TIME ZONE 'UTC') - interval '11 months') AS m0), "
	"months AS (SELECT generate_series(m0, m0 + interval '11 months', interval '1 month') AS m "
	"  FROM b), "
	"wh AS (SELECT h.movie_id, h.watched_at FROM watch_history h, b WHERE h.user_id = $1 "
	"  AND ($2::int IS NULL OR (h.watched_at >= b.f AND h.watched_at < b.t))), "
	"rt AS (SELECT r.movie_id, r.rating, r.created_at FROM ratings r, b WHERE r.user_id = $1 "
	"  AND ($2::int IS NULL OR (r.created_at >= b.f AND r.created_at < b.t))), "
	"seen AS (SELECT movie_id FROM wh UNION SELECT movie_id FROM rt) "
	"SELECT jsonb_build_object("
	" 'watched', (SELECT count(*) FROM wh), "
	" 'rated', (SELECT count(*) FROM rt), "
	" 'hours_watched', (SELECT round(coalesce(sum(mv.runtime), 0) / 60.0, 1)::float8 "
	"    FROM wh JOIN movies mv ON mv.id = wh.movie_id), "
	" 'months', (SELECT jsonb_agg(jsonb_build_object('month', to_char(m, 'YYYY-MM'), "
	"    'watched', (SELECT count(*) FROM wh WHERE watched_at >= m AT TIME ZONE 'UTC' "
	"      AND watched_at < (m + interval '1 month') AT TIME ZONE 'UTC'), "
	"    'rated', (SELECT count(*) FROM rt WHERE created_at >= m AT TIME ZONE 'UTC' "
	"      AND created_at < (m + interval '1 month') AT TIME ZONE 'UTC')) ORDER BY m) "
	"    FROM months), "
	" 'favorite_genres', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', g.id, 'slug', g.slug, "
	"    'name', g.name, 'movies', n.movies) ORDER BY n.movies DESC, g.id), '[]') "
	"    FROM (SELECT gid, count(*) AS movies FROM seen JOIN movies mv ON mv.id = seen.movie_id, "
	"          unnest(mv.genre_ids) gid GROUP BY gid ORDER BY movies DESC, gid LIMIT 5) n "
	"    JOIN genres g ON g.id = n.gid), "
	" 'top_rated', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', mv.id, 'title', mv.title, "
	"    'year', mv.year, 'rating', t.rating) ORDER BY t.rating DESC, t.created_at, mv.id), '[]') "
	"    FROM (SELECT movie_id, rating, created_at FROM rt "
	"          ORDER BY rating DESC, created_at, movie_id LIMIT 5) t "
	"    JOIN movies mv ON mv.id = t.movie_id), "
	" 'rating_histogram', (SELECT jsonb_agg(jsonb_build_object('rating', s, 'count', "
	"    (SELECT count(*) FROM rt WHERE rating = s)) ORDER BY s) "
	"    FROM generate_series(0.5, 5.0, 0.5) s)) "
	"  || CASE WHEN $2::int IS NULL THEN '{}' ELSE jsonb_build_object('year', $2::int) END AS stats");

/* The reports: a report is one row, its name (the last segment of its
 * route, http/routes.c) and its sections, each a name (the key of the
 * JSON, the section= of CSV) and the statement that makes it (whose
 * columns are named as the API shows them). */
static const struct spec {
	const char *name;
	struct {
		const char *name;
		struct mq_stmt *stmt;
	} sections[MQ_REPORT_SECTIONS_MAX];
} specs[] = {
	{ "popular-movies", { { "results", &popular } } },
	{ "most-favorited", { { "results", &favorited } } },
	{ "active-users", { { "series", &active_series }, { "top_users", &active_top } } },
	{ "top-genres", { { "by_activity", &genres_activity }, { "by_rating", &genres_rating } } },
	{ "engagement", { { "series", &engagement_series }, { "cohorts", &engagement_cohorts } } },
	{ "search", { { "top_queries", &search_top }, { "no_results", &search_none } } },
	{ "recommendations", { { "by_reason", &recs_reason }, { "series", &recs_series } } },
};

const char *mq_report_name(size_t i)
{
	return i < MQ_ARRAY_LEN(specs) ? specs[i].name : NULL;
}

enum mq_status mq_analytics_report(struct mq_ctx *c, const char *name,
				   const struct mq_report_query *q, struct mq_report *out)
{
	const char *params[] = { q->from, q->to, q->interval, mq_arena_int(c->arena, q->limit) };
	const struct spec *s = NULL;

	for (size_t i = 0; i < MQ_ARRAY_LEN(specs) && s == NULL; i++)
		if (strcmp(specs[i].name, name) == 0)
			s = &specs[i];
	if (s == NULL)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No report called %s.", name);
	*out = (struct mq_report){ .name = s->name };
	for (int i = 0; i < MQ_REPORT_SECTIONS_MAX && s->sections[i].name; i++) {
		if ((out->res[i] = mq_db_q(c, s->sections[i].stmt, 4, params)) == NULL)
			return mq_db_failure(c);
		out->section[i] = s->sections[i].name;
		out->sections++;
	}
	return MQ_OK;
}

enum mq_status mq_analytics_user_stats(struct mq_ctx *c, int64_t user_id, int year,
					PGresult **out)
{
	const char *p[] = { mq_arena_int(c->arena, user_id),
			    year ? mq_arena_int(c->arena, year) : NULL };

	if ((*out = mq_db_q(c, &user_stats, 2, p)) == NULL)
		return mq_db_failure(c);
	return MQ_OK;
}

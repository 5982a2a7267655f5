-- sql/0033_analytics_first_rollup.sql: the movies' months kept by what a
-- day changed (and a movie's row gone with its last day of the month),
-- a month's and a week's active users and cohorts, the running totals'
-- inlined arithmetic, a user's erasure by the primary keys, and a day
-- taken out of the rollups and rolled afresh (bench/analytics' first
-- rollup): every rollup equal to a recount.
SELECT plan(22);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com'), (202, 'ben', 'ben@example.com'), (203, 'cyd', 'cyd@example.com');
INSERT INTO movies (id, title, original_title) OVERRIDING SYSTEM VALUE VALUES
	(301, 'Heat', 'Heat'), (302, 'Ran', 'Ran'), (303, 'Alien', 'Alien'), (304, 'Up', 'Up');
DELETE FROM events;

-- March 2026: Heat viewed and rated by ann every day, Ran favorited by
-- ben every other day, Alien added by cyd on the 10th only, Up only
-- shown as a recommendation (a row that counts nothing) every third day;
-- ann and cyd signed up on 2 March; a search a day by nobody
INSERT INTO events (at, kind, user_id, movie_id, value)
SELECT utc_start(g::date) + u.h * interval '1 hour', u.kind, u.uid, u.mid, u.val
FROM generate_series('2026-03-01'::date, '2026-03-31', '1 day') g,
     LATERAL (VALUES (1, 'movie_view', 201, 301, NULL::numeric, true),
		     (2, 'rating', 201, 301, 3.5, true),
		     (3, 'favorite', 202, 302, NULL, extract(day FROM g) % 2 = 0),
		     (4, 'watchlist_add', 203, 303, NULL, extract(day FROM g) = 10),
		     (5, 'rec_impression', NULL, 304, NULL, extract(day FROM g) % 3 = 0),
		     (6, 'sign_up', 201, NULL, NULL, extract(day FROM g) = 2),
		     (7, 'sign_up', 203, NULL, NULL, extract(day FROM g) = 2),
		     (8, 'search', NULL, NULL, NULL, true)) u(h, kind, uid, mid, val, here)
WHERE u.here;

CREATE FUNCTION pg_temp.roll(f date, t date) RETURNS bigint LANGUAGE sql AS $$
	SELECT sum(analytics_rollup_day(d::date))::bigint FROM generate_series(f, t, '1 day') d
$$;
-- the movies' months as sums of their days (the recount sql/0032 made)
CREATE TEMP VIEW movie_months_recount AS
	SELECT date_trunc('month', day)::date AS month, movie_id, sum(views)::int AS views,
	       sum(ratings)::int AS ratings, sum(rating_sum) AS rating_sum, sum(favorites)::int AS favorites,
	       sum(unfavorites)::int AS unfavorites, sum(watchlist_adds)::int AS watchlist_adds,
	       sum(reviews)::int AS reviews
	FROM analytics_movies GROUP BY 1, 2;
-- the active users and cohorts as counts of distinct users of the days
CREATE TEMP VIEW active_recount AS
	SELECT 'month' AS period, date_trunc('month', day)::date AS start, count(DISTINCT user_id)::int AS users
	FROM analytics_users GROUP BY 1, 2
	UNION ALL
	SELECT 'week', date_trunc('week', day)::date, count(DISTINCT user_id)::int
	FROM analytics_users GROUP BY 1, 2;
CREATE TEMP VIEW cohorts_recount AS
	SELECT date_trunc('week', g.day)::date AS cohort, date_trunc('week', u.day)::date AS week,
	       count(DISTINCT u.user_id)::int AS users
	FROM analytics_users u JOIN analytics_signups g USING (user_id)
	WHERE g.day < date_trunc('week', u.day)::date + 7
	GROUP BY 1, 2;
-- every rollup of the days, to compare a state with another
CREATE TEMP VIEW rollups AS
	SELECT 'd' AS t, to_jsonb(x) - 'rolled_at' AS r FROM analytics_days x UNION ALL
	SELECT 'm', to_jsonb(x) FROM analytics_movies x UNION ALL
	SELECT 'mm', to_jsonb(x) FROM analytics_movie_months x UNION ALL
	SELECT 'mt', to_jsonb(x) FROM analytics_movie_totals x UNION ALL
	SELECT 'g', to_jsonb(x) FROM analytics_genres x UNION ALL
	SELECT 'u', to_jsonb(x) FROM analytics_users x UNION ALL
	SELECT 'um', to_jsonb(x) FROM analytics_user_months x UNION ALL
	SELECT 'ut', to_jsonb(x) FROM analytics_user_totals x UNION ALL
	SELECT 'a', to_jsonb(x) FROM analytics_active x UNION ALL
	SELECT 'c', to_jsonb(x) FROM analytics_cohorts x UNION ALL
	SELECT 's', to_jsonb(x) FROM analytics_signups x UNION ALL
	SELECT 'q', to_jsonb(x) FROM analytics_searches x UNION ALL
	SELECT 'qm', to_jsonb(x) FROM analytics_search_months x UNION ALL
	SELECT 'r', to_jsonb(x) FROM analytics_recs x;

SELECT is(pg_temp.roll('2026-03-01', '2026-03-31'), (SELECT count(*) FROM events), 'March rolled day by day');
SELECT set_eq('SELECT * FROM analytics_movie_months', 'SELECT * FROM movie_months_recount',
	'the movies'' month is its days summed, Up''s row of nothing included');
SELECT set_eq('SELECT * FROM analytics_active', 'SELECT * FROM active_recount',
	'a month''s and each week''s active users are their distinct users');
SELECT set_eq('SELECT * FROM analytics_cohorts', 'SELECT * FROM cohorts_recount',
	'and the weeks'' cohorts');

-- a day rolled again, then changed: Heat gone from it, Alien new to it;
-- Alien's one day of the month gone
SELECT ok(pg_temp.roll('2026-03-15', '2026-03-15') > 0, 'a day rolled again unchanged');
SELECT set_eq('SELECT * FROM analytics_movie_months', 'SELECT * FROM movie_months_recount',
	'counts once in the month');
DELETE FROM events WHERE movie_id = 301 AND utc_day(at) = '2026-03-15';
INSERT INTO events (at, kind, user_id, movie_id) VALUES ('2026-03-15 12:00Z', 'movie_view', 202, 303);
DELETE FROM events WHERE movie_id = 303 AND utc_day(at) = '2026-03-10';
SELECT ok(pg_temp.roll('2026-03-10', '2026-03-15') > 0, 'six days rolled again, changed');
SELECT set_eq('SELECT * FROM analytics_movie_months', 'SELECT * FROM movie_months_recount',
	'a movie gone from a day and one new to it: the month is still its days summed');
DELETE FROM events WHERE movie_id = 303;
SELECT ok(pg_temp.roll('2026-03-15', '2026-03-15') > 0, 'Alien''s last day of March rolled empty of it');
SELECT is((SELECT count(*)::int FROM analytics_movie_months WHERE movie_id = 303), 0,
	'a movie with no day left in the month has no row for it');
SELECT set_eq('SELECT * FROM analytics_active', 'SELECT * FROM active_recount',
	'the active users after the changes');

-- the running totals' arithmetic inlined: the general form's results,
-- for a month before the first, inside, the last, the next and later
SELECT is((SELECT count(*)::int
	   FROM (VALUES ('{}'::bigint[]), ('{5}'), ('{1,3,6,6}')) c(cum),
		generate_series(20, 30) k, unnest('{-2,0,7}'::bigint[]) delta
	   WHERE analytics_cum_add(24, c.cum, k, delta) IS DISTINCT FROM analytics_cum_shift(24, c.cum, k, delta)),
	  0, 'analytics_cum_add equals the general form everywhere');
SELECT is(analytics_cum_add(24, '{1,3,6,6}', 27, 2) || analytics_cum_add(24, '{1,3,6,6}', 29, 2),
	  '{1,3,6,8,1,3,6,6,6,8}'::bigint[], 'the last month and one after it');

-- erasure, by the primary keys (no index by user alone)
UPDATE users SET deleted_at = now() WHERE id = 201;
SELECT is((SELECT count(*)::int FROM analytics_users WHERE user_id = 201)
	  + (SELECT count(*)::int FROM analytics_user_months WHERE user_id = 201), 0,
	  'an erased user''s days and months go with the erasure');
SELECT is((SELECT count(*) FROM analytics_users WHERE user_id IN (202, 203)),
	  (SELECT count(DISTINCT (user_id, utc_day(at))) FROM events WHERE user_id IN (202, 203)),
	  'the others'' stay');

-- a day taken out of the rollups (its events aside, the day rolled
-- empty, the events back) and rolled: its first rollup, equal to the
-- rollups it had
SELECT ok(pg_temp.roll('2026-03-20', '2026-03-20') > 0, 'a day rolled after the erasure');
CREATE TEMP TABLE kept AS SELECT * FROM rollups;
CREATE TEMP TABLE aside AS SELECT * FROM events WHERE utc_day(at) = '2026-03-20';
DELETE FROM events WHERE utc_day(at) = '2026-03-20';
SELECT is(pg_temp.roll('2026-03-20', '2026-03-20'), 0::bigint, 'a day taken out');
SELECT is((SELECT count(*)::int FROM analytics_users WHERE day = '2026-03-20')
	  + (SELECT count(*)::int FROM analytics_movies WHERE day = '2026-03-20'), 0,
	  'has no rows of its own');
INSERT INTO events SELECT * FROM aside;
SELECT is(pg_temp.roll('2026-03-20', '2026-03-20'), (SELECT count(*) FROM aside), 'and rolled afresh');
SELECT set_eq('SELECT * FROM rollups', 'SELECT * FROM kept',
	'its first rollup leaves every rollup as it was');

-- a day of more than 1,000 users and movies (whose rollup reads the
-- running totals whole first): its totals as a recount
INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE
SELECT 10000 + g, 'fan' || g, 'fan' || g || '@example.com' FROM generate_series(1, 1200) g;
INSERT INTO movies (id, title, original_title) OVERRIDING SYSTEM VALUE
SELECT 10000 + g, 'Film ' || g, 'Film ' || g FROM generate_series(1, 1200) g;
INSERT INTO events (at, kind, user_id, movie_id)
SELECT '2026-04-02 10:00Z'::timestamptz + g * interval '1 second', 'movie_view', 10000 + g, 10000 + g
FROM generate_series(1, 1200) g, generate_series(1, 1 + g % 3) r;
SELECT is(pg_temp.roll('2026-04-02', '2026-04-02'), 2400::bigint, 'a day of 1,200 users and movies');
SELECT ok((SELECT count(*) FROM analytics_user_window_totals('2026-04-01', '2026-04-30') w
	   JOIN (SELECT user_id, count(*) AS n FROM events WHERE utc_day(at) = '2026-04-02' GROUP BY 1) e
		USING (user_id) WHERE w.events = e.n) = 1200
	  AND (SELECT count(*) FROM analytics_movie_window_totals('2026-04-01', '2026-04-30') w
	       JOIN (SELECT movie_id, count(*) AS n FROM events WHERE utc_day(at) = '2026-04-02' GROUP BY 1) e
		    USING (movie_id) WHERE w.views = e.n) = 1200,
	  'its users'' and movies'' running totals equal a recount');

SELECT * FROM finish();

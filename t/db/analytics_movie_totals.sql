-- sql/0032_analytics_movie_totals.sql: the movies' running totals by
-- month, kept by the day rollup (rolled twice, a day's movies gone or new,
-- a day before a movie's first month, a movie with only events that count
-- nothing, a rollup failing midway), their rebuild, and the windows read
-- from them (edge days on either side of a month, gaps, one day, across
-- years) equal a recount of the raw events.
SELECT plan(13);

INSERT INTO movies (id, title, original_title) OVERRIDING SYSTEM VALUE VALUES
	(301, 'Heat', 'Heat'), (302, 'Ran', 'Ran'), (303, 'Alien', 'Alien'), (304, 'Up', 'Up');
DELETE FROM events;

-- September 2025 to March 2026: Heat viewed every third day and rated
-- every sixth; Ran favorited every seventh day of September, October and
-- February only, unfavorited every fourteenth; Alien added to watchlists
-- in March alone; Up only shown as a recommendation (a row that counts
-- nothing) every fifth day; nothing, every eleventh day
INSERT INTO events (at, kind, movie_id, value)
SELECT utc_start(x.d) + interval '10 hours', u.kind, u.id, u.val
FROM generate_series('2025-09-01'::date, '2026-03-31', '1 day') g,
     LATERAL (SELECT g::date AS d, g::date - '2025-09-01'::date AS i) x,
     LATERAL (VALUES (301, 'movie_view', NULL::numeric, x.i % 3 = 0),
		     (301, 'rating', 4.5, x.i % 6 = 0),
		     (302, 'favorite', NULL, x.i % 7 = 0 AND extract(month FROM x.d) IN (9, 10, 2)),
		     (302, 'unfavorite', NULL, x.i % 14 = 0 AND extract(month FROM x.d) IN (9, 10, 2)),
		     (303, 'watchlist_add', NULL, extract(month FROM x.d) = 3),
		     (304, 'rec_impression', NULL, x.i % 5 = 0),
		     (NULL, 'search', NULL, x.i % 11 = 0)) u(id, kind, val, here)
WHERE u.here;

CREATE FUNCTION pg_temp.roll(f date, t date) RETURNS bigint LANGUAGE sql AS $$
	SELECT sum(analytics_rollup_day(d::date))::bigint FROM generate_series(f, t, '1 day') d
$$;
-- a movie's counts from f to t, from the raw events
CREATE FUNCTION pg_temp.recount(f date, t date)
	RETURNS TABLE (movie_id bigint, views bigint, ratings bigint, favorites bigint,
		       unfavorites bigint, watchlist_adds bigint) LANGUAGE sql AS $$
	SELECT movie_id, count(*) FILTER (WHERE kind = 'movie_view'),
	       count(*) FILTER (WHERE kind = 'rating'), count(*) FILTER (WHERE kind = 'favorite'),
	       count(*) FILTER (WHERE kind = 'unfavorite'), count(*) FILTER (WHERE kind = 'watchlist_add')
	FROM events WHERE movie_id IS NOT NULL AND utc_day(at) BETWEEN f AND t GROUP BY movie_id
$$;
CREATE TEMP TABLE windows AS
	SELECT f.d AS f, t.d AS t
	FROM unnest('{2025-08-20,2025-09-01,2025-09-10,2025-09-20,2025-09-30,2025-10-15,2025-12-31,
		      2026-01-01,2026-01-16,2026-02-14,2026-03-02,2026-03-31,2026-04-10}'::date[]) f(d),
	     unnest('{2025-08-20,2025-09-01,2025-09-10,2025-09-20,2025-09-30,2025-10-15,2025-12-31,
		      2026-01-01,2026-01-16,2026-02-14,2026-03-02,2026-03-31,2026-04-10}'::date[]) t(d)
	WHERE f.d <= t.d;
-- the rows of fn(f, t) over every window that a recount does not give, and
-- the other way round (t/lib/pgtap-helpers.sql): none
CREATE FUNCTION pg_temp.wrong(fn text) RETURNS bigint LANGUAGE sql AS $$
	SELECT window_mismatches(fn, 'pg_temp.recount')
$$;
-- the months and days' window, in the same columns
CREATE FUNCTION pg_temp.by_months(f date, t date)
	RETURNS TABLE (movie_id bigint, views bigint, ratings bigint, favorites bigint,
		       unfavorites bigint, watchlist_adds bigint) LANGUAGE sql AS $$
	SELECT movie_id, views, ratings, favorites, unfavorites, watchlist_adds
	FROM analytics_movie_window(f, t)
$$;

SELECT ok(pg_temp.roll('2025-09-01', '2026-03-31') > 0, 'seven months rolled day by day');
SELECT is(pg_temp.wrong('pg_temp.recount'), 0::bigint, 'the comparison compares');
SELECT is(pg_temp.wrong('analytics_movie_window_totals'), 0::bigint,
	'every window from the totals equals a recount, Up''s rows of nothing included');
SELECT is(pg_temp.wrong('pg_temp.by_months'), 0::bigint, 'as the months and days do');
SELECT is((SELECT first_month || ' ' || favorites::text FROM analytics_movie_totals WHERE movie_id = 302),
	  analytics_month_no('2025-09-01') || ' {5,9,9,9,9,13}',
	  'Ran: a running total over the months without it');

SELECT is(pg_temp.roll('2026-01-10', '2026-01-20'),
	  (SELECT count(*) FROM events WHERE utc_day(at) BETWEEN '2026-01-10' AND '2026-01-20'),
	  'eleven days rolled again');
CREATE TEMP TABLE kept AS SELECT * FROM analytics_movie_totals;
SELECT is(analytics_movie_totals_rebuild(), 4::bigint, 'the totals rebuilt from the days');
SELECT set_eq('SELECT * FROM analytics_movie_totals', 'SELECT * FROM kept',
	'are the ones kept: days rolled twice count once');

-- Heat gone from a day, Ran new to it, Alien before its first month
DELETE FROM events WHERE movie_id = 301 AND utc_day(at) = '2025-10-16';
INSERT INTO events (at, kind, movie_id) VALUES
	('2025-10-16 08:00Z', 'favorite', 302), ('2025-10-16 09:00Z', 'watchlist_add', 303),
	('2025-10-16 09:30Z', 'movie_view', 303);
SELECT ok(pg_temp.roll('2025-10-16', '2025-10-16') > 0, 'a changed day rolled again');
SELECT is(pg_temp.wrong('analytics_movie_window_totals'), 0::bigint,
	'with a movie gone from the day, one new and one before its first month');

-- a rollup failing after the totals were changed: nothing of it stays
SELECT pg_get_functiondef('analytics_rollup_recs(date)'::regprocedure) AS def \gset
CREATE OR REPLACE FUNCTION analytics_rollup_recs(d date) RETURNS void
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$;
INSERT INTO events (at, kind, movie_id) VALUES ('2026-02-20 10:00Z', 'movie_view', 301),
	('2026-02-20 11:00Z', 'favorite', 304);
DELETE FROM kept;
INSERT INTO kept SELECT * FROM analytics_movie_totals;
SELECT throws_ok($$SELECT analytics_rollup_day('2026-02-20')$$, 'P0001', 'crash',
	'a rollup failing midway');
SELECT set_eq('SELECT * FROM analytics_movie_totals', 'SELECT * FROM kept',
	'leaves the totals as they were');
:def;
SELECT ok(pg_temp.roll('2026-02-20', '2026-02-20') > 0
	  AND pg_temp.wrong('analytics_movie_window_totals') = 0,
	  'rolled again, the windows equal a recount');

SELECT * FROM finish();

-- sql/0030_analytics_user_totals.sql: the users' running totals by month,
-- kept by the day rollup (rolled twice, a day's users gone or new, a day
-- before a user's first month, a rollup failing midway), their rebuild,
-- and the windows read from them (edge days on either side of a month,
-- gaps, one day, across years) equal a recount of the raw events; erasure.
SELECT plan(22);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com'), (202, 'ben', 'ben@example.com'),
	(203, 'cyd', 'cyd@example.com'), (204, 'dot', 'dot@example.com');
DELETE FROM events;

-- September 2025 to March 2026: ann every third day; ben every seventh
-- day of September, October and February only (months without him in
-- between); cyd in March alone; dot twice every fifth day; no one, every
-- eleventh day
INSERT INTO events (at, kind, user_id)
SELECT utc_start(x.d) + interval '10 hours', 'search', u.id
FROM generate_series('2025-09-01'::date, '2026-03-31', '1 day') g,
     LATERAL (SELECT g::date AS d, g::date - '2025-09-01'::date AS i) x,
     LATERAL (VALUES (201, x.i % 3 = 0),
		     (202, x.i % 7 = 0 AND extract(month FROM x.d) IN (9, 10, 2)),
		     (203, extract(month FROM x.d) = 3),
		     (204, x.i % 5 = 0),
		     (204, x.i % 5 = 0),
		     (NULL, x.i % 11 = 0)) u(id, here)
WHERE u.here;

CREATE FUNCTION pg_temp.roll(f date, t date) RETURNS bigint LANGUAGE sql AS $$
	SELECT sum(analytics_rollup_day(d::date))::bigint FROM generate_series(f, t, '1 day') d
$$;
-- a user's events and active days from f to t, from the raw events
CREATE FUNCTION pg_temp.recount(f date, t date)
	RETURNS TABLE (user_id bigint, events bigint, active_days bigint) LANGUAGE sql AS $$
	SELECT user_id, count(*), count(DISTINCT utc_day(at)) FROM events
	WHERE user_id IS NOT NULL AND utc_day(at) BETWEEN f AND t GROUP BY user_id
$$;
-- every window between these days: edges early and late in a month, a
-- month's first and last days, whole months, a year's turn
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
-- what the totals should hold: the months summed, running
CREATE TEMP VIEW expected AS
	SELECT um.user_id, analytics_month_no(um.month) AS k,
	       sum(um.events) OVER w AS events, sum(um.active_days) OVER w AS days
	FROM analytics_user_months um WINDOW w AS (PARTITION BY um.user_id ORDER BY um.month);
CREATE TEMP VIEW totals AS
	SELECT e.user_id, e.k, analytics_cum_at(s.first_month, s.events, e.k) AS events,
	       analytics_cum_at(s.first_month, s.days, e.k) AS days
	FROM expected e JOIN analytics_user_totals s USING (user_id);

SELECT ok(pg_temp.roll('2025-09-01', '2026-03-31') > 0, 'seven months rolled day by day');
SELECT is((SELECT count(*)::int FROM windows), 91, 'windows to read');
SELECT is(pg_temp.wrong('pg_temp.recount'), 0::bigint, 'the comparison compares');
SELECT set_eq('SELECT * FROM totals', 'SELECT * FROM expected', 'the totals are the months, running');
SELECT is((SELECT first_month || ' ' || events::text || ' ' || days::text
	   FROM analytics_user_totals WHERE user_id = 202),
	  analytics_month_no('2025-09-01') || ' {5,9,9,9,9,13} {5,9,9,9,9,13}',
	  'ben: a running total over the months without him');
SELECT is(pg_temp.wrong('analytics_user_window_totals'), 0::bigint,
	'every window from the totals equals a recount');
SELECT is(pg_temp.wrong('analytics_user_window'), 0::bigint,
	'and from whichever the window picks');
SELECT is(pg_temp.wrong('analytics_user_window_months'), 0::bigint,
	'and from the months and days');
-- the first lim users of every window, by the bound or all counted
SELECT is((SELECT count(*) FROM (
	(SELECT w.f, w.t, l, x.* FROM windows w, generate_series(1, 4) l, analytics_user_top(w.f, w.t, l) x
	 EXCEPT ALL
	 SELECT w.f, w.t, l, r.* FROM windows w, generate_series(1, 4) l,
	        LATERAL (SELECT * FROM pg_temp.recount(w.f, w.t) ORDER BY events DESC, user_id LIMIT l) r)
	UNION ALL
	(SELECT w.f, w.t, l, r.* FROM windows w, generate_series(1, 4) l,
	        LATERAL (SELECT * FROM pg_temp.recount(w.f, w.t) ORDER BY events DESC, user_id LIMIT l) r
	 EXCEPT ALL
	 SELECT w.f, w.t, l, x.* FROM windows w, generate_series(1, 4) l, analytics_user_top(w.f, w.t, l) x)) d),
	0::bigint, 'the first 1 to 4 users of every window equal a recount''s');
SELECT is((SELECT array_agg(user_id ORDER BY n) FROM analytics_user_top('2025-09-01', '2026-03-31', 4)
	   WITH ORDINALITY x(user_id, events, active_days, n)),
	  '{204,201,203,202}'::bigint[], 'in order, the most first');

SELECT is(pg_temp.roll('2026-01-10', '2026-01-20'),
	  (SELECT count(*) FROM events WHERE utc_day(at) BETWEEN '2026-01-10' AND '2026-01-20'),
	  'eleven days rolled again');
SELECT set_eq('SELECT * FROM totals', 'SELECT * FROM expected', 'days rolled twice count once');

-- ann gone from a day, ben new to it, cyd more active on it
DELETE FROM events WHERE user_id = 201 AND utc_day(at) = '2025-10-16';
INSERT INTO events (at, kind, user_id) VALUES
	('2025-10-16 08:00Z', 'search', 202), ('2025-10-16 09:00Z', 'search', 203),
	('2025-10-16 09:30Z', 'search', 203);
SELECT ok(pg_temp.roll('2025-10-16', '2025-10-16') > 0, 'a changed day rolled again');
SELECT is(pg_temp.wrong('analytics_user_window_totals'), 0::bigint,
	'with a user gone from the day, one new and one before their first month');
SELECT is((SELECT first_month FROM analytics_user_totals WHERE user_id = 203),
	  analytics_month_no('2025-10-01'), 'cyd''s totals start in October now');

-- a rollup failing after the totals were changed: nothing of it stays
SELECT pg_get_functiondef('analytics_rollup_recs(date)'::regprocedure) AS def \gset
CREATE OR REPLACE FUNCTION analytics_rollup_recs(d date) RETURNS void
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$;
INSERT INTO events (at, kind, user_id) VALUES ('2026-02-20 10:00Z', 'search', 201),
	('2026-02-20 11:00Z', 'search', 204);
CREATE TEMP TABLE before AS SELECT * FROM analytics_user_totals;
SELECT throws_ok($$SELECT analytics_rollup_day('2026-02-20')$$, 'P0001', 'crash',
	'a rollup failing midway');
SELECT set_eq('SELECT * FROM analytics_user_totals', 'SELECT * FROM before',
	'leaves the totals as they were');
:def;
SELECT ok(pg_temp.roll('2026-02-20', '2026-02-20') > 0, 'and rolled again');
SELECT is(pg_temp.wrong('analytics_user_window'), 0::bigint, 'the windows equal a recount');

CREATE TEMP TABLE kept AS SELECT * FROM analytics_user_totals;
SELECT is(analytics_user_totals_rebuild(), 4::bigint, 'the totals rebuilt from the months');
SELECT set_eq('SELECT * FROM analytics_user_totals', 'SELECT * FROM kept', 'are the ones kept');

UPDATE users SET deleted_at = now() WHERE id = 201;
SELECT is((SELECT count(*)::int FROM analytics_user_totals WHERE user_id = 201), 0,
	'an erased user''s totals go with the erasure');

SELECT * FROM finish();

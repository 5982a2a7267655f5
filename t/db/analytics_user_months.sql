-- sql/0026_analytics_user_months.sql: the monthly rollup of users kept by
-- the day rollup from what each day changed (rolled again, a day's users
-- gone or new), the window over whole months and edge days, and erasure.
SELECT plan(17);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com'), (202, 'ben', 'ben@example.com'), (203, 'cyd', 'cyd@example.com');
DELETE FROM events;

-- ann: two events on 30 Jan, one on 31 Jan, one on 1 Feb; ben: one on
-- 31 Jan; cyd: one on 1 Feb
INSERT INTO events (at, kind, user_id) VALUES
	('2026-01-30 10:00Z', 'search', 201), ('2026-01-30 11:00Z', 'search', 201),
	('2026-01-31 10:00Z', 'search', 201), ('2026-01-31 12:00Z', 'search', 202),
	('2026-02-01 09:00Z', 'search', 201), ('2026-02-01 09:30Z', 'search', 203);
SELECT is(array_agg(analytics_rollup_day(d::date) ORDER BY d), '{2,2,2}'::bigint[], 'three days rolled')
FROM generate_series('2026-01-30'::date, '2026-02-01', '1 day') d;

-- what the months should hold: analytics_users summed
CREATE TEMP VIEW expected AS
	SELECT date_trunc('month', day)::date AS month, user_id, sum(events)::bigint AS events,
	       count(*)::int AS active_days
	FROM analytics_users GROUP BY 1, 2;
CREATE TEMP VIEW months AS
	SELECT month, user_id, events, active_days FROM analytics_user_months;

SELECT set_eq('SELECT * FROM months', 'SELECT * FROM expected', 'the months are the days summed');
SELECT is((SELECT events || '/' || active_days FROM analytics_user_months
	   WHERE month = '2026-01-01' AND user_id = 201), '3/2', 'ann: 3 events on 2 days of January');

SELECT is(analytics_rollup_day('2026-01-31'), 2::bigint, '31 January rolled again');
SELECT set_eq('SELECT * FROM months', 'SELECT * FROM expected', 'a day rolled again counts once');

DELETE FROM events WHERE user_id = 202;
INSERT INTO events (at, kind, user_id) VALUES ('2026-01-31 13:00Z', 'search', 203);
SELECT is(analytics_rollup_day('2026-01-31'), 2::bigint, 'and again, ben gone, cyd new');
SELECT set_eq('SELECT * FROM months', 'SELECT * FROM expected',
	'rolled again with a user gone from the day and one new to it');
SELECT is((SELECT count(*)::int FROM analytics_user_months WHERE user_id = 202), 0,
	'a user with no day left in the month has no row for it');

SELECT set_eq($$SELECT * FROM analytics_user_window('2026-01-31', '2026-02-01')$$,
	$$VALUES (201::bigint, 2::bigint, 2::bigint), (203, 2, 2)$$,
	'a window of edge days only reads days');
SELECT set_eq($$SELECT * FROM analytics_user_window('2026-01-01', '2026-02-01')$$,
	$$VALUES (201::bigint, 4::bigint, 3::bigint), (203, 2, 2)$$,
	'a whole month and a day after it');

SELECT set_eq($$SELECT * FROM analytics_user_window('2026-01-30', '2026-01-30')$$,
	$$VALUES (201::bigint, 2::bigint, 1::bigint)$$, 'a window of one day');
SELECT set_eq($$SELECT * FROM analytics_user_window('2026-01-30', '2026-02-28')$$,
	$$VALUES (201::bigint, 4::bigint, 3::bigint), (203, 2, 2)$$,
	'edge days before a whole month');
INSERT INTO movies (id, title, original_title) OVERRIDING SYSTEM VALUE VALUES (301, 'Heat', 'Heat');
INSERT INTO events (at, kind, user_id, movie_id) VALUES
	('2026-01-15 10:00Z', 'movie_view', 202, 301), ('2026-01-31 10:00Z', 'movie_view', 202, 301),
	('2026-02-01 10:00Z', 'movie_view', 202, 301), ('2026-02-02 10:00Z', 'movie_view', 202, 301);
SELECT is(array_agg(analytics_rollup_day(d::date) ORDER BY d), '{1,3,3,1}'::bigint[],
	'movie views on four days rolled')
FROM unnest('{2026-01-15,2026-01-31,2026-02-01,2026-02-02}'::date[]) d;
SELECT is((SELECT views::int FROM analytics_movie_window('2026-01-01', '2026-02-01')), 3,
	'the movies'' window: January whole and a day');
SELECT is((SELECT views::int FROM analytics_movie_window('2026-01-31', '2026-02-02')), 3,
	'edge days on both sides of no whole month');

UPDATE users SET deleted_at = now() WHERE id = 201;
SELECT is((SELECT count(*)::int FROM analytics_user_months WHERE user_id = 201), 0,
	'an erased user''s months go with the erasure');
SELECT set_eq('SELECT * FROM months', 'SELECT * FROM expected', 'and the rest still add up');

SELECT * FROM finish();

-- sql/0014_analytics.sql at the database's level: the events the
-- triggers write (and those they do not: bulk loads, cascades, erased
-- users), erasure, a day's rollup (the same run twice), the days due,
-- and the partitions made, filled from the default one and dropped.
SELECT plan(30);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com'), (202, 'ben', 'ben@example.com');
INSERT INTO users (id, username, email, imported) OVERRIDING SYSTEM VALUE VALUES
	(203, 'movielens-1', 'ml1@example.com', true);
INSERT INTO movies (id, title, original_title, genre_ids) OVERRIDING SYSTEM VALUE VALUES
	(301, 'Heat', 'Heat', '{80,53}'), (302, 'Ronin', 'Ronin', '{28}');

SELECT is((SELECT array_agg(user_id ORDER BY user_id) FROM events WHERE kind = 'sign_up'), '{201,202}',
	'a sign-up is an event; an imported account is not');
UPDATE users SET last_login_at = now() WHERE id = 201;
SELECT is((SELECT count(*)::int FROM events WHERE kind = 'sign_in' AND user_id = 201), 1, 'a sign-in');

INSERT INTO favorites (user_id, movie_id) VALUES (201, 301), (202, 301), (201, 302);
DELETE FROM favorites WHERE user_id = 202;
INSERT INTO ratings (user_id, movie_id, rating) VALUES (201, 301, 4.5);
UPDATE ratings SET rating = 3 WHERE user_id = 201;
INSERT INTO watchlist (user_id, movie_id) VALUES (202, 302);
INSERT INTO watch_history (user_id, movie_id) VALUES (202, 302);
INSERT INTO reviews (user_id, movie_id, body) VALUES (202, 301, 'Tense');
INSERT INTO follows VALUES (201, 202);
INSERT INTO lists (id, user_id, name) OVERRIDING SYSTEM VALUE VALUES (601, 202, 'Mine');
INSERT INTO list_items (list_id, movie_id, position) VALUES (601, 301, 1);

SELECT is((SELECT array_agg(kind || ':' || user_id || ':' || coalesce(movie_id::text, '-')
			    || coalesce(':' || value, '') ORDER BY kind, user_id, movie_id, value)
	   FROM events WHERE kind NOT IN ('sign_up', 'sign_in')),
	'{favorite:201:301,favorite:201:302,favorite:202:301,follow:201:-,list_change:202:301,list_change:202:-,'
	'rating:201:301:3.0,rating:201:301:4.5,review:202:301,unfavorite:202:301,watched:202:302,'
	'watchlist_add:202:302}',
	'each write is its event, with its user, movie and value');
SELECT is((SELECT count(*)::int FROM events WHERE client_id IS NOT NULL), 0, 'none anonymous');

SELECT lives_ok($$SET LOCAL marquee.bulk = 'on';
	INSERT INTO ratings (user_id, movie_id, rating) VALUES (203, 302, 5);
	SET LOCAL marquee.bulk = 'off'$$, 'a bulk load rates');
SELECT is((SELECT count(*)::int FROM events WHERE user_id = 203), 0, 'which is no event');

DELETE FROM lists WHERE id = 601;
SELECT is((SELECT count(*)::int FROM events WHERE kind = 'list_change'), 3,
	'a list removed is an event; its items cascading with it are not');
SELECT is((SELECT count(*)::int FROM events_default), 0, 'today''s events are in their month''s partition');
SELECT ok(to_regclass(events_partition_name((date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months')::date))
	  IS NOT NULL, 'the migration made three months ahead');

-- ---- a day's rollup ----
-- yesterday's events, as if written then
INSERT INTO events (at, kind, user_id, movie_id, value, data)
SELECT utc_start(utc_day(now()) - 1) + interval '1 hour', kind, user_id, movie_id, value, data FROM events;
INSERT INTO events (at, kind, user_id, movie_id, data) VALUES
	(utc_start(utc_day(now()) - 1), 'movie_view', NULL, 302, NULL),
	(utc_start(utc_day(now()) - 1), 'search', 201, NULL, '{"q": " Heat ", "results": 1}'),
	(utc_start(utc_day(now()) - 1), 'search', NULL, NULL, '{"q": "heat", "results": 0, "corrected": true}'),
	(utc_start(utc_day(now())) - interval '1 microsecond', 'rec_click', 202, 302, '{"reason": "similar"}');
SELECT is(analytics_rollup_day(utc_day(now()) - 1), 20::bigint, 'yesterday rolled: its 20 events');
SELECT results_eq($$SELECT movie_id, views, ratings, rating_sum, favorites, unfavorites, watchlist_adds, reviews
		    FROM analytics_movies WHERE day = utc_day(now()) - 1 ORDER BY movie_id$$,
	$$VALUES (301::bigint, 0, 2, 7.5, 2, 1, 0, 1), (302, 1, 0, 0, 1, 0, 1, 0)$$,
	'each movie''s counts');
SELECT results_eq($$SELECT genre_id, activity, ratings FROM analytics_genres WHERE day = utc_day(now()) - 1
		    ORDER BY genre_id$$,
	$$VALUES (28, 5, 0), (53, 7, 2), (80, 7, 2)$$, 'each genre''s, by the movies'' genres');
SELECT results_eq($$SELECT user_id, events FROM analytics_users WHERE day = utc_day(now()) - 1 ORDER BY 1$$,
	$$VALUES (201::bigint, 8), (202::bigint, 10)$$, 'each user''s');
SELECT results_eq($$SELECT query, searches, no_results, corrected FROM analytics_searches
		    WHERE day = utc_day(now()) - 1$$,
	$$VALUES ('heat', 2, 1, 1)$$, 'searches by folded query');
SELECT results_eq($$SELECT reason, impressions, clicks FROM analytics_recs$$,
	$$VALUES ('similar', 0, 1)$$, 'recommendations by reason');
SELECT results_eq($$SELECT events, active_users, sign_ups FROM analytics_days$$,
	$$VALUES (20::bigint, 2, 2)$$, 'the day');
SELECT is((SELECT users FROM analytics_active WHERE period = 'week'
	   AND start = date_trunc('week', utc_day(now()) - 1)::date), 2, 'its week''s active users');
SELECT is((SELECT users FROM analytics_cohorts WHERE week = date_trunc('week', utc_day(now()) - 1)::date
	   AND cohort = week), 2, 'the cohort of the week, retained in its week');

CREATE TEMPORARY TABLE before AS
	SELECT 'm' AS t, to_jsonb(x) AS r FROM analytics_movies x UNION ALL
	SELECT 'mm', to_jsonb(x) FROM analytics_movie_months x UNION ALL
	SELECT 'g', to_jsonb(x) FROM analytics_genres x UNION ALL
	SELECT 'u', to_jsonb(x) FROM analytics_users x UNION ALL
	SELECT 's', to_jsonb(x) FROM analytics_searches x;
SELECT is(analytics_rollup_day(utc_day(now()) - 1), 20::bigint, 'rolled again');
SELECT set_eq($$SELECT 'm' AS t, to_jsonb(x) AS r FROM analytics_movies x UNION ALL
	SELECT 'mm', to_jsonb(x) FROM analytics_movie_months x UNION ALL
	SELECT 'g', to_jsonb(x) FROM analytics_genres x UNION ALL
	SELECT 'u', to_jsonb(x) FROM analytics_users x UNION ALL
	SELECT 's', to_jsonb(x) FROM analytics_searches x$$,
	'SELECT * FROM before', 'rolled twice: the same');
SELECT is((SELECT count(*)::int FROM analytics_days_due(interval '0')), 1,
	'due: today (yesterday was rolled in its own transaction, today, before its end and margin)');

-- ---- erasure ----
UPDATE users SET deleted_at = now(), username = 'deleted-201', email = 'deleted-201@invalid' WHERE id = 201;
SELECT is((SELECT count(*)::int FROM events WHERE user_id = 201), 0, 'an erasure removes the user''s events');
SELECT is((SELECT count(*)::int FROM analytics_users WHERE user_id = 201)
	  + (SELECT count(*)::int FROM analytics_signups WHERE user_id = 201), 0, 'and their rows of the rollups');
DELETE FROM favorites WHERE user_id = 201;
SELECT is((SELECT count(*)::int FROM events WHERE user_id = 201), 0,
	'what the erasure then deletes is no event of theirs');
DELETE FROM movies WHERE id = 302;
SELECT is((SELECT count(*)::int FROM events WHERE kind IN ('unfavorite', 'rating_removed', 'watchlist_remove')
	   AND at > utc_start(utc_day(now()))), 1, 'nor what a movie''s removal cascades to');

-- ---- partitions ----
INSERT INTO events (at, kind) VALUES ('2001-03-04 05:06:07+00', 'movie_view'),
	('2001-03-31 23:59:59+00', 'movie_view'), ('2001-04-01 00:00:00+00', 'sign_in');
SELECT is((SELECT count(*)::int FROM events_default), 3, 'events of a month without a partition: the default one');
SELECT is((SELECT created FROM analytics_partitions(3, interval '100 years')), '{events_2001_03,events_2001_04}',
	'the job makes their months'' partitions');
SELECT is((SELECT count(*)::int FROM events_2001_03) * 10 + (SELECT count(*)::int FROM events_default), 20,
	'and moves them there');
SELECT is((SELECT dropped FROM analytics_partitions(3, interval '1 year')), '{events_2001_03,events_2001_04}',
	'past the retention, the partitions are dropped');
SELECT is(analytics_rollup_day('2001-03-04'), NULL, 'and their days never rolled again');

SELECT * FROM finish();

-- sql/0019_bulk_triggers.sql: in a bulk load (marquee.bulk = 'on') the
-- row triggers of the signals are skipped by their WHEN, so that nothing
-- is queued or called for a million rows; outside one they fire as
-- before.  What a bulk load writes is what it was: the row, nothing else.
SELECT plan(8);

-- every trigger of the signals' tables whose function does nothing in a
-- bulk load says so in its WHEN (a new one that forgets fails here)
SELECT is(ARRAY(SELECT t.tgname::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
		WHERE NOT t.tgisinternal
		AND t.tgrelid IN ('ratings'::regclass, 'favorites'::regclass, 'watchlist'::regclass,
				  'watch_history'::regclass)
		AND (p.prosrc LIKE '%bulk_load()%' OR p.prosrc LIKE '%marquee.bulk%'
		     OR p.proname = 'events_written')
		AND pg_get_triggerdef(t.oid) NOT LIKE '%bulk_load() IS NOT TRUE%'
		ORDER BY 1),
	'{}'::text[], 'the signals'' triggers that a bulk load makes idle are skipped by WHEN');
SELECT cmp_ok((SELECT count(*)::int FROM pg_trigger WHERE NOT tgisinternal
	       AND pg_get_triggerdef(oid) LIKE '%bulk_load() IS NOT TRUE%'), '>=', 14, 'fourteen of them');

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com'), (202, 'ben', 'ben@example.com');
INSERT INTO movies (id, title, original_title) OVERRIDING SYSTEM VALUE VALUES
	(301, 'Heat', 'Heat'), (302, 'Ronin', 'Ronin');
DELETE FROM events;

INSERT INTO ratings (user_id, movie_id, rating) VALUES (202, 301, 4);
INSERT INTO favorites (user_id, movie_id) VALUES (202, 302);
UPDATE ratings SET rating = 5 WHERE user_id = 202;
SELECT is((SELECT array_agg(kind || ':' || coalesce(value::text, '-') ORDER BY kind, value) FROM events),
	'{favorite:-,rating:4.0,rating:5.0}', 'outside a bulk load (marquee.bulk never set): the events');
SELECT is((SELECT count(*)::int FROM feed_events WHERE actor_id = 202), 2, 'the feed');
SELECT is((SELECT ratings_sum FROM movie_stats WHERE movie_id = 301), 5.0, 'and the statistics');

SET LOCAL marquee.bulk = 'on';
INSERT INTO ratings (user_id, movie_id, rating) VALUES (201, 301, 4.5);
INSERT INTO favorites (user_id, movie_id) VALUES (201, 301);
INSERT INTO watch_history (user_id, movie_id) VALUES (201, 301);
UPDATE ratings SET rating = 2 WHERE user_id = 201;
SET LOCAL marquee.bulk = 'off';
SELECT is((SELECT count(*)::int FROM events WHERE user_id = 201), 0, 'in bulk: no events');
SELECT is((SELECT count(*)::int FROM feed_events WHERE actor_id = 201), 0, 'no feed');
SELECT is((SELECT ratings_count FROM movie_stats WHERE movie_id = 301), 1, 'no statistics (ben''s rating alone)');

SELECT * FROM finish();

-- Votes write the narrow movie_stats row in place (heap-only tuples: no
-- index touched) and never the wide movies row: the average the lists
-- order and filter on (movies.rating) is brought up to date by
-- movie_ratings_list(), the job `marquee ratings refresh` (issue 14,
-- sql/0035_ratings_listed_by_job.sql).  pg_stat_xact_user_tables counts
-- this transaction's updates of each table.
SELECT plan(12);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE
SELECT 100 + i, 'user' || i, 'user' || i || '@example.com' FROM generate_series(1, 60) i;
INSERT INTO movies (id, title) VALUES (501, 'Voted'), (502, 'Also voted'), (503, 'Not voted');

CREATE FUNCTION updates(tbl name, OUT n bigint, OUT hot bigint) LANGUAGE sql STABLE
	RETURN (SELECT ROW(n_tup_upd, n_tup_hot_upd) FROM pg_stat_xact_user_tables
		WHERE relname = tbl);
-- n - n0 and hot - hot0 as 'n/hot'
CREATE TEMP TABLE mark AS SELECT 'movie_stats'::name AS tbl, (updates('movie_stats')).*
	UNION ALL SELECT 'movies', (updates('movies')).*;
CREATE FUNCTION since(t name) RETURNS text LANGUAGE sql STABLE
	RETURN (SELECT concat((updates(t)).n - m.n, '/', (updates(t)).hot - m.hot) FROM mark m
		WHERE m.tbl = t);
-- the average listed (movies.rating) and the live one, as 'listed/live'
CREATE FUNCTION averages(id bigint) RETURNS text LANGUAGE sql STABLE
	RETURN (SELECT concat(coalesce(m.rating::text, '-'), '/',
			      coalesce(movie_rating(s.ratings_count, s.ratings_sum)::text, '-'))
		FROM movies m JOIN movie_stats s ON s.movie_id = m.id WHERE m.id = averages.id);

SELECT is((SELECT fillfactor FROM (SELECT (regexp_match(array_to_string(reloptions, ','),
	'fillfactor=(\d+)'))[1]::int AS fillfactor FROM pg_class WHERE relname = 'movie_stats') f),
	50, 'movie_stats leaves half of each page for new versions of its rows');

-- 50 users vote 4 one by one, then one votes 5
DO $$ BEGIN
	FOR i IN 1 .. 50 LOOP
		INSERT INTO ratings (user_id, movie_id, rating) VALUES (100 + i, 501, 4);
	END LOOP;
END $$;
INSERT INTO ratings (user_id, movie_id, rating) VALUES (151, 501, 5), (101, 502, 2);
SELECT is(since('movie_stats'), '52/52', 'fifty-two votes: fifty-two updates of movie_stats, all HOT');
SELECT is(since('movies'), '0/0', 'and no write of the movies row');
SELECT is(averages(501), '-/4.02', 'the live average moved; the listed one waits for the job');

SELECT is(movie_ratings_list(1000), 2, 'the job finds the two movies voted on');
SELECT is(since('movies'), '2/0', 'and writes each movies row once, whatever the votes');
SELECT is(averages(501), '4.02/4.02', 'the listed average is the live one');
SELECT is(averages(502), '2/2', 'for each movie');
SELECT is(averages(503), '-/-', 'a movie without votes is left alone');
SELECT is(movie_ratings_list(1000), 0, 'run again: nothing to do');

DELETE FROM ratings WHERE movie_id = 502;
SELECT is(averages(502), '2/-', 'the last vote removed: no live average');
-- batches: one movie at a time, until a batch comes back short
INSERT INTO ratings (user_id, movie_id, rating) VALUES (152, 501, 1);
SELECT is(ARRAY[movie_ratings_list(1), movie_ratings_list(1), movie_ratings_list(1)], ARRAY[1, 1, 0],
	  'a batch of one movie at a time takes them one by one');

-- Votes write the narrow movie_stats row in place (heap-only tuples: no
-- index touched), and the wide movies row only when the average shown,
-- to two places, changes (issue 14).  pg_stat_xact_user_tables counts
-- this transaction's updates of each table.
SELECT plan(6);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE
SELECT 100 + i, 'user' || i, 'user' || i || '@example.com' FROM generate_series(1, 60) i;
INSERT INTO movies (id, title) VALUES (501, 'Voted');

CREATE FUNCTION updates(tbl name, OUT n bigint, OUT hot bigint) LANGUAGE sql STABLE
	RETURN (SELECT ROW(n_tup_upd, n_tup_hot_upd) FROM pg_stat_xact_user_tables
		WHERE relname = tbl);
-- n - n0 and hot - hot0 as 'n/hot'
CREATE TEMP TABLE mark AS SELECT 'movie_stats'::name AS tbl, (updates('movie_stats')).*
	UNION ALL SELECT 'movies', (updates('movies')).*;
CREATE FUNCTION since(t name) RETURNS text LANGUAGE sql STABLE
	RETURN (SELECT concat((updates(t)).n - m.n, '/', (updates(t)).hot - m.hot) FROM mark m
		WHERE m.tbl = t);

SELECT is((SELECT fillfactor FROM (SELECT (regexp_match(array_to_string(reloptions, ','),
	'fillfactor=(\d+)'))[1]::int AS fillfactor FROM pg_class WHERE relname = 'movie_stats') f),
	50, 'movie_stats leaves half of each page for new versions of its rows');

-- 50 users vote 4 one by one: after the first, the average stays 4.00
INSERT INTO ratings (user_id, movie_id, rating) VALUES (101, 501, 4);
SELECT is(since('movies'), '1/0', 'the first vote sets the average on the movies row');
DO $$ BEGIN
	FOR i IN 2 .. 50 LOOP
		INSERT INTO ratings (user_id, movie_id, rating) VALUES (100 + i, 501, 4);
	END LOOP;
END $$;
SELECT is(since('movie_stats'), '50/50', 'fifty votes: fifty updates of movie_stats, all HOT');
SELECT is(since('movies'), '1/0', 'and no more writes of the movies row: the average shown is 4 still');
SELECT is((SELECT concat(s.ratings_count, '/', s.ratings_sum, '/', m.rating) FROM movies m
	   JOIN movie_stats s ON s.movie_id = m.id WHERE m.id = 501), '50/200.0/4',
	  'the statistics are exact');
-- one vote of 5 moves the average to 4.02: the movies row follows
INSERT INTO ratings (user_id, movie_id, rating) VALUES (151, 501, 5);
SELECT is((SELECT rating FROM movies WHERE id = 501), 4.02::real, 'a vote that moves the average shown writes it');

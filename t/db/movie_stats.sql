-- The statistics of movies kept by row triggers in the transaction of the
-- change: ratings_count, ratings_sum (movie_stats) and the average rating
-- they make, to two places (movie_rating(), what every answer shows; the
-- lists' copy, movies.rating, follows by a job: movie_stats_hot.sql),
-- favorites, the watchlist and reviews; through a user's removal too.
SELECT plan(26);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE
SELECT 100 + i, 'user' || i, 'user' || i || '@example.com' FROM generate_series(1, 4) i;
INSERT INTO movies (id, title) VALUES (401, 'Rated'), (402, 'Other');
-- A movie's statistics, as count/sum/average (- for none)/favorites/watchlist/reviews.
CREATE FUNCTION stats(id bigint) RETURNS text LANGUAGE sql STABLE RETURN (
	SELECT concat_ws('/', s.ratings_count, s.ratings_sum,
			 coalesce(movie_rating(s.ratings_count, s.ratings_sum)::text, '-'), s.favorites_count,
			 s.watchlist_count, s.reviews_count)
	FROM movies m JOIN movie_stats s ON s.movie_id = m.id WHERE m.id = stats.id);

SELECT is(stats(401), '0/0.0/-/0/0/0', 'a new movie: nothing counted, no average');

-- ---- ratings ----
INSERT INTO ratings (user_id, movie_id, rating) VALUES (101, 401, 4);
SELECT is(stats(401), '1/4.0/4/0/0/0', 'a rating counted and summed');
INSERT INTO ratings (user_id, movie_id, rating) VALUES (102, 401, 3), (103, 401, 2.5);
SELECT is(stats(401), '3/9.5/3.17/0/0/0', 'two more by one statement; the average, to two places');
UPDATE ratings SET rating = 5 WHERE user_id = 102 AND movie_id = 401;
SELECT is(stats(401), '3/11.5/3.83/0/0/0', 'a rating changed moves the sum, not the count');
UPDATE ratings SET rating = 5, updated_at = now() WHERE user_id = 102 AND movie_id = 401;
SELECT is(stats(401), '3/11.5/3.83/0/0/0', 'a rating rewritten unchanged moves nothing');
UPDATE ratings SET rating = rating - 0.5 WHERE movie_id = 401;
SELECT is(stats(401), '3/10.0/3.33/0/0/0', 'three changed by one statement');
DELETE FROM ratings WHERE user_id = 101 AND movie_id = 401;
SELECT is(stats(401), '2/6.5/3.25/0/0/0', 'a rating deleted');
SELECT is(stats(402), '0/0.0/-/0/0/0', 'another movie''s statistics stay');
DELETE FROM ratings WHERE movie_id = 401;
SELECT is(stats(401), '0/0.0/-/0/0/0', 'all deleted: no average again');

SET LOCAL marquee.bulk = 'on';
INSERT INTO ratings (user_id, movie_id, rating) VALUES (101, 402, 4);
SELECT is(stats(402), '0/0.0/-/0/0/0', 'in bulk, ratings are left to the loader to count');
DELETE FROM ratings WHERE movie_id = 402;
SELECT is(stats(402), '0/0.0/-/0/0/0', 'in bulk, their removal too');
SET LOCAL marquee.bulk = 'off';

-- ---- favorites, the watchlist, reviews ----
INSERT INTO favorites (user_id, movie_id) VALUES (101, 401), (102, 401), (103, 401), (101, 402);
SELECT is(stats(401), '0/0.0/-/3/0/0', 'favorites counted');
SELECT is(stats(402), '0/0.0/-/1/0/0', 'each on its movie');
DELETE FROM favorites WHERE user_id = 102;
SELECT is(stats(401), '0/0.0/-/2/0/0', 'a favorite removed');
INSERT INTO watchlist (user_id, movie_id) VALUES (101, 401), (102, 401);
SELECT is(stats(401), '0/0.0/-/2/2/0', 'watchlist entries counted');
UPDATE watchlist SET watched = true, watched_at = now(), priority = 'high' WHERE user_id = 101;
SELECT is(stats(401), '0/0.0/-/2/2/0', 'an entry marked watched stays counted');
DELETE FROM watchlist WHERE user_id = 102;
SELECT is(stats(401), '0/0.0/-/2/1/0', 'a watchlist entry removed');
INSERT INTO reviews (user_id, movie_id, body, rating) VALUES (101, 401, 'Good.', 4), (102, 401, 'Bad.', NULL);
SELECT is(stats(401), '0/0.0/-/2/1/2', 'reviews counted; a review''s rating is not a rating');
UPDATE reviews SET body = 'Better.', rating = 5 WHERE user_id = 101;
SELECT is(stats(401), '0/0.0/-/2/1/2', 'a review edited');
DELETE FROM reviews WHERE user_id = 102;
SELECT is(stats(401), '0/0.0/-/2/1/1', 'a review removed');
INSERT INTO watch_history (user_id, movie_id) VALUES (103, 401);
INSERT INTO activity (user_id, verb, movie_id) VALUES (103, 'watched', 401);
SELECT is(stats(401), '0/0.0/-/2/1/1', 'history and activity count nothing');

-- ---- a user's removal takes their share out ----
INSERT INTO ratings (user_id, movie_id, rating) VALUES (101, 401, 1), (104, 401, 5), (101, 402, 2);
INSERT INTO watchlist (user_id, movie_id) VALUES (104, 401);
INSERT INTO reviews (user_id, movie_id, body) VALUES (104, 401, 'Mine.');
SELECT is(stats(401), '2/6.0/3/2/2/2', 'before: two users'' ratings, favorites...');
DELETE FROM users WHERE id = 101;
SELECT is(stats(401), '1/5.0/5/1/1/1', 'a user deleted: their rating, favorite, entry and review go');
SELECT is(stats(402), '0/0.0/-/0/0/0', 'on each movie they had');
-- erasure deletes the collections in one statement, as the API does
WITH f AS (DELETE FROM favorites WHERE user_id = 103 RETURNING movie_id),
r AS (DELETE FROM ratings WHERE user_id = 104 RETURNING movie_id),
w AS (DELETE FROM watchlist WHERE user_id = 104 RETURNING movie_id)
SELECT count(*) FROM (SELECT movie_id FROM f UNION ALL SELECT movie_id FROM r
		      UNION ALL SELECT movie_id FROM w) x
\g /dev/null
SELECT is(stats(401), '0/0.0/-/0/0/1', 'collections erased by one statement of CTEs');

-- ---- a movie's removal: nothing to count, nothing fails ----
SELECT lives_ok('DELETE FROM movies WHERE id = 401', 'a movie with ratings, reviews... is deleted');

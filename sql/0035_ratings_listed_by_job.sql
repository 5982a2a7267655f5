-- Issue 14: POST /api/movies/rate/ at 823 req/s, p99 285 ms (64
-- connections, 100,000 films), against >= 4,332 and < 100 ms.
-- pg_stat_statements (track = all) over the rate row: the vote's
-- statement 2.10 ms a call, of which movie_rating_refresh 0.75 ms (the
-- UPDATE of the wide movies row 0.42, non-HOT under 20 indexes, on 61%
-- of the votes; the rest re-parsing and re-planning the SQL function at
-- every call) and movie_is_public 0.26 ms (the same: a SQL function with
-- a subquery is never inlined, and one called from PL/pgSQL is planned
-- again in each transaction).  No lock waits on rows: 64 connections
-- voting on random films of 100,000 do not meet.

-- ---- the sortable average, refreshed by a job ----
-- A vote now keeps the exact counters of movie_stats (a HOT update) and
-- nothing else of the movie: every answer shows the live average,
-- movie_rating(ratings_count, ratings_sum) of movie_stats, and
-- movies.rating, which the lists filter and order on with their indexes,
-- is derived data that `marquee ratings refresh` (systemd timer, every
-- minute) brings up to date.  rating_listed is the average movies.rating
-- was last given, so that the job finds the movies to rewrite in
-- movie_stats alone (narrow rows, no index on it: the counters' updates
-- stay HOT).
ALTER TABLE movie_stats ADD COLUMN rating_listed real;
UPDATE movie_stats s SET rating_listed = m.rating FROM movies m
WHERE m.id = s.movie_id AND m.rating IS NOT NULL;

CREATE OR REPLACE FUNCTION ratings_counted() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	-- a bulk load (marquee import movielens) recounts its movies at the
	-- end, holding their rows locked, instead of a million row updates
	IF current_setting('marquee.bulk', true) = 'on' THEN
		RETURN NULL;
	END IF;
	UPDATE movie_stats SET
		ratings_count = ratings_count + CASE TG_OP WHEN 'INSERT' THEN 1
							 WHEN 'DELETE' THEN -1 ELSE 0 END,
		ratings_sum = ratings_sum + CASE TG_OP WHEN 'DELETE' THEN 0 ELSE NEW.rating END
					  - CASE TG_OP WHEN 'INSERT' THEN 0 ELSE OLD.rating END
	WHERE movie_id = CASE TG_OP WHEN 'DELETE' THEN OLD.movie_id ELSE NEW.movie_id END;
	RETURN NULL;
END $$;

DROP FUNCTION movie_rating_refresh(bigint, integer, numeric);

-- Bulk loads set both at once, as before (the job has nothing to do).
CREATE OR REPLACE FUNCTION movie_ratings_recount(ids bigint[]) RETURNS SETOF bigint
	LANGUAGE sql AS $$
	WITH c AS (SELECT t.id, count(r.movie_id)::integer AS n, coalesce(sum(r.rating), 0) AS total
		   FROM unnest(ids) AS t (id) LEFT JOIN ratings r ON r.movie_id = t.id GROUP BY t.id),
	s AS (UPDATE movie_stats s SET ratings_count = c.n, ratings_sum = c.total,
				       rating_listed = movie_rating(c.n, c.total) FROM c
	      WHERE s.movie_id = c.id
		AND (s.ratings_count, s.ratings_sum, s.rating_listed)
		    IS DISTINCT FROM (c.n, c.total, movie_rating(c.n, c.total))
	      RETURNING s.movie_id),
	m AS (UPDATE movies m SET rating = movie_rating(c.n, c.total) FROM c
	      WHERE m.id = c.id AND m.rating IS DISTINCT FROM movie_rating(c.n, c.total))
	SELECT movie_id FROM s
$$;

-- Up to lim movies whose average moved since it was last listed: their
-- movies.rating set to it; returns how many were found.  Rows a vote
-- holds right now are skipped (SKIP LOCKED: the next run takes them), and
-- the job commits each batch, so a vote waits at most for one batch of
-- rows it happens to share.  A movie whose rating already says so (a
-- bulk load set it) is not written again.
CREATE FUNCTION movie_ratings_list(lim integer) RETURNS integer
	LANGUAGE sql AS $$
	WITH c AS (SELECT movie_id, movie_rating(ratings_count, ratings_sum) AS r FROM movie_stats
		   WHERE rating_listed IS DISTINCT FROM movie_rating(ratings_count, ratings_sum)
		   LIMIT lim FOR NO KEY UPDATE SKIP LOCKED),
	m AS (UPDATE movies m SET rating = c.r FROM c
	      WHERE m.id = c.movie_id AND m.rating IS DISTINCT FROM c.r),
	s AS (UPDATE movie_stats s SET rating_listed = c.r FROM c WHERE s.movie_id = c.movie_id)
	SELECT count(*)::integer FROM c
$$;

-- ---- the provisional check of the feed's triggers ----
-- A PL/pgSQL function keeps its statements' plans for the session; the
-- SQL one it replaces (never inlined: it holds a subquery) was parsed and
-- planned again by every vote, favorite and list item.
CREATE OR REPLACE FUNCTION movie_is_public(movie bigint) RETURNS boolean
	LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM movies WHERE id = movie AND provisional_by IS NULL);
END $$;

-- Performance of the database paths (issue 14).
--
-- ---- A movie's statistics in a narrow table ----
-- Every rating, favorite, watchlist entry and review added its delta to
-- the movie's row: a row of some 30 columns (the overview, the full-text
-- document, arrays) under 20 indexes, and as rating (an indexed column)
-- changed, every such update was a new version of the whole row with an
-- entry in each of the 20 indexes.  The counters now live in
-- movie_stats, a row of a few numbers per movie under one index (its key,
-- which no update changes), with room left on every page (fillfactor) so
-- that an update is a heap-only tuple (HOT): a new version beside the old
-- on the same page, and no index written at all.
--
-- movies keeps rating, the average to two places (what every answer
-- shows), for the lists to filter and order on with their indexes; a
-- rating writes it only when that shown value changes, which for a movie
-- with a few hundred ratings is a vote in several.  Statistics are still
-- exact, in the transaction of the change, under the lock of the
-- movie's movie_stats row, which serialises a movie's writers as the
-- movies row did.
CREATE TABLE movie_stats (
	movie_id bigint PRIMARY KEY REFERENCES movies ON DELETE CASCADE,
	ratings_count integer NOT NULL DEFAULT 0 CHECK (ratings_count >= 0),
	ratings_sum numeric(14, 1) NOT NULL DEFAULT 0 CHECK (ratings_sum >= 0),
	favorites_count integer NOT NULL DEFAULT 0 CHECK (favorites_count >= 0),
	watchlist_count integer NOT NULL DEFAULT 0 CHECK (watchlist_count >= 0),
	reviews_count integer NOT NULL DEFAULT 0 CHECK (reviews_count >= 0)
) WITH (fillfactor = 50);
ALTER TABLE movie_stats SET (autovacuum_vacuum_scale_factor = 0.02);

INSERT INTO movie_stats (movie_id, ratings_count, ratings_sum, favorites_count, watchlist_count,
			 reviews_count)
SELECT id, ratings_count, ratings_sum, favorites_count, watchlist_count, reviews_count FROM movies;

-- The average as shown: to two places, NULL without ratings.
CREATE FUNCTION movie_rating(n integer, total numeric) RETURNS real
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN n > 0 THEN round(total / n, 2)::real END;

ALTER TABLE movies DROP COLUMN rating, DROP COLUMN ratings_count, DROP COLUMN ratings_sum,
	DROP COLUMN favorites_count, DROP COLUMN watchlist_count, DROP COLUMN reviews_count;
ALTER TABLE movies ADD COLUMN rating real CHECK (rating BETWEEN 0.5 AND 5);
UPDATE movies m SET rating = movie_rating(s.ratings_count, s.ratings_sum)
FROM movie_stats s WHERE s.movie_id = m.id AND s.ratings_count > 0;
CREATE INDEX movies_rating ON movies (rating, id);
CREATE INDEX movies_rating_desc ON movies (rating DESC NULLS LAST, id DESC);

-- Every movie has its row, from its insert on (bulk loads included: one
-- statement per chunk), and loses it with the movie.
CREATE FUNCTION movie_stats_rows() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO movie_stats (movie_id) SELECT id FROM new_rows ORDER BY id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;

CREATE TRIGGER movies_stats_rows AFTER INSERT ON movies
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION movie_stats_rows();

-- Favorites, the watchlist, reviews: one counter of movie_stats, named
-- by the trigger's argument (fixed here, never input).
CREATE OR REPLACE FUNCTION movie_count_follows() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('UPDATE movie_stats SET %1$I = %1$I + $1 WHERE movie_id = $2', TG_ARGV[0])
	USING CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END,
	      CASE TG_OP WHEN 'INSERT' THEN NEW.movie_id ELSE OLD.movie_id END;
	RETURN NULL;
END $$;

-- Sets the sortable rating of movie to what its statistics say, when it
-- differs: the only write of the movies row a rating makes.
CREATE FUNCTION movie_rating_refresh(movie bigint, n integer, total numeric) RETURNS void
	LANGUAGE sql AS $$
	UPDATE movies SET rating = movie_rating(n, total)
	WHERE id = movie AND rating IS DISTINCT FROM movie_rating(n, total)
$$;

CREATE OR REPLACE FUNCTION ratings_counted() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	movie bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.movie_id ELSE NEW.movie_id END;
	n integer;
	total numeric;
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
	WHERE movie_id = movie
	RETURNING ratings_count, ratings_sum INTO n, total;
	IF FOUND THEN		-- (not when the movie itself is being deleted)
		PERFORM movie_rating_refresh(movie, n, total);
	END IF;
	RETURN NULL;
END $$;

-- The statistics of movies recounted from their ratings (bulk loads).
CREATE FUNCTION movie_ratings_recount(ids bigint[]) RETURNS SETOF bigint
	LANGUAGE sql AS $$
	WITH c AS (SELECT t.id, count(r.movie_id)::integer AS n, coalesce(sum(r.rating), 0) AS total
		   FROM unnest(ids) AS t (id) LEFT JOIN ratings r ON r.movie_id = t.id GROUP BY t.id),
	s AS (UPDATE movie_stats s SET ratings_count = c.n, ratings_sum = c.total FROM c
	      WHERE s.movie_id = c.id AND (s.ratings_count, s.ratings_sum) IS DISTINCT FROM (c.n, c.total)
	      RETURNING s.movie_id),
	m AS (UPDATE movies m SET rating = movie_rating(c.n, c.total) FROM c
	      WHERE m.id = c.id AND m.rating IS DISTINCT FROM movie_rating(c.n, c.total))
	SELECT movie_id FROM s
$$;

-- ---- Title search, and deep pages of the default ordering ----
-- title= walked the popularity index and, for each movie, read its wide
-- row (a page of the heap each, ~1.5 kB a row) to fold its title
-- (unaccent) and compare: at 100,000 movies ?title=harbor read 1,170
-- pages for its 21 matches, ?title=zürich 3,800, from disk once the
-- table outgrows shared_buffers.  The folded title is now a stored
-- column, and the index of the default ordering carries it (and
-- provisional_by), so the same walk is an index-only scan: 13 and 35
-- pages (docs/performance.md).  Its trigram and prefix indexes are on
-- the column.  The deep pages of the default ordering (page=400: the
-- 8,000 rows before the page) are index-only too.
ALTER TABLE movies ADD COLUMN title_fold text GENERATED ALWAYS AS (search_fold(title)) STORED;
DROP INDEX movies_title_trgm;
DROP INDEX movies_title_prefix;
DROP INDEX movies_popularity;
CREATE INDEX movies_title_trgm ON movies USING gin (title_fold gin_trgm_ops);
-- (as in 0003: LIKE '%word%' is estimated from the column's histogram)
ALTER TABLE movies ALTER COLUMN title_fold SET STATISTICS 1000;
CREATE INDEX movies_title_prefix ON movies (title_fold text_pattern_ops);
CREATE INDEX movies_popularity ON movies (popularity, id) INCLUDE (title_fold, provisional_by);
-- An index-only scan reads the heap for every page whose rows changed
-- since the last vacuum (the visibility map): vacuum movies after 1% of
-- its rows changed, not the default 20% (200,000 of a million), so that
-- the ratings that move an average keep few pages out of it.
ALTER TABLE movies SET (autovacuum_vacuum_scale_factor = 0.01);

-- ---- Bulk loads ----
-- (marquee import movielens writes the derived columns of the films it
-- adds in their INSERT: movies_refresh() rewrote each of them a second
-- time, every index and the full-text document again, 0.8 ms a film at
-- 100,000 (docs/performance.md); it now refreshes only the films already
-- there that changed.)

-- Issue 14, bulk loads: a million MovieLens films into an empty catalog
-- (`marquee import movielens`, bench/import) spent most of its time in
-- the films' INSERT; EXPLAIN (ANALYZE, BUFFERS) with auto_explain showed
-- two costs of it here (docs/performance.md, "Bulk loads").

-- The counts of a statement's new or deleted movies: grouped where they
-- are read.  movie_counts_add() took them as two arrays of every key of
-- every movie (3.9 million 'dimension:value' strings for a million
-- films), unnested them and split each string again: 3.5 s of the 7.4 s
-- the trigger took.  The same counts, added under the same lock; the
-- keys still in one order (no two writers run at once anyway: the
-- advisory lock).  Updates of one row keep movie_counts_add().
CREATE OR REPLACE FUNCTION movies_counted() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	-- One writer of counts at a time, whatever order its statements lock
	-- the rows of movie_counts in (a DELETE locks them all at once, an
	-- edit a few per statement): the alternative is deadlocks.  Writers
	-- of the catalog are few; readers never take it.
	PERFORM pg_advisory_xact_lock(7263427352);
	IF TG_OP = 'INSERT' THEN
		INSERT INTO movie_counts AS c (dimension, value, n)
		SELECT k.dimension, k.value, count(*) FROM new_rows r, movie_count_keys(r) k
		GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT (dimension, value) DO UPDATE SET n = c.n + excluded.n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO movie_counts AS c (dimension, value, n)
		SELECT k.dimension, k.value, -count(*) FROM old_rows r, movie_count_keys(r) k
		GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT (dimension, value) DO UPDATE SET n = c.n + excluded.n;
	ELSE
		PERFORM movie_counts_add(array_agg(k.dimension || ':' || k.value), array_agg(k.d))
		FROM (SELECT o.*, -1::bigint AS d FROM movie_count_keys(OLD) o
		      UNION ALL SELECT n.*, 1 FROM movie_count_keys(NEW) n) k;
	END IF;
	RETURN NULL;
END $$;

-- The weighted words of one title, the first part of movie_document():
-- a film whose original title is its title (every film MovieLens gives
-- without an "(a.k.a. ...)") and that has no keywords or overview yet
-- has movie_document(t, t, '', '') = movie_title_document(t) twice over
-- (||: the second copy's positions after the first's, the empty parts
-- adding nothing), which the importer computes once instead of twice:
-- 5.8 s of the documents of a million films become 3.8 s.
-- t/db/movie_derived.sql holds the two equal.
CREATE FUNCTION movie_title_document(title text) RETURNS tsvector
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN setweight(to_tsvector('english', unaccent('unaccent', title)), 'A');

-- movies_derive, a PL/pgSQL call for each film inserted: in a bulk load
-- a film without a release date has nothing of it to derive (its year is
-- the loader's, its document too), and a million calls of it took 1.1 s.
-- Inserts now skip it there by their WHEN; updates call it as before (a
-- date taken away takes its year).
DROP TRIGGER movies_derive ON movies;
CREATE TRIGGER movies_derive
	BEFORE UPDATE OF title, original_title, overview, release_date, keyword_ids
	ON movies FOR EACH ROW EXECUTE FUNCTION movies_derive();
CREATE TRIGGER movies_derive_new
	BEFORE INSERT ON movies
	FOR EACH ROW WHEN (NEW.release_date IS NOT NULL OR bulk_load() IS NOT TRUE)
	EXECUTE FUNCTION movies_derive();

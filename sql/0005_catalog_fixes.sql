-- Catalog fixes from review: wildcards taken literally in title=, the year
-- cleared with its date, counts kept without deadlocks, and the demo
-- catalog remembering what it generated.

-- A LIKE pattern's wildcards taken literally; applied after search_fold,
-- which turns full-width ％ and ＿ into % and _.
CREATE FUNCTION like_escape(t text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	RETURN replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_');

CREATE OR REPLACE FUNCTION movies_derive() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.release_date IS NOT NULL THEN
		NEW.year := extract(year FROM NEW.release_date);
	ELSIF TG_OP = 'UPDATE' AND OLD.release_date IS NOT NULL THEN
		NEW.year := NULL;	/* the date that gave the year is gone */
	END IF;
	IF current_setting('marquee.bulk', true) IS DISTINCT FROM 'on' THEN
		NEW.search := movie_document(NEW.title, NEW.original_title,
					     keyword_names(NEW.keyword_ids), NEW.overview);
	END IF;
	RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION movies_counted() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	-- One writer of counts at a time, whatever order its statements lock
	-- the rows of movie_counts in (a DELETE locks them all at once, an
	-- edit a few per statement): the alternative is deadlocks.  Writers
	-- of the catalog are few; readers never take it.
	PERFORM pg_advisory_xact_lock(7263427352);
	IF TG_OP = 'INSERT' THEN
		PERFORM movie_counts_add(array_agg(k.dimension || ':' || k.value), array_agg(1::bigint))
		FROM new_rows r, movie_count_keys(r) k;
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM movie_counts_add(array_agg(k.dimension || ':' || k.value), array_agg(-1::bigint))
		FROM old_rows r, movie_count_keys(r) k;
	ELSE
		PERFORM movie_counts_add(array_agg(k.dimension || ':' || k.value), array_agg(k.d))
		FROM (SELECT o.*, -1::bigint AS d FROM movie_count_keys(OLD) o
		      UNION ALL SELECT n.*, 1 FROM movie_count_keys(NEW) n) k;
	END IF;
	RETURN NULL;
END $$;

-- (release_date: year follows it in a BEFORE trigger, which UPDATE OF
-- does not see)
DROP TRIGGER movies_recounted ON movies;
CREATE TRIGGER movies_recounted
	AFTER UPDATE OF year, release_date, original_language, genre_ids ON movies
	FOR EACH ROW WHEN ((OLD.year, OLD.original_language, OLD.genre_ids)
			   IS DISTINCT FROM (NEW.year, NEW.original_language, NEW.genre_ids))
	EXECUTE FUNCTION movies_counted();

-- How many films `marquee demo-data` generated for each seed: it adds
-- films from the next number on, so a film deleted stays deleted.
CREATE TABLE demo_catalog (
	seed bigint PRIMARY KEY,
	generated bigint NOT NULL CHECK (generated >= 0)
);

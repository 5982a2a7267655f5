-- Regions (issue 18): a movie's release dates and certifications per
-- region, as TMDb's release_dates say, for ?region= and the user's saved
-- region (users.region, sql/0002).
--
-- movie_release_dates (sql/0023, the calendar's theatrical and digital
-- dates) now keeps every one of TMDb's six release types, the earliest
-- date of each per region, with its certification (the first one TMDb
-- gives for that type, by date) and note.  movie_region_releases is
-- derived from it, one row per movie and region: the region's release
-- date (the earliest theatrical one, limited or wide; else the earliest
-- digital, physical or TV one; else the premiere) and its certification
-- (the theatrical one's, else that of the first type that has one, in
-- the order theatrical, limited, digital, physical, TV, premiere).  Lists
-- join it on its primary key; trending and recommended rank what it says
-- is out in the region (release_date <= today) first.
--
-- Both are written by release_dates_store(), called by the TMDb import
-- (GET /movie/{id}?append_to_response=release_dates) and by `marquee
-- watch refresh`.  Rows of before this migration have no certification
-- nor the other types until the movie is imported or refreshed again.

ALTER TABLE movie_release_dates DROP CONSTRAINT movie_release_dates_kind_check;
ALTER TABLE movie_release_dates ADD CONSTRAINT movie_release_dates_kind_check
	CHECK (kind IN ('premiere', 'theatrical_limited', 'theatrical', 'digital', 'physical', 'tv'));
ALTER TABLE movie_release_dates
	ADD COLUMN certification text CHECK (length(certification) BETWEEN 1 AND 20),
	ADD COLUMN note text CHECK (length(note) BETWEEN 1 AND 200);

CREATE TABLE movie_region_releases (
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	region text NOT NULL CHECK (region ~ '^[A-Z]{2}$'),
	release_date date NOT NULL,
	certification text CHECK (length(certification) BETWEEN 1 AND 20),
	PRIMARY KEY (movie_id, region)
);

-- TMDb's release type (1..6) as a kind, NULL for anything else.
CREATE FUNCTION release_kind(type text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT (ARRAY['premiere', 'theatrical_limited', 'theatrical', 'digital', 'physical', 'tv'])
	       [CASE WHEN type ~ '^[1-6]$' THEN type::int END]
$$;

-- A kind's place when a region's certification is chosen (lowest first).
CREATE FUNCTION release_kind_rank(kind text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
	SELECT array_position(ARRAY['theatrical', 'theatrical_limited', 'digital', 'physical', 'tv',
	                            'premiere'], kind)
$$;

-- A string of TMDb's, trimmed; NULL for an empty one or anything else.
CREATE FUNCTION tmdb_text(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN nullif(btrim(v #>> '{}'), '') END
$$;

-- The well-formed entries of TMDb's GET /movie/{id}/release_dates answer
-- (or of the release_dates appended to GET /movie/{id}); a certification
-- longer than 20 characters is none, a note is cut at 200.
CREATE FUNCTION release_dates_of(doc jsonb)
RETURNS TABLE (region text, kind text, day date, certification text, note text)
LANGUAGE sql IMMUTABLE AS $$
	SELECT r ->> 'iso_3166_1', release_kind(d ->> 'type'),
	       tmdb_date(substr(d ->> 'release_date', 1, 10)),
	       CASE WHEN length(tmdb_text(d -> 'certification')) <= 20
	            THEN tmdb_text(d -> 'certification') END,
	       left(tmdb_text(d -> 'note'), 200)
	FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'results') = 'array'
	                               THEN doc -> 'results' ELSE '[]' END) AS r,
	     jsonb_array_elements(CASE WHEN jsonb_typeof(r -> 'release_dates') = 'array'
	                               THEN r -> 'release_dates' ELSE '[]' END) AS d
	WHERE jsonb_typeof(r) = 'object' AND (r ->> 'iso_3166_1') ~ '^[A-Z]{2}$'
	  AND jsonb_typeof(d) = 'object' AND jsonb_typeof(d -> 'type') = 'number'
	  AND release_kind(d ->> 'type') IS NOT NULL
	  AND jsonb_typeof(d -> 'release_date') = 'string'
	  AND tmdb_date(substr(d ->> 'release_date', 1, 10)) IS NOT NULL
$$;

-- Writes movie_region_releases of movie from its movie_release_dates.
CREATE FUNCTION region_releases_derive(movie bigint) RETURNS void LANGUAGE sql AS $$
	DELETE FROM movie_region_releases WHERE movie_id = movie;
	INSERT INTO movie_region_releases (movie_id, region, release_date, certification)
	SELECT movie, region,
	       (array_agg(release_date ORDER BY CASE WHEN kind IN ('theatrical', 'theatrical_limited')
	                                             THEN 0 WHEN kind = 'premiere' THEN 2 ELSE 1 END,
	                                        release_date))[1],
	       (array_agg(certification ORDER BY release_kind_rank(kind))
	            FILTER (WHERE certification IS NOT NULL))[1]
	FROM movie_release_dates WHERE movie_id = movie GROUP BY region;
$$;

-- Stores a movie's release dates from TMDb's answer, replacing what was
-- known: the earliest date of each type per region, its certification
-- and note (see the top); returns how many.
CREATE OR REPLACE FUNCTION release_dates_store(movie bigint, doc jsonb) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	PERFORM 1 FROM movies WHERE id = movie FOR KEY SHARE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	DELETE FROM movie_release_dates WHERE movie_id = movie;
	INSERT INTO movie_release_dates (movie_id, region, kind, release_date, certification, note)
	SELECT movie, e.region, e.kind, min(e.day),
	       (array_agg(e.certification ORDER BY e.day) FILTER (WHERE e.certification IS NOT NULL))[1],
	       (array_agg(e.note ORDER BY e.day, e.note IS NULL, e.note))[1]
	FROM release_dates_of(doc) AS e GROUP BY e.region, e.kind;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM region_releases_derive(movie);
	INSERT INTO movie_watch_fetched (movie_id, release_dates_at) VALUES (movie, now())
	ON CONFLICT (movie_id) DO UPDATE SET release_dates_at = now();
	RETURN n;
END
$$;

-- The same, saying whether what a region shows of the movie changed (its
-- cached responses are then stale).
CREATE FUNCTION release_dates_refresh(movie bigint, doc jsonb, OUT n int, OUT changed boolean)
LANGUAGE plpgsql AS $$
DECLARE
	before text;
BEGIN
	SELECT string_agg(concat_ws('|', region, kind, release_date, certification, note), ','
	                  ORDER BY region, kind) INTO before
	FROM movie_release_dates WHERE movie_id = movie;
	n := release_dates_store(movie, doc);
	SELECT before IS DISTINCT FROM string_agg(concat_ws('|', region, kind, release_date,
	                                                    certification, note), ','
	                                          ORDER BY region, kind) INTO changed
	FROM movie_release_dates WHERE movie_id = movie;
END
$$;

-- What is there already.
SELECT region_releases_derive(movie_id) FROM (SELECT DISTINCT movie_id FROM movie_release_dates) m;

-- Movies imported from TMDb: the media and translations that came from
-- TMDb (a refresh updates those, never what an administrator added or
-- wrote), when each movie was last read from TMDb and last asked for (the
-- refresh takes the longest unasked first, so that a movie TMDb no longer
-- has or whose data we refuse does not come first every night), and the
-- upsert of a movie from TMDb's document, in one statement so that an
-- import is atomic and concurrent imports of one id make one movie.

ALTER TABLE movie_media ADD COLUMN from_tmdb boolean NOT NULL DEFAULT false;
-- a translation TMDb gave, until an administrator writes it
ALTER TABLE movie_translations ADD COLUMN from_tmdb boolean NOT NULL DEFAULT false;
-- TMDb's media an administrator deleted (item: an image's path, or
-- "site:key" of a video): a refresh does not bring them back
CREATE TABLE movie_media_dismissed (
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	kind text NOT NULL,
	item text NOT NULL,
	PRIMARY KEY (movie_id, kind, item)
);
ALTER TABLE movies ADD COLUMN tmdb_synced_at timestamptz;
ALTER TABLE movies ADD COLUMN tmdb_checked_at timestamptz;
CREATE INDEX movies_tmdb_checked ON movies (tmdb_checked_at NULLS FIRST, id) WHERE tmdb_id IS NOT NULL;

-- TMDb's document is read, never trusted: each of these gives NULL for a
-- member that is absent, of another type, or out of range, so that odd
-- data leaves a field empty instead of failing the import.

-- The elements of doc.key when it is an array (none otherwise).
CREATE FUNCTION tmdb_array(doc jsonb, key text) RETURNS SETOF jsonb
	LANGUAGE sql IMMUTABLE AS $$
	SELECT e FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> key) = 'array'
						THEN doc -> key ELSE '[]' END) e
$$;

-- doc.key when it is a non-empty string, cut to n characters.
CREATE FUNCTION tmdb_text(doc jsonb, key text, n integer) RETURNS text
	LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(doc -> key) = 'string' AND doc ->> key <> ''
		    THEN left(doc ->> key, n) END
$$;

-- doc.key when it is a number from lo to hi, rounded to 4 decimals: a
-- value such as 1e-50 is in range but below what a real column holds
-- (22003 on the cast), and no column keeps more decimals.
CREATE FUNCTION tmdb_number(doc jsonb, key text, lo numeric, hi numeric) RETURNS numeric
	LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(doc -> key) = 'number' AND (doc ->> key)::numeric BETWEEN lo AND hi
		    THEN round((doc ->> key)::numeric, 4) END
$$;

-- A real date written YYYY-MM-DD within the catalog's years.
CREATE FUNCTION tmdb_date(s text) RETURNS date
	LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF s ~ '^\d{4}-\d{2}-\d{2}$' AND s::date BETWEEN '1870-01-01' AND '2100-12-31' THEN
		RETURN s::date;
	END IF;
	RETURN NULL;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
	RETURN NULL;
END $$;

-- An image path as TMDb writes them ("/abc.jpg").
CREATE FUNCTION tmdb_image_path(s text) RETURNS text
	LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN s ~ '^/[A-Za-z0-9_-]{1,100}\.(jpg|jpeg|png|webp)$' THEN s END
$$;

-- The movie of TMDb's document doc (GET /movie/{id} with keywords,
-- images, videos, external_ids and translations appended): inserted, or
-- updated when its TMDb id is known.  A movie known only by its IMDb id
-- (MovieLens, or added by hand) becomes this one.  Genres and keywords
-- are added (never removed: an administrator's stay); TMDb's media and
-- translations are brought up to date, never what an administrator wrote
-- or chose (see tmdb_movie_media() and tmdb_movie_translations()).  inserted: the movie is new.  refresh: only
-- update a movie the catalog has; movie is NULL when it is gone (an
-- administrator deleted it after the refresh read its id).
CREATE FUNCTION tmdb_movie_upsert(doc jsonb, refresh boolean, OUT movie bigint, OUT inserted boolean)
	LANGUAGE plpgsql AS $$
DECLARE
	tid integer := tmdb_number(doc, 'id', 1, 2147483647)::integer;
	imdb text := coalesce(tmdb_text(doc -> 'external_ids', 'imdb_id', 20), tmdb_text(doc, 'imdb_id', 20));
	poster text := tmdb_image_path(tmdb_text(doc, 'poster_path', 300));
	backdrop text := tmdb_image_path(tmdb_text(doc, 'backdrop_path', 300));
	title text := coalesce(tmdb_text(doc, 'title', 300), tmdb_text(doc, 'original_title', 300));
BEGIN
	IF tid IS NULL OR title IS NULL THEN
		RAISE EXCEPTION 'not a TMDb movie: no id or title' USING ERRCODE = 'data_exception';
	END IF;
	IF imdb !~ '^tt[0-9]{7,10}$' THEN
		imdb := NULL;
	END IF;
	-- Two TMDb ids with one IMDb id imported at once would both find no
	-- movie with it and both insert it (23505): one waits for the other,
	-- and its statements below see the other's movie.  Taken before the
	-- movie's row lock, as every import does, so they cannot deadlock.
	IF imdb IS NOT NULL THEN
		PERFORM pg_advisory_xact_lock(hashtext('tmdb_movie_upsert:' || imdb));
	END IF;
	IF refresh THEN
		PERFORM 1 FROM movies WHERE tmdb_id = tid FOR UPDATE;
		IF NOT FOUND THEN
			RETURN;
		END IF;
	END IF;
	-- Not when another movie has the TMDb id already (imported before TMDb
	-- knew the IMDb id): that one stays TMDb's, this one keeps its IMDb id.
	UPDATE movies SET tmdb_id = tid WHERE imdb_id = imdb AND tmdb_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM movies WHERE tmdb_id = tid);
	IF EXISTS (SELECT 1 FROM movies WHERE imdb_id = imdb AND tmdb_id IS DISTINCT FROM tid) THEN
		imdb := NULL;	-- another movie has it: TMDb's data disagrees with ours
	END IF;
	INSERT INTO movies AS m (tmdb_id, imdb_id, source, title, original_title, overview, tagline,
				 release_date, runtime, original_language, status, popularity,
				 poster_path, backdrop_path, tmdb_synced_at, tmdb_checked_at)
	VALUES (tid, imdb, 'tmdb', title, coalesce(tmdb_text(doc, 'original_title', 300), title),
		coalesce(tmdb_text(doc, 'overview', 5000), ''), coalesce(tmdb_text(doc, 'tagline', 500), ''),
		tmdb_date(doc ->> 'release_date'), tmdb_number(doc, 'runtime', 1, 1000),
		substring(tmdb_text(doc, 'original_language', 2) FROM '^[a-z]{2}$'),
		CASE WHEN doc ->> 'status' IN ('Rumored', 'Planned', 'In Production', 'Post Production',
					       'Released', 'Canceled')
		     THEN doc ->> 'status' ELSE 'Released' END,
		coalesce(tmdb_number(doc, 'popularity', 0, 1000000), 0), poster, backdrop, now(), now())
	ON CONFLICT (tmdb_id) DO UPDATE SET
		imdb_id = coalesce(excluded.imdb_id, m.imdb_id), title = excluded.title,
		original_title = excluded.original_title, overview = excluded.overview,
		tagline = excluded.tagline, release_date = excluded.release_date,
		runtime = excluded.runtime, original_language = excluded.original_language,
		status = excluded.status, popularity = excluded.popularity,
		poster_path = coalesce(excluded.poster_path, m.poster_path),
		backdrop_path = coalesce(excluded.backdrop_path, m.backdrop_path),
		tmdb_synced_at = now(), tmdb_checked_at = now(), updated_at = now()
	RETURNING m.id, m.xmax = 0 INTO movie, inserted;

	PERFORM tmdb_movie_links(movie, doc);
	PERFORM tmdb_movie_media(movie, doc, poster, backdrop);
	PERFORM tmdb_movie_translations(movie, doc, title);
END $$;

-- Genres (TMDb's ids are kept in genres.tmdb_id) and keywords (at most 50).
CREATE FUNCTION tmdb_movie_links(mid bigint, doc jsonb) RETURNS void
	LANGUAGE sql AS $$
	INSERT INTO movie_genres (movie_id, genre_id)
	SELECT mid, g.id FROM genres g
	WHERE g.tmdb_id IN (SELECT tmdb_number(e, 'id', 1, 2147483647) FROM tmdb_array(doc, 'genres') e)
	ON CONFLICT DO NOTHING;
	INSERT INTO keywords (tmdb_id, name)
	SELECT DISTINCT ON (lower(k.name)) k.tid, k.name
	FROM (SELECT tmdb_number(e, 'id', 1, 2147483647) AS tid, tmdb_text(e, 'name', 100) AS name
	      FROM tmdb_array(doc -> 'keywords', 'keywords') e LIMIT 50) k
	WHERE k.name IS NOT NULL
	ON CONFLICT DO NOTHING;
	-- by name, or by TMDb's id when TMDb renamed a keyword we have
	INSERT INTO movie_keywords (movie_id, keyword_id)
	SELECT mid, k.id FROM keywords k
	WHERE lower(k.name) IN (SELECT lower(tmdb_text(e, 'name', 100))
				FROM tmdb_array(doc -> 'keywords', 'keywords') e LIMIT 50)
	   OR k.tmdb_id IN (SELECT tmdb_number(e, 'id', 1, 2147483647)
			    FROM tmdb_array(doc -> 'keywords', 'keywords') e LIMIT 50)
	ON CONFLICT DO NOTHING;
$$;

-- Posters and backdrops (TMDb's paths, not downloaded: [tmdb]
-- image_base_url serves them): at most 5 of each.
CREATE FUNCTION tmdb_images(doc jsonb) RETURNS TABLE (kind text, path text, lang text)
	LANGUAGE sql IMMUTABLE AS $$
	SELECT DISTINCT ON (y.kind, y.path) y.* FROM (
		(SELECT 'poster' AS kind, tmdb_image_path(e ->> 'file_path') AS path,
			substring(e ->> 'iso_639_1' FROM '^[a-z]{2}$') AS lang
		 FROM tmdb_array(doc -> 'images', 'posters') e LIMIT 5)
		UNION ALL
		(SELECT 'backdrop', tmdb_image_path(e ->> 'file_path'),
			substring(e ->> 'iso_639_1' FROM '^[a-z]{2}$')
		 FROM tmdb_array(doc -> 'images', 'backdrops') e LIMIT 5)) y
	WHERE y.path IS NOT NULL
$$;

-- Trailers and clips on YouTube or Vimeo: at most 10.
CREATE FUNCTION tmdb_videos(doc jsonb) RETURNS TABLE (kind text, site text, key text, lang text)
	LANGUAGE sql IMMUTABLE AS $$
	SELECT DISTINCT ON (e ->> 'site', e ->> 'key')
	       CASE e ->> 'type' WHEN 'Trailer' THEN 'trailer' ELSE 'clip' END,
	       e ->> 'site', e ->> 'key', substring(e ->> 'iso_639_1' FROM '^[a-z]{2}$')
	FROM tmdb_array(doc -> 'videos', 'results') e
	WHERE e ->> 'site' IN ('YouTube', 'Vimeo') AND e ->> 'key' ~ '^[A-Za-z0-9_-]{1,64}$'
	  AND e ->> 'type' IN ('Trailer', 'Teaser', 'Clip')
	LIMIT 10
$$;

-- The movie's media from TMDb.  Those TMDb still lists stay as they are,
-- so that an administrator's choice of primary (and of language) stays;
-- those it no longer lists go; new ones are added.  The movie's own
-- poster and backdrop are the primary ones, unless the movie has a
-- primary of that kind already.  An item from TMDb an administrator
-- deleted (movie_media_dismissed) is not added again.
CREATE FUNCTION tmdb_movie_media(mid bigint, doc jsonb, poster text, backdrop text) RETURNS void
	LANGUAGE sql AS $$
	DELETE FROM movie_media m WHERE m.movie_id = mid AND m.from_tmdb
	   AND NOT EXISTS (SELECT 1 FROM tmdb_images(doc) x WHERE x.kind = m.kind AND x.path = m.file_path)
	   AND NOT EXISTS (SELECT 1 FROM tmdb_videos(doc) v
			   WHERE v.kind = m.kind AND v.site = m.site AND v.key = m.video_key);
	INSERT INTO movie_media (movie_id, kind, file_path, language, is_primary, from_tmdb)
	SELECT mid, x.kind, x.path, x.lang,
	       x.path IS NOT DISTINCT FROM CASE x.kind WHEN 'poster' THEN poster ELSE backdrop END
	       AND NOT EXISTS (SELECT 1 FROM movie_media p
			       WHERE p.movie_id = mid AND p.kind = x.kind AND p.is_primary),
	       true
	FROM tmdb_images(doc) x
	WHERE NOT EXISTS (SELECT 1 FROM movie_media m
			  WHERE m.movie_id = mid AND m.kind = x.kind AND m.file_path = x.path)
	  AND NOT EXISTS (SELECT 1 FROM movie_media_dismissed d
			  WHERE d.movie_id = mid AND d.kind = x.kind AND d.item = x.path);
	INSERT INTO movie_media (movie_id, kind, site, video_key, language, from_tmdb)
	SELECT mid, v.kind, v.site, v.key, v.lang, true
	FROM tmdb_videos(doc) v
	WHERE NOT EXISTS (SELECT 1 FROM movie_media m
			  WHERE m.movie_id = mid AND m.kind = v.kind AND m.site = v.site
			    AND m.video_key = v.key)
	  AND NOT EXISTS (SELECT 1 FROM movie_media_dismissed d
			  WHERE d.movie_id = mid AND d.kind = v.kind AND d.item = v.site || ':' || v.key);
	-- the movie's poster and backdrop follow its primary ones, as when an
	-- administrator chooses them
	UPDATE movies m SET
		poster_path = coalesce((SELECT p.file_path FROM movie_media p WHERE p.movie_id = mid
					AND p.kind = 'poster' AND p.is_primary), m.poster_path),
		backdrop_path = coalesce((SELECT p.file_path FROM movie_media p WHERE p.movie_id = mid
					  AND p.kind = 'backdrop' AND p.is_primary), m.backdrop_path)
	WHERE m.id = mid;
$$;

-- Translations, under language-REGION ("fr-FR") and, for the region
-- named like the language (or else the first), the language alone
-- ("fr"), which is what Accept-Language: fr looks up.  A translation
-- without a title of its own keeps the movie's.  One an administrator
-- wrote is left as it is.
CREATE FUNCTION tmdb_movie_translations(mid bigint, doc jsonb, title text) RETURNS void
	LANGUAGE sql AS $$
	WITH t AS (
		SELECT e ->> 'iso_639_1' AS lang, e ->> 'iso_3166_1' AS region,
		       coalesce(tmdb_text(e -> 'data', 'title', 300), title) AS title,
		       coalesce(tmdb_text(e -> 'data', 'overview', 5000), '') AS overview,
		       coalesce(tmdb_text(e -> 'data', 'tagline', 500), '') AS tagline
		FROM tmdb_array(doc -> 'translations', 'translations') e
		WHERE e ->> 'iso_639_1' ~ '^[a-z]{2}$' AND e ->> 'iso_3166_1' ~ '^[A-Z]{2}$'
		LIMIT 200),
	both_forms AS (
		SELECT lang || '-' || region AS language, title, overview, tagline FROM t
		UNION ALL
		(SELECT DISTINCT ON (lang) lang, title, overview, tagline FROM t
		 ORDER BY lang, region = upper(lang) DESC))
	INSERT INTO movie_translations AS tr (movie_id, language, title, overview, tagline, from_tmdb)
	SELECT DISTINCT ON (language) mid, language, title, overview, tagline, true FROM both_forms
	ORDER BY language
	ON CONFLICT (movie_id, language) DO UPDATE SET
		title = excluded.title, overview = excluded.overview, tagline = excluded.tagline
	WHERE tr.from_tmdb;
$$;

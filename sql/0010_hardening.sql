-- Hardening from the penetration test of issue 12.

-- ---- Sessions (finding 6) ----
-- An access token names its session, the family of refresh tokens its
-- login started (claim "sid"), and http/auth.c checks on every request,
-- in the statement that reads the caller's role, that the session lives:
-- it has its one unspent, unrevoked token, and no revoked member (a token
-- a concurrent refresh inserted escapes a revocation's snapshot, but the
-- one it spent does not).  Logout, the reuse of a spent token and a
-- password change end its access tokens at once.  Two small partial
-- indexes make each test one probe, however long a family has grown (a
-- token per refresh, kept a week past its expiry).
CREATE INDEX refresh_tokens_live ON refresh_tokens (family)
	WHERE revoked_at IS NULL AND spent_at IS NULL;
CREATE INDEX refresh_tokens_revoked ON refresh_tokens (family) WHERE revoked_at IS NOT NULL;

-- ---- Provisional movies (finding 1) ----
-- A movie made from a user's own details (title, overview, poster) for a
-- TMDb id TMDb could not be asked about (catalog/movie_ref.c) is
-- provisional: provisional_by names its maker, who alone sees it, in
-- their own collections and its detail (administrators too); every
-- public list, search, similar, trending, count and recommendation leaves
-- it out (WHERE provisional_by IS NULL), until TMDb confirms it (any
-- import or refresh that reads it from TMDb: the trigger below) or an
-- administrator approves it (POST /api/admin/movies/{id}/approve/).  A
-- movie is never made provisional afterwards: public is for good, so a
-- check made once stays true.
ALTER TABLE movies ADD COLUMN provisional_by bigint REFERENCES users ON DELETE CASCADE;
-- a maker's quota, the administrators' queue, and their erasure
CREATE INDEX movies_provisional ON movies (provisional_by) WHERE provisional_by IS NOT NULL;

-- TMDb's data written over a provisional movie (tmdb_movie_upsert sets
-- tmdb_synced_at) confirms it: it is TMDb's now.
CREATE FUNCTION movies_confirmed() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	NEW.provisional_by := NULL;
	NEW.source := 'tmdb';
	RETURN NEW;
END $$;

CREATE TRIGGER movies_confirmed BEFORE UPDATE OF tmdb_synced_at ON movies
	FOR EACH ROW WHEN (OLD.provisional_by IS NOT NULL
			   AND NEW.tmdb_synced_at IS DISTINCT FROM OLD.tmdb_synced_at)
	EXECUTE FUNCTION movies_confirmed();

-- A provisional movie is in no count of movie_counts (the lists' counts)
-- until it is confirmed, and then it is counted.
CREATE OR REPLACE FUNCTION movie_count_keys(m movies) RETURNS TABLE (dimension text, value text)
	LANGUAGE sql IMMUTABLE AS $$
	SELECT 'all', '' WHERE m.provisional_by IS NULL
	UNION ALL SELECT 'year', m.year::text WHERE m.year IS NOT NULL AND m.provisional_by IS NULL
	UNION ALL SELECT 'language', m.original_language
		WHERE m.original_language IS NOT NULL AND m.provisional_by IS NULL
	UNION ALL SELECT 'genre', g::text FROM unnest(m.genre_ids) g WHERE m.provisional_by IS NULL
$$;

-- (tmdb_synced_at: the confirmation clears provisional_by in a BEFORE
-- trigger, which UPDATE OF does not see)
DROP TRIGGER movies_recounted ON movies;
CREATE TRIGGER movies_recounted
	AFTER UPDATE OF year, release_date, original_language, genre_ids, provisional_by, tmdb_synced_at
	ON movies
	FOR EACH ROW WHEN ((OLD.year, OLD.original_language, OLD.genre_ids, OLD.provisional_by IS NULL)
			   IS DISTINCT FROM
			   (NEW.year, NEW.original_language, NEW.genre_ids, NEW.provisional_by IS NULL))
	EXECUTE FUNCTION movies_counted();

-- Nor are its words what q= is corrected to (a title such as "FREE
-- STREAM at evil.example" would be suggested to everyone), until then.
CREATE OR REPLACE FUNCTION search_words_added() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO search_words
		SELECT DISTINCT w FROM new_rows r, unnest(tsvector_to_array(r.search)) w
		WHERE r.provisional_by IS NULL
		ON CONFLICT DO NOTHING;
	ELSIF NEW.provisional_by IS NULL THEN
		INSERT INTO search_words SELECT unnest(tsvector_to_array(NEW.search))
		ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END $$;

DROP TRIGGER movies_words_changed ON movies;
CREATE TRIGGER movies_words_changed AFTER UPDATE ON movies
	FOR EACH ROW WHEN (OLD.search IS DISTINCT FROM NEW.search
			   OR (OLD.provisional_by IS NOT NULL AND NEW.provisional_by IS NULL))
	EXECUTE FUNCTION search_words_added();

-- Only its maker's rows may name a provisional movie: another user's
-- favorite, rating, watchlist entry, history entry or list item of it is
-- refused as if the movie did not exist (23503, which the API answers
-- 404), so its id, guessed, reaches nobody else; reviews and comments,
-- which everyone reads (the trigger's argument 'public'), are refused
-- for its maker too.  Bulk loaders (marquee.bulk) write MovieLens's and
-- demo data, never such movies, and are spared the lookup.
CREATE FUNCTION provisional_movie_guard() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	maker bigint;
	who bigint;
BEGIN
	IF current_setting('marquee.bulk', true) = 'on' THEN
		RETURN NEW;
	END IF;
	SELECT provisional_by INTO maker FROM movies WHERE id = NEW.movie_id;
	IF maker IS NULL THEN
		RETURN NEW;
	END IF;
	IF TG_NARGS > 0 AND TG_ARGV[0] = 'public' THEN
		who := NULL;
	ELSIF TG_TABLE_NAME = 'list_items' THEN
		SELECT user_id INTO who FROM lists WHERE id = NEW.list_id;
	ELSE
		who := NEW.user_id;
	END IF;
	IF who IS DISTINCT FROM maker THEN
		RAISE EXCEPTION 'movie % is provisional: only the user who made it may use it', NEW.movie_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER favorites_provisional BEFORE INSERT ON favorites
	FOR EACH ROW EXECUTE FUNCTION provisional_movie_guard();
CREATE TRIGGER ratings_provisional BEFORE INSERT ON ratings
	FOR EACH ROW EXECUTE FUNCTION provisional_movie_guard();
CREATE TRIGGER watchlist_provisional BEFORE INSERT ON watchlist
	FOR EACH ROW EXECUTE FUNCTION provisional_movie_guard();
CREATE TRIGGER watch_history_provisional BEFORE INSERT ON watch_history
	FOR EACH ROW EXECUTE FUNCTION provisional_movie_guard();
CREATE TRIGGER list_items_provisional BEFORE INSERT ON list_items
	FOR EACH ROW EXECUTE FUNCTION provisional_movie_guard();
CREATE TRIGGER reviews_provisional BEFORE INSERT ON reviews
	FOR EACH ROW EXECUTE FUNCTION provisional_movie_guard('public');
CREATE TRIGGER comments_provisional BEFORE INSERT ON comments
	FOR EACH ROW EXECUTE FUNCTION provisional_movie_guard('public');

-- A provisional movie made for maker, if they may: their address is
-- confirmed (an account made for the purpose cannot squat), and they have
-- fewer than quota provisional movies.  The maker's row is locked first,
-- so that one maker's requests take turns and each count (a statement of
-- its own, with its own snapshot) sees the others' movies.  outcome:
-- 'made' (movie is the new one), 'taken' (a movie has the TMDb id: made
-- meanwhile, or another user's provisional one), 'unverified', 'quota'.
CREATE FUNCTION provisional_movie_insert(tid integer, title text, overview text, poster text,
					 maker bigint, quota integer,
					 OUT movie bigint, OUT outcome text)
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM users WHERE id = maker AND email_verified_at IS NOT NULL FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		outcome := 'unverified';
		RETURN;
	END IF;
	IF (SELECT count(*) FROM movies WHERE provisional_by = maker) >= quota THEN
		outcome := 'quota';
		RETURN;
	END IF;
	INSERT INTO movies (tmdb_id, title, original_title, overview, poster_path, provisional_by)
	VALUES (tid, title, title, coalesce(overview, ''), poster, maker)
	ON CONFLICT (tmdb_id) DO NOTHING RETURNING id INTO movie;
	outcome := CASE WHEN movie IS NULL THEN 'taken' ELSE 'made' END;
END $$;

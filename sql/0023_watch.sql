-- Where to watch, the calendar, media servers (issue 20).
--
-- watch_providers: the streaming services and stores TMDb names (its
-- provider ids; the data are JustWatch's).  movie_providers: where a
-- movie can be watched, per region and kind of offer, as TMDb last said
-- (GET /api/movies/{id}/watch-providers/ and `marquee watch refresh`
-- write it); movie_watch_fetched says when.  The movie lists filter on it
-- with available_on= (an indexed semi-join: movie_providers_streaming).
--
-- movie_release_dates: a movie's theatrical and digital release dates per
-- region (TMDb's release types 3 and 4), for the calendar feed.
--
-- user_services: the services a user has (GET/PUT /api/users/me/services/).
--
-- calendar_tokens, scrobble_secrets: the secrets in a user's calendar URL
-- and media-server webhook URLs, stored as SHA-256 (hex), one of each per
-- user; a new one replaces the old.  scrobble_events: the deliveries
-- already recorded, by a key per server event, so that a retried webhook
-- records nothing twice (pruned after 90 days by `marquee watch refresh`).

CREATE TABLE watch_providers (
	id int PRIMARY KEY CHECK (id > 0),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	logo_path text CHECK (logo_path IS NULL OR tmdb_image_path(logo_path) IS NOT NULL),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE movie_providers (
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	region text NOT NULL CHECK (region ~ '^[A-Z]{2}$'),
	provider_id int NOT NULL REFERENCES watch_providers ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('flatrate', 'free', 'ads', 'rent', 'buy')),
	display_priority int,
	PRIMARY KEY (movie_id, region, provider_id, kind)
);
-- available_on=: the movies one of some providers streams in a region
CREATE INDEX movie_providers_streaming ON movie_providers (region, provider_id, movie_id)
	WHERE kind IN ('flatrate', 'free', 'ads');

CREATE TABLE movie_watch_fetched (
	movie_id bigint PRIMARY KEY REFERENCES movies ON DELETE CASCADE,
	providers_at timestamptz,
	release_dates_at timestamptz
);

CREATE TABLE movie_release_dates (
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	region text NOT NULL CHECK (region ~ '^[A-Z]{2}$'),
	kind text NOT NULL CHECK (kind IN ('theatrical', 'digital')),
	release_date date NOT NULL,
	PRIMARY KEY (movie_id, region, kind)
);

CREATE TABLE user_services (
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	provider_id int NOT NULL REFERENCES watch_providers ON DELETE CASCADE,
	PRIMARY KEY (user_id, provider_id)
);

CREATE TABLE calendar_tokens (
	user_id bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
	token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scrobble_secrets (
	user_id bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
	secret_hash text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scrobble_events (
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	server text NOT NULL CHECK (server IN ('plex', 'jellyfin', 'emby')),
	event_key text NOT NULL CHECK (event_key ~ '^[0-9a-f]{64}$'),
	movie_id bigint REFERENCES movies ON DELETE SET NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, server, event_key)
);
CREATE INDEX scrobble_events_received ON scrobble_events (received_at);

-- The offers of one region of TMDb's GET /movie/{id}/watch/providers
-- answer (doc), those well-formed: a provider id, a name, a logo path.
CREATE FUNCTION watch_offers(doc jsonb, reg text)
RETURNS TABLE (provider_id int, name text, logo_path text, kind text, display_priority int)
LANGUAGE sql IMMUTABLE AS $$
	SELECT DISTINCT ON (k.kind, (o ->> 'provider_id')::int)
	       (o ->> 'provider_id')::int, o ->> 'provider_name',
	       tmdb_image_path(o ->> 'logo_path'), k.kind,
	       CASE WHEN jsonb_typeof(o -> 'display_priority') = 'number'
	            AND (o ->> 'display_priority') ~ '^[0-9]{1,6}$'
	            THEN (o ->> 'display_priority')::int END
	FROM unnest(ARRAY['flatrate', 'free', 'ads', 'rent', 'buy']) AS k (kind),
	     jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'results' -> reg -> k.kind) = 'array'
	                               THEN doc -> 'results' -> reg -> k.kind ELSE '[]' END) AS o
	WHERE jsonb_typeof(o) = 'object' AND jsonb_typeof(o -> 'provider_id') = 'number'
	  AND (o ->> 'provider_id') ~ '^[1-9][0-9]{0,8}$'
	  AND jsonb_typeof(o -> 'provider_name') = 'string'
	  AND length(o ->> 'provider_name') BETWEEN 1 AND 200
	ORDER BY k.kind, (o ->> 'provider_id')::int
$$;

-- The regions of such an answer.
CREATE FUNCTION watch_regions(doc jsonb) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
	SELECT r FROM jsonb_object_keys(CASE WHEN jsonb_typeof(doc -> 'results') = 'object'
	                                     THEN doc -> 'results' ELSE '{}' END) AS r
	WHERE r ~ '^[A-Z]{2}$' ORDER BY r
$$;

-- Providers named by offers or by TMDb's provider list, kept up to date.
CREATE FUNCTION watch_providers_upsert(ids int[], names text[], logos text[])
RETURNS void LANGUAGE sql AS $$
	INSERT INTO watch_providers (id, name, logo_path)
	SELECT DISTINCT ON (id) id, name, logo FROM unnest(ids, names, logos) AS u (id, name, logo)
	ORDER BY id
	ON CONFLICT (id) DO UPDATE SET name = excluded.name, logo_path = excluded.logo_path,
		updated_at = now()
	WHERE (watch_providers.name, watch_providers.logo_path)
	      IS DISTINCT FROM (excluded.name, excluded.logo_path)
$$;

-- Stores a movie's providers from TMDb's answer, replacing what was known;
-- returns how many offers.
CREATE FUNCTION watch_providers_store(movie bigint, doc jsonb) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	PERFORM 1 FROM movies WHERE id = movie FOR KEY SHARE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	PERFORM watch_providers_upsert(array_agg(provider_id), array_agg(name), array_agg(logo_path))
	FROM (SELECT DISTINCT ON (o.provider_id) o.provider_id, o.name, o.logo_path
	      FROM watch_regions(doc) AS r, watch_offers(doc, r) AS o
	      ORDER BY o.provider_id, r) p;
	DELETE FROM movie_providers WHERE movie_id = movie;
	INSERT INTO movie_providers (movie_id, region, provider_id, kind, display_priority)
	SELECT movie, r, o.provider_id, o.kind, o.display_priority
	FROM watch_regions(doc) AS r, watch_offers(doc, r) AS o
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	INSERT INTO movie_watch_fetched (movie_id, providers_at) VALUES (movie, now())
	ON CONFLICT (movie_id) DO UPDATE SET providers_at = now();
	RETURN n;
END
$$;

-- Stores a movie's theatrical (type 3) and digital (type 4) release
-- dates from TMDb's GET /movie/{id}/release_dates answer: the earliest of
-- each kind per region.
CREATE FUNCTION release_dates_store(movie bigint, doc jsonb) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	PERFORM 1 FROM movies WHERE id = movie FOR KEY SHARE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	DELETE FROM movie_release_dates WHERE movie_id = movie;
	INSERT INTO movie_release_dates (movie_id, region, kind, release_date)
	SELECT movie, r ->> 'iso_3166_1', CASE (d ->> 'type') WHEN '3' THEN 'theatrical' ELSE 'digital' END,
	       min(tmdb_date(substr(d ->> 'release_date', 1, 10)))
	FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'results') = 'array'
	                               THEN doc -> 'results' ELSE '[]' END) AS r,
	     jsonb_array_elements(CASE WHEN jsonb_typeof(r -> 'release_dates') = 'array'
	                               THEN r -> 'release_dates' ELSE '[]' END) AS d
	WHERE jsonb_typeof(r) = 'object' AND (r ->> 'iso_3166_1') ~ '^[A-Z]{2}$'
	  AND jsonb_typeof(d) = 'object' AND jsonb_typeof(d -> 'type') = 'number'
	  AND (d ->> 'type') IN ('3', '4') AND jsonb_typeof(d -> 'release_date') = 'string'
	  AND tmdb_date(substr(d ->> 'release_date', 1, 10)) IS NOT NULL
	GROUP BY 2, 3
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	INSERT INTO movie_watch_fetched (movie_id, release_dates_at) VALUES (movie, now())
	ON CONFLICT (movie_id) DO UPDATE SET release_dates_at = now();
	RETURN n;
END
$$;

-- Stores TMDb's GET /watch/providers/movie list; returns how many.
CREATE FUNCTION watch_provider_list_store(doc jsonb) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	PERFORM watch_providers_upsert(array_agg(id), array_agg(name), array_agg(logo))
	FROM (SELECT (p ->> 'provider_id')::int AS id, p ->> 'provider_name' AS name,
	             tmdb_image_path(p ->> 'logo_path') AS logo
	      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'results') = 'array'
	                                     THEN doc -> 'results' ELSE '[]' END) AS p
	      WHERE jsonb_typeof(p) = 'object' AND jsonb_typeof(p -> 'provider_id') = 'number'
	        AND (p ->> 'provider_id') ~ '^[1-9][0-9]{0,8}$'
	        AND jsonb_typeof(p -> 'provider_name') = 'string'
	        AND length(p ->> 'provider_name') BETWEEN 1 AND 200) l;
	SELECT count(*) INTO n FROM watch_providers;
	RETURN n;
END
$$;

-- One region of such an answer as GET /api/movies/{id}/watch-providers/
-- shows it: TMDb's page of the region (link), the offers by kind (each
-- provider with its logo's URL under logo_base) and every region offered.
CREATE FUNCTION watch_offers_json(doc jsonb, reg text, logo_base text) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
	SELECT json_build_object(
		'link', CASE WHEN doc -> 'results' -> reg ->> 'link' ~ '^https://[A-Za-z0-9.-]+/[!-~]*$'
		              AND length(doc -> 'results' -> reg ->> 'link') <= 500
		             THEN doc -> 'results' -> reg ->> 'link' END,
		'flatrate', coalesce(json_agg(j ORDER BY p NULLS LAST, id) FILTER (WHERE kind = 'flatrate'), '[]'),
		'free', coalesce(json_agg(j ORDER BY p NULLS LAST, id) FILTER (WHERE kind = 'free'), '[]'),
		'ads', coalesce(json_agg(j ORDER BY p NULLS LAST, id) FILTER (WHERE kind = 'ads'), '[]'),
		'rent', coalesce(json_agg(j ORDER BY p NULLS LAST, id) FILTER (WHERE kind = 'rent'), '[]'),
		'buy', coalesce(json_agg(j ORDER BY p NULLS LAST, id) FILTER (WHERE kind = 'buy'), '[]'),
		'regions', (SELECT coalesce(json_agg(r), '[]') FROM watch_regions(doc) AS r))
	FROM (SELECT o.kind, o.provider_id AS id, o.display_priority AS p,
	             json_build_object('id', o.provider_id, 'name', o.name,
	                               'logo_url', logo_base || o.logo_path,
	                               'display_priority', o.display_priority) AS j
	      FROM watch_offers(doc, reg) AS o) x
$$;

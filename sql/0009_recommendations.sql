-- Recommendations (issue 13): what users do not want to see, the model
-- versions `marquee recs train` publishes and the item data they hold, and
-- an index for trending by time window.
--
-- A version's rows are written by one training run in one transaction,
-- which also makes the version active (recs_active, one row): a reader
-- sees the old version whole or the new one whole, and a run that fails
-- or is killed leaves nothing but its row in recs_versions (status
-- 'training', marked 'failed' by the next run).  Serving reads the active
-- version's rows in the same statement that reads recs_active, so a swap
-- between two statements of a request is harmless; the version before the
-- active one is kept until the next run, for requests that read it just
-- before the swap.

CREATE TABLE not_interested (
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, movie_id)
);
-- GET /api/users/me/not-interested/, newest first
CREATE INDEX not_interested_user_added ON not_interested (user_id, created_at DESC, movie_id DESC);
-- a movie's removal cascades here
CREATE INDEX not_interested_movie ON not_interested (movie_id);

-- /api/movies/trending/ without TMDb: the activity of the last day or
-- week, newest first
CREATE INDEX activity_created ON activity (created_at DESC);

CREATE TABLE recs_versions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	status text NOT NULL DEFAULT 'training'
		CHECK (status IN ('training', 'active', 'retired', 'failed')),
	started_at timestamptz NOT NULL DEFAULT now(),
	published_at timestamptz,
	-- who trained it: "host pid"
	trainer text NOT NULL DEFAULT '' CHECK (length(trainer) <= 200),
	-- what it learned from and how it went: signals, users, items,
	-- seconds, peak memory, the sizes of its tables (marquee recs status)
	metrics jsonb NOT NULL DEFAULT '{}',
	error text CHECK (length(error) <= 2000),
	CHECK ((status IN ('active', 'retired')) = (published_at IS NOT NULL))
);

-- The version serving: one row, changed in the transaction that writes
-- the version's data.
CREATE TABLE recs_active (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	version bigint NOT NULL REFERENCES recs_versions,
	since timestamptz NOT NULL DEFAULT now()
);

-- A version's knowledge of one movie.  No foreign key to movies: a movie
-- deleted after training is simply not found when its rows are joined
-- with movies, and checking a million keys would slow the load.
--   content_ids, content_scores  the movies most like it by content
--                                (TF-IDF of genres, keywords, language,
--                                decade; cosine), best first: /similar/
--   liked_ids, liked_scores      by behaviour (item-kNN cosine of the
--                                users' positive signals), best first:
--                                /recommendations/
--   list                         the hybrid's weights from this movie
--                                to others (recs/hybrid.h), packed as
--                                (int64 movie id, float32 weight) pairs,
--                                little-endian: what a user's signal on
--                                this movie adds to other movies' scores
CREATE TABLE recs_items (
	version bigint NOT NULL REFERENCES recs_versions ON DELETE CASCADE,
	movie_id bigint NOT NULL,
	content_ids bigint[],
	content_scores real[],
	liked_ids bigint[],
	liked_scores real[],
	list bytea,
	PRIMARY KEY (version, movie_id),
	CHECK (cardinality(content_ids) = cardinality(content_scores)),
	CHECK (cardinality(liked_ids) = cardinality(liked_scores)),
	CHECK (octet_length(list) % 12 = 0)
);

-- A version's inverse document frequencies of content features
-- ('genre', 'keyword', 'language', 'decade'), so that a movie added
-- after training is compared with the others as training compared them.
CREATE TABLE recs_features (
	version bigint NOT NULL REFERENCES recs_versions ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('genre', 'keyword', 'language', 'decade')),
	value text NOT NULL,
	idf real NOT NULL CHECK (idf >= 0),
	PRIMARY KEY (version, kind, value)
);

-- Personal collections and opinions (issue 7): favorites, ratings, the
-- watchlist, the watch history, and the activity log that records every
-- change to them.
--
-- The statistics columns of movies (favorites_count, ratings_count,
-- ratings_sum, watchlist_count) are kept by row triggers here, in the
-- transaction of the change: each adds its delta to the movie row under
-- that row's lock, so concurrent writers serialise on the movie and the
-- sums stay exact (READ COMMITTED re-reads the locked row before adding).
-- A user's rows go with the user (ON DELETE CASCADE), and the triggers
-- take their counts away too; a movie's go with the movie.

CREATE TABLE favorites (
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, movie_id)
);
-- the default ordering (newest first), and added_after/added_before
CREATE INDEX favorites_user_added ON favorites (user_id, created_at DESC, movie_id DESC);
-- a movie's removal cascades here
CREATE INDEX favorites_movie ON favorites (movie_id);

CREATE TABLE ratings (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	-- half stars: 0.5, 1.0, ... 5.0
	rating numeric(2, 1) NOT NULL CHECK (rating BETWEEN 0.5 AND 5.0 AND rating * 2 = trunc(rating * 2)),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, movie_id)
);
-- the histogram of a movie, and the cascade of its removal
CREATE INDEX ratings_movie ON ratings (movie_id, rating);

CREATE TABLE watchlist (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	note text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
	priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high')),
	watched boolean NOT NULL DEFAULT false,
	watched_at timestamptz CHECK ((watched_at IS NOT NULL) = watched),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, movie_id)
);
CREATE INDEX watchlist_user_added ON watchlist (user_id, created_at DESC, id DESC);
CREATE INDEX watchlist_movie ON watchlist (movie_id);

-- What a user watched and when; marking a watchlist entry watched adds
-- one, and users add others by hand.
CREATE TABLE watch_history (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	watched_at timestamptz NOT NULL DEFAULT now(),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watch_history_user ON watch_history (user_id, watched_at DESC, id DESC);
CREATE INDEX watch_history_movie ON watch_history (movie_id);

-- Every add and remove, with its time: /api/favorites/recently-removed/
-- and /api/users/me/activity/ read it.  Written by the statement that
-- makes the change (not a trigger: a cascade from a user's removal would
-- log rows for a user that no longer exists).
CREATE TABLE activity (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	verb text NOT NULL CHECK (verb IN ('favorite_added', 'favorite_removed', 'rated',
					   'rating_removed', 'watchlist_added', 'watchlist_removed',
					   'watched')),
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	rating numeric(2, 1),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_user ON activity (user_id, created_at DESC, id DESC);
CREATE INDEX activity_user_verb ON activity (user_id, verb, created_at DESC, id DESC);
CREATE INDEX activity_movie ON activity (movie_id);

-- Adds one to (or takes one from) the movie's count named by the
-- trigger's argument, a column of movies (fixed here, never input).
CREATE FUNCTION movie_count_follows() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('UPDATE movies SET %1$I = %1$I + $1 WHERE id = $2', TG_ARGV[0])
	USING CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END,
	      CASE TG_OP WHEN 'INSERT' THEN NEW.movie_id ELSE OLD.movie_id END;
	RETURN NULL;
END $$;

CREATE TRIGGER favorites_counted AFTER INSERT OR DELETE ON favorites
	FOR EACH ROW EXECUTE FUNCTION movie_count_follows('favorites_count');
CREATE TRIGGER watchlist_counted AFTER INSERT OR DELETE ON watchlist
	FOR EACH ROW EXECUTE FUNCTION movie_count_follows('watchlist_count');

-- A rating's movie never changes (nothing updates movie_id), so an update
-- moves only the sum.
CREATE FUNCTION ratings_counted() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	-- a bulk load (marquee import movielens) recounts its movies at the
	-- end, holding their rows locked, instead of a million row updates
	IF current_setting('marquee.bulk', true) = 'on' THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		UPDATE movies SET ratings_count = ratings_count + 1, ratings_sum = ratings_sum + NEW.rating
		WHERE id = NEW.movie_id;
	ELSIF TG_OP = 'UPDATE' THEN
		UPDATE movies SET ratings_sum = ratings_sum - OLD.rating + NEW.rating
		WHERE id = NEW.movie_id;
	ELSE
		UPDATE movies SET ratings_count = ratings_count - 1, ratings_sum = ratings_sum - OLD.rating
		WHERE id = OLD.movie_id;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER ratings_counted AFTER INSERT OR DELETE ON ratings
	FOR EACH ROW EXECUTE FUNCTION ratings_counted();
CREATE TRIGGER ratings_recounted AFTER UPDATE OF rating ON ratings
	FOR EACH ROW WHEN (OLD.rating IS DISTINCT FROM NEW.rating)
	EXECUTE FUNCTION ratings_counted();

-- Named lists, public or private, of movies in an order the owner
-- chooses.  Writers of a list's items lock the list's row first, so
-- positions stay 1..n without gaps or repeats.
CREATE TABLE lists (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
	is_public boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lists_user ON lists (user_id, created_at DESC, id DESC);
CREATE INDEX lists_public ON lists (created_at DESC, id DESC) WHERE is_public;

CREATE TABLE list_items (
	list_id bigint NOT NULL REFERENCES lists ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	position integer NOT NULL CHECK (position >= 1),
	note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (list_id, movie_id),
	-- one item per position; deferrable, so that a statement shifting
	-- positions by one is checked at its end, not row by row
	CONSTRAINT list_items_position UNIQUE (list_id, position) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX list_items_movie ON list_items (movie_id);

-- Removing items by any way but DELETE /api/lists/{id}/items/{movie}/
-- (a movie's removal cascading here, a user's erasure) would leave gaps,
-- and "the end" (count + 1) would then land on a taken position: close
-- them, once per statement, over the lists it touched.  The lists' rows
-- are locked first (in id order), as item writers lock them, so that a
-- concurrent add sees the renumbered items.  A no-op after delete_item,
-- which closes its own gap.
CREATE FUNCTION list_items_renumber() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM lists WHERE id IN (SELECT list_id FROM gone) ORDER BY id FOR NO KEY UPDATE;
	UPDATE list_items i SET position = r.n
	FROM (SELECT list_id, movie_id, row_number() OVER (PARTITION BY list_id ORDER BY position) AS n
	      FROM list_items WHERE list_id IN (SELECT list_id FROM gone)) r
	WHERE i.list_id = r.list_id AND i.movie_id = r.movie_id AND i.position <> r.n;
	RETURN NULL;
END $$;

CREATE TRIGGER list_items_renumbered AFTER DELETE ON list_items
	REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION list_items_renumber();

-- Reviews: one per user and movie, with an optional rating of its own
-- (the movie's average counts the ratings table, POST /api/movies/rate/).
CREATE TABLE reviews (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	title text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
	body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
	rating numeric(2, 1) CHECK (rating BETWEEN 0.5 AND 5.0 AND rating * 2 = trunc(rating * 2)),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, movie_id)
);
CREATE INDEX reviews_movie ON reviews (movie_id, created_at DESC, id DESC);

CREATE TRIGGER reviews_counted AFTER INSERT OR DELETE ON reviews
	FOR EACH ROW EXECUTE FUNCTION movie_count_follows('reviews_count');

-- Comments on a movie, threaded by parent.  Deleting one blanks it
-- (deleted_at) so its replies keep their place in the thread.
CREATE TABLE comments (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	user_id bigint REFERENCES users ON DELETE SET NULL,
	parent_id bigint REFERENCES comments ON DELETE CASCADE,
	-- replies nest at most 10 deep: a thread is answered as nested JSON
	depth smallint NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 10),
	body text NOT NULL CHECK (length(body) <= 5000),
	deleted_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
-- the threads of a movie (roots), and the replies of each
CREATE INDEX comments_movie_roots ON comments (movie_id, id) WHERE parent_id IS NULL;
CREATE INDEX comments_parent ON comments (parent_id, id);
-- a movie's removal cascades here (replies too: the partial index above
-- has only the roots), and a user's sets user_id NULL
CREATE INDEX comments_movie ON comments (movie_id);
CREATE INDEX comments_user ON comments (user_id);

-- Reports of a review, a comment or a user, and what an administrator
-- did about them.  A reporter has one open report per target.
CREATE TABLE reports (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	reporter_id bigint REFERENCES users ON DELETE SET NULL,
	kind text NOT NULL CHECK (kind IN ('review', 'comment', 'user')),
	-- the target's id (of the kind), kept when the target goes
	target_id bigint NOT NULL,
	reason text NOT NULL CHECK (reason IN ('spam', 'abuse', 'spoiler', 'other')),
	details text NOT NULL DEFAULT '' CHECK (length(details) <= 1000),
	status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
	note text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
	resolved_by bigint REFERENCES users ON DELETE SET NULL,
	resolved_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE UNIQUE INDEX reports_open_once ON reports (reporter_id, kind, target_id) WHERE status = 'open';
CREATE INDEX reports_queue ON reports (status, created_at, id);
CREATE INDEX reports_target ON reports (kind, target_id);
-- a user's removal sets these NULL (reports_open_once has only the open)
CREATE INDEX reports_reporter ON reports (reporter_id);
CREATE INDEX reports_resolver ON reports (resolved_by);

-- MovieLens's users, imported with their ratings and tags (`marquee
-- import movielens`) as accounts that cannot log in (no password), named
-- movielens-<id> (a prefix registration refuses).
ALTER TABLE users ADD COLUMN movielens_id integer UNIQUE CHECK (movielens_id > 0);

-- Users' free-text tags of movies (MovieLens's tags.csv), for
-- recommendations to learn from.
CREATE TABLE movie_tags (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	tag text NOT NULL CHECK (length(tag) BETWEEN 1 AND 255),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX movie_tags_once ON movie_tags (user_id, movie_id, lower(tag));
CREATE INDEX movie_tags_movie ON movie_tags (movie_id);

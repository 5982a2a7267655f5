-- Analytics (issue 16): what people do, as events, and the daily rollups
-- the admin reports read.
--
-- events is append-only and partitioned by month (events_YYYY_MM, made
-- ahead by `marquee analytics partitions`, which also drops those past
-- [analytics] retention); events_default catches what no partition
-- takes, so a write never fails for want of one, and the job moves its
-- rows into their month's partition when it makes it.  Server events are
-- written by triggers in the transaction of their cause (track()), a view
-- and a search by the request that served them, the client's own by
-- POST /api/events/.  Nothing about the client's network is kept: no
-- address, no user agent; an anonymous client is a random id it chose.
-- A user's erasure deletes their events and their rows of the rollups
-- in its transaction (users_erased_events).
--
-- The rollups (analytics_*) are derived data: `marquee analytics rollup`
-- recounts one UTC day at a time from events, in one transaction per day
-- (analytics_rollup_day()), replacing what the day had, so a day rolled
-- twice, or after a crash, is the same.  Rollups outlive the raw events.

CREATE TABLE events (
	at timestamptz NOT NULL DEFAULT now(),
	kind text NOT NULL CHECK (kind IN (
		-- written by the server
		'sign_up', 'sign_in', 'movie_view', 'search', 'favorite', 'unfavorite',
		'watchlist_add', 'watchlist_remove', 'watched', 'rating', 'rating_removed', 'review',
		'comment', 'list_change', 'follow', 'unfollow', 'share_visit',
		-- sent by clients (POST /api/events/), rec_* by the server too
		'trailer_play', 'share_click', 'rec_impression', 'rec_click')),
	-- the user (from the access token or the row written), or NULL
	user_id bigint,
	-- an anonymous client's random id (POST /api/events/ only)
	client_id uuid,
	movie_id bigint,
	-- a rating's stars, a trailer's seconds played
	value numeric,
	-- search: {q, filters, results, corrected}; rec_*: {reason, position};
	-- share_click: {channel}
	data jsonb,
	CHECK (user_id IS NULL OR client_id IS NULL)
) PARTITION BY RANGE (at);

-- a day's events, for the rollup (append-only in time: a BRIN range index
-- is a few pages a month)
CREATE INDEX events_at ON events USING brin (at);
-- a user's events, for their erasure
CREATE INDEX events_user ON events (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE events_default PARTITION OF events DEFAULT;

-- Records an event of user (NULL: anonymous) unless it comes from a bulk
-- load or the user is erased (an erasure deletes the user's collections
-- after their events, and none of that is theirs to count any more).
CREATE FUNCTION track(ekind text, uid bigint, movie bigint, val numeric, details jsonb)
	RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF bulk_load() OR (uid IS NOT NULL AND EXISTS (SELECT 1 FROM users
							 WHERE id = uid AND deleted_at IS NOT NULL)) THEN
		RETURN;
	END IF;
	INSERT INTO events (kind, user_id, movie_id, value, data) VALUES (ekind, uid, movie, val, details);
END $$;

-- The event of a row written: TG_ARGV[0] is the kind of an insert (or an
-- update), TG_ARGV[1] of a delete ('' for none).  The user is the row's
-- user_id (follower_id for follows, the owner for list items), the movie
-- its movie_id, the value its rating.  A delete that is a cascade (of a
-- movie, a list or a user removed, of a block ending follows) is
-- nobody's action and no event: what it cascades from is gone already,
-- or it runs inside another trigger.
CREATE FUNCTION events_written() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	j jsonb;
	k text := CASE TG_OP WHEN 'DELETE' THEN TG_ARGV[1] ELSE TG_ARGV[0] END;
	uid bigint;
	movie bigint;
BEGIN
	IF k = '' OR (TG_OP = 'DELETE' AND pg_trigger_depth() > 1) THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'DELETE' THEN
		j := to_jsonb(OLD);
	ELSE
		j := to_jsonb(NEW);
	END IF;
	uid := coalesce(j->>'user_id', j->>'follower_id')::bigint;
	movie := (j->>'movie_id')::bigint;
	IF TG_TABLE_NAME = 'list_items' THEN
		SELECT user_id INTO uid FROM lists WHERE id = (j->>'list_id')::bigint;
	END IF;
	IF TG_OP = 'DELETE' AND (uid IS NULL OR NOT EXISTS (SELECT 1 FROM users WHERE id = uid)
				 OR (movie IS NOT NULL
				     AND NOT EXISTS (SELECT 1 FROM movies WHERE id = movie))) THEN
		RETURN NULL;
	END IF;
	PERFORM track(k, uid, movie, (j->>'rating')::numeric, NULL);
	RETURN NULL;
END $$;

CREATE TRIGGER favorites_events AFTER INSERT OR DELETE ON favorites
	FOR EACH ROW EXECUTE FUNCTION events_written('favorite', 'unfavorite');
CREATE TRIGGER watchlist_events AFTER INSERT OR DELETE ON watchlist
	FOR EACH ROW EXECUTE FUNCTION events_written('watchlist_add', 'watchlist_remove');
CREATE TRIGGER watch_history_events AFTER INSERT ON watch_history
	FOR EACH ROW EXECUTE FUNCTION events_written('watched', '');
CREATE TRIGGER ratings_events AFTER INSERT OR DELETE ON ratings
	FOR EACH ROW EXECUTE FUNCTION events_written('rating', 'rating_removed');
CREATE TRIGGER ratings_events_changed AFTER UPDATE OF rating ON ratings
	FOR EACH ROW WHEN (OLD.rating IS DISTINCT FROM NEW.rating)
	EXECUTE FUNCTION events_written('rating', '');
CREATE TRIGGER reviews_events AFTER INSERT ON reviews
	FOR EACH ROW EXECUTE FUNCTION events_written('review', '');
CREATE TRIGGER comments_events AFTER INSERT ON comments
	FOR EACH ROW EXECUTE FUNCTION events_written('comment', '');
CREATE TRIGGER lists_events AFTER INSERT OR DELETE ON lists
	FOR EACH ROW EXECUTE FUNCTION events_written('list_change', 'list_change');
CREATE TRIGGER lists_events_changed AFTER UPDATE OF name, description, is_public ON lists
	FOR EACH ROW EXECUTE FUNCTION events_written('list_change', '');
CREATE TRIGGER list_items_events AFTER INSERT OR DELETE ON list_items
	FOR EACH ROW EXECUTE FUNCTION events_written('list_change', 'list_change');
CREATE TRIGGER follows_events AFTER INSERT OR DELETE ON follows
	FOR EACH ROW EXECUTE FUNCTION events_written('follow', 'unfollow');

-- A sign-up (not an imported account), a sign-in (the login's update of
-- last_login_at), a visit of a share link (anonymous: the visitor is
-- nobody we know; the movie when the link is to one).
CREATE FUNCTION users_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM track(CASE TG_OP WHEN 'INSERT' THEN 'sign_up' ELSE 'sign_in' END, NEW.id, NULL, NULL,
		      NULL);
	RETURN NULL;
END $$;

CREATE TRIGGER users_events_signed_up AFTER INSERT ON users
	FOR EACH ROW WHEN (NOT NEW.imported) EXECUTE FUNCTION users_events();
CREATE TRIGGER users_events_signed_in AFTER UPDATE OF last_login_at ON users
	FOR EACH ROW WHEN (NEW.last_login_at IS DISTINCT FROM OLD.last_login_at)
	EXECUTE FUNCTION users_events();

CREATE FUNCTION shares_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM track('share_visit', NULL, NEW.movie_id, NULL, jsonb_build_object('kind', NEW.kind));
	RETURN NULL;
END $$;

CREATE TRIGGER shares_events AFTER UPDATE OF visits ON shares
	FOR EACH ROW WHEN (NEW.visits > OLD.visits) EXECUTE FUNCTION shares_events();

-- ---- the daily rollups ----

-- The days rolled up: when, and from how many events.  A day rolled
-- before it was over (or within the margin after, see
-- analytics_days_due()) is rolled again by the next incremental run.
CREATE TABLE analytics_days (
	day date PRIMARY KEY,
	events bigint NOT NULL,
	-- of them, those of signed-in users
	user_events bigint NOT NULL,
	-- distinct users (DAU), and sign-ups
	active_users integer NOT NULL,
	sign_ups integer NOT NULL,
	rolled_at timestamptz NOT NULL DEFAULT now()
);

-- Each movie's activity on each day, and the same summed by month (what
-- a report over years reads: whole months from here, the days at its
-- edges from analytics_movies).
CREATE TABLE analytics_movies (
	day date NOT NULL,
	movie_id bigint NOT NULL,
	views integer NOT NULL,
	ratings integer NOT NULL,
	rating_sum numeric NOT NULL,
	favorites integer NOT NULL,
	unfavorites integer NOT NULL,
	watchlist_adds integer NOT NULL,
	reviews integer NOT NULL,
	PRIMARY KEY (day, movie_id)
);

CREATE TABLE analytics_movie_months (LIKE analytics_movies);
ALTER TABLE analytics_movie_months RENAME COLUMN day TO month;
ALTER TABLE analytics_movie_months ADD PRIMARY KEY (month, movie_id);

-- Each genre's activity (every event about a movie of the genre) and
-- ratings on each day, by the movie's genres when rolled.
CREATE TABLE analytics_genres (
	day date NOT NULL,
	genre_id integer NOT NULL,
	activity integer NOT NULL,
	ratings integer NOT NULL,
	rating_sum numeric NOT NULL,
	PRIMARY KEY (day, genre_id)
);

-- Each user's events on each day: the most active users, DAU/WAU/MAU.
-- Personal: erased with the user.
CREATE TABLE analytics_users (
	day date NOT NULL,
	user_id bigint NOT NULL,
	events integer NOT NULL,
	PRIMARY KEY (day, user_id)
);
CREATE INDEX analytics_users_user ON analytics_users (user_id);

-- Distinct active users of each ISO week (from its Monday) and month,
-- recounted when one of their days is rolled.
CREATE TABLE analytics_active (
	period text NOT NULL CHECK (period IN ('week', 'month')),
	start date NOT NULL,
	users integer NOT NULL,
	PRIMARY KEY (period, start)
);

-- When each user signed up (the day of their sign_up event): the cohorts
-- of the weekly retention.  Personal: erased with the user.
CREATE TABLE analytics_signups (
	user_id bigint PRIMARY KEY,
	day date NOT NULL
);

-- Weekly retention: of the users who signed up in the week cohort, how
-- many were active in the week week.
CREATE TABLE analytics_cohorts (
	cohort date NOT NULL,
	week date NOT NULL,
	users integer NOT NULL,
	PRIMARY KEY (cohort, week)
);

-- Searches by query (folded: trimmed, lower case) and day.
CREATE TABLE analytics_searches (
	day date NOT NULL,
	query text NOT NULL,
	searches integer NOT NULL,
	no_results integer NOT NULL,
	corrected integer NOT NULL,
	PRIMARY KEY (day, query)
);

-- Recommendations shown and followed, by the reason given and day.
CREATE TABLE analytics_recs (
	day date NOT NULL,
	reason text NOT NULL,
	impressions integer NOT NULL,
	clicks integer NOT NULL,
	PRIMARY KEY (day, reason)
);

-- The raw events before since are gone (dropped with their partitions):
-- their days are never rolled again, which would empty their rollups.
CREATE TABLE analytics_raw (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	since date NOT NULL
);
INSERT INTO analytics_raw (since) VALUES ('-infinity');

-- The UTC day of a time.
CREATE FUNCTION utc_day(t timestamptz) RETURNS date
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN (t AT TIME ZONE 'UTC')::date;

-- The first instant of a UTC day.
CREATE FUNCTION utc_start(d date) RETURNS timestamptz
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN d::timestamp AT TIME ZONE 'UTC';

-- The events of UTC day d.
CREATE FUNCTION analytics_day_events(d date) RETURNS SETOF events
	LANGUAGE sql STABLE AS $$
	SELECT * FROM events WHERE at >= utc_start(d) AND at < utc_start(d + 1)
$$;

-- Recounts a week's or a month's distinct active users, and (for a week)
-- its retention by cohort, from analytics_users.
CREATE FUNCTION analytics_recount_period(p text, s date) RETURNS void
	LANGUAGE plpgsql AS $$
DECLARE
	e date := s + CASE p WHEN 'week' THEN interval '1 week' ELSE interval '1 month' END;
BEGIN
	INSERT INTO analytics_active (period, start, users)
	SELECT p, s, count(DISTINCT user_id) FROM analytics_users WHERE day >= s AND day < e
	ON CONFLICT (period, start) DO UPDATE SET users = EXCLUDED.users;
	IF p = 'week' THEN
		DELETE FROM analytics_cohorts WHERE week = s;
		INSERT INTO analytics_cohorts (cohort, week, users)
		SELECT date_trunc('week', g.day)::date, s, count(DISTINCT u.user_id)
		FROM analytics_users u JOIN analytics_signups g USING (user_id)
		WHERE u.day >= s AND u.day < e AND g.day < e
		GROUP BY 1;
	END IF;
END $$;

-- Rolls up one day: replaces every rollup row of day d with a recount of
-- its events, then recounts its month (analytics_movie_months) and its
-- week's and month's active users and cohorts.  Run in a transaction of
-- its own (the caller's), it leaves either the old day or the new one.
-- Returns the day's number of events.
CREATE FUNCTION analytics_rollup_day(d date) RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	m date := date_trunc('month', d)::date;
	w date := date_trunc('week', d)::date;
	n bigint;
BEGIN
	-- one rollup of a day at a time: a second waits, then recounts
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics day ' || d, 0));
	IF d < (SELECT since FROM analytics_raw) THEN
		RETURN NULL;
	END IF;
	SELECT count(*) INTO n FROM analytics_day_events(d);

	DELETE FROM analytics_movies WHERE day = d;
	INSERT INTO analytics_movies
	SELECT d, movie_id,
	       count(*) FILTER (WHERE kind = 'movie_view'),
	       count(*) FILTER (WHERE kind = 'rating'),
	       coalesce(sum(value) FILTER (WHERE kind = 'rating'), 0),
	       count(*) FILTER (WHERE kind = 'favorite'),
	       count(*) FILTER (WHERE kind = 'unfavorite'),
	       count(*) FILTER (WHERE kind = 'watchlist_add'),
	       count(*) FILTER (WHERE kind = 'review')
	FROM analytics_day_events(d) WHERE movie_id IS NOT NULL
	GROUP BY movie_id;

	DELETE FROM analytics_movie_months WHERE month = m;
	INSERT INTO analytics_movie_months
	SELECT m, movie_id, sum(views), sum(ratings), sum(rating_sum), sum(favorites),
	       sum(unfavorites), sum(watchlist_adds), sum(reviews)
	FROM analytics_movies WHERE day >= m AND day < m + interval '1 month'
	GROUP BY movie_id;

	DELETE FROM analytics_genres WHERE day = d;
	INSERT INTO analytics_genres
	SELECT d, g, count(*), count(*) FILTER (WHERE e.kind = 'rating'),
	       coalesce(sum(e.value) FILTER (WHERE e.kind = 'rating'), 0)
	FROM analytics_day_events(d) e JOIN movies mv ON mv.id = e.movie_id, unnest(mv.genre_ids) g
	GROUP BY g;

	DELETE FROM analytics_users WHERE day = d;
	INSERT INTO analytics_users
	SELECT d, user_id, count(*) FROM analytics_day_events(d) WHERE user_id IS NOT NULL GROUP BY user_id;

	INSERT INTO analytics_signups (user_id, day)
	SELECT user_id, min(utc_day(at)) FROM analytics_day_events(d)
	WHERE kind = 'sign_up' AND user_id IS NOT NULL GROUP BY user_id
	ON CONFLICT (user_id) DO UPDATE SET day = least(analytics_signups.day, EXCLUDED.day);

	DELETE FROM analytics_searches WHERE day = d;
	INSERT INTO analytics_searches
	SELECT d, q, count(*), count(*) FILTER (WHERE (data->>'results')::bigint = 0),
	       count(*) FILTER (WHERE (data->>'corrected')::boolean)
	FROM (SELECT lower(btrim(data->>'q')) AS q, data FROM analytics_day_events(d) WHERE kind = 'search') s
	WHERE q <> ''
	GROUP BY q;

	DELETE FROM analytics_recs WHERE day = d;
	INSERT INTO analytics_recs
	SELECT d, coalesce(data->>'reason', ''), count(*) FILTER (WHERE kind = 'rec_impression'),
	       count(*) FILTER (WHERE kind = 'rec_click')
	FROM analytics_day_events(d) WHERE kind IN ('rec_impression', 'rec_click')
	GROUP BY 2;

	INSERT INTO analytics_days (day, events, user_events, active_users, sign_ups, rolled_at)
	SELECT d, n, coalesce(sum(events), 0), count(*),
	       (SELECT count(*) FROM analytics_day_events(d) WHERE kind = 'sign_up'), now()
	FROM analytics_users WHERE day = d
	ON CONFLICT (day) DO UPDATE
	SET events = EXCLUDED.events, user_events = EXCLUDED.user_events,
	    active_users = EXCLUDED.active_users, sign_ups = EXCLUDED.sign_ups,
	    rolled_at = EXCLUDED.rolled_at;

	PERFORM analytics_recount_period('week', w);
	PERFORM analytics_recount_period('month', m);
	RETURN n;
END $$;

-- The days an incremental rollup does: from the first day never rolled,
-- or rolled before it was over and a margin after (a transaction that
-- began before midnight may commit its events after it), to today; from
-- the first event's day when nothing was ever rolled.
CREATE FUNCTION analytics_days_due(margin interval) RETURNS SETOF date
	LANGUAGE sql STABLE AS $$
	SELECT g::date
	FROM (SELECT coalesce((SELECT min(day) FROM analytics_days
			       WHERE rolled_at < utc_start(day + 1) + margin),
			      (SELECT max(day) + 1 FROM analytics_days),
			      (SELECT utc_day(min(at)) FROM events)) AS first) f,
	     generate_series(f.first, utc_day(now()), interval '1 day') g
$$;

-- The movies' rollups summed over the days f..t: whole months from
-- analytics_movie_months, the days at the edges from analytics_movies
-- (what keeps a report over years to a few dozen months' rows a movie).
CREATE FUNCTION analytics_movie_window(f date, t date)
	RETURNS TABLE (movie_id bigint, views bigint, ratings bigint, rating_sum numeric,
		       favorites bigint, unfavorites bigint, watchlist_adds bigint, reviews bigint)
	LANGUAGE sql STABLE AS $$
	WITH b AS (SELECT CASE WHEN f = date_trunc('month', f)::date THEN f
			       ELSE (date_trunc('month', f) + interval '1 month')::date END AS fm,
			  date_trunc('month', t + 1)::date AS lm)
	SELECT x.movie_id, sum(x.views), sum(x.ratings), sum(x.rating_sum), sum(x.favorites),
	       sum(x.unfavorites), sum(x.watchlist_adds), sum(x.reviews)
	FROM (SELECT m.* FROM analytics_movie_months m, b
	      WHERE b.fm < b.lm AND m.month >= b.fm AND m.month < b.lm
	      UNION ALL
	      SELECT d.* FROM analytics_movies d, b
	      WHERE d.day >= f AND d.day <= t AND (b.fm >= b.lm OR d.day < b.fm OR d.day >= b.lm)) x
	GROUP BY x.movie_id
$$;

-- ---- partitions ----

-- The partition of the month starting at m.
CREATE FUNCTION events_partition_name(m date) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN 'events_' || to_char(m, 'YYYY_MM');

-- Makes the partitions of this month and the ahead months after it, and
-- of any month events_default holds rows of (moved into it), then drops
-- the partitions whose month ended more than keep ago (and such rows of
-- events_default).  Only the database's owner may.  Returns the
-- partitions made and dropped.
CREATE FUNCTION analytics_partitions(ahead integer, keep interval,
				     OUT created text[], OUT dropped text[])
	LANGUAGE plpgsql AS $$
DECLARE
	this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
	cutoff timestamptz := now() - keep;
	m date;
	name text;
BEGIN
	created := '{}';
	dropped := '{}';
	-- wait for the event writers at most this long (a lock on events)
	PERFORM set_config('lock_timeout', '10s', true);
	FOR m IN
		SELECT (this_month + make_interval(months => i))::date FROM generate_series(0, ahead) i
		UNION
		SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC')::date FROM events_default
		WHERE at >= cutoff
		ORDER BY 1
	LOOP
		name := events_partition_name(m);
		CONTINUE WHEN to_regclass(name) IS NOT NULL
			   OR utc_start((m + interval '1 month')::date) <= cutoff;
		EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
		EXECUTE format('WITH moved AS (DELETE FROM events_default WHERE at >= $1 AND at < $2 '
			       'RETURNING *) INSERT INTO %I SELECT * FROM moved', name)
		USING utc_start(m), utc_start((m + interval '1 month')::date);
		EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name,
			       utc_start(m), utc_start((m + interval '1 month')::date));
		created := created || name;
	END LOOP;
	FOR name IN
		SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'events'::regclass AND c.relname ~ '^events_[0-9]{4}_[0-9]{2}$'
		  AND utc_start((to_date(substr(c.relname, 8), 'YYYY_MM') + interval '1 month')::date) <= cutoff
		ORDER BY 1
	LOOP
		EXECUTE format('ALTER TABLE events DETACH PARTITION %I', name);
		EXECUTE format('DROP TABLE %I', name);
		dropped := dropped || name;
		UPDATE analytics_raw
		SET since = greatest(since, (to_date(substr(name, 8), 'YYYY_MM') + interval '1 month')::date);
	END LOOP;
	DELETE FROM events_default WHERE at < cutoff;
END $$;

REVOKE ALL ON FUNCTION analytics_partitions(integer, interval) FROM PUBLIC;

-- The months of events the migration was run in, and the next three (the
-- job keeps making them).
SELECT analytics_partitions(3, interval '100 years');

-- ---- erasure ----

-- An erased user's events and their rows of the rollups go with the
-- erasure (the counts of everyone's activity keep them, unnamed).
CREATE FUNCTION users_erased_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	u bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
	DELETE FROM events WHERE user_id = u;
	DELETE FROM analytics_users WHERE user_id = u;
	DELETE FROM analytics_signups WHERE user_id = u;
	RETURN NULL;
END $$;

CREATE TRIGGER users_erased_events AFTER UPDATE OF deleted_at ON users
	FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
	EXECUTE FUNCTION users_erased_events();
CREATE TRIGGER users_deleted_events AFTER DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION users_erased_events();

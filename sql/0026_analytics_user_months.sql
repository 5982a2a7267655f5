-- Issue 16: the active-users report over two years read one row a user
-- a day (analytics_users: 6 million rows at 10 million events) and
-- joined each with users before grouping: 1.8 s at p99.  Users get what
-- movies have: a monthly rollup, kept by the day rollup from what the day
-- changed, and a window function that reads whole months from it and the
-- days at the edges from analytics_users; the movies' window, which read
-- every day of the window to keep its edges, now reads only the edges.

-- Each user's events and active days in each month.  Personal: erased
-- with the user.
CREATE TABLE analytics_user_months (
	month date NOT NULL,
	user_id bigint NOT NULL,
	events bigint NOT NULL,
	active_days integer NOT NULL,
	PRIMARY KEY (month, user_id)
);
CREATE INDEX analytics_user_months_user ON analytics_user_months (user_id);

-- the months so far; a rollup still running the old function would
-- commit days after this count and the months, adjusted only by what
-- each day changes, would never see them: it waits
LOCK TABLE analytics_users IN SHARE MODE;
INSERT INTO analytics_user_months
SELECT date_trunc('month', day)::date, user_id, sum(events), count(*)
FROM analytics_users GROUP BY 1, 2;

-- A window from f to t (both included) is read as its whole months from
-- a months table and its edge days, before the first whole month and
-- after the last, from the daily table; with no whole month in it, all
-- of its days.  Each part is one range of its table's key: the windows of
-- sql/0014_analytics.sql read every day from f to t and dropped the
-- middle ones in a filter (the planner cannot make two ranges of an OR),
-- 6 million rows of analytics_users over two years.
CREATE FUNCTION analytics_first_month(f date) RETURNS date
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN f = date_trunc('month', f)::date THEN f
		    ELSE (date_trunc('month', f) + interval '1 month')::date END;
CREATE FUNCTION analytics_end_month(t date) RETURNS date
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN date_trunc('month', t + 1)::date;
-- the first edge's end and the second's start (exclusive, inclusive)
CREATE FUNCTION analytics_head_end(f date, t date) RETURNS date
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN analytics_first_month(f) < analytics_end_month(t)
		    THEN analytics_first_month(f) ELSE t + 1 END;
CREATE FUNCTION analytics_tail_start(f date, t date) RETURNS date
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN analytics_first_month(f) < analytics_end_month(t)
		    THEN analytics_end_month(t) ELSE t + 1 END;

CREATE OR REPLACE FUNCTION analytics_movie_window(f date, t date)
	RETURNS TABLE (movie_id bigint, views bigint, ratings bigint, rating_sum numeric,
		       favorites bigint, unfavorites bigint, watchlist_adds bigint, reviews bigint)
	LANGUAGE sql STABLE AS $$
	SELECT x.movie_id, sum(x.views), sum(x.ratings), sum(x.rating_sum), sum(x.favorites),
	       sum(x.unfavorites), sum(x.watchlist_adds), sum(x.reviews)
	FROM (SELECT m.* FROM analytics_movie_months m
	      WHERE m.month >= analytics_first_month(f) AND m.month < analytics_end_month(t)
	      UNION ALL
	      SELECT d.* FROM analytics_movies d WHERE d.day >= f AND d.day < analytics_head_end(f, t)
	      UNION ALL
	      SELECT d.* FROM analytics_movies d
	      WHERE d.day >= analytics_tail_start(f, t) AND d.day <= t) x
	GROUP BY x.movie_id
$$;

-- Each user's events and active days from f to t (both included).
CREATE FUNCTION analytics_user_window(f date, t date)
	RETURNS TABLE (user_id bigint, events bigint, active_days bigint)
	LANGUAGE sql STABLE AS $$
	SELECT x.user_id, sum(x.events)::bigint, sum(x.days)::bigint
	FROM (SELECT m.user_id, m.events, m.active_days AS days FROM analytics_user_months m
	      WHERE m.month >= analytics_first_month(f) AND m.month < analytics_end_month(t)
	      UNION ALL
	      SELECT d.user_id, d.events, 1 FROM analytics_users d
	      WHERE d.day >= f AND d.day < analytics_head_end(f, t)
	      UNION ALL
	      SELECT d.user_id, d.events, 1 FROM analytics_users d
	      WHERE d.day >= analytics_tail_start(f, t) AND d.day <= t) x
	GROUP BY x.user_id
$$;

-- sql/0018_analytics_impressions_batches.sql's, keeping the user months.
CREATE OR REPLACE FUNCTION analytics_rollup_day(d date) RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	m date := date_trunc('month', d)::date;
	w date := date_trunc('week', d)::date;
	n bigint;
	was bigint[];
BEGIN
	-- one rollup of a day at a time: a second waits, then recounts; and
	-- one of a month at a time: two days of a month both rewrite its
	-- rows (analytics_movie_months, analytics_user_months), which two at
	-- once would deadlock on or make twice
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics day ' || d, 0));
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics month ' || m, 0));
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

	-- the day's users, and their month by what changed: the day's old
	-- rows taken out of it, its new ones added (a month is 250,000 rows
	-- at 100,000 users, too many to recount each day)
	SELECT array_agg(user_id) INTO was FROM analytics_users WHERE day = d;
	UPDATE analytics_user_months um SET events = um.events - o.events,
	       active_days = um.active_days - 1
	FROM analytics_users o WHERE o.day = d AND um.month = m AND um.user_id = o.user_id;
	DELETE FROM analytics_users WHERE day = d;
	INSERT INTO analytics_users
	SELECT d, user_id, count(*) FROM analytics_day_events(d) WHERE user_id IS NOT NULL GROUP BY user_id;
	INSERT INTO analytics_user_months AS um (month, user_id, events, active_days)
	SELECT m, user_id, events, 1 FROM analytics_users WHERE day = d
	ON CONFLICT (month, user_id) DO UPDATE
	SET events = um.events + EXCLUDED.events, active_days = um.active_days + 1;
	DELETE FROM analytics_user_months
	WHERE month = m AND user_id = ANY (was) AND active_days <= 0;

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

	PERFORM analytics_rollup_recs(d);

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

-- sql/0018_analytics_impressions_batches.sql's, and the user's months and
-- kept recommendation candidates.
CREATE OR REPLACE FUNCTION users_erased_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	u bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
	DELETE FROM events WHERE user_id = u;
	DELETE FROM event_batches WHERE user_id = u;
	DELETE FROM analytics_users WHERE user_id = u;
	DELETE FROM analytics_user_months WHERE user_id = u;
	-- the candidates training kept for the user (sql/0025_recs_users.sql)
	DELETE FROM recs_users WHERE version IN (SELECT id FROM recs_versions) AND user_id = u;
	DELETE FROM analytics_signups WHERE user_id = u;
	RETURN NULL;
END $$;

-- The erased users, for the worker's event flush (analytics/events.c),
-- which skips their events: without it each flush scanned every user
-- (the planner expects few erased users and hashed them all: 4 to 22 ms
-- a flush at 10,000 users, each flush a request's wait on its worker).
-- Few rows, so almost free to keep.
CREATE INDEX users_erased ON users (id) WHERE deleted_at IS NOT NULL;

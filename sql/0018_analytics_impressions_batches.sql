-- Analytics, the gaps of issue 16 left by sql/0014_analytics.sql.
--
-- ---- recommendation impressions, from the server ----
--
-- GET /api/movies/recommended/ and GET /api/movies/{id}/recommendations/
-- record each page they serve: one rec_impression a movie shown, its
-- data {reason, position, source: 'server'} (reason: the result's
-- reason.kind, or also_liked), queued by the worker with its views and
-- searches and written many pages to a statement (analytics/events.c).
-- Clicks stay the client's (rec_click, POST /api/events/), and so may
-- impressions of recommendations the server did not serve as such.  A
-- client that still sends rec_impression for what these pages showed
-- must not count twice: a day's impressions of a reason are its server
-- ones when it has any, the client's otherwise (analytics_rollup_recs()).
-- A client cannot send source (no such field in POST /api/events/), so
-- it cannot pass for the server.

-- Day d's rows of analytics_recs: clicks by reason, and impressions by
-- reason, the server's when the day has any of the reason, else the
-- clients'.
CREATE FUNCTION analytics_rollup_recs(d date) RETURNS void
	LANGUAGE sql AS $$
	DELETE FROM analytics_recs WHERE day = d;
	INSERT INTO analytics_recs
	SELECT d, reason,
	       CASE WHEN count(*) FILTER (WHERE server) > 0
		    THEN count(*) FILTER (WHERE server) ELSE count(*) FILTER (WHERE impression) END,
	       count(*) FILTER (WHERE kind = 'rec_click')
	FROM (SELECT coalesce(data->>'reason', '') AS reason, kind,
		     kind = 'rec_impression' AS impression,
		     kind = 'rec_impression' AND data->>'source' = 'server' AS server
	      FROM analytics_day_events(d) WHERE kind IN ('rec_impression', 'rec_click')) e
	GROUP BY reason;
$$;

-- sql/0014_analytics.sql's, but for analytics_recs: analytics_rollup_recs().
CREATE OR REPLACE FUNCTION analytics_rollup_day(d date) RETURNS bigint
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

-- ---- a client's batches, recorded once ----
--
-- POST /api/events/ takes an optional batch_id, a UUID the client makes
-- for a batch and sends again with each retry of it.  The batch is
-- remembered under its caller (the user, or the anonymous client id) and
-- its id, in the statement that records its events: a retry, even one
-- arriving while the first is being written (it waits on the unique
-- index, then conflicts), records nothing and is answered as the first
-- was (accepted); the same id with other events (digest) is refused.
-- Another caller's ids are theirs.  `marquee analytics partitions`
-- (hourly) forgets the batches of more than a day ago; an erasure forgets
-- the user's at once.
CREATE TABLE event_batches (
	batch_id uuid NOT NULL,
	user_id bigint,
	client_id uuid,
	-- md5 of the batch's events as checked (jsonb text)
	digest text NOT NULL,
	-- the answer: how many of its events were recorded
	accepted integer NOT NULL,
	at timestamptz NOT NULL DEFAULT now(),
	CHECK ((user_id IS NULL) <> (client_id IS NULL)),
	UNIQUE NULLS NOT DISTINCT (batch_id, user_id, client_id)
);
CREATE INDEX event_batches_at ON event_batches (at);
CREATE INDEX event_batches_user ON event_batches (user_id) WHERE user_id IS NOT NULL;

-- sql/0014_analytics.sql's, and the user's batches too.
CREATE OR REPLACE FUNCTION users_erased_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	u bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
	DELETE FROM events WHERE user_id = u;
	DELETE FROM event_batches WHERE user_id = u;
	DELETE FROM analytics_users WHERE user_id = u;
	DELETE FROM analytics_signups WHERE user_id = u;
	RETURN NULL;
END $$;

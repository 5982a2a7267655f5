-- Issue 16: the most active users over two years summed a row per user
-- per month (analytics_user_months: 714,514 rows at 100,000 users and 10
-- million events) and the edge days of the window (up to 60 days of
-- analytics_users, 8,000 rows a day): 0.8-1.0 s, against 200 ms.
--
-- Each user gets running totals by month (prefix sums): the user's
-- events and active days from the first to the end of each month, one row
-- per user with an array over the months.  What a user did up to a day d
-- is then the total at the end of a month plus or minus the days between
-- it and d (from analytics_users, on the nearer side of the month: 15 days
-- at most), and a window from f to t is that through t minus that through
-- f - 1: one row per user and at most 30 days of edges, whatever the
-- window's length.  Short windows still read their months and days
-- (analytics_user_window_months, sql/0026_analytics_user_months.sql):
-- fewer rows than every user has.  Both are exact.
--
-- The search report summed a row per query per day (500,000 rows over
-- two years at 10 million events): searches get what movies have, a
-- monthly rollup recounted from the month's days by the day rollup, read
-- with the window's edge days.

-- A month as a number (months since year 0), to index the arrays.
CREATE FUNCTION analytics_month_no(d date) RETURNS integer
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN (extract(year FROM d) * 12 + extract(month FROM d) - 1)::integer;

-- Each user's running totals: events[i] and days[i] are the user's events
-- and active days from the first month (first_month, a month number) to
-- the end of month first_month + i - 1.  A month after the last element
-- has its total (nothing happened since), one before first_month none.
-- Kept by the day rollup with analytics_users and analytics_user_months.
-- Personal: erased with the user.
CREATE TABLE analytics_user_totals (
	user_id bigint PRIMARY KEY,
	first_month integer NOT NULL,
	events bigint[] NOT NULL,
	days bigint[] NOT NULL,
	-- every event of the user's: no window has more (the top users' bound)
	total bigint GENERATED ALWAYS AS (events[cardinality(events)]) STORED
);
CREATE INDEX analytics_user_totals_total ON analytics_user_totals (total);

-- A running total at the end of month k, of totals starting at month m0.
CREATE FUNCTION analytics_cum_at(m0 integer, cum bigint[], k integer) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN k < m0 THEN 0
		    WHEN k - m0 >= cardinality(cum) THEN cum[cardinality(cum)]
		    ELSE cum[k - m0 + 1] END;

-- Running totals starting at month m0, with delta added to month k and
-- the months after it; the result starts at least(m0, k).
CREATE FUNCTION analytics_cum_add(m0 integer, cum bigint[], k integer, delta bigint)
	RETURNS bigint[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY(SELECT analytics_cum_at(m0, cum, j) + CASE WHEN j >= k THEN delta ELSE 0 END
		     FROM generate_series(least(m0, k), greatest(m0 + cardinality(cum) - 1, k)) j
		     ORDER BY j);

-- Through day d is through the end of month month_no, plus (sign 1) or
-- minus (sign -1) the days from lo to hi (exclusive) of analytics_users:
-- the month's days up to d when they are the fewer, else those after it.
CREATE FUNCTION analytics_through(d date)
	RETURNS TABLE (month_no integer, sign integer, lo date, hi date)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN s.up_to <= s.past THEN analytics_month_no(d) - 1 ELSE analytics_month_no(d) END,
	       CASE WHEN s.up_to <= s.past THEN 1 ELSE -1 END,
	       CASE WHEN s.up_to <= s.past THEN s.m ELSE d + 1 END,
	       CASE WHEN s.up_to <= s.past THEN d + 1 ELSE s.n END
	FROM (SELECT x.m, x.n, d + 1 - x.m AS up_to, x.n - d - 1 AS past
	      FROM (SELECT date_trunc('month', d)::date AS m,
			   (date_trunc('month', d) + interval '1 month')::date AS n) x) s
$$;

-- sql/0026_analytics_user_months.sql's window, under a name of its own.
CREATE FUNCTION analytics_user_window_months(f date, t date)
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

-- The users' events and active days from f to t (both included), from
-- the running totals: through t minus through f - 1, the most first; with
-- lim, the lim first.  Those are found without reading every user: a
-- window holds no more events than a user ever had (total), and the
-- window's whole months alone (no edge days) of the 4 x lim users with the
-- most events ever give a lower bound of the lim-th's events; only the
-- users with at least as many events ever are counted (over two years,
-- about as many as lim; every user for a window that few of the most
-- active users were active in).
CREATE FUNCTION analytics_user_window_totals(f date, t date, lim integer DEFAULT NULL)
	RETURNS TABLE (user_id bigint, events bigint, active_days bigint)
	LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	a record;
	b record;
	whole_from integer := analytics_month_no(analytics_first_month(f)) - 1;
	whole_to integer := analytics_month_no(analytics_end_month(t)) - 1;
	bound bigint;
BEGIN
	IF lim IS NOT NULL THEN
		SELECT x.v INTO bound
		FROM (SELECT analytics_cum_at(s.first_month, s.events, whole_to)
			     - analytics_cum_at(s.first_month, s.events, whole_from) AS v
		      FROM analytics_user_totals s ORDER BY s.total DESC LIMIT 4 * lim) x
		ORDER BY x.v DESC OFFSET lim - 1 LIMIT 1;
	END IF;
	bound := greatest(coalesce(bound, 1), 1);
	SELECT * INTO a FROM analytics_through(f - 1);
	SELECT * INTO b FROM analytics_through(t);
	RETURN QUERY
	SELECT w.user_id, w.events, w.days
	FROM (SELECT s.user_id,
		     analytics_cum_at(s.first_month, s.events, b.month_no)
		     - analytics_cum_at(s.first_month, s.events, a.month_no)
		     + coalesce(e.events, 0) AS events,
		     analytics_cum_at(s.first_month, s.days, b.month_no)
		     - analytics_cum_at(s.first_month, s.days, a.month_no)
		     + coalesce(e.days, 0) AS days
	      FROM analytics_user_totals s
	      LEFT JOIN (SELECT x.user_id, sum(x.events)::bigint AS events, sum(x.days)::bigint AS days
			 FROM (SELECT d.user_id, b.sign * d.events AS events, b.sign AS days
			       FROM analytics_users d WHERE d.day >= b.lo AND d.day < b.hi
			       UNION ALL
			       SELECT d.user_id, -a.sign * d.events, -a.sign
			       FROM analytics_users d WHERE d.day >= a.lo AND d.day < a.hi) x
			 GROUP BY x.user_id) e ON e.user_id = s.user_id
	      WHERE s.total >= bound) w
	WHERE w.events > 0
	ORDER BY w.events DESC, w.user_id
	LIMIT lim;
END $$;

-- The window's lim most active users (all with lim null), the most first,
-- from whichever reads fewer rows: its months and edge days while it
-- holds three whole months or fewer (30,000 users a month at 100,000
-- users), the running totals beyond.
CREATE FUNCTION analytics_user_top(f date, t date, lim integer)
	RETURNS TABLE (user_id bigint, events bigint, active_days bigint)
	LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF analytics_end_month(t) > analytics_first_month(f) + interval '3 months' THEN
		RETURN QUERY SELECT * FROM analytics_user_window_totals(f, t, lim);
	ELSE
		RETURN QUERY SELECT x.* FROM analytics_user_window_months(f, t) x
			     ORDER BY x.events DESC, x.user_id LIMIT lim;
	END IF;
END $$;

CREATE OR REPLACE FUNCTION analytics_user_window(f date, t date)
	RETURNS TABLE (user_id bigint, events bigint, active_days bigint)
	LANGUAGE sql STABLE AS $$
	SELECT * FROM analytics_user_top(f, t, NULL)
$$;

-- Every user's running totals made again from analytics_user_months
-- (the migration's backfill; a repair).  Returns the users.
CREATE FUNCTION analytics_user_totals_rebuild() RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics user totals', 0));
	DELETE FROM analytics_user_totals;
	INSERT INTO analytics_user_totals (user_id, first_month, events, days)
	SELECT s.user_id, min(s.k), array_agg(s.events ORDER BY s.k), array_agg(s.days ORDER BY s.k)
	FROM (SELECT b.user_id, g.k,
		     sum(coalesce(um.events, 0)) OVER w AS events,
		     sum(coalesce(um.active_days, 0)) OVER w AS days
	      FROM (SELECT user_id, analytics_month_no(min(month)) AS lo,
			   analytics_month_no(max(month)) AS hi
		    FROM analytics_user_months GROUP BY user_id) b
	      CROSS JOIN LATERAL generate_series(b.lo, b.hi) g(k)
	      LEFT JOIN analytics_user_months um
		     ON um.month = make_date(g.k / 12, g.k % 12 + 1, 1) AND um.user_id = b.user_id
	      WINDOW w AS (PARTITION BY b.user_id ORDER BY g.k)) s
	GROUP BY s.user_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

-- the totals so far (a rollup still running the old function waits, as
-- in sql/0026_analytics_user_months.sql)
LOCK TABLE analytics_users IN SHARE MODE;
LOCK TABLE analytics_user_months IN SHARE MODE;
SELECT analytics_user_totals_rebuild();

-- Searches by folded query and month: analytics_searches summed.
CREATE TABLE analytics_search_months (LIKE analytics_searches);
ALTER TABLE analytics_search_months RENAME COLUMN day TO month;
ALTER TABLE analytics_search_months ADD PRIMARY KEY (month, query);

LOCK TABLE analytics_searches IN SHARE MODE;
INSERT INTO analytics_search_months
SELECT date_trunc('month', day)::date, query, sum(searches), sum(no_results), sum(corrected)
FROM analytics_searches GROUP BY 1, 2;

-- Each query's searches from f to t (both included): the whole months
-- and the edge days, as analytics_movie_window.
CREATE FUNCTION analytics_search_window(f date, t date)
	RETURNS TABLE (query text, searches bigint, no_results bigint, corrected bigint)
	LANGUAGE sql STABLE AS $$
	SELECT x.query, sum(x.searches)::bigint, sum(x.no_results)::bigint, sum(x.corrected)::bigint
	FROM (SELECT m.query, m.searches, m.no_results, m.corrected FROM analytics_search_months m
	      WHERE m.month >= analytics_first_month(f) AND m.month < analytics_end_month(t)
	      UNION ALL
	      SELECT d.query, d.searches, d.no_results, d.corrected FROM analytics_searches d
	      WHERE d.day >= f AND d.day < analytics_head_end(f, t)
	      UNION ALL
	      SELECT d.query, d.searches, d.no_results, d.corrected FROM analytics_searches d
	      WHERE d.day >= analytics_tail_start(f, t) AND d.day <= t) x
	GROUP BY x.query
$$;

-- sql/0026_analytics_user_months.sql's, keeping the running totals and
-- the searches' months.
CREATE OR REPLACE FUNCTION analytics_rollup_day(d date) RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	m date := date_trunc('month', d)::date;
	w date := date_trunc('week', d)::date;
	n bigint;
	was bigint[];
	was_events bigint[];
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
	SELECT array_agg(user_id), array_agg(events::bigint) INTO was, was_events
	FROM analytics_users WHERE day = d;
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

	-- and their running totals by what changed, from the day's month on.
	-- Days of different months change the same users' rows: one day's
	-- rollup at a time here, so that two cannot deadlock on them.
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics user totals', 0));
	INSERT INTO analytics_user_totals AS s (user_id, first_month, events, days)
	SELECT c.user_id, analytics_month_no(m), ARRAY[c.events], ARRAY[c.days]
	FROM (SELECT coalesce(nw.user_id, o.user_id) AS user_id,
		     coalesce(nw.events, 0) - coalesce(o.events, 0) AS events,
		     (nw.user_id IS NOT NULL)::integer - (o.user_id IS NOT NULL)::integer AS days
	      FROM (SELECT user_id, events::bigint FROM analytics_users WHERE day = d) nw
	      FULL JOIN unnest(was, was_events) AS o(user_id, events) ON o.user_id = nw.user_id) c
	WHERE c.events <> 0 OR c.days <> 0
	ORDER BY c.user_id
	ON CONFLICT (user_id) DO UPDATE
	SET first_month = least(s.first_month, EXCLUDED.first_month),
	    events = analytics_cum_add(s.first_month, s.events, EXCLUDED.first_month, EXCLUDED.events[1]),
	    days = analytics_cum_add(s.first_month, s.days, EXCLUDED.first_month, EXCLUDED.days[1]);

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
	DELETE FROM analytics_search_months WHERE month = m;
	INSERT INTO analytics_search_months
	SELECT m, query, sum(searches), sum(no_results), sum(corrected)
	FROM analytics_searches WHERE day >= m AND day < m + interval '1 month'
	GROUP BY query;

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

-- sql/0026_analytics_user_months.sql's, and the user's running totals.
CREATE OR REPLACE FUNCTION users_erased_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	u bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
	DELETE FROM events WHERE user_id = u;
	DELETE FROM event_batches WHERE user_id = u;
	DELETE FROM analytics_users WHERE user_id = u;
	DELETE FROM analytics_user_months WHERE user_id = u;
	DELETE FROM analytics_user_totals WHERE user_id = u;
	-- the candidates training kept for the user (sql/0025_recs_users.sql)
	DELETE FROM recs_users WHERE version IN (SELECT id FROM recs_versions) AND user_id = u;
	DELETE FROM analytics_signups WHERE user_id = u;
	RETURN NULL;
END $$;

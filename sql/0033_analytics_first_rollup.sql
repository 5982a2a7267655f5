-- Issue 16: a day's first rollup (every user and movie of the day new to
-- the rollups, what the daily job does) of 20,000 events took 1.6-2.1 s
-- warm and 2.9-3.4 s cold (PostgreSQL restarted, every page changed
-- written whole to the WAL once after the checkpoint), against < 2 s.
-- pg_stat_statements (track = all) and auto_explain of one cold rollup:
-- 24,861 full-page images, 167 MB of WAL, most of them pages of indexes
-- keyed by user alone that each of the day's 15,000 users lands on a
-- page of its own of; and, warm, a call of the plpgsql analytics_cum_add
-- a running total (60,000 calls), the day's movies' month recounted
-- from every day of the month so far (a month's end: 30 days of rows),
-- and JIT compiling the statements whose generic plan counts every
-- partition of events.

-- ---- the indexes by user alone ----
-- analytics_users (user_id) and analytics_user_months (user_id) served a
-- user's erasure only; each took one leaf page per user of the day
-- (7,500 and 3,700 full-page images, 7,300 pages read, on a cold first
-- rollup).  The erasure probes the primary keys instead, (day, user_id)
-- and (month, user_id), at every day and month rolled (analytics_days):
-- 731 lookups over two years, milliseconds.
DROP INDEX IF EXISTS analytics_users_user;
DROP INDEX IF EXISTS analytics_user_months_user;

-- sql/0030_analytics_user_totals.sql's, by the primary keys.
CREATE OR REPLACE FUNCTION users_erased_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	u bigint := CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
	DELETE FROM events WHERE user_id = u;
	DELETE FROM event_batches WHERE user_id = u;
	-- (a day has its row of analytics_days whenever it has rows of
	-- analytics_users: the rollup writes both)
	DELETE FROM analytics_users
	WHERE day = ANY (ARRAY(SELECT day FROM analytics_days)) AND user_id = u;
	DELETE FROM analytics_user_months
	WHERE month = ANY (ARRAY(SELECT DISTINCT date_trunc('month', day)::date FROM analytics_days))
	      AND user_id = u;
	DELETE FROM analytics_user_totals WHERE user_id = u;
	-- the candidates training kept for the user (sql/0025_recs_users.sql)
	DELETE FROM recs_users WHERE version IN (SELECT id FROM recs_versions) AND user_id = u;
	DELETE FROM analytics_signups WHERE user_id = u;
	RETURN NULL;
END $$;

-- ---- the most active users' bound, in an index that rarely changes ----
-- analytics_user_totals.total (a user's events ever, the last running
-- total) was indexed for the top users' bound, and changed with every
-- active day: each of the day's 15,000 updates a new entry in two indexes
-- (1,900 leaf pages), never a HOT update.  The index is on top instead, an
-- upper bound of total (at most 1/8 over it: total rounded up to its four
-- leading bits), which a user's day changes only when total crosses a
-- step; analytics_user_window_totals reads top where it read total (a
-- bound of a window's events too; the 4 x lim users of the highest bound
-- give a lower bound of the lim-th's events all the same).
CREATE OR REPLACE FUNCTION analytics_total_bound(t bigint) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN t <= 16 THEN t
		    ELSE (((t - 1) >> (length(ltrim((t - 1)::bit(64)::text, '0')) - 4)) + 1)
			 << (length(ltrim((t - 1)::bit(64)::text, '0')) - 4) END;

DROP INDEX IF EXISTS analytics_user_totals_total;
ALTER TABLE analytics_user_totals ADD COLUMN IF NOT EXISTS
	top bigint GENERATED ALWAYS AS (analytics_total_bound(events[cardinality(events)])) STORED;
CREATE INDEX IF NOT EXISTS analytics_user_totals_top ON analytics_user_totals (top);

-- sql/0030_analytics_user_totals.sql's, with top for total.
CREATE OR REPLACE FUNCTION analytics_user_window_totals(f date, t date, lim integer DEFAULT NULL)
	RETURNS TABLE (user_id bigint, events bigint, active_days bigint)
	LANGUAGE plpgsql STABLE
	SET max_parallel_workers_per_gather = 0 AS $$
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
		      FROM analytics_user_totals s ORDER BY s.top DESC LIMIT 4 * lim) x
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
	      WHERE s.top >= bound) w
	WHERE w.events > 0
	ORDER BY w.events DESC, w.user_id
	LIMIT lim;
END $$;

-- ---- the pages a day's rollup changes ----
-- Cold, a page's first change after a checkpoint costs its read and its
-- image in the WAL: the fewer pages a day's users and movies are on, the
-- faster.  analytics_user_months in key order (month, user_id), a month's
-- rows together (90,000 users on 800 pages, not scattered over 20,000),
-- with room on each page for its rows' next versions: a day's updates of
-- the month's rows are then HOT (no index entry; events and active_days
-- are in no index since the user index went), on the page they were on.
-- The running totals alike: a new version on its page (the movies' HOT,
-- their key alone indexed), the tables without the dead space of their
-- rebuilds (a movie's row is 1.3 kB: 76 MB for 10,000 movies).
-- (CLUSTER locks each table while it rewrites it: 15 s for the 2.2
-- million rows of analytics_user_months at 100,000 users over two years,
-- when the reports reading it wait.)
ALTER TABLE analytics_user_months SET (fillfactor = 70);
CLUSTER analytics_user_months USING analytics_user_months_pkey;
ALTER TABLE analytics_user_totals SET (fillfactor = 85);
CLUSTER analytics_user_totals USING analytics_user_totals_pkey;
ALTER TABLE analytics_movie_totals SET (fillfactor = 60);
CLUSTER analytics_movie_totals USING analytics_movie_totals_pkey;
ANALYZE analytics_user_months, analytics_user_totals, analytics_movie_totals;

-- ---- the running totals ----
-- A change of a day in a running total's last month or after it (a
-- day's first rollup, but for days rolled out of order) as an expression
-- the planner inlines into the rollup's statements: a plpgsql call a
-- total was 10 us, 60,000 of them a rollup.  Other months: the general
-- case, sql/0030_analytics_user_totals.sql's.
CREATE OR REPLACE FUNCTION analytics_cum_shift(m0 integer, cum bigint[], k integer, delta bigint)
	RETURNS bigint[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY(SELECT analytics_cum_at(m0, cum, j) + CASE WHEN j >= k THEN delta ELSE 0 END
		     FROM generate_series(least(m0, k), greatest(m0 + cardinality(cum) - 1, k)) j
		     ORDER BY j);

CREATE OR REPLACE FUNCTION analytics_cum_add(m0 integer, cum bigint[], k integer, delta bigint)
	RETURNS bigint[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN cardinality(cum) = 0 OR k < m0 + cardinality(cum) - 1
		    THEN analytics_cum_shift(m0, cum, k, delta)
		    WHEN k = m0 + cardinality(cum) - 1
		    THEN trim_array(cum, 1) || (cum[cardinality(cum)] + delta)
		    ELSE cum || array_fill(cum[cardinality(cum)], ARRAY[k - m0 - cardinality(cum)])
			 || (cum[cardinality(cum)] + delta) END;

-- ---- the active users of a week and a month ----
-- A month's are its rows of analytics_user_months (a user has one while
-- active on a day of the month: the rollup deletes those it leaves
-- without an active day), not a count(DISTINCT) of 300,000 rows of
-- analytics_users; a week's, and its cohorts, from the week's distinct
-- users, found once and by hashing.
CREATE OR REPLACE FUNCTION analytics_recount_period(p text, s date) RETURNS void
	LANGUAGE plpgsql AS $$
DECLARE
	e date := s + CASE p WHEN 'week' THEN interval '1 week' ELSE interval '1 month' END;
	us bigint[];
BEGIN
	IF p = 'month' THEN
		INSERT INTO analytics_active (period, start, users)
		SELECT p, s, count(*) FROM analytics_user_months WHERE month = s
		ON CONFLICT (period, start) DO UPDATE SET users = EXCLUDED.users;
		RETURN;
	END IF;
	SELECT coalesce(array_agg(x.user_id), '{}') INTO us
	FROM (SELECT DISTINCT user_id FROM analytics_users WHERE day >= s AND day < e) x;
	INSERT INTO analytics_active (period, start, users) VALUES (p, s, cardinality(us))
	ON CONFLICT (period, start) DO UPDATE SET users = EXCLUDED.users;
	DELETE FROM analytics_cohorts WHERE week = s;
	INSERT INTO analytics_cohorts (cohort, week, users)
	SELECT date_trunc('week', g.day)::date, s, count(*)
	FROM unnest(us) u(user_id) JOIN analytics_signups g USING (user_id)
	WHERE g.day < e
	GROUP BY 1;
END $$;

-- sql/0032_analytics_movie_totals.sql's, with the movies' months kept as
-- their running totals are, by what the day changed (the month's rows
-- were recounted from every day of the month so far: 240 ms on the 5th of
-- a month, six times that at its end), and without JIT: the statements
-- on the day's events are planned for every partition of events (a
-- generic plan, pruned when run) and JIT compiled for that cost, 35 ms
-- and more each, for a day's 20,000 rows.
CREATE OR REPLACE FUNCTION analytics_rollup_day(d date) RETURNS bigint
	LANGUAGE plpgsql
	SET jit = off AS $$
DECLARE
	m date := date_trunc('month', d)::date;
	w date := date_trunc('week', d)::date;
	n bigint;
	was_movies jsonb;
	ch_users bigint[];
	ch_events bigint[];
	ch_days integer[];
	ch_now bigint[];
	day_movies bigint;
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

	SELECT coalesce(jsonb_agg(to_jsonb(o)), '[]') INTO was_movies
	FROM analytics_movies o WHERE day = d;
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

	GET DIAGNOSTICS day_movies = ROW_COUNT;

	-- the movies' running totals and months by what changed, as the
	-- users' below; cold, the totals' pages were read one at a time as
	-- the upsert came to them (4,000 reads, 75 us each): with a day of
	-- many movies, read whole and in order first (a tenth of the time)
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics movie totals', 0));
	IF day_movies > 1000 THEN
		PERFORM sum(cardinality(days)) FROM analytics_movie_totals;
	END IF;
	WITH c AS MATERIALIZED (
		SELECT coalesce(nw.movie_id, o.movie_id) AS movie_id,
		       coalesce(nw.views, 0) - coalesce(o.views, 0) AS views,
		       coalesce(nw.ratings, 0) - coalesce(o.ratings, 0) AS ratings,
		       coalesce(nw.rating_sum, 0) - coalesce(o.rating_sum, 0) AS rating_sum,
		       coalesce(nw.favorites, 0) - coalesce(o.favorites, 0) AS favorites,
		       coalesce(nw.unfavorites, 0) - coalesce(o.unfavorites, 0) AS unfavorites,
		       coalesce(nw.watchlist_adds, 0) - coalesce(o.watchlist_adds, 0) AS watchlist_adds,
		       coalesce(nw.reviews, 0) - coalesce(o.reviews, 0) AS reviews,
		       (nw.movie_id IS NOT NULL)::integer - (o.movie_id IS NOT NULL)::integer AS days
		FROM (SELECT * FROM analytics_movies WHERE day = d) nw
		FULL JOIN jsonb_to_recordset(was_movies)
		       AS o(movie_id bigint, views bigint, ratings bigint, rating_sum numeric,
			    favorites bigint, unfavorites bigint, watchlist_adds bigint, reviews bigint)
		       ON o.movie_id = nw.movie_id),
	totals AS (
		INSERT INTO analytics_movie_totals AS s (movie_id, first_month, views, ratings, favorites,
							  unfavorites, watchlist_adds, days)
		SELECT c.movie_id, analytics_month_no(m), ARRAY[c.views], ARRAY[c.ratings],
		       ARRAY[c.favorites], ARRAY[c.unfavorites], ARRAY[c.watchlist_adds],
		       ARRAY[c.days::bigint]
		FROM c
		WHERE c.views <> 0 OR c.ratings <> 0 OR c.favorites <> 0 OR c.unfavorites <> 0
		      OR c.watchlist_adds <> 0 OR c.days <> 0
		ORDER BY c.movie_id
		ON CONFLICT (movie_id) DO UPDATE
		SET first_month = least(s.first_month, EXCLUDED.first_month),
		    views = analytics_cum_add(s.first_month, s.views, EXCLUDED.first_month,
					      EXCLUDED.views[1]),
		    ratings = analytics_cum_add(s.first_month, s.ratings, EXCLUDED.first_month,
						EXCLUDED.ratings[1]),
		    favorites = analytics_cum_add(s.first_month, s.favorites, EXCLUDED.first_month,
						  EXCLUDED.favorites[1]),
		    unfavorites = analytics_cum_add(s.first_month, s.unfavorites, EXCLUDED.first_month,
						    EXCLUDED.unfavorites[1]),
		    watchlist_adds = analytics_cum_add(s.first_month, s.watchlist_adds,
						       EXCLUDED.first_month, EXCLUDED.watchlist_adds[1]),
		    days = analytics_cum_add(s.first_month, s.days, EXCLUDED.first_month,
					     EXCLUDED.days[1]))
	INSERT INTO analytics_movie_months AS mm
	SELECT m, c.movie_id, c.views, c.ratings, c.rating_sum, c.favorites, c.unfavorites,
	       c.watchlist_adds, c.reviews
	FROM c
	WHERE c.views <> 0 OR c.ratings <> 0 OR c.rating_sum <> 0 OR c.favorites <> 0
	      OR c.unfavorites <> 0 OR c.watchlist_adds <> 0 OR c.reviews <> 0 OR c.days > 0
	ORDER BY c.movie_id
	ON CONFLICT (month, movie_id) DO UPDATE
	SET views = mm.views + EXCLUDED.views, ratings = mm.ratings + EXCLUDED.ratings,
	    rating_sum = mm.rating_sum + EXCLUDED.rating_sum, favorites = mm.favorites + EXCLUDED.favorites,
	    unfavorites = mm.unfavorites + EXCLUDED.unfavorites,
	    watchlist_adds = mm.watchlist_adds + EXCLUDED.watchlist_adds,
	    reviews = mm.reviews + EXCLUDED.reviews;
	-- a movie the day had and has no more: its month's row goes with its
	-- last day of the month (the month's days probed, those it has none
	-- of)
	WITH gone AS MATERIALIZED (
		SELECT o.movie_id FROM jsonb_to_recordset(was_movies) AS o(movie_id bigint)
		WHERE NOT EXISTS (SELECT 1 FROM analytics_movies a WHERE a.day = d AND a.movie_id = o.movie_id))
	DELETE FROM analytics_movie_months mm
	USING gone
	WHERE mm.month = m AND mm.movie_id = gone.movie_id
	      AND NOT EXISTS (SELECT 1 FROM analytics_movies a
			      WHERE a.day = ANY (ARRAY(SELECT g::date
						       FROM generate_series(m, m + interval '1 month' - interval '1 day',
									    interval '1 day') g))
				    AND a.movie_id = gone.movie_id);

	DELETE FROM analytics_genres WHERE day = d;
	INSERT INTO analytics_genres
	SELECT d, g, count(*), count(*) FILTER (WHERE e.kind = 'rating'),
	       coalesce(sum(e.value) FILTER (WHERE e.kind = 'rating'), 0)
	FROM analytics_day_events(d) e JOIN movies mv ON mv.id = e.movie_id, unnest(mv.genre_ids) g
	GROUP BY g;

	-- the day's users, their months and their running totals by what
	-- changed: the users whose count differs from the day's rows (all of
	-- them on a day's first rollup, none on a rollup that finds nothing
	-- new)
	SELECT array_agg(c.user_id ORDER BY c.user_id), array_agg(c.events ORDER BY c.user_id),
	       array_agg(c.days ORDER BY c.user_id), array_agg(c.now ORDER BY c.user_id)
	INTO ch_users, ch_events, ch_days, ch_now
	FROM (SELECT coalesce(nw.user_id, o.user_id) AS user_id,
		     coalesce(nw.events, 0) - coalesce(o.events, 0) AS events,
		     (nw.user_id IS NOT NULL)::integer - (o.user_id IS NOT NULL)::integer AS days,
		     nw.events AS now
	      FROM (SELECT user_id, count(*) AS events FROM analytics_day_events(d)
		    WHERE user_id IS NOT NULL GROUP BY user_id) nw
	      FULL JOIN (SELECT user_id, events::bigint FROM analytics_users WHERE day = d) o
		     ON o.user_id = nw.user_id) c
	WHERE c.events <> 0 OR c.days <> 0;
	ch_users := coalesce(ch_users, '{}');
	DELETE FROM analytics_users a USING unnest(ch_users, ch_days) x(user_id, days)
	WHERE a.day = d AND a.user_id = x.user_id AND x.days < 0;
	UPDATE analytics_users a SET events = x.now
	FROM unnest(ch_users, ch_days, ch_now) x(user_id, days, now)
	WHERE a.day = d AND a.user_id = x.user_id AND x.days = 0;
	INSERT INTO analytics_users
	SELECT d, x.user_id, x.now FROM unnest(ch_users, ch_days, ch_now) x(user_id, days, now)
	WHERE x.days > 0;
	INSERT INTO analytics_user_months AS um (month, user_id, events, active_days)
	SELECT m, x.user_id, x.events, x.days FROM unnest(ch_users, ch_events, ch_days) x(user_id, events, days)
	ORDER BY x.user_id
	ON CONFLICT (month, user_id) DO UPDATE
	SET events = um.events + EXCLUDED.events, active_days = um.active_days + EXCLUDED.active_days;
	DELETE FROM analytics_user_months
	WHERE month = m AND user_id = ANY (ch_users) AND active_days <= 0;

	-- Days of different months change the same users' running totals:
	-- one day's rollup at a time here, so that two cannot deadlock on them.
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics user totals', 0));
	-- (read whole first when many change, as the movies' above: 7,000
	-- pages read one at a time, cold)
	IF cardinality(ch_users) > 1000 THEN
		PERFORM sum(cardinality(days)) FROM analytics_user_totals;
	END IF;
	INSERT INTO analytics_user_totals AS s (user_id, first_month, events, days)
	SELECT x.user_id, analytics_month_no(m), ARRAY[x.events], ARRAY[x.days::bigint]
	FROM unnest(ch_users, ch_events, ch_days) x(user_id, events, days)
	ORDER BY x.user_id
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

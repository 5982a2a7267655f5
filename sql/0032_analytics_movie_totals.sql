-- Issue 16, on a dataset whose events really span two years (10 million
-- events, 100,000 users, 10,000 movies):
--
-- popular-movies and most-favorited summed a row per movie per month
-- (analytics_movie_months: 232,000 rows over two years) and the edge
-- days of the window (up to 60 days of analytics_movies, 5,000 rows a
-- day): 390,000 rows, p99 260-270 ms against 200.  Movies get what users
-- have (sql/0030_analytics_user_totals.sql): running totals by month, one
-- row a movie, and a window is through t minus through f - 1, each a
-- month's total and at most 15 days of analytics_movies on the month's
-- nearer side.  Exact, as the months are.
--
-- The rollup of a day rewrote every user of the day: deleted and inserted
-- its analytics_users rows and took each user's month row out and put it
-- back (2 of the 2.3 s of a day of 20,000 events, most of it index
-- upkeep).  It now writes only the users whose count changed: all of them
-- on a day's first rollup, none when a day is rolled again unchanged.

-- Each movie's running totals: views[i] (and the others) are the movie's
-- views from its first month (first_month, a month number) to the end of
-- month first_month + i - 1, as analytics_user_totals; days counts the
-- movie's rows of analytics_movies (days with any event of it), which
-- decides, as the months and days did, whether a window lists the movie.
-- Kept by the day rollup.
CREATE TABLE analytics_movie_totals (
	movie_id bigint PRIMARY KEY,
	first_month integer NOT NULL,
	views bigint[] NOT NULL,
	ratings bigint[] NOT NULL,
	favorites bigint[] NOT NULL,
	unfavorites bigint[] NOT NULL,
	watchlist_adds bigint[] NOT NULL,
	days bigint[] NOT NULL
);

-- sql/0030_analytics_user_totals.sql's, the same, with no query for a
-- change to the last month or after it (a day's rollup, but for days
-- rolled again out of order): a day's first rollup changes a running
-- total of each of its 15,000 users and 5,000 movies, and the query made
-- it 20 us a total (1.8 of the rollup's 3.6 s).
CREATE OR REPLACE FUNCTION analytics_cum_add(m0 integer, cum bigint[], k integer, delta bigint)
	RETURNS bigint[]
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	n integer := cardinality(cum);
BEGIN
	IF n > 0 AND k = m0 + n - 1 THEN
		RETURN cum[1:n - 1] || (cum[n] + delta);
	ELSIF n > 0 AND k > m0 + n - 1 THEN
		RETURN cum || array_fill(cum[n], ARRAY[k - m0 - n]) || (cum[n] + delta);
	END IF;
	RETURN ARRAY(SELECT analytics_cum_at(m0, cum, j) + CASE WHEN j >= k THEN delta ELSE 0 END
		     FROM generate_series(least(m0, k), greatest(m0 + n - 1, k)) j
		     ORDER BY j);
END $$;

-- A running total's change from the end of month a to the end of month b.
CREATE FUNCTION analytics_cum_diff(m0 integer, cum bigint[], a integer, b integer) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN analytics_cum_at(m0, cum, b) - analytics_cum_at(m0, cum, a);

-- Every movie's running totals made again from analytics_movies (the
-- migration's backfill; a repair).  Returns the movies.
CREATE FUNCTION analytics_movie_totals_rebuild() RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics movie totals', 0));
	DELETE FROM analytics_movie_totals;
	WITH mm AS (SELECT analytics_month_no(day) AS k, movie_id, sum(views) AS views,
			   sum(ratings) AS ratings, sum(favorites) AS favorites,
			   sum(unfavorites) AS unfavorites, sum(watchlist_adds) AS watchlist_adds,
			   count(*) AS days
		    FROM analytics_movies GROUP BY 1, 2)
	INSERT INTO analytics_movie_totals
	SELECT s.movie_id, min(s.k), array_agg(s.views ORDER BY s.k), array_agg(s.ratings ORDER BY s.k),
	       array_agg(s.favorites ORDER BY s.k), array_agg(s.unfavorites ORDER BY s.k),
	       array_agg(s.watchlist_adds ORDER BY s.k), array_agg(s.days ORDER BY s.k)
	FROM (SELECT b.movie_id, g.k,
		     sum(coalesce(mm.views, 0)) OVER w AS views,
		     sum(coalesce(mm.ratings, 0)) OVER w AS ratings,
		     sum(coalesce(mm.favorites, 0)) OVER w AS favorites,
		     sum(coalesce(mm.unfavorites, 0)) OVER w AS unfavorites,
		     sum(coalesce(mm.watchlist_adds, 0)) OVER w AS watchlist_adds,
		     sum(coalesce(mm.days, 0)) OVER w AS days
	      FROM (SELECT movie_id, min(k) AS lo, max(k) AS hi FROM mm GROUP BY movie_id) b
	      CROSS JOIN LATERAL generate_series(b.lo, b.hi) g(k)
	      LEFT JOIN mm ON mm.k = g.k AND mm.movie_id = b.movie_id
	      WINDOW w AS (PARTITION BY b.movie_id ORDER BY g.k)) s
	GROUP BY s.movie_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

-- the totals so far (a rollup still running the old function waits, as
-- in sql/0026_analytics_user_months.sql)
LOCK TABLE analytics_movies IN SHARE MODE;
SELECT analytics_movie_totals_rebuild();

-- The movies' activity from f to t (both included), from the running
-- totals: through t minus through f - 1 (analytics_through); the movies
-- with a row of analytics_movies in the window, as analytics_movie_window.
CREATE FUNCTION analytics_movie_window_totals(f date, t date)
	RETURNS TABLE (movie_id bigint, views bigint, ratings bigint, favorites bigint,
		       unfavorites bigint, watchlist_adds bigint)
	LANGUAGE plpgsql STABLE
	-- (the edge days, 32,000 rows over the bench's two years: summed in
	-- parallel, they took 190 ms, in one process 20)
	SET max_parallel_workers_per_gather = 0 AS $$
#variable_conflict use_column
DECLARE
	a record;
	b record;
BEGIN
	SELECT * INTO a FROM analytics_through(f - 1);
	SELECT * INTO b FROM analytics_through(t);
	RETURN QUERY
	SELECT w.movie_id, w.views, w.ratings, w.favorites, w.unfavorites, w.watchlist_adds
	FROM (SELECT s.movie_id,
		     analytics_cum_diff(s.first_month, s.views, a.month_no, b.month_no)
		     + coalesce(e.views, 0) AS views,
		     analytics_cum_diff(s.first_month, s.ratings, a.month_no, b.month_no)
		     + coalesce(e.ratings, 0) AS ratings,
		     analytics_cum_diff(s.first_month, s.favorites, a.month_no, b.month_no)
		     + coalesce(e.favorites, 0) AS favorites,
		     analytics_cum_diff(s.first_month, s.unfavorites, a.month_no, b.month_no)
		     + coalesce(e.unfavorites, 0) AS unfavorites,
		     analytics_cum_diff(s.first_month, s.watchlist_adds, a.month_no, b.month_no)
		     + coalesce(e.watchlist_adds, 0) AS watchlist_adds,
		     analytics_cum_diff(s.first_month, s.days, a.month_no, b.month_no)
		     + coalesce(e.days, 0) AS days
	      FROM analytics_movie_totals s
	      LEFT JOIN (SELECT x.movie_id, sum(x.views)::bigint AS views,
				sum(x.ratings)::bigint AS ratings, sum(x.favorites)::bigint AS favorites,
				sum(x.unfavorites)::bigint AS unfavorites,
				sum(x.watchlist_adds)::bigint AS watchlist_adds, sum(x.days)::bigint AS days
			 FROM (SELECT d.movie_id, b.sign * d.views AS views, b.sign * d.ratings AS ratings,
				      b.sign * d.favorites AS favorites, b.sign * d.unfavorites AS unfavorites,
				      b.sign * d.watchlist_adds AS watchlist_adds, b.sign AS days
			       FROM analytics_movies d WHERE d.day >= b.lo AND d.day < b.hi
			       UNION ALL
			       SELECT d.movie_id, -a.sign * d.views, -a.sign * d.ratings,
				      -a.sign * d.favorites, -a.sign * d.unfavorites,
				      -a.sign * d.watchlist_adds, -a.sign
			       FROM analytics_movies d WHERE d.day >= a.lo AND d.day < a.hi) x
			 GROUP BY x.movie_id) e ON e.movie_id = s.movie_id) w
	WHERE w.days > 0;
END $$;

-- The most active users over two years (sql/0030_analytics_user_totals.sql)
-- summed their edge days (65,000 rows of analytics_users) in parallel
-- workers: 185 ms of the report's 190; in one process, 40.
ALTER FUNCTION analytics_user_window_totals(date, date, integer)
	SET max_parallel_workers_per_gather = 0;

-- sql/0030_analytics_user_totals.sql's, keeping the movies' running
-- totals, and writing only the users whose count changed.
CREATE OR REPLACE FUNCTION analytics_rollup_day(d date) RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	m date := date_trunc('month', d)::date;
	w date := date_trunc('week', d)::date;
	n bigint;
	was_movies jsonb;
	ch_users bigint[];
	ch_events bigint[];
	ch_days integer[];
	ch_now bigint[];
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

	-- the movies' running totals by what changed, as the users' below
	PERFORM pg_advisory_xact_lock(hashtextextended('analytics movie totals', 0));
	INSERT INTO analytics_movie_totals AS s (movie_id, first_month, views, ratings, favorites,
						  unfavorites, watchlist_adds, days)
	SELECT c.movie_id, analytics_month_no(m), ARRAY[c.views], ARRAY[c.ratings], ARRAY[c.favorites],
	       ARRAY[c.unfavorites], ARRAY[c.watchlist_adds], ARRAY[c.days::bigint]
	FROM (SELECT coalesce(nw.movie_id, o.movie_id) AS movie_id,
		     coalesce(nw.views, 0) - coalesce(o.views, 0) AS views,
		     coalesce(nw.ratings, 0) - coalesce(o.ratings, 0) AS ratings,
		     coalesce(nw.favorites, 0) - coalesce(o.favorites, 0) AS favorites,
		     coalesce(nw.unfavorites, 0) - coalesce(o.unfavorites, 0) AS unfavorites,
		     coalesce(nw.watchlist_adds, 0) - coalesce(o.watchlist_adds, 0) AS watchlist_adds,
		     (nw.movie_id IS NOT NULL)::integer - (o.movie_id IS NOT NULL)::integer AS days
	      FROM (SELECT * FROM analytics_movies WHERE day = d) nw
	      FULL JOIN jsonb_to_recordset(was_movies)
		     AS o(movie_id bigint, views bigint, ratings bigint, favorites bigint,
			  unfavorites bigint, watchlist_adds bigint) ON o.movie_id = nw.movie_id) c
	WHERE c.views <> 0 OR c.ratings <> 0 OR c.favorites <> 0 OR c.unfavorites <> 0
	      OR c.watchlist_adds <> 0 OR c.days <> 0
	ORDER BY c.movie_id
	ON CONFLICT (movie_id) DO UPDATE
	SET first_month = least(s.first_month, EXCLUDED.first_month),
	    views = analytics_cum_add(s.first_month, s.views, EXCLUDED.first_month, EXCLUDED.views[1]),
	    ratings = analytics_cum_add(s.first_month, s.ratings, EXCLUDED.first_month, EXCLUDED.ratings[1]),
	    favorites = analytics_cum_add(s.first_month, s.favorites, EXCLUDED.first_month,
					  EXCLUDED.favorites[1]),
	    unfavorites = analytics_cum_add(s.first_month, s.unfavorites, EXCLUDED.first_month,
					    EXCLUDED.unfavorites[1]),
	    watchlist_adds = analytics_cum_add(s.first_month, s.watchlist_adds, EXCLUDED.first_month,
					       EXCLUDED.watchlist_adds[1]),
	    days = analytics_cum_add(s.first_month, s.days, EXCLUDED.first_month, EXCLUDED.days[1]);

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

	-- the day's users, their months and their running totals by what
	-- changed: the users whose count differs from the day's rows (all of
	-- them on a day's first rollup, none on a rollup that finds nothing
	-- new); rewriting every user of the day (delete, insert, and each
	-- month row taken out and put back) was 2 of the 2.3 s of a day of
	-- 20,000 events
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


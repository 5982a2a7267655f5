-- Bulk loads (marquee.bulk = 'on': `marquee import movielens`, bench/run's
-- recommendation data) skip the row triggers of the signals in the
-- trigger's WHEN, not in its function.
--
-- The functions below return at once in a bulk load (their first test is
-- bulk_load()), but the row was still queued for each AFTER trigger and
-- each function still ran: events_written() made a jsonb of the row
-- before track() found the load was bulk.  Inserting 50,000 ratings in a
-- bulk load (EXPLAIN ANALYZE, 100,000 movies) took 3.6 s, of which
-- ratings_events 0.97 s, ratings_counted 0.10, ratings_feed 0.06,
-- ratings_provisional 0.08 and the queue besides; with the WHEN below,
-- 1.4 s, the foreign keys' checks (0.66 s) the only triggers left.  A
-- WHEN that is false queues nothing and calls nothing; each function
-- keeps its own test, so what a bulk load writes is what it was.
-- bulk_load() is NULL in a session that never set marquee.bulk, hence
-- IS NOT TRUE (NOT NULL would skip the triggers of every request).
DROP TRIGGER ratings_provisional ON ratings;
CREATE TRIGGER ratings_provisional BEFORE INSERT ON ratings
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION provisional_movie_guard();
DROP TRIGGER ratings_counted ON ratings;
CREATE TRIGGER ratings_counted AFTER INSERT OR DELETE ON ratings
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION ratings_counted();
DROP TRIGGER ratings_recounted ON ratings;
CREATE TRIGGER ratings_recounted AFTER UPDATE OF rating ON ratings
	FOR EACH ROW WHEN (OLD.rating IS DISTINCT FROM NEW.rating AND bulk_load() IS NOT TRUE)
	EXECUTE FUNCTION ratings_counted();
DROP TRIGGER ratings_feed ON ratings;
CREATE TRIGGER ratings_feed AFTER INSERT OR DELETE ON ratings
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION ratings_feed();
DROP TRIGGER ratings_feed_changed ON ratings;
CREATE TRIGGER ratings_feed_changed AFTER UPDATE OF rating ON ratings
	FOR EACH ROW WHEN (OLD.rating IS DISTINCT FROM NEW.rating AND bulk_load() IS NOT TRUE)
	EXECUTE FUNCTION ratings_feed();
DROP TRIGGER ratings_events ON ratings;
CREATE TRIGGER ratings_events AFTER INSERT OR DELETE ON ratings
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION events_written('rating', 'rating_removed');
DROP TRIGGER ratings_events_changed ON ratings;
CREATE TRIGGER ratings_events_changed AFTER UPDATE OF rating ON ratings
	FOR EACH ROW WHEN (OLD.rating IS DISTINCT FROM NEW.rating AND bulk_load() IS NOT TRUE)
	EXECUTE FUNCTION events_written('rating', '');

DROP TRIGGER favorites_provisional ON favorites;
CREATE TRIGGER favorites_provisional BEFORE INSERT ON favorites
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION provisional_movie_guard();
DROP TRIGGER favorites_feed ON favorites;
CREATE TRIGGER favorites_feed AFTER INSERT OR DELETE ON favorites
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION favorites_feed();
DROP TRIGGER favorites_events ON favorites;
CREATE TRIGGER favorites_events AFTER INSERT OR DELETE ON favorites
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION events_written('favorite', 'unfavorite');

DROP TRIGGER watchlist_provisional ON watchlist;
CREATE TRIGGER watchlist_provisional BEFORE INSERT ON watchlist
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION provisional_movie_guard();
DROP TRIGGER watchlist_events ON watchlist;
CREATE TRIGGER watchlist_events AFTER INSERT OR DELETE ON watchlist
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE)
	EXECUTE FUNCTION events_written('watchlist_add', 'watchlist_remove');

DROP TRIGGER watch_history_provisional ON watch_history;
CREATE TRIGGER watch_history_provisional BEFORE INSERT ON watch_history
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION provisional_movie_guard();
DROP TRIGGER watch_history_events ON watch_history;
CREATE TRIGGER watch_history_events AFTER INSERT ON watch_history
	FOR EACH ROW WHEN (bulk_load() IS NOT TRUE) EXECUTE FUNCTION events_written('watched', '');

-- Provisional movies (sql/0010_hardening.sql, issue 12 finding 1): made by
-- provisional_movie_insert() for confirmed users within their quota, in
-- no count and no search word, named by no row of another user (and by no
-- review or comment), until TMDb's data or an administrator confirms them.
SELECT plan(27);

INSERT INTO users (id, username, email, email_verified_at) OVERRIDING SYSTEM VALUE VALUES
	(101, 'alice', 'alice@example.com', now()), (102, 'bob', 'bob@example.com', now()),
	(103, 'mallory', 'mallory@example.com', NULL);
INSERT INTO movies (id, tmdb_id, title, overview) VALUES (201, 653, 'Nosferatu', 'A vampire.');
INSERT INTO lists (id, user_id, name) OVERRIDING SYSTEM VALUE VALUES (301, 101, 'a'), (302, 102, 'b');

-- ---- made, within the rules ----
SELECT is((SELECT outcome FROM provisional_movie_insert(550, 'FREE STREAM evil.example', 'x', NULL, 103, 2)),
	'unverified', 'an unconfirmed address makes none');
SELECT is((SELECT outcome FROM provisional_movie_insert(550, 'FREE STREAM evil.example', 'x', '/e.jpg', 101, 2)),
	'made', 'a confirmed one does');
SELECT is((SELECT provisional_by FROM movies WHERE tmdb_id = 550), 101::bigint, 'hers');
SELECT is((SELECT outcome FROM provisional_movie_insert(550, 'Fight Club', NULL, NULL, 102, 2)),
	'taken', 'its TMDb id is taken for another');
SELECT is((SELECT outcome FROM provisional_movie_insert(603, 'M', NULL, NULL, 101, 2)), 'made',
	'a second');
SELECT is((SELECT outcome FROM provisional_movie_insert(680, 'P', NULL, NULL, 101, 2)), 'quota',
	'a third, past the quota of 2');
SELECT is((SELECT count(*) FROM movies WHERE provisional_by = 101), 2::bigint, 'she has two');

-- ---- in no count, no search word ----
SELECT is((SELECT n FROM movie_counts WHERE dimension = 'all'), 1::bigint, 'the counts have the public one');
SELECT is((SELECT count(*) FROM search_words WHERE word IN ('evil.example', 'stream')), 0::bigint,
	'its words are not what q= is corrected to');
UPDATE movies SET genre_ids = '{1}', year = 1999 WHERE tmdb_id = 603;
SELECT is((SELECT count(*) FROM movie_counts WHERE dimension IN ('genre', 'year') AND n <> 0), 0::bigint,
	'an edit of a provisional movie counts nothing');

-- ---- who may name it ----
SELECT lives_ok($$INSERT INTO favorites (user_id, movie_id)
	SELECT 101, id FROM movies WHERE tmdb_id = 550$$, 'its maker''s favorite');
SELECT lives_ok($$INSERT INTO ratings (user_id, movie_id, rating)
	SELECT 101, id, 4 FROM movies WHERE tmdb_id = 550$$, 'her rating');
SELECT lives_ok($$INSERT INTO list_items (list_id, movie_id, position)
	SELECT 301, id, 1 FROM movies WHERE tmdb_id = 550$$, 'her list''s item');
SELECT throws_ok($$INSERT INTO favorites (user_id, movie_id) SELECT 102, id FROM movies WHERE tmdb_id = 550$$,
	'23503', NULL, 'another user''s favorite: as if there were no such movie');
SELECT throws_ok($$INSERT INTO ratings (user_id, movie_id, rating) SELECT 102, id, 1 FROM movies WHERE tmdb_id = 550$$,
	'23503', NULL, 'his rating');
SELECT throws_ok($$INSERT INTO watchlist (user_id, movie_id) SELECT 102, id FROM movies WHERE tmdb_id = 550$$,
	'23503', NULL, 'his watchlist entry');
SELECT throws_ok($$INSERT INTO watch_history (user_id, movie_id) SELECT 102, id FROM movies WHERE tmdb_id = 550$$,
	'23503', NULL, 'his history');
SELECT throws_ok($$INSERT INTO list_items (list_id, movie_id, position) SELECT 302, id, 1 FROM movies WHERE tmdb_id = 550$$,
	'23503', NULL, 'his list''s item');
SELECT throws_ok($$INSERT INTO reviews (user_id, movie_id, body) SELECT 101, id, 'x' FROM movies WHERE tmdb_id = 550$$,
	'23503', NULL, 'a review, which everyone reads, even hers');
SELECT throws_ok($$INSERT INTO comments (user_id, movie_id, body) SELECT 101, id, 'x' FROM movies WHERE tmdb_id = 550$$,
	'23503', NULL, 'a comment');
SELECT lives_ok($$INSERT INTO favorites (user_id, movie_id) VALUES (102, 201)$$, 'a public movie is anyone''s');

-- ---- confirmed by TMDb's data ----
SELECT lives_ok($$SELECT tmdb_movie_upsert('{"id": 550, "title": "Fight Club", "release_date": "1999-10-15",
	"original_language": "en", "genres": [{"id": 18, "name": "Drama"}]}'::jsonb, true)$$,
	'TMDb''s document of it, as the nightly refresh writes it');
SELECT is((SELECT row(provisional_by, source, title) FROM movies WHERE tmdb_id = 550),
	row(NULL::bigint, 'tmdb'::text, 'Fight Club'::text), 'confirms it: public, TMDb''s, with TMDb''s title');
SELECT is((SELECT n FROM movie_counts WHERE dimension = 'all'), 2::bigint, 'counted now');
SELECT is((SELECT n FROM movie_counts WHERE dimension = 'year' AND value = '1999'), 1::bigint,
	'with its year');

-- ---- approved by an administrator ----
UPDATE movies SET provisional_by = NULL WHERE tmdb_id = 603;
SELECT is((SELECT n FROM movie_counts WHERE dimension = 'all'), 3::bigint, 'an approval counts it too');
SELECT is((SELECT count(*) FROM search_words WHERE word = 'm'), 1::bigint, 'and adds its words');

SELECT * FROM finish();

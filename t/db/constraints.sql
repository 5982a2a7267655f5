-- What the tables refuse whoever writes to them: uniqueness (whatever the
-- case, where the API promises it) and the CHECKs.  Each refusal is shown
-- beside an accepted neighbour, so that the fixture itself is not what
-- fails.
SELECT plan(84);

-- ---- users ----
SELECT lives_ok($$INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE
	VALUES (101, 'Alice', 'Alice@Example.com'), (102, 'bob', 'bob@example.com')$$,
	'two users');
SELECT violates($$INSERT INTO users (username, email) VALUES ('alice', 'other@example.com')$$,
	'users_username_key', 'a username is taken whatever its case');
SELECT violates($$INSERT INTO users (username, email) VALUES ('alice2', 'alice@EXAMPLE.COM')$$,
	'users_email_key', 'an email is taken whatever its case');
SELECT lives_ok($$INSERT INTO users (username, email) VALUES ('a.b-c_9', 'abc@example.com')$$,
	'a username of letters, digits, . - _');
SELECT lives_ok($$INSERT INTO users (username, email) VALUES ('abc', 'abc3@example.com'),
	('a' || repeat('b', 29), 'abc30@example.com')$$, 'usernames of 3 and 30 characters');
SELECT violates($$INSERT INTO users (username, email) VALUES ('ab', 'ab@example.com')$$,
	'users_check', 'a username of 2 characters');
SELECT violates($$INSERT INTO users (username, email) VALUES ('a' || repeat('b', 30), 'x@example.com')$$,
	'users_check', 'a username of 31 characters');
SELECT violates($$INSERT INTO users (username, email) VALUES ('_alice', 'x@example.com')$$,
	'users_check', 'a username starting with _');
SELECT violates($$INSERT INTO users (username, email) VALUES ('al ice', 'x@example.com')$$,
	'users_check', 'a username with a space');
SELECT violates($$INSERT INTO users (username, email) VALUES ('alicé', 'x@example.com')$$,
	'users_check', 'a username with a letter outside ASCII');
SELECT lives_ok($$UPDATE users SET username = 'deleted 2', deleted_at = now() WHERE id = 102$$,
	'an erased account''s username need not be one a user could choose');
SELECT violates($$INSERT INTO users (username, email) VALUES ('carol', repeat('x', 243) || '@example.com')$$,
	'users_email_check', 'an email of 255 characters');
SELECT violates($$INSERT INTO users (username, email, role) VALUES ('carol', 'c@example.com', 'root')$$,
	'users_role_check', 'a role other than user and admin');
SELECT lives_ok($$UPDATE users SET locale = 'fr-CA', region = 'CA' WHERE id = 101$$,
	'a locale and a region');
SELECT violates($$UPDATE users SET locale = 'FR' WHERE id = 101$$, 'users_locale_check',
	'a locale in capitals');
SELECT violates($$UPDATE users SET region = 'ca' WHERE id = 101$$, 'users_region_check',
	'a region in small letters');
SELECT violates($$UPDATE users SET display_name = repeat('x', 101) WHERE id = 101$$,
	'users_display_name_check', 'a display name of 101 characters');
SELECT violates($$UPDATE users SET bio = repeat('x', 2001) WHERE id = 101$$,
	'users_bio_check', 'a bio of 2001 characters');
SELECT lives_ok($$UPDATE users SET movielens_id = 7 WHERE id = 101$$, 'a MovieLens user id');
SELECT violates($$UPDATE users SET movielens_id = 7 WHERE id = 102$$, 'users_movielens_id_key',
	'a MovieLens user id is one account''s');
SELECT violates($$UPDATE users SET movielens_id = 0 WHERE id = 102$$, 'users_movielens_id_check',
	'a MovieLens user id of 0');

-- ---- movies ----
SELECT lives_ok($$INSERT INTO movies (id, title, tmdb_id, imdb_id, movielens_id)
	VALUES (101, 'One', 11, 'tt0000001', 21), (102, 'Two', NULL, 'tt1234567890', NULL)$$,
	'movies with TMDb, IMDb (7 to 10 digits) and MovieLens ids');
SELECT violates($$INSERT INTO movies (title, tmdb_id) VALUES ('x', 11)$$, 'movies_tmdb_id_key',
	'a TMDb id is one movie''s');
SELECT violates($$INSERT INTO movies (title, imdb_id) VALUES ('x', 'tt0000001')$$,
	'movies_imdb_id_key', 'an IMDb id is one movie''s');
SELECT violates($$INSERT INTO movies (title, movielens_id) VALUES ('x', 21)$$,
	'movies_movielens_id_key', 'a MovieLens id is one movie''s');
SELECT violates($$INSERT INTO movies (title, tmdb_id) VALUES ('x', 0)$$, 'movies_tmdb_id_check',
	'a TMDb id of 0');
SELECT violates($$INSERT INTO movies (title, imdb_id) VALUES ('x', 'tt123456')$$,
	'movies_imdb_id_check', 'an IMDb id of 6 digits');
SELECT violates($$INSERT INTO movies (title, imdb_id) VALUES ('x', 'nm0000001')$$,
	'movies_imdb_id_check', 'an IMDb id of a person');
SELECT violates($$INSERT INTO movies (title) VALUES ('')$$, 'movies_title_check', 'an empty title');
SELECT violates($$INSERT INTO movies (title) VALUES (repeat('x', 301))$$, 'movies_title_check',
	'a title of 301 characters');
SELECT lives_ok($$INSERT INTO movies (title, year, runtime) VALUES ('x', 1870, 1), ('y', 2100, 1000)$$,
	'years 1870 and 2100, runtimes 1 and 1000');
SELECT violates($$INSERT INTO movies (title, year) VALUES ('x', 1869)$$, 'movies_year_check',
	'the year 1869');
SELECT violates($$INSERT INTO movies (title, release_date) VALUES ('x', '2101-01-01')$$,
	'movies_year_check', 'a release date in 2101 (its year)');
SELECT violates($$INSERT INTO movies (title, runtime) VALUES ('x', 0)$$, 'movies_runtime_check',
	'a runtime of 0');
SELECT violates($$INSERT INTO movies (title, original_language) VALUES ('x', 'eng')$$,
	'movies_original_language_check', 'a language of three letters');
SELECT violates($$INSERT INTO movies (title, status) VALUES ('x', 'Lost')$$, 'movies_status_check',
	'a status TMDb does not have');
SELECT violates($$INSERT INTO movies (title, source) VALUES ('x', 'imdb')$$, 'movies_source_check',
	'a source we do not import from');
SELECT violates($$INSERT INTO movies (title, popularity) VALUES ('x', -0.5)$$,
	'movies_popularity_check', 'a negative popularity');
SELECT violates($$UPDATE movie_stats SET ratings_count = ratings_count - 1 WHERE movie_id = 101$$,
	'movie_stats_ratings_count_check', 'a count below 0');
SELECT violates($$UPDATE movie_stats SET favorites_count = -1 WHERE movie_id = 101$$,
	'movie_stats_favorites_count_check', 'favorites below 0');
SELECT violates($$UPDATE movie_stats SET ratings_sum = -0.5 WHERE movie_id = 101$$,
	'movie_stats_ratings_sum_check', 'a sum of ratings below 0');
SELECT is((SELECT rating FROM movies WHERE id = 101), NULL, 'no ratings: no average, not 0');
SELECT violates($$UPDATE movies SET rating = 0.2 WHERE id = 101$$, 'movies_rating_check',
	'an average below half a star');

-- ---- ratings, reviews, the watchlist, favorites ----
SELECT lives_ok($$INSERT INTO ratings (user_id, movie_id, rating) VALUES (101, 101, 0.5), (101, 102, 5.0)$$,
	'ratings of 0.5 and 5');
SELECT violates($$INSERT INTO ratings (user_id, movie_id, rating) VALUES (101, 101, 4)$$,
	'ratings_user_id_movie_id_key', 'one rating per user and movie');
SELECT violates($$INSERT INTO ratings (user_id, movie_id, rating) VALUES (102, 101, 0)$$,
	'ratings_rating_check', 'a rating of 0');
SELECT violates($$INSERT INTO ratings (user_id, movie_id, rating) VALUES (102, 101, 5.5)$$,
	'ratings_rating_check', 'a rating of 5.5');
SELECT violates($$INSERT INTO ratings (user_id, movie_id, rating) VALUES (102, 101, 3.3)$$,
	'ratings_rating_check', 'a rating between half stars');
SELECT violates($$INSERT INTO ratings (user_id, movie_id, rating) VALUES (102, 424242, 3)$$,
	'ratings_movie_id_fkey', 'a rating of no movie');
SELECT lives_ok($$INSERT INTO reviews (user_id, movie_id, body, rating) VALUES (101, 101, 'Fine.', NULL),
	(101, 102, 'Great.', 4.5)$$, 'reviews, with a rating and without');
SELECT violates($$INSERT INTO reviews (user_id, movie_id, body) VALUES (101, 101, 'Again.')$$,
	'reviews_user_id_movie_id_key', 'one review per user and movie');
SELECT violates($$INSERT INTO reviews (user_id, movie_id, body, rating) VALUES (102, 101, 'x', 0.25)$$,
	'reviews_rating_check', 'a review''s rating off the half stars');
SELECT violates($$INSERT INTO reviews (user_id, movie_id, body) VALUES (102, 101, '')$$,
	'reviews_body_check', 'an empty review');
SELECT lives_ok($$INSERT INTO watchlist (user_id, movie_id, watched, watched_at, priority)
	VALUES (101, 101, true, now(), 'high'), (101, 102, false, NULL, 'low')$$,
	'watchlist entries, watched and not');
SELECT violates($$INSERT INTO watchlist (user_id, movie_id) VALUES (101, 101)$$,
	'watchlist_user_id_movie_id_key', 'a movie is on a watchlist once');
SELECT violates($$INSERT INTO watchlist (user_id, movie_id, watched) VALUES (102, 101, true)$$,
	'watchlist_check', 'watched without a time');
SELECT violates($$INSERT INTO watchlist (user_id, movie_id, watched_at) VALUES (102, 101, now())$$,
	'watchlist_check', 'a time without watched');
SELECT violates($$INSERT INTO watchlist (user_id, movie_id, priority) VALUES (102, 101, 'urgent')$$,
	'watchlist_priority_check', 'a priority other than low, medium, high');
SELECT lives_ok($$INSERT INTO favorites (user_id, movie_id) VALUES (101, 101)$$, 'a favorite');
SELECT violates($$INSERT INTO favorites (user_id, movie_id) VALUES (101, 101)$$, 'favorites_pkey',
	'a movie is a user''s favorite once');

-- ---- the catalog's other tables ----
SELECT violates($$INSERT INTO genres (name, slug) VALUES ('Sci Fi', 'Sci Fi')$$,
	'genres_slug_check', 'a slug with capitals and a space');
SELECT violates($$INSERT INTO genres (name, slug) VALUES ('Drama 2', 'drama')$$, 'genres_slug_key',
	'a slug is one genre''s');
SELECT lives_ok($$INSERT INTO keywords (name) VALUES ('Vampire')$$, 'a keyword');
SELECT violates($$INSERT INTO keywords (name) VALUES ('VAMPIRE')$$, 'keywords_name_key',
	'a keyword''s name is taken whatever its case');
SELECT lives_ok($$INSERT INTO movie_media (movie_id, kind, file_path, is_primary)
	VALUES (101, 'poster', '/a.jpg', true), (101, 'poster', '/b.jpg', false),
	       (101, 'backdrop', '/c.jpg', true)$$,
	'a primary poster, another poster, a primary backdrop');
SELECT violates($$INSERT INTO movie_media (movie_id, kind, file_path, is_primary)
	VALUES (101, 'poster', '/d.jpg', true)$$, 'movie_media_primary', 'two primary posters');
SELECT violates($$INSERT INTO movie_media (movie_id, kind) VALUES (101, 'poster')$$,
	'movie_media_check1', 'a poster without a file');
SELECT violates($$INSERT INTO movie_media (movie_id, kind, site, video_key, file_path)
	VALUES (101, 'trailer', 'YouTube', 'abc', '/e.jpg')$$, 'movie_media_check',
	'a trailer with a file');
SELECT violates($$INSERT INTO movie_media (movie_id, kind, site) VALUES (101, 'trailer', 'YouTube')$$,
	'movie_media_check', 'a trailer without a key');
SELECT violates($$INSERT INTO movie_media (movie_id, kind, site, video_key)
	VALUES (101, 'clip', 'YouTube', 'a/b')$$, 'movie_media_video_key_check', 'a video key with a /');
SELECT violates($$INSERT INTO movie_media (movie_id, kind, site, video_key)
	VALUES (101, 'clip', 'Dailymotion', 'abc')$$, 'movie_media_site_check', 'a video site we do not embed');
SELECT violates($$INSERT INTO movie_translations (movie_id, language, title) VALUES (101, 'french', 'Un')$$,
	'movie_translations_language_check', 'a translation''s language by name');
SELECT violates($$INSERT INTO movie_tags (user_id, movie_id, tag) VALUES (101, 101, 'Gothic'), (101, 101, 'gothic')$$,
	'movie_tags_once', 'a user tags a movie with a tag once, whatever its case');

-- ---- comments, reports, mail ----
SELECT violates($$INSERT INTO comments (movie_id, user_id, depth, body) VALUES (101, 101, 11, 'deep')$$,
	'comments_depth_check', 'a reply 11 deep');
SELECT lives_ok($$INSERT INTO reports (reporter_id, kind, target_id, reason) VALUES (101, 'user', 102, 'spam')$$,
	'a report');
SELECT violates($$INSERT INTO reports (reporter_id, kind, target_id, reason) VALUES (101, 'user', 102, 'abuse')$$,
	'reports_open_once', 'one open report per reporter and target');
SELECT lives_ok($$UPDATE reports SET status = 'dismissed', resolved_at = now();
	INSERT INTO reports (reporter_id, kind, target_id, reason) VALUES (101, 'user', 102, 'abuse')$$,
	'once the report is dismissed, another');
SELECT violates($$INSERT INTO reports (reporter_id, kind, target_id, reason, status)
	VALUES (101, 'review', 9, 'spam', 'resolved')$$, 'reports_check', 'resolved without a time');
SELECT violates($$INSERT INTO reports (reporter_id, kind, target_id, reason, resolved_at)
	VALUES (101, 'review', 9, 'spam', now())$$, 'reports_check', 'open with a time of resolution');
SELECT violates($$INSERT INTO outbox (recipient, subject, body)
	VALUES ('a@example.com', E'Hi\r\nBcc: all@example.com', '')$$, 'outbox_subject_check',
	'a subject that would add a mail header');
SELECT violates($$INSERT INTO outbox (recipient, subject, body)
	VALUES (E'a@example.com\nb@example.com', 'Hi', '')$$, 'outbox_recipient_check',
	'a recipient with a line break');
SELECT violates($$INSERT INTO password_reset_requests (email, token_hash, subject, body, may_mail, expires_at)
	VALUES ('a@example.com', 'h', E'Reset\nX: y', '', true, now())$$,
	'password_reset_requests_subject_check', 'a reset mail''s subject with a line break');
SELECT violates($$INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at)
	VALUES (101, 'login', 'h', now())$$, 'user_tokens_purpose_check', 'a token for another purpose');
SELECT violates($$INSERT INTO movie_counts VALUES ('runtime', '90', 1)$$,
	'movie_counts_dimension_check', 'a count by something not counted');

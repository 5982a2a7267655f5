-- ON DELETE: what goes with a user, a movie, a comment, a genre, a
-- keyword and a list, and what stays (what a user published, reports).
SELECT plan(44);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE
VALUES (101, 'alice', 'alice@example.com'), (102, 'bob', 'bob@example.com');
INSERT INTO movies (id, title) VALUES (101, 'Kept'), (102, 'Gone');
INSERT INTO keywords (id, name) VALUES (101, 'doomed');

-- everything of alice's, on the movie that stays
INSERT INTO refresh_tokens (user_id, family, token_hash, expires_at)
VALUES (101, gen_random_uuid(), 'r1', now() + interval '1 day');
INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at)
VALUES (101, 'verify_email', 'u1', now() + interval '1 day');
INSERT INTO favorites (user_id, movie_id) VALUES (101, 101), (102, 101);
INSERT INTO ratings (user_id, movie_id, rating) VALUES (101, 101, 4), (102, 101, 2);
INSERT INTO watchlist (user_id, movie_id) VALUES (101, 101);
INSERT INTO watch_history (user_id, movie_id) VALUES (101, 101);
INSERT INTO activity (user_id, verb, movie_id) VALUES (101, 'favorite_added', 101);
INSERT INTO lists (id, user_id, name) OVERRIDING SYSTEM VALUE
VALUES (101, 101, 'Alice''s'), (102, 102, 'Bob''s');
INSERT INTO list_items (list_id, movie_id, position) VALUES (101, 101, 1), (102, 101, 1);
INSERT INTO reviews (user_id, movie_id, body) VALUES (101, 101, 'Mine.');
INSERT INTO movie_tags (user_id, movie_id, tag) VALUES (101, 101, 'noir');
INSERT INTO comments (id, movie_id, user_id, body) OVERRIDING SYSTEM VALUE
VALUES (101, 101, 101, 'Alice says');
INSERT INTO comments (id, movie_id, user_id, parent_id, depth, body) OVERRIDING SYSTEM VALUE
VALUES (102, 101, 102, 101, 1, 'Bob answers');
INSERT INTO reports (id, reporter_id, kind, target_id, reason) OVERRIDING SYSTEM VALUE
VALUES (101, 101, 'user', 102, 'spam');
INSERT INTO reports (id, reporter_id, kind, target_id, reason, status, resolved_by, resolved_at)
OVERRIDING SYSTEM VALUE VALUES (102, 102, 'comment', 101, 'abuse', 'resolved', 101, now());

-- ---- a user's removal ----
SELECT is((SELECT (SELECT count(*) FROM refresh_tokens WHERE user_id = 101)
	+ (SELECT count(*) FROM user_tokens WHERE user_id = 101)
	+ (SELECT count(*) FROM favorites WHERE user_id = 101)
	+ (SELECT count(*) FROM ratings WHERE user_id = 101)
	+ (SELECT count(*) FROM watchlist WHERE user_id = 101)
	+ (SELECT count(*) FROM watch_history WHERE user_id = 101)
	+ (SELECT count(*) FROM activity WHERE user_id = 101)
	+ (SELECT count(*) FROM lists WHERE user_id = 101)
	+ (SELECT count(*) FROM list_items WHERE list_id = 101)
	+ (SELECT count(*) FROM reviews WHERE user_id = 101)
	+ (SELECT count(*) FROM movie_tags WHERE user_id = 101))::int, 11,
	'the user has a row in each of 11 tables');
SELECT lives_ok('DELETE FROM users WHERE id = 101', 'a user is deleted');
SELECT is_empty('SELECT 1 FROM refresh_tokens WHERE user_id = 101', 'their refresh tokens go');
SELECT is_empty('SELECT 1 FROM user_tokens WHERE user_id = 101', 'their mailed tokens go');
SELECT is_empty('SELECT 1 FROM favorites WHERE user_id = 101', 'their favorites go');
SELECT is_empty('SELECT 1 FROM ratings WHERE user_id = 101', 'their ratings go');
SELECT is_empty('SELECT 1 FROM watchlist WHERE user_id = 101', 'their watchlist goes');
SELECT is_empty('SELECT 1 FROM watch_history WHERE user_id = 101', 'their watch history goes');
SELECT is_empty('SELECT 1 FROM activity WHERE user_id = 101', 'their activity goes');
SELECT is_empty('SELECT 1 FROM lists WHERE user_id = 101', 'their lists go');
SELECT is_empty('SELECT 1 FROM list_items WHERE list_id = 101', 'and the lists'' items');
SELECT is_empty('SELECT 1 FROM reviews WHERE user_id = 101', 'their reviews go');
SELECT is_empty('SELECT 1 FROM movie_tags WHERE user_id = 101', 'their tags go');
SELECT results_eq('SELECT id, user_id FROM comments ORDER BY id',
	$$VALUES (101::bigint, NULL::bigint), (102, 102)$$,
	'their comments stay, by nobody; the replies to them stay');
SELECT results_eq('SELECT id, reporter_id, resolved_by FROM reports ORDER BY id',
	$$VALUES (101::bigint, NULL::bigint, NULL::bigint), (102, 102, NULL)$$,
	'reports stay, without them as reporter or resolver');
SELECT is((SELECT count(*)::int FROM favorites WHERE user_id = 102)
	+ (SELECT count(*)::int FROM ratings WHERE user_id = 102)
	+ (SELECT count(*)::int FROM list_items WHERE list_id = 102), 3,
	'another user''s rows on the same movie stay');

-- ---- a movie's removal ----
INSERT INTO movie_genres (movie_id, genre_id) SELECT 102, id FROM genres WHERE slug = 'drama';
INSERT INTO movie_keywords (movie_id, keyword_id) VALUES (102, 101);
INSERT INTO movie_media (movie_id, kind, file_path) VALUES (102, 'poster', '/p.jpg');
INSERT INTO movie_media_dismissed (movie_id, kind, item) VALUES (102, 'poster', '/q.jpg');
INSERT INTO movie_translations (movie_id, language, title) VALUES (102, 'fr', 'Parti');
INSERT INTO favorites (user_id, movie_id) VALUES (102, 102);
INSERT INTO ratings (user_id, movie_id, rating) VALUES (102, 102, 3);
INSERT INTO watchlist (user_id, movie_id) VALUES (102, 102);
INSERT INTO watch_history (user_id, movie_id) VALUES (102, 102);
INSERT INTO activity (user_id, verb, movie_id) VALUES (102, 'rated', 102);
INSERT INTO list_items (list_id, movie_id, position) VALUES (102, 102, 2);
INSERT INTO reviews (user_id, movie_id, body) VALUES (102, 102, 'Gone soon.');
INSERT INTO movie_tags (user_id, movie_id, tag) VALUES (102, 102, 'lost');
INSERT INTO comments (id, movie_id, user_id, body) OVERRIDING SYSTEM VALUE
VALUES (103, 102, 102, 'Root');
INSERT INTO comments (id, movie_id, user_id, parent_id, depth, body) OVERRIDING SYSTEM VALUE
VALUES (104, 102, 102, 103, 1, 'Reply');

SELECT lives_ok('DELETE FROM movies WHERE id = 102', 'a movie is deleted');
SELECT is_empty('SELECT 1 FROM movie_genres WHERE movie_id = 102', 'its genre links go');
SELECT is_empty('SELECT 1 FROM movie_keywords WHERE movie_id = 102', 'its keyword links go');
SELECT is_empty('SELECT 1 FROM movie_media WHERE movie_id = 102', 'its media go');
SELECT is_empty('SELECT 1 FROM movie_media_dismissed WHERE movie_id = 102', 'its dismissed media go');
SELECT is_empty('SELECT 1 FROM movie_translations WHERE movie_id = 102', 'its translations go');
SELECT is_empty('SELECT 1 FROM favorites WHERE movie_id = 102', 'favorites of it go');
SELECT is_empty('SELECT 1 FROM ratings WHERE movie_id = 102', 'ratings of it go');
SELECT is_empty('SELECT 1 FROM watchlist WHERE movie_id = 102', 'watchlist entries of it go');
SELECT is_empty('SELECT 1 FROM watch_history WHERE movie_id = 102', 'watch history of it goes');
SELECT is_empty('SELECT 1 FROM activity WHERE movie_id = 102', 'activity about it goes');
SELECT is_empty('SELECT 1 FROM list_items WHERE movie_id = 102', 'list items of it go');
SELECT is_empty('SELECT 1 FROM reviews WHERE movie_id = 102', 'reviews of it go');
SELECT is_empty('SELECT 1 FROM movie_tags WHERE movie_id = 102', 'tags of it go');
SELECT is_empty('SELECT 1 FROM comments WHERE movie_id = 102', 'comments on it go, replies too');
SELECT ok(EXISTS (SELECT 1 FROM genres WHERE slug = 'drama')
	  AND EXISTS (SELECT 1 FROM keywords WHERE id = 101)
	  AND EXISTS (SELECT 1 FROM lists WHERE id = 102)
	  AND EXISTS (SELECT 1 FROM users WHERE id = 102),
	'its genre, keyword, the list it was on and the users who had it stay');

-- ---- a thread's root ----
INSERT INTO comments (id, movie_id, user_id, parent_id, depth, body) OVERRIDING SYSTEM VALUE
VALUES (105, 101, 102, 102, 2, 'Deeper');
SELECT lives_ok('DELETE FROM comments WHERE id = 101', 'a comment is deleted');
SELECT is_empty('SELECT 1 FROM comments WHERE id IN (102, 105)', 'its replies go, at every depth');

-- ---- a genre, a keyword, a list ----
INSERT INTO movie_genres (movie_id, genre_id) SELECT 101, id FROM genres WHERE slug IN ('drama', 'war');
INSERT INTO movie_keywords (movie_id, keyword_id) VALUES (101, 101);
SELECT lives_ok($$DELETE FROM genres WHERE slug = 'war'$$, 'a genre is deleted');
SELECT results_eq($$SELECT g.slug FROM movie_genres mg JOIN genres g ON g.id = mg.genre_id
	WHERE mg.movie_id = 101$$, ARRAY['drama'], 'its links go, not the movie''s others');
SELECT is_empty($$SELECT 1 FROM genre_translations t WHERE NOT EXISTS
	(SELECT 1 FROM genres g WHERE g.id = t.genre_id)$$, 'its translated names go');
SELECT is((SELECT count(*)::int FROM genre_translations), 18 * 3,
	'the other genres'' names stay');
SELECT lives_ok('DELETE FROM keywords WHERE id = 101', 'a keyword is deleted');
SELECT is_empty('SELECT 1 FROM movie_keywords WHERE keyword_id = 101', 'its links go');
SELECT ok(EXISTS (SELECT 1 FROM movies WHERE id = 101), 'the movie stays');
SELECT lives_ok('DELETE FROM lists WHERE id = 102', 'a list is deleted');
SELECT is_empty('SELECT 1 FROM list_items WHERE list_id = 102', 'its items go');
SELECT ok(EXISTS (SELECT 1 FROM movies WHERE id = 101), 'the movies on it stay');

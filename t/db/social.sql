-- sql/0012_social.sql at the database's level: the follow counts, the
-- guards of blocks, the feed events written and undone, notify()'s
-- collapsing, settings and deliveries, one digest per user and week, and
-- what bulk loads leave alone.
SELECT plan(39);

INSERT INTO users (id, username, email, email_verified_at) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com', now()), (202, 'ben', 'ben@example.com', now()),
	(203, 'cat', 'cat@example.com', NULL), (204, 'dan', 'dan@example.com', now());
INSERT INTO movies (id, title, original_title) OVERRIDING SYSTEM VALUE VALUES
	(301, 'Heat', 'Heat'), (302, 'Ronin', 'Ronin');
INSERT INTO movies (id, title, original_title, provisional_by) OVERRIDING SYSTEM VALUE VALUES
	(303, 'Mine', 'Mine', 202);

-- ---- follows ----
SELECT lives_ok($$INSERT INTO follows VALUES (201, 202), (203, 202), (202, 201)$$, 'three follows');
SELECT is((SELECT followers_count FROM users WHERE id = 202), 2, 'followers counted');
SELECT is((SELECT following_count FROM users WHERE id = 202), 1, 'followings counted');
SELECT violates($$INSERT INTO follows VALUES (204, 204)$$, 'follows_check', 'no following oneself');
SELECT is((SELECT count(*)::int FROM feed_events WHERE verb = 'followed'), 3, 'a follow is a feed event');
SELECT lives_ok($$DELETE FROM follows WHERE follower_id = 203$$, 'an unfollow');
SELECT is((SELECT followers_count FROM users WHERE id = 202), 1, 'counted down');
SELECT is((SELECT count(*)::int FROM feed_events WHERE verb = 'followed'), 2, 'its feed event goes');

-- ---- blocks ----
SELECT lives_ok($$INSERT INTO blocks VALUES (202, 201)$$, 'ben blocks ann');
SELECT is((SELECT count(*)::int FROM follows WHERE 201 IN (follower_id, followee_id)
	   AND 202 IN (follower_id, followee_id)), 0, 'their follows end, both ways');
SELECT is((SELECT followers_count + following_count FROM users WHERE id = 201), 0, 'and their counts');
SELECT throws_ok($$INSERT INTO follows VALUES (201, 202)$$, '42501', NULL, 'ann cannot follow ben');
SELECT throws_ok($$INSERT INTO follows VALUES (202, 201)$$, '42501', NULL, 'nor ben ann');
INSERT INTO reviews (id, user_id, movie_id, body) OVERRIDING SYSTEM VALUE VALUES (401, 202, 301, 'Tense');
SELECT throws_ok($$INSERT INTO review_likes (review_id, user_id) VALUES (401, 201)$$, '42501', NULL,
	'ann cannot like ben''s review');
INSERT INTO comments (id, movie_id, user_id, body) OVERRIDING SYSTEM VALUE VALUES (501, 301, 202, 'First');
SELECT throws_ok($$INSERT INTO comments (movie_id, user_id, parent_id, body) VALUES (301, 201, 501, 'x')$$,
	'42501', NULL, 'nor reply to his comment');
SELECT lives_ok($$INSERT INTO comments (movie_id, user_id, parent_id, body) VALUES (301, 204, 501, 'Yes')$$,
	'dan may');

-- ---- feed events ----
SELECT lives_ok($$INSERT INTO ratings (user_id, movie_id, rating) VALUES (204, 301, 4)$$, 'dan rates Heat');
SELECT is((SELECT rating FROM feed_events WHERE actor_id = 204 AND verb = 'rated'), 4.0, 'an event');
SELECT lives_ok($$UPDATE ratings SET rating = 2 WHERE user_id = 204$$, 'and rates it again');
SELECT is((SELECT array_agg(rating) FROM feed_events WHERE actor_id = 204 AND verb = 'rated'), '{2.0}',
	'the event is the new rating, one');
SELECT lives_ok($$DELETE FROM ratings WHERE user_id = 204$$, 'the rating removed');
SELECT is((SELECT count(*)::int FROM feed_events WHERE actor_id = 204 AND verb = 'rated'), 0, 'so is its event');
SELECT lives_ok($$INSERT INTO favorites (user_id, movie_id) VALUES (202, 303)$$,
	'ben favorites his provisional movie');
SELECT is((SELECT count(*)::int FROM feed_events WHERE movie_id = 303), 0, 'which is no event');
INSERT INTO lists (id, user_id, name) OVERRIDING SYSTEM VALUE VALUES (601, 204, 'Private');
INSERT INTO list_items (list_id, movie_id, position) VALUES (601, 302, 1);
SELECT is((SELECT count(*)::int FROM feed_events WHERE list_id = 601), 0, 'a private list and its items: none');
UPDATE lists SET is_public = true WHERE id = 601;
SELECT is((SELECT count(*)::int FROM feed_events WHERE list_id = 601 AND verb = 'list_created'), 1,
	'made public: its creation is news');
SELECT lives_ok($$SET LOCAL marquee.bulk = 'on';
	INSERT INTO ratings (user_id, movie_id, rating) VALUES (201, 302, 5);
	SET LOCAL marquee.bulk = 'off'$$, 'a bulk load rates');
SELECT is((SELECT count(*)::int FROM feed_events WHERE actor_id = 201 AND verb = 'rated'), 0,
	'and writes no event');

-- ---- notify() ----
SELECT is((SELECT count(*)::int FROM notifications WHERE user_id = 202 AND kind = 'follow'), 1,
	'ben was told of ann''s follow and cat''s, as one');
SELECT is((SELECT actors_count FROM notifications WHERE user_id = 202 AND kind = 'follow'), 2, 'of two actors');
SELECT is(notify(202, 'like', 201, 'review 401', 301, 401, NULL, NULL), NULL, 'nothing from a user ben blocks');
SELECT is(notify(204, 'like', 204, 'x', NULL, NULL, NULL, NULL), NULL, 'nor from oneself');
SELECT isnt(notify(203, 'reply', 204, 'comment 1', 301, NULL, NULL, NULL), NULL, 'cat is told of a reply');
SELECT is((SELECT array_agg(channel ORDER BY channel) FROM deliveries d JOIN notifications n
	   ON n.id = d.notification_id WHERE n.user_id = 203), NULL,
	'with no mail: her address is not confirmed (and no browser to push to)');
SELECT isnt(notify(204, 'reply', 201, 'comment 2', 301, NULL, NULL, NULL), NULL, 'dan is told of one');
SELECT is((SELECT array_agg(channel) FROM deliveries d JOIN notifications n
	   ON n.id = d.notification_id WHERE n.user_id = 204 AND n.kind = 'reply'), '{email}', 'and mailed');
INSERT INTO notification_settings (user_id, kind, in_app, email, push) VALUES (204, 'like', false, false, false);
SELECT is(notify(204, 'like', 201, 'review 9', NULL, NULL, NULL, NULL), NULL, 'a kind switched off: nothing');
SELECT lives_ok($$INSERT INTO notifications (user_id, kind, data, in_app)
	VALUES (204, 'recommendations', '{"week": "2026-W49"}', true)$$, 'a digest');
SELECT violates($$INSERT INTO notifications (user_id, kind, data, in_app)
	VALUES (204, 'recommendations', '{"week": "2026-W49"}', true)$$, 'notifications_digest',
	'a second one for the week is refused');

SELECT * FROM finish();

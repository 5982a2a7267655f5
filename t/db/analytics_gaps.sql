-- sql/0018_analytics_impressions_batches.sql at the database's level: a
-- day's recommendations counting the server's impressions of a reason
-- over the clients', and the batches' one row per caller and id.
SELECT plan(6);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com'), (202, 'ben', 'ben@example.com');
INSERT INTO movies (id, title, original_title) OVERRIDING SYSTEM VALUE VALUES
	(301, 'Heat', 'Heat'), (302, 'Ronin', 'Ronin'), (303, 'Thief', 'Thief');

-- yesterday: popular served by the server twice and reported by the
-- client too; from_email only by the client
INSERT INTO events (at, kind, user_id, movie_id, data)
SELECT utc_start(utc_day(now()) - 1) + interval '1 hour', kind, 202, movie, d::jsonb
FROM (VALUES ('rec_impression', 301, '{"reason": "popular", "source": "server"}'),
	     ('rec_impression', 302, '{"reason": "popular", "source": "server"}'),
	     ('rec_impression', 301, '{"reason": "popular"}'),
	     ('rec_impression', 302, '{"reason": "popular"}'),
	     ('rec_click', 301, '{"reason": "popular"}'),
	     ('rec_impression', 303, '{"reason": "from_email"}'),
	     ('rec_impression', 301, '{"reason": "from_email"}'),
	     ('rec_click', 303, '{"reason": "from_email"}')) v (kind, movie, d);
SELECT is(analytics_rollup_day(utc_day(now()) - 1), 8::bigint, 'yesterday rolled');
SELECT results_eq($$SELECT reason, impressions, clicks FROM analytics_recs ORDER BY reason$$,
	$$VALUES ('from_email', 2, 1), ('popular', 2, 1)$$,
	'a reason the server showed: its impressions; one it did not: the clients''');

INSERT INTO event_batches (batch_id, user_id, digest, accepted)
VALUES ('9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c40', 201, 'x', 1);
SELECT throws_ok($$INSERT INTO event_batches (batch_id, user_id, digest, accepted)
	VALUES ('9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c40', 201, 'y', 1)$$, '23505', NULL,
	'a caller''s batch id is one batch');
SELECT lives_ok($$INSERT INTO event_batches (batch_id, user_id, digest, accepted)
	VALUES ('9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c40', 202, 'y', 1)$$, 'another user''s is another');
INSERT INTO event_batches (batch_id, client_id, digest, accepted)
VALUES ('9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c40', '0f8fad5b-d9cb-469f-a165-70867728950e', 'x', 1);
SELECT throws_ok($$INSERT INTO event_batches (batch_id, client_id, digest, accepted)
	VALUES ('9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c40', '0f8fad5b-d9cb-469f-a165-70867728950e', 'x', 1)$$,
	'23505', NULL, 'an anonymous client''s too (NULL user ids are not distinct)');
SELECT throws_ok($$INSERT INTO event_batches (batch_id, digest, accepted)
	VALUES ('9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c41', 'x', 1)$$, '23514', NULL,
	'a batch is somebody''s');

SELECT * FROM finish();

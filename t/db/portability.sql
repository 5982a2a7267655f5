-- sql/0022_portability.sql (and 0029) at the database's level: one job of a kind
-- queued or running per user, the kinds' columns, the rows' checks, and
-- a user's jobs and rows going with the user.
SELECT plan(12);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES
	(201, 'ann', 'ann@example.com'), (202, 'ben', 'ben@example.com');
INSERT INTO portability_jobs (id, user_id, kind, upload) OVERRIDING SYSTEM VALUE VALUES
	(1001, 201, 'import', '\x00');

SELECT violates($$INSERT INTO portability_jobs (user_id, kind) VALUES (201, 'import')$$,
	'portability_jobs_one', 'a second import queued beside the first is refused');
SELECT lives_ok($$INSERT INTO portability_jobs (user_id, kind) VALUES (201, 'export')$$,
	'an export beside it is not');
SELECT lives_ok($$INSERT INTO portability_jobs (user_id, kind) VALUES (202, 'import')$$,
	'nor another user''s import');
UPDATE portability_jobs SET state = 'done', upload = NULL WHERE id = 1001;
SELECT lives_ok($$INSERT INTO portability_jobs (user_id, kind) VALUES (201, 'import')$$,
	'once it is done, another may be queued');
SELECT violates($$INSERT INTO portability_jobs (user_id, kind, upload) VALUES (202, 'export', '\x00')$$,
	'portability_jobs_check', 'an export has no upload');
SELECT violates($$UPDATE portability_jobs SET file_path = 'exports/../../jwt.key' WHERE kind = 'export'$$,
	'portability_jobs_file_path_check', 'an export''s file is a zip under exports/, nothing else');

INSERT INTO import_items (job_id, seq, kind, source, title) VALUES (1001, 0, 'rating', 'ratings.csv:2', 'Heat');
SELECT violates($$INSERT INTO import_items (job_id, seq, kind, source, rating) VALUES (1001, 1, 'rating', 'x', 4.25)$$,
	'import_items_rating_check', 'a rating is in halves');
SELECT violates($$INSERT INTO import_items (job_id, seq, kind, source, imdb_id) VALUES (1001, 1, 'rating', 'x', 'nm0000158')$$,
	'import_items_imdb_id_check', 'an IMDb id is a title''s');
SELECT violates($$INSERT INTO import_items (job_id, seq, kind, source) VALUES (1001, 1, 'blog_post', 'x')$$,
	'import_items_kind_check', 'a kind of row the import knows');
SELECT lives_ok($$INSERT INTO import_items (job_id, seq, kind, source, ref, parent_ref, data)
	VALUES (1001, 1, 'comment', 'x', 5, 4, NULL), (1001, 2, 'follow', 'y', NULL, NULL, '{"username": "bob"}')$$,
	'our export''s comments and follows (sql/0029_portability_social.sql)');

DELETE FROM users WHERE id = 201;
SELECT is((SELECT count(*)::int FROM portability_jobs WHERE user_id = 201), 0, 'a user''s jobs go with the user');
SELECT is((SELECT count(*)::int FROM import_items), 0, 'and their rows');

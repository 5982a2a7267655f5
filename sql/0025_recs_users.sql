-- A version's candidates for its heavy users (issue 13: the p99 of
-- GET /api/movies/recommended/ for a user with 200 ratings).  `marquee
-- recs train` scores every user with at least [recs] precompute_signals
-- signals with the request's own scorer (src/recs/user_lists.c) and keeps
-- the best; a request reads this one row and folds in only the difference
-- between the user's signals now and those the row was made of, instead
-- of one item list per signal.
--   list   (int64 movie id, float32 score, int64 because, float32 its
--          part) tuples, little-endian, best first
--   basis  (int64 movie id, float32 strength) pairs: the signals summed
--          into list, with the strength each had
CREATE TABLE recs_users (
	version bigint NOT NULL REFERENCES recs_versions ON DELETE CASCADE,
	user_id bigint NOT NULL,
	list bytea NOT NULL CHECK (octet_length(list) % 24 = 0),
	basis bytea NOT NULL CHECK (octet_length(basis) % 12 = 0),
	PRIMARY KEY (version, user_id)
);

-- Scores and ids barely compress: stored as they are, read without
-- pglz_decompress (a fifth of the folding statement's time in perf).
ALTER TABLE recs_users ALTER COLUMN list SET STORAGE EXTERNAL;
ALTER TABLE recs_users ALTER COLUMN basis SET STORAGE EXTERNAL;

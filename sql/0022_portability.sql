-- Data portability (issue 20): a user's imports of other services'
-- exports (Letterboxd, Trakt, IMDb, our own) and exports of everything
-- they have, each a job done off the request path by `marquee
-- portability work` (the outbox pattern: the row is written by the
-- request, claimed with FOR UPDATE SKIP LOCKED and a lease, retried when
-- a run dies, idempotent).
--
-- portability_jobs: one import or export.  An import keeps the upload
-- (bounded by [limits] upload_max) until it is done, then drops it; its
-- report (what was added, what was there already, what matched nothing,
-- what was invalid) stays.  An export names its file under the media
-- directory's protected/exports/ until expires_at; the job deletes the
-- file after that.  One job of each kind queued or running per user.
--
-- import_items: the rows of an import, parsed and validated, matched to
-- movies (movie_id) and applied in one transaction by set-based
-- statements; deleted when the job ends.

CREATE TABLE portability_jobs (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('import', 'export')),
	state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
	-- import: the upload, until the job is done
	upload bytea,
	-- import: what it was taken for (letterboxd, trakt, imdb, marquee,
	-- letterboxd-csv), once read
	format text CHECK (format IN ('letterboxd', 'trakt', 'imdb', 'marquee', 'letterboxd-csv')),
	rows_total integer NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
	report jsonb,
	error text CHECK (length(error) <= 1000),
	-- export: the zip, relative to [media] dir/protected/
	file_path text CHECK (file_path ~ '^exports/[A-Za-z0-9_.-]+\.zip$'),
	file_size bigint CHECK (file_size >= 0),
	expires_at timestamptz,
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	lease_until timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	started_at timestamptz,
	finished_at timestamptz,
	CHECK (kind = 'import' OR upload IS NULL),
	CHECK (kind = 'export' OR file_path IS NULL)
);
CREATE INDEX portability_jobs_user ON portability_jobs (user_id, created_at DESC, id DESC);
CREATE INDEX portability_jobs_due ON portability_jobs (id) WHERE state IN ('queued', 'running');
CREATE INDEX portability_jobs_files ON portability_jobs (expires_at) WHERE file_path IS NOT NULL;
CREATE UNIQUE INDEX portability_jobs_one ON portability_jobs (user_id, kind)
	WHERE state IN ('queued', 'running');

CREATE TABLE import_items (
	job_id bigint NOT NULL REFERENCES portability_jobs ON DELETE CASCADE,
	seq integer NOT NULL CHECK (seq >= 0),
	kind text NOT NULL CHECK (kind IN ('rating', 'review', 'favorite', 'watchlist', 'watch',
					   'watched', 'list_item')),
	-- where the row came from ("diary.csv:12"), for the report
	source text NOT NULL CHECK (length(source) <= 300),
	tmdb_id integer CHECK (tmdb_id > 0),
	imdb_id text CHECK (imdb_id ~ '^tt[0-9]{7,10}$'),
	title text CHECK (length(title) <= 300),
	year smallint CHECK (year BETWEEN 1870 AND 2100),
	rating numeric(2, 1) CHECK (rating BETWEEN 0.5 AND 5.0 AND rating * 2 = trunc(rating * 2)),
	at timestamptz,
	-- a review's text and title; a watchlist entry's or list item's note
	body text CHECK (length(body) <= 10000),
	heading text CHECK (length(heading) <= 200),
	priority text CHECK (priority IN ('low', 'medium', 'high')),
	list text CHECK (length(list) BETWEEN 1 AND 100),
	list_description text CHECK (length(list_description) <= 2000),
	list_public boolean,
	position integer CHECK (position >= 1),
	movie_id bigint,
	PRIMARY KEY (job_id, seq)
);


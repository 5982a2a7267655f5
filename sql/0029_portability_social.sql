-- Issue 20: an import of our own export brings what the export holds
-- beside the movies: the user's comments (their replies where the
-- comment they answer is in the file or on this server), whom they
-- follow, their profile's fields and their notification settings.
--
-- import_items gets the kinds of those rows, and for them:
--   ref, parent_ref: a comment's id in the export and that of the comment
--     it answers (a reply is placed under the comment its parent became);
--   data: a profile's or a setting's fields, or the username followed
--     (JSON, checked by the parser);
--   result_id: the comment a comment row became (or already was).
ALTER TABLE import_items DROP CONSTRAINT import_items_kind_check;
ALTER TABLE import_items ADD CONSTRAINT import_items_kind_check
	CHECK (kind IN ('rating', 'review', 'favorite', 'watchlist', 'watch', 'watched', 'list_item',
			'comment', 'follow', 'profile', 'setting'));
ALTER TABLE import_items
	ADD COLUMN ref bigint,
	ADD COLUMN parent_ref bigint,
	ADD COLUMN data jsonb,
	ADD COLUMN result_id bigint;
-- the rows of a job by their export ids (a reply finds its parent)
CREATE INDEX import_items_ref ON import_items (job_id, ref) WHERE ref IS NOT NULL;

-- A movie's detail, rendered once and kept (issue 14: "make reading a
-- movie nearly a primary-key lookup").
--
-- GET /api/movies/{id}/ read a movie with its translation, statistics and
-- media by one statement, then built its JSON in the worker (the genres'
-- and keywords' names, every size of every image's URL).  The statement
-- alone ran at 0.6x of pgbench -S, the whole request at 0.14-0.20x.  Now
-- the worker keeps the text it rendered here, and the next read of the
-- same movie in the same language is this row by its key, the movie's
-- row for its version, and the counters (movie_stats), which change with
-- every vote and are never in the text: the worker adds them, and a
-- regional release when one is asked (src/catalog/movie_document.c).
--
-- A document is good while
-- * version is the xmin of the movie's row it was rendered from: every
--   UPDATE of a movie writes a new row version, whatever the writer (a
--   handler, an import, a job, a trigger);
-- * stamp is what the worker computes for the rest of what the text
--   depends on: the shape of the JSON (a number in the code), the
--   configuration that makes image URLs, catalog_names.generation below,
--   and the cluster's identifier (cluster_identifier() below: in a
--   database restored from a dump the row versions start again, and a
--   document's could name a new row's).
-- A stale one is never served: the reader compares both and renders
-- again on a difference, replacing the row.  Nothing needs deleting, so
-- no writer can forget to: a movie's deletion takes its documents with
-- it.
--
-- translation is the translation shown ('' for the original text),
-- genre_language the language of the genres' names ('' for the original
-- names): what the text depends on, so the rows of a movie are bounded by
-- its translations, not by the language tags clients send.
CREATE TABLE movie_documents (
	movie_id bigint NOT NULL REFERENCES movies ON DELETE CASCADE,
	translation text NOT NULL,
	genre_language text NOT NULL,
	version xid NOT NULL,
	stamp bigint NOT NULL,
	body text NOT NULL CHECK (body LIKE '{%}'),	-- an object, which the reader extends
	PRIMARY KEY (movie_id, translation, genre_language)
);
-- kept in the row, compressed, rather than in TOAST: one heap page a read
ALTER TABLE movie_documents ALTER COLUMN body SET STORAGE MAIN;

-- What else a document shows of other tables writes the movie's row, so
-- that its version changes.  Adding and removing translations and media
-- did already (movie_extras_changed, 0003: the movie's lists of them);
-- changing one in place did not.
CREATE TRIGGER movie_translations_updated AFTER UPDATE ON movie_translations
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION movie_extras_changed();
CREATE TRIGGER movie_media_updated AFTER UPDATE ON movie_media
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION movie_extras_changed();

-- The names of genres and keywords are shown by every movie that has
-- them: a change to one counts here, and the workers, which reload the
-- genres each minute (src/catalog/genre_names.c), read it with them and
-- put it in their stamp, so every document rendered before is stale.
CREATE TABLE catalog_names (
	only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	generation bigint NOT NULL
);
INSERT INTO catalog_names (generation) VALUES (1);

-- Statement triggers, counting only when rows changed: a statement that
-- changes none (a cleanup that finds nothing) makes no document stale.
CREATE FUNCTION catalog_names_changed() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM changed) THEN
		UPDATE catalog_names SET generation = generation + 1;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER genres_added AFTER INSERT ON genres
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();
CREATE TRIGGER genres_updated AFTER UPDATE ON genres
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();
CREATE TRIGGER genres_removed AFTER DELETE ON genres
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();
CREATE TRIGGER genre_translations_added AFTER INSERT ON genre_translations
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();
CREATE TRIGGER genre_translations_updated AFTER UPDATE ON genre_translations
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();
CREATE TRIGGER genre_translations_removed AFTER DELETE ON genre_translations
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();
-- a new keyword is on no document yet
CREATE TRIGGER keywords_updated AFTER UPDATE ON keywords
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();
CREATE TRIGGER keywords_removed AFTER DELETE ON keywords
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_names_changed();

-- The cluster's identifier, made by initdb and shared by its streaming
-- replicas; '' where a host's policy does not let the role read it (the
-- documents are then only as safe across a restore as the versions).
CREATE FUNCTION cluster_identifier() RETURNS text
	LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT system_identifier FROM pg_control_system())::text;
EXCEPTION WHEN insufficient_privilege THEN
	RETURN '';
END $$;

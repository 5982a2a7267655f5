-- GET /api/movies/ finds a movie by its title in the language asked for
-- too: title= (a substring or a prefix, accents and case folded as
-- movies.title_fold is) and q= (full text, as movies.search) match its
-- translation for the whole tag or the language alone (fr-CA, fr).  The
-- translations' folded title and document are derived columns with an
-- index each, so the lists reach them without reading the table.
ALTER TABLE movie_translations
	ADD COLUMN title_fold text GENERATED ALWAYS AS (search_fold(title)) STORED,
	ADD COLUMN search tsvector GENERATED ALWAYS AS (movie_document(title, '', NULL, overview)) STORED;

CREATE INDEX movie_translations_title_trgm ON movie_translations USING gin (title_fold gin_trgm_ops);
CREATE INDEX movie_translations_title_prefix ON movie_translations (title_fold text_pattern_ops);
CREATE INDEX movie_translations_search ON movie_translations USING gin (search);

-- The columns of movies kept by triggers: year (from release_date),
-- genre_ids and keyword_ids (copies of the links), the full-text document
-- search, translations and media_count; the words of search_words; the
-- bulk mode of loaders and movies_refresh() after it.
SELECT plan(44);

CREATE FUNCTION genre(slug text) RETURNS integer
	LANGUAGE sql STABLE RETURN (SELECT id FROM genres g WHERE g.slug = genre.slug);
INSERT INTO keywords (id, name) VALUES (101, 'vampire'), (102, 'plague'), (103, 'ship');

-- ---- year ----
INSERT INTO movies (id, title, release_date) VALUES (201, 'Dated', '1999-05-01');
INSERT INTO movies (id, title, year) VALUES (202, 'Yeared', 1985);
INSERT INTO movies (id, title, year, release_date) VALUES (203, 'Both', 1900, '2001-01-01');
SELECT is((SELECT year FROM movies WHERE id = 201), 1999::smallint, 'the year of the release date');
SELECT is((SELECT year FROM movies WHERE id = 202), 1985::smallint,
	'without a date, the year a source gave');
SELECT is((SELECT year FROM movies WHERE id = 203), 2001::smallint,
	'the date''s year wins over another given with it');
UPDATE movies SET release_date = '2004-02-29' WHERE id = 201;
SELECT is((SELECT year FROM movies WHERE id = 201), 2004::smallint, 'the year follows a new date');
UPDATE movies SET release_date = NULL WHERE id = 201;
SELECT is((SELECT year FROM movies WHERE id = 201), NULL, 'the year goes with its date');
UPDATE movies SET title = 'Yeared again' WHERE id = 202;
SELECT is((SELECT year FROM movies WHERE id = 202), 1985::smallint,
	'a year that came without a date stays through other edits');
UPDATE movies SET year = 1990 WHERE id = 202;
SELECT is((SELECT year FROM movies WHERE id = 202), 1990::smallint,
	'a year without a date can be written');

-- ---- the document ----
UPDATE movies SET title = 'Nosferatu', original_title = 'Nosferatu, eine Symphonie des Grauens',
	overview = 'Count Orlok travels to Wisborg.' WHERE id = 201;
SELECT is((SELECT search FROM movies WHERE id = 201),
	movie_document('Nosferatu', 'Nosferatu, eine Symphonie des Grauens', NULL,
		       'Count Orlok travels to Wisborg.'),
	'the document of titles and overview');
SELECT is((SELECT search FROM movies WHERE id = 203), movie_document('Both', '', NULL, ''),
	'a new movie has its document');
UPDATE movies SET title = 'Orlok' WHERE id = 203;
SELECT ok((SELECT search @@ movie_query('orlok') AND NOT search @@ movie_query('both')
	   FROM movies WHERE id = 203), 'a new title replaces the old in the document');
UPDATE movies SET overview = 'A ship of rats.' WHERE id = 203;
SELECT ok((SELECT search @@ to_tsquery('rat:C') FROM movies WHERE id = 203),
	'a new overview is in the document, weighted C');
UPDATE movies SET original_title = 'Graf Orlok' WHERE id = 203;
SELECT ok((SELECT search @@ to_tsquery('graf:A') FROM movies WHERE id = 203),
	'a new original title is in the document, weighted A');

-- ---- genre and keyword links ----
INSERT INTO movie_genres (movie_id, genre_id)
VALUES (201, genre('war')), (201, genre('horror')), (201, genre('drama')), (202, genre('comedy'));
SELECT is((SELECT genre_ids FROM movies WHERE id = 201),
	ARRAY(SELECT unnest(ARRAY[genre('war'), genre('horror'), genre('drama')]) ORDER BY 1),
	'genre_ids: the linked genres, in order');
SELECT is((SELECT genre_ids FROM movies WHERE id = 202), ARRAY[genre('comedy')],
	'one statement links several movies: each has its genres');
DELETE FROM movie_genres WHERE movie_id = 201 AND genre_id = genre('war');
SELECT is((SELECT genre_ids FROM movies WHERE id = 201),
	ARRAY(SELECT unnest(ARRAY[genre('horror'), genre('drama')]) ORDER BY 1),
	'an unlinked genre leaves genre_ids');
INSERT INTO movie_keywords (movie_id, keyword_id) VALUES (201, 103), (201, 101);
SELECT is((SELECT keyword_ids FROM movies WHERE id = 201), '{101,103}'::integer[],
	'keyword_ids: the linked keywords, in order');
SELECT is((SELECT search FROM movies WHERE id = 201),
	movie_document('Nosferatu', 'Nosferatu, eine Symphonie des Grauens', 'vampire ship',
		       'Count Orlok travels to Wisborg.'),
	'the keywords'' names are in the document');
SELECT ok((SELECT search @@ to_tsquery('vampir:B') FROM movies WHERE id = 201),
	'a keyword is weighted B');
DELETE FROM movie_keywords WHERE movie_id = 201 AND keyword_id = 101;
SELECT ok((SELECT keyword_ids = '{103}' AND NOT search @@ movie_query('vampire')
	   FROM movies WHERE id = 201), 'an unlinked keyword leaves keyword_ids and the document');
DELETE FROM keywords WHERE id = 103;
SELECT ok((SELECT keyword_ids = '{}' AND NOT search @@ movie_query('ship')
	   FROM movies WHERE id = 201), 'a deleted keyword leaves its movies, and their documents');
DELETE FROM genres WHERE slug = 'horror';
SELECT is((SELECT genre_ids FROM movies WHERE id = 201), ARRAY[genre('drama')],
	'a deleted genre leaves its movies');

-- the importer's document of a film whose original title is its title
-- (sql/0031_bulk_documents.sql): the title's words twice over
SELECT is(ARRAY(SELECT movie_title_document(t) || movie_title_document(t) FROM unnest(ARRAY[
		'The Matrix', 'Zürich Harbor 1234', 'L''Atalante', 'A Fish Called Wanda (A)',
		'Crème brûlée: the the THE', '8½', '', '!!!', 'Harbor Harbor Harbor harbors']) t),
	ARRAY(SELECT movie_document(t, t, '', '') FROM unnest(ARRAY[
		'The Matrix', 'Zürich Harbor 1234', 'L''Atalante', 'A Fish Called Wanda (A)',
		'Crème brûlée: the the THE', '8½', '', '!!!', 'Harbor Harbor Harbor harbors']) t),
	'a title''s document twice is movie_document of it as title and original title');
SELECT isnt(movie_title_document('Heat') || movie_title_document('Heat'),
	movie_document('Heat', 'Heat', 'robbery', ''), 'but not of a film with keywords');

-- ---- bulk loads ----
SET LOCAL marquee.bulk = 'on';
INSERT INTO movies (id, title, overview) VALUES (204, 'Loaded', 'In bulk.');
SELECT is((SELECT search FROM movies WHERE id = 204), ''::tsvector,
	'in bulk, a new movie''s document is the loader''s to write');
INSERT INTO movie_genres (movie_id, genre_id) VALUES (204, genre('drama')), (202, genre('drama'));
INSERT INTO movie_keywords (movie_id, keyword_id) VALUES (204, 102);
SELECT is((SELECT genre_ids FROM movies WHERE id = 204), '{}'::integer[],
	'in bulk, links are not copied at once');
SELECT movies_refresh(ARRAY[204::bigint]);
SELECT is((SELECT genre_ids FROM movies WHERE id = 204), ARRAY[genre('drama')],
	'movies_refresh copies the genres');
SELECT is((SELECT keyword_ids FROM movies WHERE id = 204), '{102}'::integer[],
	'movies_refresh copies the keywords');
SELECT is((SELECT search FROM movies WHERE id = 204), movie_document('Loaded', '', 'plague', 'In bulk.'),
	'movies_refresh writes the document, even in bulk');
SELECT is((SELECT genre_ids FROM movies WHERE id = 202), ARRAY[genre('comedy')],
	'movies_refresh leaves the movies it was not given');
-- a bulk insert skips movies_derive unless it has a date to derive from
INSERT INTO movies (id, title, year, release_date) VALUES (205, 'Dated in bulk', 1900, '1968-04-02'),
	(206, 'Yeared in bulk', 1971, NULL);
SELECT is((SELECT array_agg(year ORDER BY id) FROM movies WHERE id IN (205, 206)),
	'{1968,1971}'::smallint[], 'in bulk too, the year of the release date, else the one given');
SET LOCAL marquee.bulk = 'off';
SELECT movies_refresh(ARRAY[202::bigint]);
SELECT is((SELECT genre_ids FROM movies WHERE id = 202),
	ARRAY(SELECT unnest(ARRAY[genre('comedy'), genre('drama')]) ORDER BY 1),
	'movies_refresh brings a movie up to date');

-- ---- translations and media ----
INSERT INTO movie_translations (movie_id, language, title)
VALUES (201, 'fr', 'Nosferatu le vampire'), (201, 'de', 'Nosferatu'), (201, 'pt-BR', 'Nosferatu');
SELECT is((SELECT translations FROM movies WHERE id = 201), '{de,fr,pt-BR}'::text[],
	'translations: the languages translated to, in order');
DELETE FROM movie_translations WHERE movie_id = 201 AND language = 'fr';
SELECT is((SELECT translations FROM movies WHERE id = 201), '{de,pt-BR}'::text[],
	'a deleted translation leaves translations');
SELECT is((SELECT translations FROM movies WHERE id = 202), '{}'::text[],
	'another movie has none');
INSERT INTO movie_media (movie_id, kind, file_path) VALUES (201, 'poster', '/a.jpg'), (201, 'still', '/b.jpg');
INSERT INTO movie_media (movie_id, kind, site, video_key) VALUES (201, 'trailer', 'YouTube', 'abc');
SELECT is((SELECT media_count FROM movies WHERE id = 201), 3, 'media_count counts every kind');
DELETE FROM movie_media WHERE movie_id = 201 AND kind IN ('poster', 'trailer');
SELECT is((SELECT media_count FROM movies WHERE id = 201), 1, 'deleted media are not counted');
SELECT is((SELECT media_count FROM movies WHERE id = 202), 0, 'another movie has none');

-- ---- search_words: what q= can find, and correct a typo to ----
SELECT ok((SELECT count(*) = 3 FROM search_words WHERE word IN ('nosferatu', 'orlok', 'wisborg')),
	'a movie''s words are known');
INSERT INTO movies (title) VALUES ('Metropolis'), ('Vertigo');
SELECT ok((SELECT count(*) = 2 FROM search_words WHERE word IN ('metropoli', 'vertigo')),
	'the words of every movie inserted by one statement');
UPDATE movies SET overview = 'Scottie fears heights.' WHERE title = 'Vertigo';
SELECT ok(EXISTS (SELECT 1 FROM search_words WHERE word = 'scotti'),
	'the words of an edited document');
DELETE FROM search_words WHERE word = 'vertigo';
UPDATE movies SET popularity = 12, rating = NULL WHERE title = 'Vertigo';
SELECT ok(NOT EXISTS (SELECT 1 FROM search_words WHERE word = 'vertigo'),
	'an edit that leaves the document alone does not touch the words');
UPDATE movies SET tagline = 'A tagline is not searched.' WHERE title = 'Vertigo';
SELECT ok(NOT EXISTS (SELECT 1 FROM search_words WHERE word = 'tagline'),
	'a tagline is not in the document');
DELETE FROM movies WHERE title = 'Vertigo';
SELECT ok(EXISTS (SELECT 1 FROM search_words WHERE word = 'scotti'),
	'words stay when their movie goes');
SELECT is(movie_query_corrected('scottie fears heightss'), 'scottie fears height',
	'and a query is corrected to them');

-- What keeps a movie's kept detail honest (sql/0038_movie_documents.sql):
-- every change it shows writes the movie's row (a new row version, whose
-- xmin is the document's version once committed; inside this file's one
-- transaction the xmin stays, so the new version is seen by its ctid)
-- or counts in catalog_names; a movie's deletion takes its documents.
SELECT plan(15);

INSERT INTO movies (id, title, overview) VALUES (201, 'Nosferatu', 'A vampire.');
INSERT INTO movie_translations (movie_id, language, title) VALUES (201, 'fr', 'Nosferatu le vampire');
INSERT INTO movie_media (movie_id, kind, file_path, is_primary) VALUES (201, 'poster', '/a.jpg', true);
INSERT INTO movie_documents (movie_id, translation, genre_language, version, stamp, body)
	SELECT 201, '', '', xmin, 1, '{"id":201}' FROM movies WHERE id = 201;

CREATE TEMPORARY TABLE seen AS SELECT ctid AS version FROM movies WHERE id = 201;
-- whether the movie's row is a new version since the last call
CREATE FUNCTION pg_temp.changed() RETURNS boolean LANGUAGE sql AS $$
	WITH b AS (SELECT (SELECT version FROM seen) <> (SELECT ctid FROM movies WHERE id = 201) AS yes),
	     u AS (UPDATE seen SET version = (SELECT ctid FROM movies WHERE id = 201) RETURNING 1)
	SELECT yes FROM b, (SELECT count(*) FROM u) x
$$;

UPDATE movie_translations SET title = 'Nosferatu, eine Symphonie' WHERE movie_id = 201;
SELECT ok(pg_temp.changed(), 'a translation changed in place writes the movie');
UPDATE movie_media SET is_primary = false WHERE movie_id = 201;
SELECT ok(pg_temp.changed(), 'a media item changed in place writes the movie');
INSERT INTO movie_genres (movie_id, genre_id) SELECT 201, id FROM genres WHERE slug = 'horror';
SELECT ok(pg_temp.changed(), 'a genre added writes the movie (genre_ids)');
UPDATE movie_stats SET favorites_count = favorites_count + 1 WHERE movie_id = 201;
SELECT ok(NOT pg_temp.changed(), 'a counter does not: the counters are not in the text');

-- the names every document of a genre or keyword shows
CREATE TEMPORARY TABLE gen AS SELECT generation FROM catalog_names;
CREATE FUNCTION pg_temp.bumped() RETURNS boolean LANGUAGE sql AS $$
	WITH b AS (SELECT (SELECT generation FROM catalog_names) > (SELECT generation FROM gen) AS yes),
	     u AS (UPDATE gen SET generation = (SELECT generation FROM catalog_names) RETURNING 1)
	SELECT yes FROM b, (SELECT count(*) FROM u) x
$$;
UPDATE genres SET name = 'Scary' WHERE slug = 'horror';
SELECT ok(pg_temp.bumped(), 'a genre renamed counts');
INSERT INTO genre_translations (genre_id, language, name)
	SELECT id, 'sw', 'Kutisha' FROM genres WHERE slug = 'horror';
SELECT ok(pg_temp.bumped(), 'a genre translated counts');
INSERT INTO keywords (id, name) OVERRIDING SYSTEM VALUE VALUES (901, 'vampire');
SELECT ok(NOT pg_temp.bumped(), 'a new keyword does not: no document shows it yet');
UPDATE genres SET name = 'Scarier' WHERE false;
SELECT ok(NOT pg_temp.bumped(), 'a statement that changes no row does not');
UPDATE keywords SET name = 'vampires' WHERE id = 901;
SELECT ok(pg_temp.bumped(), 'a keyword renamed counts');
DELETE FROM keywords WHERE id = 901;
SELECT ok(pg_temp.bumped(), 'a keyword removed counts');
SELECT is((SELECT count(*) FROM catalog_names), 1::bigint, 'one generation');
SELECT throws_ok($$INSERT INTO catalog_names (only_row, generation) VALUES (false, 1)$$, '23514',
	NULL, 'and only one');

SELECT throws_ok($$INSERT INTO movie_documents (movie_id, translation, genre_language, version, stamp, body)
	VALUES (201, 'x', '', '1', 1, '')$$, '23514', NULL, 'a kept text is an object');
SELECT is(cluster_identifier(), (SELECT system_identifier FROM pg_control_system())::text,
	'the cluster identifier (which restored dumps do not share)');

DELETE FROM movies WHERE id = 201;
SELECT is((SELECT count(*) FROM movie_documents WHERE movie_id = 201), 0::bigint,
	'a movie deleted takes its documents');

SELECT * FROM finish();

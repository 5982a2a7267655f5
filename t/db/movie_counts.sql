-- movie_counts: how many movies in all, by genre, year and original
-- language, kept exact by the triggers of movies through inserts,
-- deletes, edits of the counted columns, links and bulk loads.
SELECT plan(22);

CREATE FUNCTION genre(slug text) RETURNS integer
	LANGUAGE sql STABLE RETURN (SELECT id FROM genres g WHERE g.slug = genre.slug);
-- The counts kept, as 'dimension:value=n' (genres by slug), those of 0 left out.
CREATE FUNCTION counts() RETURNS text[] LANGUAGE sql STABLE RETURN ARRAY(
	SELECT c.dimension || ':' || coalesce(g.slug, c.value) || '=' || c.n
	FROM movie_counts c LEFT JOIN genres g ON c.dimension = 'genre' AND g.id::text = c.value
	WHERE c.n <> 0 ORDER BY 1);
-- The same counted from the movies.
CREATE FUNCTION recounted() RETURNS text[] LANGUAGE sql STABLE RETURN ARRAY(
	SELECT d || '=' || count(*) FROM (
		SELECT 'all:' FROM movies
		UNION ALL SELECT 'year:' || year FROM movies WHERE year IS NOT NULL
		UNION ALL SELECT 'language:' || original_language FROM movies
			WHERE original_language IS NOT NULL
		UNION ALL SELECT 'genre:' || g.slug FROM movies m, unnest(m.genre_ids) i
			JOIN genres g ON g.id = i) AS k (d)
	GROUP BY d ORDER BY 1);

SELECT is(counts(), '{}', 'no movies, no counts');
INSERT INTO movies (id, title, release_date, year, original_language) VALUES
	(301, 'A', '1999-01-01', NULL, 'en'), (302, 'B', NULL, 1999, 'fr'), (303, 'C', NULL, NULL, 'en');
SELECT is(counts(), '{all:=3,language:en=2,language:fr=1,year:1999=2}',
	'three movies inserted by one statement');
INSERT INTO movie_genres (movie_id, genre_id)
VALUES (301, genre('drama')), (301, genre('war')), (302, genre('drama'));
SELECT is(counts(), '{all:=3,genre:drama=2,genre:war=1,language:en=2,language:fr=1,year:1999=2}',
	'genres linked');
UPDATE movies SET release_date = '2005-06-01' WHERE id = 301;
SELECT is(counts(), '{all:=3,genre:drama=2,genre:war=1,language:en=2,language:fr=1,year:1999=1,year:2005=1}',
	'a new release date moves the movie to its year');
UPDATE movies SET release_date = NULL WHERE id = 301;
SELECT is(counts(), '{all:=3,genre:drama=2,genre:war=1,language:en=2,language:fr=1,year:1999=1}',
	'a release date cleared takes the movie out of its year');
UPDATE movies SET year = 2010 WHERE id = 302;
SELECT is(counts(), '{all:=3,genre:drama=2,genre:war=1,language:en=2,language:fr=1,year:2010=1}',
	'a year written');
UPDATE movies SET original_language = 'de' WHERE id = 303;
UPDATE movies SET original_language = NULL WHERE id = 301;
SELECT is(counts(), '{all:=3,genre:drama=2,genre:war=1,language:de=1,language:fr=1,year:2010=1}',
	'languages changed and cleared');
UPDATE movies SET popularity = 9, rating = 4, title = 'A2', runtime = 90;
SELECT is(counts(), '{all:=3,genre:drama=2,genre:war=1,language:de=1,language:fr=1,year:2010=1}',
	'edits of what is not counted change nothing');
DELETE FROM movie_genres WHERE movie_id = 301 AND genre_id = genre('drama');
SELECT is(counts(), '{all:=3,genre:drama=1,genre:war=1,language:de=1,language:fr=1,year:2010=1}',
	'a genre unlinked');
DELETE FROM genres WHERE slug = 'war';
SELECT is(counts(), '{all:=3,genre:drama=1,language:de=1,language:fr=1,year:2010=1}',
	'a genre deleted');
DELETE FROM movies WHERE id = 302;
SELECT is(counts(), '{all:=2,language:de=1}', 'a movie deleted');
SELECT is(counts(), recounted(), 'the counts are those of a recount');

-- many at once, as loaders write them
INSERT INTO movies (id, title, year, original_language)
SELECT 1000 + i, 'Film ' || i, 1950 + i % 3, CASE WHEN i % 2 = 0 THEN 'en' END
FROM generate_series(1, 30) i;
INSERT INTO movie_genres (movie_id, genre_id)
SELECT 1000 + i, genre(CASE WHEN i % 5 = 0 THEN 'comedy' ELSE 'drama' END) FROM generate_series(1, 30) i;
SELECT is(counts(), '{all:=32,genre:comedy=6,genre:drama=24,language:de=1,language:en=15,year:1950=10,year:1951=10,year:1952=10}',
	'30 movies and their genres inserted by two statements');
DELETE FROM movies WHERE id BETWEEN 1001 AND 1010;
SELECT is(counts(), recounted(), '10 deleted by one statement');
UPDATE movies SET year = 1960 WHERE id > 1000;
SELECT is(counts(), recounted(), '20 moved to another year by one statement');
DELETE FROM movie_genres WHERE movie_id > 1000;
SELECT is(counts(), '{all:=22,language:de=1,language:en=10,year:1960=20}',
	'20 unlinked by one statement');

SET LOCAL marquee.bulk = 'on';
INSERT INTO movies (id, title, year, original_language, genre_ids)
VALUES (2001, 'Bulk 1', 1970, 'it', ARRAY[genre('drama')]), (2002, 'Bulk 2', 1970, 'it', '{}');
INSERT INTO movie_genres (movie_id, genre_id) VALUES (2001, genre('drama')), (2002, genre('comedy'));
SELECT is(counts(), recounted(),
	'in bulk, a movie is counted by the genre_ids its loader wrote');
SELECT movies_refresh(ARRAY[2001, 2002]::bigint[]);
SELECT is(counts(), recounted(), 'and movies_refresh counts the genres it copies');
SELECT ok(counts() @> '{genre:comedy=1,genre:drama=1,language:it=2,year:1970=2}',
	'the bulk loaded movies are counted');
SET LOCAL marquee.bulk = 'off';

-- movie_counts_add: deltas summed by key, in one upsert
DELETE FROM movie_counts;
SELECT movie_counts_add('{year:1,year:1,genre:999,language:xx,language:xx}', '{1,1,2,1,-1}');
SELECT is(counts(), '{genre:999=2,year:1=2}', 'movie_counts_add sums the deltas of each key');
SELECT is((SELECT count(*)::int FROM movie_counts WHERE dimension = 'language'), 0,
	'a key whose deltas sum to 0 is not written');
SELECT movie_counts_add('{year:1,genre:999}', '{-2,5}');
SELECT is(counts(), '{genre:999=7}', 'movie_counts_add adds to the counts there are');

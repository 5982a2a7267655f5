-- tmdb_movie_upsert(): a movie from TMDb's document, inserted or brought
-- up to date; odd data left out rather than failing; IMDb ids matched;
-- genres, keywords, media and translations, and what an administrator
-- wrote or chose kept through a refresh.
SELECT plan(53);

CREATE FUNCTION genre(slug text) RETURNS integer
	LANGUAGE sql STABLE RETURN (SELECT id FROM genres g WHERE g.slug = genre.slug);
-- TMDb's document of movie 238, with the members of extra replaced.
CREATE FUNCTION doc(extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql IMMUTABLE RETURN $${
	"id": 238, "imdb_id": "tt0068646", "title": "The Godfather",
	"original_title": "Il Padrino", "original_language": "en",
	"overview": "The aging patriarch of an organized crime dynasty.", "tagline": "An offer.",
	"release_date": "1972-03-14", "runtime": 175, "status": "Released", "popularity": 95.5,
	"poster_path": "/p1.jpg", "backdrop_path": "/b1.jpg",
	"genres": [{"id": 18, "name": "Drama"}, {"id": 80, "name": "Crime"}, {"id": 4242, "name": "?"}],
	"keywords": {"keywords": [{"id": 131, "name": "italy"}, {"id": 10391, "name": "mafia"}]},
	"images": {"posters": [{"file_path": "/p1.jpg", "iso_639_1": "en"}, {"file_path": "/p2.jpg"},
			       {"file_path": "/../p3.jpg"}],
		   "backdrops": [{"file_path": "/b1.jpg", "iso_639_1": null}]},
	"videos": {"results": [
		{"site": "YouTube", "key": "sY1S34973zA", "type": "Trailer", "iso_639_1": "en"},
		{"site": "Vimeo", "key": "12345", "type": "Clip"},
		{"site": "YouTube", "key": "teaser1", "type": "Teaser"},
		{"site": "YouTube", "key": "feat1", "type": "Featurette"},
		{"site": "Dailymotion", "key": "x1", "type": "Trailer"},
		{"site": "YouTube", "key": "bad key", "type": "Trailer"}]},
	"external_ids": {"imdb_id": "tt0068646"},
	"translations": {"translations": [
		{"iso_639_1": "fr", "iso_3166_1": "CA", "data": {"title": "Le Parrain (CA)"}},
		{"iso_639_1": "fr", "iso_3166_1": "FR", "data": {"title": "Le Parrain", "overview": "Le film."}},
		{"iso_639_1": "en", "iso_3166_1": "US", "data": {"title": ""}},
		{"iso_639_1": "en", "iso_3166_1": "GB", "data": {"title": "The Godfather (GB)"}},
		{"iso_639_1": "de", "iso_3166_1": "AT", "data": {"title": "Der Pate (AT)"}},
		{"iso_639_1": "de", "iso_3166_1": "CH", "data": {"title": "Der Pate (CH)"}},
		{"iso_639_1": "xx", "iso_3166_1": "", "data": {"title": "?"}}]}
}$$::jsonb || extra;
CREATE FUNCTION godfather() RETURNS bigint LANGUAGE sql STABLE
	RETURN (SELECT id FROM movies WHERE tmdb_id = 238);
CREATE FUNCTION media(mid bigint) RETURNS text[] LANGUAGE sql STABLE RETURN ARRAY(
	SELECT kind || ' ' || coalesce(file_path, site || ':' || video_key)
	       || CASE WHEN is_primary THEN ' primary' ELSE '' END
	FROM movie_media WHERE movie_id = mid ORDER BY 1);
CREATE FUNCTION titles(mid bigint) RETURNS text[] LANGUAGE sql STABLE RETURN ARRAY(
	SELECT language || '=' || title FROM movie_translations WHERE movie_id = mid ORDER BY language);

-- ---- a new movie ----
SELECT results_eq($$SELECT movie IS NOT NULL, inserted FROM tmdb_movie_upsert(doc(), false)$$,
	$$VALUES (true, true)$$, 'a new movie is inserted');
SELECT is((SELECT ROW(source, title, original_title, overview, tagline, release_date, year, runtime,
		      original_language, status, popularity, imdb_id, poster_path, backdrop_path)::text
	   FROM movies WHERE id = godfather()),
	'(tmdb,"The Godfather","Il Padrino","The aging patriarch of an organized crime dynasty.","An offer.",1972-03-14,1972,175,en,Released,95.5,tt0068646,/p1.jpg,/b1.jpg)',
	'with what TMDb says of it');
SELECT ok((SELECT tmdb_synced_at = now() AND tmdb_checked_at = now() FROM movies WHERE id = godfather()),
	'synced and checked now');
SELECT is((SELECT genre_ids FROM movies WHERE id = godfather()),
	ARRAY(SELECT unnest(ARRAY[genre('drama'), genre('crime')]) ORDER BY 1),
	'its genres, by TMDb''s ids (an unknown one left out)');
SELECT results_eq($$SELECT k.tmdb_id, k.name FROM movie_keywords mk JOIN keywords k ON k.id = mk.keyword_id
	WHERE mk.movie_id = godfather() ORDER BY k.name$$,
	$$VALUES (131, 'italy'), (10391, 'mafia')$$, 'its keywords, made with TMDb''s ids');
SELECT ok((SELECT search @@ movie_query('mafia') FROM movies WHERE id = godfather()),
	'and in its document');
SELECT is(media(godfather()),
	'{"backdrop /b1.jpg primary","clip Vimeo:12345","clip YouTube:teaser1","poster /p1.jpg primary","poster /p2.jpg","trailer YouTube:sY1S34973zA"}',
	'its images (its poster and backdrop primary) and videos; others left out');
SELECT is((SELECT count(*)::int FROM movie_media WHERE movie_id = godfather() AND NOT from_tmdb), 0,
	'all marked as from TMDb');
SELECT is((SELECT language FROM movie_media WHERE movie_id = godfather() AND file_path = '/p1.jpg'), 'en',
	'an image keeps its language');
SELECT is(titles(godfather()),
	'{"de=Der Pate (AT)","de-AT=Der Pate (AT)","de-CH=Der Pate (CH)","en=The Godfather","en-GB=The Godfather (GB)","en-US=The Godfather","fr=Le Parrain","fr-CA=Le Parrain (CA)","fr-FR=Le Parrain"}',
	'translations by language-REGION and language (the region named like it, or the first);'
	|| ' one without a title has the movie''s');
SELECT is((SELECT overview FROM movie_translations WHERE movie_id = godfather() AND language = 'fr'),
	'Le film.', 'the language alone is the translation of the region named like it');
SELECT is((SELECT translations FROM movies WHERE id = godfather()),
	'{de,de-AT,de-CH,en,en-GB,en-US,fr,fr-CA,fr-FR}', 'the movie knows its translations');
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc('{"id": 239, "imdb_id": null, "external_ids": {},
	"translations": {"translations": [
		{"iso_639_1": "en", "iso_3166_1": "US", "data": {"title": "Ten US"}},
		{"iso_639_1": "en", "iso_3166_1": "GB", "data": {"title": "Ten GB"}},
		{"iso_639_1": "en", "iso_3166_1": "AU", "data": {"title": "Ten AU"}},
		{"iso_639_1": "pt", "iso_3166_1": "BR", "data": {"title": "Dez BR"}},
		{"iso_639_1": "pt", "iso_3166_1": "PT", "data": {"title": "Dez PT"}},
		{"iso_639_1": "es", "iso_3166_1": "MX", "data": {"title": "Diez MX"}},
		{"iso_639_1": "es", "iso_3166_1": "AR", "data": {"title": "Diez AR"}},
		{"iso_639_1": "fr", "iso_3166_1": "FR", "data": {"title": "Dix"}},
		{"iso_639_1": "fr", "iso_3166_1": "FR", "data": {"title": "Dix encore"}}]}}'), false)$$,
	'a movie translated for several regions of a language');
SELECT is((SELECT array_agg(title ORDER BY language) FROM movie_translations
	   WHERE movie_id = (SELECT id FROM movies WHERE tmdb_id = 239) AND language IN ('en', 'es', 'pt')),
	'{"Ten US","Diez MX","Dez PT"}',
	'the language alone: its region named like it, or else TMDb''s first');
SELECT is((SELECT title FROM movie_translations
	   WHERE movie_id = (SELECT id FROM movies WHERE tmdb_id = 239) AND language = 'fr-FR'),
	'Dix', 'a region listed twice: TMDb''s first');

-- ---- again: brought up to date ----
INSERT INTO movie_genres (movie_id, genre_id) VALUES (godfather(), genre('history'));
SELECT results_eq($$SELECT movie = godfather(), inserted FROM tmdb_movie_upsert(
	doc('{"title": "The Godfather (1972)", "runtime": 177, "genres": [{"id": 18}]}'), false)$$,
	$$VALUES (true, false)$$, 'the same TMDb id again: the same movie, updated');
SELECT is((SELECT title || ' ' || runtime FROM movies WHERE id = godfather()), 'The Godfather (1972) 177',
	'with TMDb''s new data');
SELECT is((SELECT genre_ids FROM movies WHERE id = godfather()),
	ARRAY(SELECT unnest(ARRAY[genre('drama'), genre('crime'), genre('history')]) ORDER BY 1),
	'genres are added, never removed');
SELECT is((SELECT count(*)::int FROM movies), 2, 'no other movie made (of the two there are)');
SELECT results_eq($$SELECT movie IS NULL, inserted IS NULL FROM tmdb_movie_upsert(doc('{"id": 99}'), true)$$,
	$$VALUES (true, true)$$, 'a refresh of a movie the catalog does not have: none');
SELECT is((SELECT count(*)::int FROM movies), 2, 'and none made');
SELECT results_eq($$SELECT movie = godfather(), inserted FROM tmdb_movie_upsert(doc('{"tagline": "New."}'), true)$$,
	$$VALUES (true, false)$$, 'a refresh of a movie it has updates it');

-- ---- what an administrator wrote or chose stays ----
INSERT INTO movie_media (movie_id, kind, file_path) VALUES (godfather(), 'still', '/admin.jpg');
UPDATE movie_media SET is_primary = false WHERE movie_id = godfather() AND file_path = '/p1.jpg';
UPDATE movie_media SET is_primary = true WHERE movie_id = godfather() AND file_path = '/p2.jpg';
DELETE FROM movie_media WHERE movie_id = godfather() AND video_key = 'teaser1';
INSERT INTO movie_media_dismissed (movie_id, kind, item) VALUES (godfather(), 'clip', 'YouTube:teaser1');
UPDATE movie_translations SET title = 'Le Parrain, écrit ici', from_tmdb = false
WHERE movie_id = godfather() AND language = 'fr';
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc('{"images": {"posters": [{"file_path": "/p1.jpg"},
	{"file_path": "/p2.jpg"}, {"file_path": "/p4.jpg"}], "backdrops": []},
	"translations": {"translations": [
		{"iso_639_1": "fr", "iso_3166_1": "FR", "data": {"title": "Le Parrain (nouveau)"}}]}}'), true)$$,
	'a refresh');
SELECT is(media(godfather()),
	'{"clip Vimeo:12345","poster /p1.jpg","poster /p2.jpg primary","poster /p4.jpg","still /admin.jpg","trailer YouTube:sY1S34973zA"}',
	'TMDb''s media it no longer lists go, new ones come; the administrator''s stay');
SELECT is((SELECT poster_path || ' ' || backdrop_path FROM movies WHERE id = godfather()), '/p2.jpg /b1.jpg',
	'the poster is the primary one the administrator chose');
SELECT ok(NOT EXISTS (SELECT 1 FROM movie_media WHERE movie_id = godfather() AND video_key = 'teaser1'),
	'a video the administrator deleted does not come back');
SELECT is(titles(godfather()) @> '{"fr=Le Parrain, écrit ici","fr-FR=Le Parrain (nouveau)"}', true,
	'a translation the administrator wrote stays; TMDb''s are updated');
SELECT is((SELECT media_count FROM movies WHERE id = godfather()), 6, 'media_count follows');

-- ---- odd data ----
SELECT throws_ok($$SELECT tmdb_movie_upsert(doc() - 'id', false)$$, '22000', 'not a TMDb movie: no id or title',
	'no id: refused');
SELECT throws_ok($$SELECT tmdb_movie_upsert(doc('{"id": "238"}'), false)$$, '22000', NULL,
	'an id that is not a number: refused');
SELECT throws_ok($$SELECT tmdb_movie_upsert(doc('{"title": "", "original_title": null}'), false)$$,
	'22000', NULL, 'no title: refused');
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc('{"id": 500, "imdb_id": null, "external_ids": {},
	"title": null, "original_title": "Solo Original", "runtime": 0, "popularity": -3,
	"release_date": "1972-02-30", "original_language": "EN", "status": "Gone",
	"poster_path": "http://example.com/x.jpg", "backdrop_path": 7, "overview": null,
	"genres": "drama", "keywords": {"keywords": [{"id": -1, "name": ""}, {"name": "Italy"}]},
	"images": null, "videos": {"results": {}}, "translations": []}'), false)$$,
	'a document of odd data is imported');
SELECT is((SELECT ROW(title, original_title, overview, release_date, runtime, original_language, status,
		      popularity, poster_path, backdrop_path, imdb_id)::text FROM movies WHERE tmdb_id = 500),
	'("Solo Original","Solo Original","",,,,Released,0,,,)',
	'with what is odd left out: the original title for a title');
SELECT results_eq($$SELECT k.name FROM movie_keywords mk JOIN keywords k ON k.id = mk.keyword_id
	WHERE mk.movie_id = (SELECT id FROM movies WHERE tmdb_id = 500)$$, ARRAY['italy'],
	'a keyword matched by name whatever its case, none made of an empty name');
SELECT is((SELECT count(*)::int FROM keywords), 2, 'no keyword made twice');
SELECT is((SELECT media_count || ' ' || genre_ids::text || ' ' || translations::text
	   FROM movies WHERE tmdb_id = 500), '0 {} {}', 'no genres, media or translations of odd shapes');
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc('{"id": 501, "imdb_id": null, "external_ids": {},
	"popularity": 1e-50, "runtime": 1001}'), false)$$, 'a tiny popularity, too long a runtime');
SELECT is((SELECT popularity || ' ' || coalesce(runtime::text, '-') FROM movies WHERE tmdb_id = 501), '0 -',
	'are 0 and none');
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc('{"id": 503, "imdb_id": null, "external_ids": {},
	"original_language": "fil"}'), false)$$, 'a language of three letters');
SELECT todo('tmdb_movie_upsert cuts the language to 2 letters before checking it, and rounds ids', 2);
SELECT is((SELECT original_language FROM movies WHERE tmdb_id = 503), NULL,
	'is none, not another (Filipino is not Finnish)');
SELECT throws_ok($$SELECT tmdb_movie_upsert(doc('{"id": 238.5}'), false)$$, '22000', NULL,
	'an id that is not a whole number: refused, not another movie''s');
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc(jsonb_build_object('id', 502, 'imdb_id', null, 'external_ids', '{}',
	'keywords', jsonb_build_object('keywords', (SELECT jsonb_agg(jsonb_build_object('id', 5000 + i, 'name', 'kw' || i))
						    FROM generate_series(1, 60) i)),
	'images', jsonb_build_object(
		'posters', (SELECT jsonb_agg(jsonb_build_object('file_path', '/p' || i || '.jpg')) FROM generate_series(1, 8) i),
		'backdrops', (SELECT jsonb_agg(jsonb_build_object('file_path', '/b' || i || '.jpg')) FROM generate_series(1, 8) i)),
	'videos', jsonb_build_object('results', (SELECT jsonb_agg(jsonb_build_object('site', 'YouTube', 'key', 'k' || i,
		'type', 'Trailer')) FROM generate_series(1, 12) i)))), false)$$,
	'a document with 60 keywords, 8 posters and backdrops, 12 videos');
SELECT is((SELECT array_length(keyword_ids, 1) || ' ' || media_count FROM movies WHERE tmdb_id = 502), '50 20',
	'takes 50 keywords, 5 posters, 5 backdrops and 10 videos');

-- ---- IMDb ids ----
INSERT INTO movies (id, title, imdb_id, source) VALUES (701, 'From MovieLens', 'tt0000701', 'movielens');
SELECT results_eq($$SELECT movie, inserted FROM tmdb_movie_upsert(
	doc('{"id": 701, "imdb_id": null, "external_ids": {"imdb_id": "tt0000701"}}'), false)$$,
	$$VALUES (701::bigint, false)$$, 'a movie known by its IMDb id becomes TMDb''s');
SELECT is((SELECT tmdb_id || ' ' || title FROM movies WHERE id = 701), '701 The Godfather',
	'with its TMDb id and data');
INSERT INTO movies (id, title, imdb_id) VALUES (702, 'Has the IMDb id', 'tt0000702');
INSERT INTO movies (id, title, tmdb_id) VALUES (703, 'Has the TMDb id', 703);
SELECT results_eq($$SELECT movie, inserted FROM tmdb_movie_upsert(
	doc('{"id": 703, "imdb_id": "tt0000702", "external_ids": {}}'), false)$$,
	$$VALUES (703::bigint, false)$$, 'TMDb''s movie is the one with its TMDb id');
SELECT is((SELECT array_agg(coalesce(tmdb_id::text, '-') || ' ' || coalesce(imdb_id, '-') ORDER BY id)
	   FROM movies WHERE id IN (702, 703)), '{"- tt0000702","703 -"}',
	'the IMDb id stays with the movie that had it');
SELECT results_eq($$SELECT movie IS NOT NULL, inserted FROM tmdb_movie_upsert(
	doc('{"id": 704, "imdb_id": "tt0000701", "external_ids": {}}'), false)$$,
	$$VALUES (true, true)$$, 'a new movie whose IMDb id another TMDb movie has');
SELECT is((SELECT imdb_id FROM movies WHERE tmdb_id = 704), NULL, 'is inserted without it');
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc('{"id": 705, "imdb_id": "nm0000001", "external_ids": {}}'), false)$$,
	'an IMDb id that is not a movie''s');
SELECT is((SELECT imdb_id FROM movies WHERE tmdb_id = 705), NULL, 'is left out');
SELECT lives_ok($$SELECT tmdb_movie_upsert(doc('{"id": 706, "imdb_id": "tt0000706",
	"external_ids": {"imdb_id": "tt0000760"}}'), false)$$, 'two IMDb ids');
SELECT is((SELECT imdb_id FROM movies WHERE tmdb_id = 706), 'tt0000760', 'external_ids'' wins');

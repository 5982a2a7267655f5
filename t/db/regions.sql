-- Regions (sql/0027_regions.sql): TMDb's release dates kept by type with
-- their certification and note, whatever TMDb sends (malformed entries
-- left out, never an error); a region's own release date and
-- certification derived from them; release_dates_refresh() saying when
-- that changed; the import's appended release_dates; the checks.
SELECT plan(19);

INSERT INTO movies (id, title, tmdb_id) OVERRIDING SYSTEM VALUE VALUES (701, 'Fight Club', 550),
	(702, 'Other', 551);

CREATE FUNCTION kept(movie bigint) RETURNS text LANGUAGE sql STABLE RETURN (
	SELECT string_agg(concat_ws(':', region, kind, release_date, certification, note), ' '
	                  ORDER BY region, kind)
	FROM movie_release_dates WHERE movie_id = movie);
CREATE FUNCTION derived(movie bigint) RETURNS text LANGUAGE sql STABLE RETURN (
	SELECT string_agg(concat_ws(':', region, release_date, certification), ' ' ORDER BY region)
	FROM movie_region_releases WHERE movie_id = movie);

SELECT is(release_kind(t), k, 'type ' || coalesce(t, 'NULL') || ': ' || coalesce(k, 'none'))
FROM (VALUES ('1', 'premiere'), ('2', 'theatrical_limited'), ('6', 'tv'), ('7', NULL), ('0', NULL),
             (NULL, NULL)) AS v (t, k);

SELECT is(release_dates_store(701, $${"id": 550, "results": [
	{"iso_3166_1": "US", "release_dates": [
		{"type": 1, "release_date": "1999-09-10T00:00:00.000Z", "certification": "R", "note": "Venice"},
		{"type": 3, "release_date": "1999-10-15T00:00:00.000Z", "certification": "", "note": ""},
		{"type": 3, "release_date": "1999-11-01T00:00:00.000Z", "certification": " R ", "note": "wide"},
		{"type": 4, "release_date": "2000-06-06T00:00:00.000Z", "certification": "NC-17 and far too long a rating"},
		{"type": 9, "release_date": "2000-06-06T00:00:00.000Z"},
		{"type": 5, "release_date": "2000-02-30T00:00:00.000Z"},
		{"type": 5, "release_date": "2000-07-01", "certification": 18}]},
	{"iso_3166_1": "FR", "release_dates": [
		{"type": 4, "release_date": "2000-03-01T00:00:00.000Z", "certification": "12"},
		{"type": 1, "release_date": "1999-09-20T00:00:00.000Z"}]},
	{"iso_3166_1": "JP", "release_dates": [
		{"type": 1, "release_date": "2099-01-01T00:00:00.000Z", "certification": "G"}]},
	{"iso_3166_1": "gb", "release_dates": [{"type": 3, "release_date": "1999-11-12"}]},
	"not an object"]}$$), 7, 'seven release dates kept: the earliest of each type and region');
SELECT is(kept(701),
	'FR:digital:2000-03-01:12 FR:premiere:1999-09-20 JP:premiere:2099-01-01:G '
	'US:digital:2000-06-06 US:physical:2000-07-01 '
	'US:premiere:1999-09-10:R:Venice US:theatrical:1999-10-15:R',
	'certification: the first TMDb gives for the type (trimmed; none past 20 characters); '
	'the earliest entry''s note');
SELECT is(derived(701), 'FR:2000-03-01:12 JP:2099-01-01:G US:1999-10-15:R',
	'per region: the theatrical date, else a later kind''s before the premiere; its certification');

SELECT is((SELECT row(n, changed)::text FROM release_dates_refresh(701, $${"results": [
	{"iso_3166_1": "FR", "release_dates": [{"type": 4, "release_date": "2000-03-01", "certification": "12"},
	                                       {"type": 1, "release_date": "1999-09-20"}]},
	{"iso_3166_1": "JP", "release_dates": [{"type": 1, "release_date": "2099-01-01", "certification": "G"}]},
	{"iso_3166_1": "US", "release_dates": [
		{"type": 1, "release_date": "1999-09-10", "certification": "R", "note": "Venice"},
		{"type": 3, "release_date": "1999-10-15", "certification": "R"},
		{"type": 4, "release_date": "2000-06-06", "certification": "NC-17 and far too long"},
		{"type": 5, "release_date": "2000-07-01"}]}]}$$)), '(7,f)', 'the same again: unchanged');
SELECT is((SELECT row(n, changed)::text FROM release_dates_refresh(701, $${"results": [
	{"iso_3166_1": "FR", "release_dates": [{"type": 3, "release_date": "1999-11-10", "certification": "16"}]}]}$$)),
	'(1,t)', 'another answer: changed');
SELECT is(derived(701), 'FR:1999-11-10:16', '  the derived rows replaced too');
SELECT is((SELECT row(n, changed)::text FROM release_dates_refresh(701, '{"results": "none"}')), '(0,t)',
	'nothing any more: changed, none kept');
SELECT is(derived(701), NULL, '  none derived');
SELECT is(release_dates_store(999, '{"results": []}'), 0, 'no such movie: nothing');

-- the import: tmdb_import.c's statement, with the appended release_dates
SELECT is((WITH u AS MATERIALIZED (SELECT movie, inserted FROM tmdb_movie_upsert(
		'{"id": 551, "title": "Other", "release_date": "2001-01-01"}'::jsonb, true))
	SELECT release_dates_store(movie, '{"results": [{"iso_3166_1": "DE", "release_dates": [
		{"type": 3, "release_date": "2001-02-01", "certification": "12"}]}]}'::jsonb) FROM u), 1,
	'an import stores the release dates appended to the movie');
SELECT is(derived(702), 'DE:2001-02-01:12', '  derived');

SELECT violates($$INSERT INTO movie_release_dates VALUES (701, 'US', 'cinema', '2000-01-01', NULL, NULL)$$,
	'movie_release_dates_kind_check', 'kinds are TMDb''s six');
SELECT violates($$INSERT INTO movie_region_releases VALUES (701, 'us', '2000-01-01', NULL)$$,
	'movie_region_releases_region_check', 'regions are upper case');

SELECT * FROM finish();

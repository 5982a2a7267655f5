-- Where to watch (sql/0023_watch.sql): TMDb's watch-provider and release-
-- date answers kept by watch_providers_store() and release_dates_store(),
-- whatever TMDb sends (malformed offers, regions and dates are left out,
-- never an error), replacing what was known; the provider list; the
-- offers as the API shows them; the tables' checks.
SELECT plan(22);

INSERT INTO users (id, username, email) OVERRIDING SYSTEM VALUE VALUES (101, 'alice', 'a@example.com');
INSERT INTO movies (id, title, tmdb_id) OVERRIDING SYSTEM VALUE VALUES (701, 'Fight Club', 550);

CREATE FUNCTION offers(movie bigint) RETURNS text LANGUAGE sql STABLE RETURN (
	SELECT string_agg(region || ':' || provider_id || ':' || kind, ' '
	                  ORDER BY region, kind, provider_id)
	FROM movie_providers WHERE movie_id = movie);

SELECT is(watch_providers_store(701, $${"id": 550, "results": {
	"US": {"link": "https://www.themoviedb.org/movie/550/watch?locale=US",
	       "flatrate": [{"provider_id": 8, "provider_name": "Netflix", "logo_path": "/n.jpg", "display_priority": 3},
	                    {"provider_id": 8, "provider_name": "Netflix", "logo_path": "/n.jpg", "display_priority": 3},
	                    {"provider_id": "9", "provider_name": "a string id"},
	                    {"provider_id": 10, "provider_name": ""},
	                    {"provider_id": -1, "provider_name": "negative"},
	                    {"provider_id": 1.5, "provider_name": "fraction"},
	                    "not an object", null],
	       "rent": [{"provider_id": 2, "provider_name": "Apple TV", "logo_path": "../../etc/passwd"}],
	       "buy": {"not": "an array"}},
	"usa": {"flatrate": [{"provider_id": 11, "provider_name": "a bad region"}]},
	"FR": {"ads": [{"provider_id": 207, "provider_name": "Roku", "display_priority": "7"}]}}}$$), 3,
	'three offers kept');
SELECT is(offers(701), 'FR:207:ads US:8:flatrate US:2:rent', 'only the well-formed ones, once each');
SELECT is((SELECT logo_path FROM watch_providers WHERE id = 2), NULL, 'a logo path that is none is not kept');
SELECT is((SELECT name FROM watch_providers WHERE id = 8), 'Netflix', 'providers named');
SELECT is((SELECT display_priority FROM movie_providers WHERE provider_id = 207), NULL,
	'a display priority that is no number: none');
SELECT isnt((SELECT providers_at FROM movie_watch_fetched WHERE movie_id = 701), NULL, 'the time it was asked');

SELECT is(watch_providers_store(701, $${"results": {"US": {"flatrate": [
	{"provider_id": 8, "provider_name": "Netflix (renamed)", "logo_path": "/n2.jpg"}]}}}$$), 1,
	'asked again');
SELECT is(offers(701), 'US:8:flatrate', 'what TMDb no longer says is gone');
SELECT is((SELECT name || logo_path FROM watch_providers WHERE id = 8), 'Netflix (renamed)/n2.jpg',
	'the provider brought up to date');
SELECT is(watch_providers_store(701, '{"results": []}'), 0, 'results of another type: nothing');
SELECT is(watch_providers_store(701, '[]'), 0, 'a document of another type: nothing');
SELECT is(watch_providers_store(999, '{"results": {}}'), 0, 'a movie that is gone: nothing');

SELECT is((watch_offers_json($${"results": {"US": {"link": "javascript:alert(1)",
	"flatrate": [{"provider_id": 8, "provider_name": "Netflix", "logo_path": "/n.jpg", "display_priority": 2},
	             {"provider_id": 9, "provider_name": "Prime", "display_priority": 1}]}}}$$, 'US', 'https://i/w92')
	)::jsonb, $${"link": null, "flatrate": [
	{"id": 9, "name": "Prime", "logo_url": null, "display_priority": 1},
	{"id": 8, "name": "Netflix", "logo_url": "https://i/w92/n.jpg", "display_priority": 2}],
	"free": [], "ads": [], "rent": [], "buy": [], "regions": ["US"]}$$::jsonb,
	'the API shape: by display priority, a link that is no https URL left out');

SELECT is(release_dates_store(701, $${"results": [
	{"iso_3166_1": "US", "release_dates": [
		{"type": 3, "release_date": "1999-10-15T00:00:00.000Z"},
		{"type": 3, "release_date": "1999-10-01T00:00:00.000Z"},
		{"type": 4, "release_date": "2000-06-06T00:00:00.000Z"},
		{"type": 1, "release_date": "1999-09-10T00:00:00.000Z"},
		{"type": "3", "release_date": "1999-01-01T00:00:00.000Z"},
		{"type": 4, "release_date": "2000-02-30T00:00:00.000Z"},
		{"type": 4, "release_date": 20000606}]},
	{"iso_3166_1": "u", "release_dates": [{"type": 3, "release_date": "1999-01-01"}]},
	{"iso_3166_1": "DE", "release_dates": "none"}]}$$), 3, 'three release dates kept');
SELECT is((SELECT string_agg(kind || ':' || release_date, ' ' ORDER BY kind) FROM movie_release_dates
	WHERE movie_id = 701), 'digital:2000-06-06 premiere:1999-09-10 theatrical:1999-10-01',
	'the earliest of each type (sql/0027 keeps premieres too); impossible dates and bad types left out');
SELECT is(release_dates_store(701, '{"results": []}'), 0, 'asked again: none');
SELECT is((SELECT count(*)::int FROM movie_release_dates WHERE movie_id = 701), 0, '  none kept');

SELECT is(watch_provider_list_store($${"results": [{"provider_id": 350, "provider_name": "Apple TV Plus"},
	{"provider_id": 0, "provider_name": "zero"}]}$$), 4, 'the provider list: one more provider');

SELECT violates($$INSERT INTO movie_providers VALUES (701, 'us', 8, 'flatrate', NULL)$$,
	'movie_providers_region_check', 'regions are upper case');
SELECT violates($$INSERT INTO movie_providers VALUES (701, 'US', 8, 'stream', NULL)$$,
	'movie_providers_kind_check', 'kinds are TMDb''s');
SELECT violates($$INSERT INTO user_services VALUES (101, 12345)$$,
	'user_services_provider_id_fkey', 'a service is a known provider');
SELECT violates($$INSERT INTO calendar_tokens (user_id, token_hash) VALUES (101, 'secret')$$,
	'calendar_tokens_token_hash_check', 'only a hash is stored');

SELECT * FROM finish();

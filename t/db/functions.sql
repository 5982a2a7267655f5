-- The SQL functions that others build on: timestamps, folding and
-- escaping for title=, the full-text document and query of q= and its
-- typo correction, and the readers of TMDb's documents.
SELECT plan(54);

-- rfc3339: UTC with Z, whatever the session's time zone, whole seconds
SET LOCAL TimeZone = 'America/New_York';
SELECT is(rfc3339('2024-01-02 03:04:05+02'), '2024-01-02T01:04:05Z',
	'rfc3339 writes UTC, not the session''s time zone');
SELECT is(rfc3339('2024-07-01 23:59:59.999+00'), '2024-07-01T23:59:59Z',
	'rfc3339 drops fractions of a second');
SELECT is(rfc3339(NULL), NULL, 'rfc3339 of NULL is NULL');

-- search_fold: lower case, accents and ligatures folded, full-width forms
-- to ASCII (title= and its index agree on one spelling)
SELECT is(search_fold('Amélie'), 'amelie', 'search_fold folds accents and case');
SELECT is(search_fold('Straße ŒUVRE Ñandú'), 'strasse oeuvre nandu',
	'search_fold folds ß, Œ and ñ');
SELECT is(search_fold('ＡＢＣ１２３％＿'), 'abc123%_', 'search_fold turns full-width forms to ASCII');
SELECT is(search_fold(NULL), NULL, 'search_fold of NULL is NULL');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'search_fold(text)'::regprocedure), 'i',
	'search_fold is IMMUTABLE (movies.title_fold, which title= searches, is made with it)');
SELECT is((SELECT count(*)::int FROM pg_index WHERE indexrelid IN
		('movies_title_trgm'::regclass, 'movies_title_prefix'::regclass)
		AND pg_get_indexdef(indexrelid) LIKE '%(title_fold%'), 2,
	'title= has its two indexes on title_fold');
SELECT is((SELECT generation_expression FROM information_schema.columns
	   WHERE table_name = 'movies' AND column_name = 'title_fold'), 'search_fold(title)',
	  'title_fold is search_fold(title), kept by PostgreSQL');

-- like_escape: a title= pattern's wildcards and backslashes taken literally
SELECT is(like_escape('50%_off\'), '50\%\_off\\', 'like_escape escapes %, _ and \');
SELECT ok('the 50%_off\ sale' LIKE '%' || like_escape('50%_off\') || '%',
	'an escaped pattern matches itself');
SELECT ok(NOT ('the 50X off\ sale' LIKE '%' || like_escape('50%_off\') || '%'),
	'an escaped % and _ match nothing else');
SELECT ok('5\0' LIKE like_escape('5\0') AND NOT '50' LIKE like_escape('5\0'),
	'an escaped backslash matches a backslash, and escapes nothing');
SELECT ok('100%' LIKE like_escape(search_fold('１００％')),
	'full-width ％ folded by search_fold is escaped too');
SELECT is(like_escape(NULL), NULL, 'like_escape of NULL is NULL');

-- movie_document: titles A, keywords B, overview C, accents folded
SELECT is(movie_document('Amélie', 'Le Fabuleux Destin', 'paris love', 'A waitress in Montmartre.'),
	$$'ameli':1A 'destin':4A 'fabuleux':3A 'le':2A 'love':6B 'montmartr':10C 'pari':5B 'waitress':8C$$::tsvector,
	'movie_document weighs titles A, keywords B, overview C, folding accents');
SELECT is(movie_document('Alien', '', NULL, ''), $$'alien':1A$$::tsvector,
	'movie_document takes no keywords (NULL) and empty texts');

-- movie_query: web-search syntax, accents folded like the document's
SELECT ok(movie_document('Amélie', '', 'paris', 'A waitress.') @@ movie_query('AMELIE'),
	'movie_query finds a folded, stemmed word');
SELECT ok(movie_document('Amelie', '', '', '') @@ movie_query('Amélie'),
	'movie_query folds the query''s accents too');
SELECT ok(NOT (movie_document('Amélie', '', 'paris', '') @@ movie_query('amelie -paris')),
	'movie_query: -word excludes');
SELECT ok(movie_document('Alien', '', '', '') @@ movie_query('predator or alien'),
	'movie_query: or');
SELECT ok(movie_document('The Dark Knight', '', '', '') @@ movie_query('"dark knight"')
	  AND NOT movie_document('Knight in the Dark', '', '', '') @@ movie_query('"dark knight"'),
	'movie_query: a quoted phrase keeps its order');

-- keyword_names: the names of the ids, in id order
INSERT INTO keywords (id, name) VALUES (9000, 'vampire'), (9001, 'gothic'), (9002, 'silent');
SELECT is(keyword_names('{9002,9000,424242}'), 'vampire silent',
	'keyword_names: names in id order, unknown ids ignored');
SELECT is(keyword_names('{}'), NULL, 'keyword_names of none is NULL');

-- movie_query_corrected: a word the catalog does not know replaced by the
-- most similar one it does (search_words, filled by the movies' triggers)
INSERT INTO movies (title, overview) VALUES ('Nosferatu', 'A vampire comes to Wisborg.');
SELECT is(movie_query_corrected('nosferatoo'), 'nosferatu', 'a misspelt word is corrected');
SELECT is(movie_query_corrected('vampyre wisborg'), 'vampir wisborg',
	'only the unknown word of several is replaced (by a stem)');
SELECT is(movie_query_corrected('NOSFERÁTU'), NULL, 'a known word, folded, needs no correction');
SELECT is(movie_query_corrected('qqqqxxxxzz'), NULL, 'a word like nothing known: no correction');
SELECT is(movie_query_corrected('nosferatoo qqqqxxxxzz'), 'nosferatu',
	'a word like nothing known is left out of a correction');
SELECT is(movie_query_corrected('the nosferatoo'), 'the nosferatu',
	'a stop word (no stem) is kept as it is');

-- tmdb_text, tmdb_number, tmdb_date, tmdb_image_path, tmdb_array: TMDb's
-- document read, never trusted
SELECT is(tmdb_text('{"t": "abcdef"}', 't', 3), 'abc', 'tmdb_text cuts to n characters');
SELECT is(tmdb_text('{"t": ""}', 't', 3), NULL, 'tmdb_text: an empty string is NULL');
SELECT is(tmdb_text('{"t": 12}', 't', 3), NULL, 'tmdb_text: a number is NULL');
SELECT is(tmdb_text('{}', 't', 3), NULL, 'tmdb_text: absent is NULL');
SELECT is(tmdb_number('{"n": 2.123456}', 'n', 0, 10), 2.1235, 'tmdb_number rounds to 4 decimals');
SELECT is(tmdb_number('{"n": 1e-50}', 'n', 0, 10), 0.0000,
	'tmdb_number: a tiny number is 0, not an overflow of real');
SELECT is(tmdb_number('{"n": 11}', 'n', 0, 10), NULL, 'tmdb_number: above hi is NULL');
SELECT is(tmdb_number('{"n": -1}', 'n', 0, 10), NULL, 'tmdb_number: below lo is NULL');
SELECT is(tmdb_number('{"n": "5"}', 'n', 0, 10), NULL, 'tmdb_number: a string is NULL');
SELECT is(tmdb_date('1972-03-14'), '1972-03-14'::date, 'tmdb_date reads YYYY-MM-DD');
SELECT is(tmdb_date('2023-02-30'), NULL, 'tmdb_date: an impossible date is NULL, not an error');
SELECT is(tmdb_date('1869-12-31'), NULL, 'tmdb_date: before 1870 is NULL');
SELECT is(tmdb_date('2101-01-01'), NULL, 'tmdb_date: after 2100 is NULL');
SELECT is(tmdb_date('1972-3-14'), NULL, 'tmdb_date: another format is NULL');
SELECT is(tmdb_date(''), NULL, 'tmdb_date: empty is NULL');
SELECT is(tmdb_image_path('/3bhkrj58Vtu7enYsRolD1fZdja1.jpg'), '/3bhkrj58Vtu7enYsRolD1fZdja1.jpg',
	'tmdb_image_path keeps TMDb''s paths');
SELECT is(tmdb_image_path('/a_b-c.webp'), '/a_b-c.webp', 'tmdb_image_path: webp');
SELECT is(tmdb_image_path('/../../etc/passwd.jpg'), NULL, 'tmdb_image_path: no ..');
SELECT is(tmdb_image_path('abc.jpg'), NULL, 'tmdb_image_path: a leading / is needed');
SELECT is(tmdb_image_path('/abc.gif'), NULL, 'tmdb_image_path: gif is not an image we take');
SELECT is(tmdb_image_path('http://x/abc.jpg'), NULL, 'tmdb_image_path: no URLs');
SELECT results_eq($$SELECT e::text FROM tmdb_array('{"a": [1, "x"]}', 'a') e$$,
	ARRAY['1', '"x"'], 'tmdb_array: the elements of an array');
SELECT is_empty($$SELECT tmdb_array('{"a": {"b": 1}}', 'a')$$, 'tmdb_array: an object has none');

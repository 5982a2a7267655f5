-- The translation a language alone ("en", which Accept-Language: en looks
-- up) takes when TMDb has none for the region named like the language:
-- TMDb's first, as 0006 says, not whichever the sort happened to leave
-- first (en-GB before en-US, es-AR before es-MX).  A language-region TMDb
-- lists twice takes its first too.
CREATE OR REPLACE FUNCTION tmdb_movie_translations(mid bigint, doc jsonb, title text) RETURNS void
	LANGUAGE sql AS $$
	WITH t AS (
		SELECT a.n, e ->> 'iso_639_1' AS lang, e ->> 'iso_3166_1' AS region,
		       coalesce(tmdb_text(e -> 'data', 'title', 300), title) AS title,
		       coalesce(tmdb_text(e -> 'data', 'overview', 5000), '') AS overview,
		       coalesce(tmdb_text(e -> 'data', 'tagline', 500), '') AS tagline
		FROM tmdb_array(doc -> 'translations', 'translations') WITH ORDINALITY AS a (e, n)
		WHERE e ->> 'iso_639_1' ~ '^[a-z]{2}$' AND e ->> 'iso_3166_1' ~ '^[A-Z]{2}$'
		ORDER BY a.n
		LIMIT 200),
	both_forms AS (
		SELECT n, lang || '-' || region AS language, title, overview, tagline FROM t
		UNION ALL
		(SELECT DISTINCT ON (lang) n, lang, title, overview, tagline FROM t
		 ORDER BY lang, region = upper(lang) DESC, n))
	INSERT INTO movie_translations AS tr (movie_id, language, title, overview, tagline, from_tmdb)
	SELECT DISTINCT ON (language) mid, language, title, overview, tagline, true FROM both_forms
	ORDER BY language, n
	ON CONFLICT (movie_id, language) DO UPDATE SET
		title = excluded.title, overview = excluded.overview, tagline = excluded.tagline
	WHERE tr.from_tmdb;
$$;

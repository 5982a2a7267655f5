/*
 * movie_sql.h: SQL text shared by the statements that show movies.
 *
 * A movie is shown in the request's language: its translation for the
 * whole tag, else for the language alone, else the original text; genre
 * names likewise.  The statements that use these number the language tag
 * and the language alone as the parameters LANG_TAG and LANG_PRIMARY.
 */
#ifndef MQ_MOVIE_SQL_H
#define MQ_MOVIE_SQL_H

/* A movie's average and number of ratings, from its statistics "ms". */
#define MQ_MOVIE_RATING \
	"round(movie_rating(ms.ratings_count, ms.ratings_sum)::numeric, 2) AS rating, " \
	"coalesce(ms.ratings_count, 0) AS ratings_count"

/* Those and the rest of its counters: what changes with every vote,
 * favorite, watchlist entry and review, which mq_movie_statistics_fold
 * (movie.h) makes the detail's "statistics". */
#define MQ_MOVIE_COUNTERS MQ_MOVIE_RATING ", " \
	"coalesce(ms.favorites_count, 0) AS favorites_count, " \
	"coalesce(ms.watchlist_count, 0) AS watchlist_count, " \
	"coalesce(ms.reviews_count, 0) AS reviews_count"

/* The columns of a movie in lists, over "movies m" joined with
 * MQ_MOVIE_TRANSLATION(...) (its translation "t", its statistics "ms").
 * The rating shown is the live average of ms; m.rating, which the lists
 * order and filter on, follows by a job (catalog/ratings_listed.h).  genre_ids becomes the genres, named
 * in C (genre_names.h): a subquery per movie would double the cost of a
 * page. */
#define MQ_MOVIE_ITEM_COLUMNS \
	"m.id, m.tmdb_id, m.imdb_id, coalesce(t.title, m.title) AS title, m.original_title, " \
	"coalesce(nullif(t.overview, ''), m.overview) AS overview, m.release_date, m.year, " \
	"m.runtime, m.original_language, m.status, m.popularity, " \
	MQ_MOVIE_RATING ", " \
	"m.poster_path, " \
	"m.backdrop_path, m.genre_ids"

/* The translation of movie m, if any, as t (title, overview, tagline,
 * language): for the whole tag, else the language alone, chosen from
 * m.translations (the languages it has), so that it is one probe of the
 * primary key, and none when it has neither (a NULL key); and its
 * statistics as ms (movie_stats, sql/0016_performance.sql: a movie's
 * counters are not on its row). */
#define MQ_MOVIE_TRANSLATION(LANG_TAG, LANG_PRIMARY) \
	"LEFT JOIN movie_translations t ON t.movie_id = m.id AND t.language = " \
	MQ_MOVIE_TRANSLATION_CHOSEN(LANG_TAG, LANG_PRIMARY) " " \
	"LEFT JOIN movie_stats ms ON ms.movie_id = m.id "

/* The language of that translation of movie m, NULL for none. */
#define MQ_MOVIE_TRANSLATION_CHOSEN(LANG_TAG, LANG_PRIMARY) \
	"CASE WHEN " LANG_TAG " = ANY (m.translations) THEN " LANG_TAG \
	" WHEN " LANG_PRIMARY " = ANY (m.translations) THEN " LANG_PRIMARY " END"

/* Whether movie ID is out in region REGION (sql/0027_regions.sql: its
 * release date there is today or before, UTC), as MQ_MOVIE_RELEASED_KEY
 * over MQ_MOVIE_RELEASED_JOIN: a probe of movie_region_releases' primary
 * key.  With a NULL region, false for every movie: an order that puts it
 * first is the order it was without. */
#define MQ_MOVIE_RELEASED_JOIN(ID, REGION) \
	"LEFT JOIN movie_region_releases rr ON rr.movie_id = " ID " AND rr.region = " REGION " "
#define MQ_MOVIE_RELEASED_KEY "(rr.release_date <= (now() AT TIME ZONE 'UTC')::date) IS TRUE"

/* Whether the movie of id ID (a column of a list of ids) is shown: a
 * movie, and not a provisional one (only its maker sees it), without
 * reading its row: an index-only probe of the key (the visibility map
 * says the row is there), and the few provisional movies hashed once
 * from their own index (movies_provisional).  Joined with movies to test
 * provisional_by, each id of a list was a probe of the key and a read of
 * the row: two thirds of the buffers of /recommended/'s page (500-800
 * ids), and at a million movies the rows of a list's movies are spread
 * over a table larger than the shared buffers. */
#define MQ_MOVIE_SHOWN(ID) \
	"EXISTS (SELECT 1 FROM movies sm WHERE sm.id = " ID ") " \
	"AND NOT EXISTS (SELECT 1 FROM movies sp WHERE sp.provisional_by IS NOT NULL " \
	"                AND sp.id = " ID ") "

#endif

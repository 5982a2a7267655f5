/*
 * genre_names.h: the genres (19 rows and their translations), held by each
 * worker so that a page of movies names its genres without a subquery per
 * movie.  Reloaded from PostgreSQL when older than a minute, so a genre
 * renamed in the database shows within that time; a reload that finds
 * catalog_names changed (a keyword renamed) also forgets the keywords'
 * names (keyword_names.h).
 */
#ifndef MQ_GENRE_NAMES_H
#define MQ_GENRE_NAMES_H

#include <json-c/json.h>

#include "core/ctx.h"

/* [{"id", "name", "slug"}, ...] into *out for a PostgreSQL int[] of genre
 * ids ("{4,18}"), names in the language primary ("fr") where translated.
 * Ids that are no genre are left out.  A failure (the genres could not be
 * loaded) is the database's. */
enum mq_status mq_genre_names(struct mq_ctx *c, const char *ids, const char *primary,
			      struct json_object **out);

/* Replaces the genre_ids member of each movie in a JSON array (or of one
 * movie object) by its genres. */
enum mq_status mq_genre_names_fill(struct mq_ctx *c, struct json_object *movies,
				   const char *primary);

/* What the names of a movie's genres and keywords depend on, for a
 * rendering kept beyond the request (catalog/movie_document.h): the
 * language the genres are named in for primary ("" when no genre is
 * translated into it: the original names), and a version: the
 * generation of catalog_names as of the last reload
 * (sql/0038_movie_documents.sql), which a renamed genre or keyword
 * changes, and the database cluster's identifier.  A failure is the
 * database's. */
enum mq_status mq_catalog_names(struct mq_ctx *c, const char *primary, const char **language,
				const char **version);

#endif

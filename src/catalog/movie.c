/*
 * movie.c: a movie as its detail shows it.
 */
#include "catalog/movie.h"

#include "catalog/genre_names.h"
#include "catalog/keyword_names.h"
#include "catalog/movie_json.h"
#include "catalog/movie_sql.h"
#include "db/db.h"
#include "db/rows.h"

/* Everything about a movie in one round trip (keyword names come from
 * keyword_names.c, genre names from genre_names.c), nearly a lookup by
 * primary key: the translation, the statistics and the media are probes
 * by key made only when the row says there is something to find
 * (m.translations, m.media_count).  $1 id, $2 language tag,
 * $3 language alone; $4 the viewer's user id (0: anonymous) and $5
 * whether they are an administrator, to whom alone, besides its maker, a
 * provisional movie is shown.  A change to what it renders is a new
 * MQ_MOVIE_DOCUMENT_SHAPE (movie_document.h): kept renderings must not
 * outlive it. */
static struct mq_stmt movie = MQ_STMT_CATALOG(
	"SELECT " MQ_MOVIE_ITEM_COLUMNS ", "
	"coalesce(nullif(t.tagline, ''), m.tagline) AS tagline, t.language AS translation, "
	"m.keyword_ids, "
	"CASE WHEN m.media_count > 0 THEN coalesce("
	"  (SELECT json_agg(json_build_object('id', x.id, 'kind', x.kind, "
	"          'file_path', x.file_path, 'site', x.site, 'video_key', x.video_key, "
	"          'language', x.language, 'is_primary', x.is_primary, "
	"          'created_at', rfc3339(x.created_at)) ORDER BY x.kind, NOT x.is_primary, x.id) "
	"   FROM movie_media x WHERE x.movie_id = m.id), '[]') "
	"  ELSE '[]'::json END AS media, "
	"array_to_json(m.translations) AS translations, "
	"coalesce(ms.favorites_count, 0) AS favorites_count, "
	"coalesce(ms.watchlist_count, 0) AS watchlist_count, "
	"coalesce(ms.reviews_count, 0) AS reviews_count, "
	"m.source, m.movielens_id, m.provisional_by IS NOT NULL AS provisional, "
	"rfc3339(m.created_at) AS created_at, rfc3339(m.updated_at) AS updated_at, "
	"m.xmin::text AS row_version "
	"FROM movies m " MQ_MOVIE_TRANSLATION("$2", "$3") "WHERE m.id = $1 "
	"AND (m.provisional_by IS NULL OR m.provisional_by = $4 OR $5::boolean)");

void mq_movie_statistics_fold(struct json_object *o)
{
	static const char *const moved[] = { "favorites_count", "watchlist_count", "reviews_count" };
	struct json_object *stats = json_object_new_object();

	json_object_object_add(stats, "ratings_count",
			       json_object_get(json_object_object_get(o, "ratings_count")));
	json_object_object_add(stats, "rating", json_object_get(json_object_object_get(o, "rating")));
	for (size_t i = 0; i < MQ_ARRAY_LEN(moved); i++) {
		json_object_object_add(stats, moved[i],
				       json_object_get(json_object_object_get(o, moved[i])));
		json_object_object_del(o, moved[i]);
	}
	json_object_object_add(o, "statistics", stats);
}

enum mq_status mq_movie_fetch(struct mq_ctx *c, const char *id, int64_t viewer, bool admin,
			      const struct mq_lang *lang, struct json_object **out,
			      const char **version)
{
	const char *params[] = { id, lang->tag, lang->primary, mq_arena_int(c->arena, viewer),
				 admin ? "true" : "false" };
	PGresult *res = mq_db_q(c, &movie, 5, params);
	struct json_object *o, *media;
	enum mq_status st;

	if (res == NULL)
		return mq_db_failure(c);
	if ((o = mq_row_owned(c->arena, res)) == NULL)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No movie with id %s.", id);
	if (version)
		*version = PQgetvalue(res, 0, PQfnumber(res, "row_version"));
	json_object_object_del(o, "row_version");
	if ((st = mq_genre_names_fill(c, o, lang->primary)) != MQ_OK ||
	    (st = mq_keyword_names_fill(c, o)) != MQ_OK)
		return st;
	mq_movie_statistics_fold(o);
	mq_movie_add_urls(c, o);
	if (json_object_object_get_ex(o, "media", &media))
		for (size_t i = 0; i < json_object_array_length(media); i++)
			mq_media_add_url(c, json_object_array_get_idx(media, i));
	*out = o;
	return MQ_OK;
}

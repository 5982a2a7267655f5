/*
 * collection.c: a user's collection items as JSON: {own..., "movie": {}}.
 */
#include "catalog/collection.h"

#include "catalog/genre_names.h"
#include "catalog/movie_json.h"
#include "core/json.h"
#include "db/rows.h"

/* Columns first..first+nown-1 of row as an item, and the rest (the
 * movie) under "movie", also added to movies. */
static struct json_object *item(PGresult *res, int row, int first, int nown,
				struct json_object *movies)
{
	struct json_object *it = mq_row_columns(res, row, first, first + nown);
	struct json_object *movie = mq_row_columns(res, row, first + nown, PQnfields(res));

	json_object_array_add(movies, json_object_get(movie));
	json_object_object_add(it, "movie", movie);
	return it;
}

static enum mq_status items(struct mq_ctx *c, PGresult *res, int first, int nown,
			    const char *primary, struct json_object **out)
{
	struct json_object *movies = mq_json_array(c->arena);

	*out = mq_json_array(c->arena);
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(*out, item(res, i, first, nown, movies));
	mq_movies_add_urls(c, movies);
	return mq_genre_names_fill(c, movies, primary);
}

enum mq_status mq_collection_items(struct mq_ctx *c, PGresult *res, int nown,
				   const char *primary, struct json_object **out)
{
	return items(c, res, 1, nown, primary, out);
}

enum mq_status mq_collection_item(struct mq_ctx *c, PGresult *res, int nown,
				  const char *primary, struct json_object **out)
{
	struct json_object *list;
	enum mq_status st = items(c, res, 0, nown, primary, &list);

	if (st == MQ_OK)
		*out = json_object_array_get_idx(list, 0);
	return st;
}

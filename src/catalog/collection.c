/*
 * collection.c: a user's collection items as JSON: {own..., "movie": {}}.
 */
#include "catalog/collection.h"

#include "db/db.h"
#include "catalog/genre_names.h"
#include "http/http.h"
#include "core/json.h"
#include "catalog/movie_json.h"
#include "http/page.h"
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

static struct json_object *items(struct mq_req *r, PGresult *res, int first, int nown,
				 const char *primary)
{
	struct json_object *out = mq_json_array(r->arena), *movies = mq_json_array(r->arena);

	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(out, item(res, i, first, nown, movies));
	mq_movies_add_urls(r, movies);
	return mq_genre_names_fill(r, movies, primary) < 0 ? NULL : out;
}

struct json_object *mq_collection_items(struct mq_req *r, PGresult *res, int nown,
					const char *primary)
{
	return items(r, res, 1, nown, primary);
}

int mq_collection_respond(struct mq_req *r, const struct mq_page *p, PGresult *res, int nown,
			  const char *primary)
{
	int64_t total = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	struct json_object *results;

	if (PQntuples(res) == 0 && p->page > 1)
		return mq_page_not_found(r, p);
	if ((results = mq_collection_items(r, res, nown, primary)) == NULL)
		return mq_fail_db(r);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, mq_page_envelope(r, p, total, results));
}

struct json_object *mq_collection_rows_page(struct mq_req *r, const struct mq_page *p,
					    PGresult *res)
{
	struct json_object *results = mq_json_array(r->arena);

	if (PQntuples(res) == 0 && p->page > 1)
		return NULL;
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(results, mq_row_columns(res, i, 1, PQnfields(res)));
	return mq_page_envelope(r, p, PQntuples(res) ? mq_row_int(res, 0, 0) : 0, results);
}

int mq_collection_show_row(struct mq_req *r, struct mq_stmt *st, const char *id, int status,
			   const char *what, const char *location)
{
	PGresult *res = mq_q(r, st, 1, &id);
	struct json_object *o;

	if (res == NULL)
		return mq_fail_db(r);
	if ((o = mq_row_owned(r->arena, res)) == NULL)
		return mq_problem(r, 404, "No %s with id %s.", what, id);
	if (status == 201 && location)
		mq_resp_header(r, "Location", mq_arena_printf(r->arena, "%s%s/", location, id));
	return mq_respond_json(r, status, o);
}

int mq_collection_respond_one(struct mq_req *r, int status, PGresult *res, int nown,
			      const char *primary)
{
	struct json_object *list;

	if (PQntuples(res) == 0) {	/* removed between the write and this read */
		mq_resp_header(r, "Retry-After", "1");
		return mq_problem(r, 503, "The item changed while it was being read; try again.");
	}
	if ((list = items(r, res, 0, nown, primary)) == NULL)
		return mq_fail_db(r);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, status, json_object_array_get_idx(list, 0));
}

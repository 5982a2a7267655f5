/*
 * collection.c: a user's collections, answered.
 */
#include "http/collection.h"

#include "catalog/collection.h"
#include "core/json.h"
#include "db/rows.h"

/* The envelope of the page of res, NULL when the page is past the end. */
static enum mq_status page_of(struct mq_req *r, const struct mq_page *p, PGresult *res, int nown,
			      const char *primary, struct json_object **page)
{
	int64_t total = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	struct json_object *results;
	enum mq_status st;

	*page = NULL;
	if (PQntuples(res) == 0 && p->page > 1)
		return MQ_OK;
	if ((st = mq_collection_items(&r->ctx, res, nown, primary, &results)) != MQ_OK)
		return st;
	*page = mq_page_envelope(r, p, total, results);
	return MQ_OK;
}

mq_reply mq_collection_respond(struct mq_req *r, const struct mq_page *p, PGresult *res,
			       int nown, const char *primary)
{
	struct json_object *page;
	enum mq_status st = page_of(r, p, res, nown, primary, &page);

	if (st != MQ_OK)
		return mq_fail(r, st);
	if (page == NULL)
		return mq_page_not_found(r, p);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, page);
}

mq_reply mq_collection_respond_cached(struct mq_req *r, struct mq_respcache *rc,
				      const struct mq_page *p, PGresult *res, int nown,
				      const char *primary)
{
	struct json_object *page;
	enum mq_status st = page_of(r, p, res, nown, primary, &page);
	const char *body;
	size_t len;

	if (st != MQ_OK)
		return mq_fail(r, st);
	if (page == NULL)
		return mq_page_not_found(r, p);
	body = mq_json_render(page, &len);
	return mq_respcache_respond(r, rc, body, len);
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

mq_reply mq_collection_show_row(struct mq_req *r, struct mq_stmt *st, const char *id, int status,
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

mq_reply mq_collection_respond_one(struct mq_req *r, int status, PGresult *res, int nown,
				   const char *primary)
{
	struct json_object *item;
	enum mq_status st;

	if (PQntuples(res) == 0) {	/* removed between the write and this read */
		mq_resp_header(r, "Retry-After", "1");
		return mq_problem(r, 503, "The item changed while it was being read; try again.");
	}
	if ((st = mq_collection_item(&r->ctx, res, nown, primary, &item)) != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, status, item);
}

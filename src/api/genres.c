/*
 * genres.c: the genre list, TMDb's movie genres.
 */
#include "core/json.h"
#include "db/db.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/lang.h"
#include "http/page.h"
#include "http/respcache.h"

/* Names in the request's language ($4) when translated. */
static struct mq_stmt genres_page = MQ_STMT_CATALOG(
	"SELECT g.id, g.tmdb_id, coalesce(t.name, g.name), g.slug, count(*) OVER () "
	"FROM genres g LEFT JOIN genre_translations t ON t.genre_id = g.id AND t.language = $4 "
	"ORDER BY CASE WHEN $3 = 'name' THEN coalesce(t.name, g.name) END, "
	"         CASE WHEN $3 = '-name' THEN coalesce(t.name, g.name) END DESC, "
	"         CASE WHEN $3 = 'id' THEN g.id END, "
	"         CASE WHEN $3 = '-id' THEN g.id END DESC, "
	"         CASE WHEN $3 = 'tmdb_id' THEN g.tmdb_id END, "
	"         CASE WHEN $3 = '-tmdb_id' THEN g.tmdb_id END DESC, "
	"         g.id "
	"LIMIT $1 OFFSET $2");

static const char *const orderings[] = { "name", "-name", "id", "-id", "tmdb_id", "-tmdb_id" };

static const char *ordering(struct mq_req *r)
{
	const char *o = mq_query_get(&r->query, "ordering");

	if (o == NULL)
		return "name";
	for (size_t i = 0; i < MQ_ARRAY_LEN(orderings); i++)
		if (strcmp(o, orderings[i]) == 0)
			return orderings[i];
	return NULL;
}

static struct json_object *genre_json(PGresult *res, int row)
{
	struct json_object *g = json_object_new_object();

	json_object_object_add(g, "id", json_object_new_int64(strtoll(PQgetvalue(res, row, 0), NULL, 10)));
	json_object_object_add(g, "tmdb_id", PQgetisnull(res, row, 1)
		? NULL : json_object_new_int64(strtoll(PQgetvalue(res, row, 1), NULL, 10)));
	json_object_object_add(g, "name", json_object_new_string(PQgetvalue(res, row, 2)));
	json_object_object_add(g, "slug", json_object_new_string(PQgetvalue(res, row, 3)));
	return g;
}

/* Renders one page from PostgreSQL; NULL when the database failed. */
static const char *render(struct mq_req *r, const struct mq_page *p, const char *order,
			  const struct mq_lang *lang, int64_t *count, size_t *len)
{
	const char *params[] = { p->limit_s, p->offset_s, order, lang->primary };
	PGresult *res = mq_q(r, &genres_page, 4, params);
	struct json_object *results;
	int rows;

	if (res == NULL)
		return NULL;
	rows = PQntuples(res);
	*count = rows ? strtoll(PQgetvalue(res, 0, 4), NULL, 10) : 0;
	if (rows == 0 && p->page > 1)
		return "";	/* past the end; the count is unknown but moot */
	results = mq_json_array(r->arena);
	for (int i = 0; i < rows; i++)
		json_object_array_add(results, genre_json(res, i));
	return mq_json_render(mq_page_envelope(r, p, *count, results), len);
}

/* GET /api/genres/: paginated, ordered by name unless ordering= says
 * otherwise, names in the language of Accept-Language or language=;
 * served from memcached when it has the page. */
mq_reply mq_genres_list(struct mq_req *r)
{
	const char *order = ordering(r), *body;
	struct mq_respcache rc_cache;
	struct mq_lang lang;
	struct mq_page p;
	int64_t count;
	size_t len;
	mq_reply rc;

	static const char *const params[] = { "page", "page_size", "ordering", "language", NULL };

	if (mq_done(rc = mq_query_check(r, params)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = mq_lang_choose(r, "language", &lang)))
		return rc;
	if (order == NULL)
		return mq_problem(r, 400, "Unknown ordering; use name, id or tmdb_id, "
				  "optionally with a leading -.");
	if (mq_done(rc = mq_respcache_serve(r, &rc_cache, "genres", lang.tag)))
		return rc;
	body = render(r, &p, order, &lang, &count, &len);
	if (body == NULL)
		return mq_fail_db(r);
	if (*body == '\0')
		return mq_page_not_found(r, &p);
	return mq_respcache_respond(r, &rc_cache, body, len);
}

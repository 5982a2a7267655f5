/*
 * movie_detail.c: one movie (GET /api/movies/{id}/) and the movies like
 * it (GET /api/movies/{id}/similar/, from the recommendation model's
 * precomputed neighbours: recs/serve.h).
 */
#include "analytics/events.h"
#include "catalog/movie_document.h"
#include "catalog/releases.h"
#include "core/json.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/lang.h"
#include "http/page.h"
#include "http/region.h"
#include "http/respcache.h"
#include "recs/serve.h"

/* GET /api/movies/{id}/ */
mq_reply mq_movies_get(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *region;
	struct mq_respcache rc_cache;
	static const char *const params[] = { "language", "region", NULL };
	struct mq_movie_detail movie;
	struct mq_lang lang;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, params)) ||
	    mq_done(rc = mq_lang_choose(r, "language", &lang)) ||
	    mq_done(rc = mq_region_choose(r, mq_query_get(&r->query, "region"), &region)))
		return rc;
	mq_analytics_view(&r->ctx, r->user_id, mq_req_id(r, "id"));	/* when there is such a movie */
	if (mq_done(rc = mq_respcache_serve_repeated(r, &rc_cache,
						     mq_arena_printf(r->arena, "movie:%s", id),
						     mq_region_variant(r, lang.tag, region))))
		return rc;
	st = mq_movie_detail(&r->ctx, id, r->user_id, r->role == MQ_ROLE_ADMIN, &lang, region,
			     &movie);
	if (st != MQ_OK)
		return mq_fail(r, st);	/* 404 "No movie with id ...", or the database's */
	/* a provisional movie is shown to few: never cached for all */
	if (!movie.shared)
		mq_respcache_skip(&rc_cache);
	return mq_respcache_respond(r, &rc_cache, movie.body, movie.len);
}

/* The page of movies like id (recs/serve.h), with their release in
 * region (NULL: none), into *body, "" when the page is past the end.
 * Failures: MQ_NOT_FOUND when there is no movie id, or the database's. */
static enum mq_status render_similar(struct mq_req *r, const char *id, const struct mq_lang *lang,
				     const char *region, const struct mq_page *p, const char **body,
				     size_t *len)
{
	struct mq_recs_list list;
	enum mq_status st;

	if ((st = mq_recs_similar(&r->ctx, id, lang, p->size, p->offset, &list)) != MQ_OK ||
	    (st = mq_movies_add_releases(&r->ctx, list.results, region)) != MQ_OK)
		return st;
	*body = mq_page_past_end(p, list.count) && p->page > 1
		? "" : mq_json_render(mq_page_envelope(r, p, list.count, list.results), len);
	return MQ_OK;
}

/* GET /api/movies/{id}/similar/: up to 50 movies, paginated. */
mq_reply mq_movies_similar(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id"), *body = NULL, *region;
	struct mq_respcache rc_cache;
	struct mq_lang lang;
	struct mq_page p;
	enum mq_status st;
	size_t len = 0;
	mq_reply rc;

	static const char *const params[] = { "page", "page_size", "language", "region", NULL };

	if (mq_done(rc = mq_query_check(r, params)) || mq_done(rc = mq_page_parse(r, &p)) ||
	    mq_done(rc = mq_lang_choose(r, "language", &lang)) ||
	    mq_done(rc = mq_region_choose(r, mq_query_get(&r->query, "region"), &region)) ||
	    mq_done(rc = mq_respcache_serve(r, &rc_cache, "movies",
					    mq_region_variant(r, lang.tag, region))))
		return rc;
	if ((st = render_similar(r, id, &lang, region, &p, &body, &len)) != MQ_OK)
		return mq_fail(r, st);
	if (*body == '\0')
		return mq_page_not_found(r, &p);
	return mq_respcache_respond(r, &rc_cache, body, len);
}

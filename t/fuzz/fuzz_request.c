/*
 * fuzz_request.c: a whole request through the worker's front door
 * (pool/dispatch.c: mq_req_init, the router, the body limit, the bearer
 * token, the problem answers), with every route's handler replaced by one
 * that reads what handlers read: page, page_size, the movie filters,
 * ?language= and Accept-Language, If-None-Match, a JSON body (echoed
 * back, rendered) or an image.
 *
 * Input: FastCGI parameters as NAME=value lines (REQUEST_METHOD,
 * DOCUMENT_URI, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH, HTTP_*...), an
 * empty line, then the body.  What must hold: exactly one well-formed
 * answer (fz_check_response), whatever the parameters say.
 */
#include "harness.h"

#include <unistd.h>

#include "core/config.h"
#include "core/json.h"
#include "core/scoreboard.h"
#include "db/db.h"
#include "http/lang.h"
#include "http/movie_filters.h"
#include "http/page.h"
#include "http/routes.h"
#include "http/upload.h"
#include "integrations/tmdb.h"
#include "pool/dispatch.h"
#include "pool/worker.h"

static mq_reply handler(struct mq_req *r)
{
	struct json_object *errors = mq_json_object(r->arena), *body;
	struct mq_movie_filters mf;
	struct mq_image img;
	struct mq_page p;
	struct mq_lang l;
	mq_reply rc;
	size_t len;
	const char *text;

	if (r->method == MQ_GET || r->method == MQ_HEAD) {
		if (mq_done(rc = mq_page_parse(r, &p)) || mq_done(rc = mq_lang_choose(r, "language", &l)))
			return rc;
		FZ_CHECK(p.page >= 1 && p.size >= 1 && p.size <= MQ_PAGE_SIZE_MAX && p.offset >= 0);
		if (!mq_movie_filters_parse(r, MQ_FILTERS_ALL, &mf, errors))
			return mq_problem_fields(r, errors);
		FZ_CHECK(mf.order < MQ_ORDER_COUNT);
		text = mq_arena_printf(r->arena, "{\"language\":\"%s\"}", l.tag);
		return mq_respond_cached(r, mq_etag_for(r->arena, text, strlen(text)), text, strlen(text));
	}
	if (r->match.route->flags & MQ_RF_UPLOAD) {
		if (mq_done(rc = mq_req_image(r, r->ctx.cfg->avatar_max, &img)))
			return rc;
		return mq_respond_detail(r, 201, img.kind);
	}
	if (r->method == MQ_DELETE)
		return mq_respond(r, 204, NULL, NULL, 0);
	if (mq_done(rc = mq_req_json(r, &body)))
		return rc;
	text = mq_json_render(body, &len);
	return mq_respond(r, 200, "application/json", text, len);
}

static struct mq_worker *worker(void)
{
	static struct mq_worker w;
	static struct mq_route routes[256];
	char err[256], sb[64];

	if (w.cfg)
		return &w;
	FZ_CHECK(mq_routes_count <= MQ_ARRAY_LEN(routes));
	for (size_t i = 0; i < mq_routes_count; i++) {
		routes[i] = mq_routes[i];
		routes[i].handler = handler;
	}
	w.cfg = fz_config();
	if ((w.router = mq_router_new(routes, mq_routes_count, err, sizeof(err))) == NULL)
		fz_fail(__FILE__, __LINE__, err);
	w.db = mq_db_new(w.cfg, "fuzz");	/* never connected: no handler here asks */
	w.tmdb = mq_tmdb_new(w.cfg, NULL);
	snprintf(sb, sizeof(sb), "/tmp/fuzz-scoreboard.%d", (int)getpid());
	w.sb = mq_scoreboard_create(sb, 1);
	FZ_CHECK(w.sb != NULL && w.tmdb != NULL);
	unlink(sb);
	return &w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_worker *w = worker();
	struct mq_arena *a = mq_arena_new(0);
	const uint8_t *end = memmem(data, size, "\n\n", 2);
	size_t head = end ? (size_t)(end - data) : size, n = 0;
	char *params = fz_cstr(a, data, head), **envp;
	const char *body = end ? (const char *)end + 2 : "";
	size_t blen = end ? size - head - 2 : 0;

	envp = mq_arena_calloc(a, head + 2, sizeof(*envp));
	for (char *save = NULL, *line = strtok_r(params, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strchr(line, '='))
			envp[n++] = line;
	envp[n] = NULL;
	mq_dispatch(w, fz_fcgi(envp, mq_arena_strndup(a, body, blen), blen), a);
	fz_check_response(a);
	fz_request_end();
	mq_arena_destroy(a);
	return 0;
}

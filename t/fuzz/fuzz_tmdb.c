/*
 * fuzz_tmdb.c: TMDb's answers, as the import path and the search read
 * them: what a 200 means (integrations/tmdb.c: judge, parse), a movie's
 * document checked and rendered for tmdb_movie_upsert()
 * (catalog/tmdb_import.c), an IMDb id's lookup, and search results
 * rebuilt member by member (api/tmdb_search.c).
 *
 * Input: the body TMDb sent with a 200, for GET /movie/550, /find/tt... and
 * /search/movie alike.  What must hold: nothing but a JSON object is OK;
 * what goes to PostgreSQL is strict JSON of the movie asked for; a search
 * result has an id, a title of 1 to 300 characters, a date or null, a
 * finite popularity, image paths TMDb's shape or null, and renders as
 * strict JSON.
 */
#include "harness.h"

/* The calls to TMDb are this target's: the code under test is compiled
 * here, with mq_tmdb_get answering from the input through TMDb's own
 * reading of a 200. */
#define mq_tmdb_get tmdb_get_unused
#include "integrations/tmdb.c"
#undef mq_tmdb_get
void mq_tmdb_get(struct mq_tmdb *t, struct mq_arena *a, const char *path,
		 const char *const *params, struct mq_tmdb_answer *out);

#include "api/tmdb_search.c"
#include "catalog/tmdb_import.c"

#define TMDB_ID 550

static const uint8_t *body;
static size_t body_len;

void mq_tmdb_get(struct mq_tmdb *t, struct mq_arena *a, const char *path,
		 const char *const *params, struct mq_tmdb_answer *out)
{
	struct mq_http_call h = { .code = 200 };
	struct call c = { 0 };

	memset(out, 0, sizeof(*out));
	build(t, a, path, params, &c);
	mq_buf_init(&h.body, a, 4096);
	mq_buf_append(&h.body, (const char *)body, body_len);
	judge(t, a, &h, out);
	FZ_CHECK(out->status == MQ_TMDB_OK || out->status == MQ_TMDB_BAD_GATEWAY);
	FZ_CHECK((out->status == MQ_TMDB_OK) ==
		 (out->json != NULL && json_object_is_type(out->json, json_type_object)));
}

static struct mq_tmdb *tmdb(void)
{
	static struct mq_tmdb *t;

	if (t == NULL && (t = mq_tmdb_new(fz_config(), NULL)) == NULL)
		fz_fail(__FILE__, __LINE__, "mq_tmdb_new");
	return t;
}

/* What would be sent as $1::jsonb: strict JSON (which has no U+0000,
 * which jsonb refuses), of the movie asked for. */
static void check_upsert_text(struct mq_arena *a, struct json_object *doc)
{
	size_t len;
	const char *text = mq_json_render(doc, &len), *err;
	struct json_object *again = NULL, *id;

	FZ_CHECK(mq_json_parse(a, text, len, MAX_DEPTH, &again, &err) == 0 && again);
	FZ_CHECK(json_object_object_get_ex(again, "id", &id) && json_object_get_int64(id) == TMDB_ID);
}

static void put_result(void *o)
{
	json_object_put(o);
}

static void check_result(struct mq_arena *a, struct json_object *o)
{
	struct json_object *v;
	const char *s, *text, *err;
	size_t len;

	FZ_CHECK(json_object_object_get_ex(o, "tmdb_id", &v) && json_object_get_int64(v) >= 1 &&
		 json_object_get_int64(v) <= INT32_MAX);
	FZ_CHECK(json_object_object_get_ex(o, "title", &v) &&
		 (s = json_object_get_string(v)) && *s && mq_utf8_length(s) <= 300);
	FZ_CHECK(json_object_object_get_ex(o, "release_date", &v));
	FZ_CHECK(v == NULL || mq_valid_date(json_object_get_string(v)));
	FZ_CHECK(json_object_object_get_ex(o, "popularity", &v) &&
		 isfinite(json_object_get_double(v)) && json_object_get_double(v) >= 0);
	for (const char *const *k = (const char *const[]){ "poster_path", "backdrop_path", NULL };
	     *k; k++) {
		FZ_CHECK(json_object_object_get_ex(o, *k, &v));
		FZ_CHECK(v == NULL || mq_tmdb_image_path_ok(json_object_get_string(v)));
	}
	text = mq_json_render(o, &len);
	FZ_CHECK(mq_json_parse(a, text, len, MAX_DEPTH, &v, &err) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	struct mq_tmdb_answer ans;
	struct json_object *list;
	struct mq_req r;
	const char *why;
	char *env[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/api/tmdb/search/",
			"QUERY_STRING=query=x", NULL };
	int64_t id;

	body = data;
	body_len = size;
	/* a movie's document, for the import */
	if (read_movie(tmdb(), a, TMDB_ID, &ans) == 0)
		check_upsert_text(a, ans.json);
	else
		FZ_CHECK(ans.status == MQ_TMDB_BAD_GATEWAY && ans.why);
	/* /find/{imdb_id} */
	FZ_CHECK(fz_request(&r, a, env, "", 0, &why) == 0);
	r.ctx.tmdb = tmdb();
	id = tmdb_id_of(&r.ctx, "tt0137523");
	FZ_CHECK(id >= 0 && id <= INT32_MAX);
	/* /search/movie: each result, as respond() rebuilds it */
	mq_tmdb_get(tmdb(), a, "/search/movie", NULL, &ans);
	list = ans.json ? member(ans.json, "results", json_type_array) : NULL;
	for (size_t i = 0; list && i < json_object_array_length(list) && i < TMDB_PAGE_SIZE; i++) {
		struct json_object *o = result(&r, json_object_array_get_idx(list, i));

		if (o) {
			mq_arena_defer(a, put_result, o);
			check_result(a, o);
		}
	}
	fz_request_end();
	mq_arena_destroy(a);
	return 0;
}

/*
 * movies_admin.c: adding, changing and removing movies (administrators):
 * POST /api/movies/, PUT/PATCH/DELETE /api/movies/{id}/.
 *
 * The writable fields are described once, in a table, and checked from
 * it; PUT and POST set every field (an absent one to its default), PATCH
 * only those given.  A change is one transaction with its genres and
 * keywords, and makes every cached response that shows the movie stale.
 */
#include <ctype.h>

#include "catalog/changes.h"
#include "catalog/genres.h"
#include "catalog/movie.h"
#include "catalog/tmdb_import.h"
#include "core/json.h"
#include "core/utf8.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/lang.h"
#include "storage/media.h"

#define MAX_GENRES 10
#define MAX_KEYWORDS 50

enum kind { TEXT, INT, NUMBER, DATE, ENUM, MATCH };

struct field {
	const char *name;
	enum kind kind;
	bool nullable;
	long long min, max;		/* TEXT: characters; INT, NUMBER: the range */
	const char *dflt;		/* when absent on POST and PUT; NULL: null */
	const char *const *values;	/* ENUM */
	bool (*valid)(const char *);	/* MATCH */
	const char *expect;		/* MATCH: what a valid value is */
};

static const char *const statuses[] = {
	"Rumored", "Planned", "In Production", "Post Production", "Released", "Canceled", NULL,
};

static bool valid_imdb(const char *s)
{
	size_t n = strlen(s);

	return n >= 9 && n <= 12 && strncmp(s, "tt", 2) == 0 && strspn(s + 2, "0123456789") == n - 2;
}

static bool valid_language(const char *s)
{
	return strlen(s) == 2 && islower((unsigned char)s[0]) && islower((unsigned char)s[1]);
}

/* TMDb's image paths ("/kqjL17yufvn9OVLyXYpvtyrFfak.jpg"), or one of an
 * image uploaded here ("movies/42-poster-0123456789abcdef/original.png",
 * or "movies/42-poster-0123456789abcdef.png" from before the sizes), as
 * the movie shows it, so that what GET gives PUT takes back. */
static bool valid_image_path(const char *s)
{
	static const char *const exts[] = { ".jpg", ".jpeg", ".png", ".webp" };
	const char *name = s[0] == '/' ? s + 1 : strncmp(s, "movies/", 7) == 0 ? s + 7 : NULL;
	size_t len;

	if (name == NULL || strlen(s) > 120 || strstr(s, ".."))
		return false;
	len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
	if (s[0] != '/' && len > 0 && strncmp(name + len, "/original.", 10) == 0)
		len += 9;
	for (size_t i = 0; i < MQ_ARRAY_LEN(exts); i++)
		if (len > 0 && strcmp(name + len, exts[i]) == 0)
			return true;
	return false;
}

/* In the order of the statements' parameters. */
static const struct field fields[] = {
	{ "tmdb_id", INT, true, 1, INT32_MAX, NULL, NULL, NULL, NULL },
	{ "imdb_id", MATCH, true, 0, 0, NULL, NULL, valid_imdb, "an IMDb id: tt and 7 to 10 digits" },
	{ "title", TEXT, false, 1, 300, NULL, NULL, NULL, NULL },
	{ "original_title", TEXT, false, 0, 300, NULL, NULL, NULL, NULL },	/* default: title */
	{ "overview", TEXT, false, 0, 5000, "", NULL, NULL, NULL },
	{ "tagline", TEXT, false, 0, 500, "", NULL, NULL, NULL },
	{ "release_date", DATE, true, 0, 0, NULL, NULL, NULL, NULL },
	{ "runtime", INT, true, 1, 1000, NULL, NULL, NULL, NULL },
	{ "original_language", MATCH, true, 0, 0, NULL, NULL, valid_language,
	  "an ISO 639-1 code such as en" },
	{ "status", ENUM, false, 0, 0, "Released", statuses, NULL, NULL },
	{ "popularity", NUMBER, false, 0, 1000000, "0", NULL, NULL, NULL },
	{ "poster_path", MATCH, true, 0, 0, NULL, NULL, valid_image_path,
	  "a TMDb image path such as /abc.jpg, or the path of an uploaded image "
	  "(upload images to /api/movies/{id}/media/)" },
	{ "backdrop_path", MATCH, true, 0, 0, NULL, NULL, valid_image_path,
	  "a TMDb image path such as /abc.jpg, or the path of an uploaded image "
	  "(upload images to /api/movies/{id}/media/)" },
};
#define NFIELDS MQ_ARRAY_LEN(fields)

static const char *const allowed[] = {
	"tmdb_id", "imdb_id", "title", "original_title", "overview", "tagline", "release_date",
	"runtime", "original_language", "status", "popularity", "poster_path", "backdrop_path",
	"genres", "keywords", NULL,
};

static const char *const read_only[] = {
	"id", "year", "rating", "ratings_count", "statistics", "poster_url", "backdrop_url",
	"poster_sizes", "backdrop_sizes", "media", "translations", "translation", "source", "movielens_id", "created_at",
	"updated_at", "score", NULL,
};

static struct mq_stmt insert_movie = MQ_STMT(
	"INSERT INTO movies (tmdb_id, imdb_id, title, original_title, overview, tagline, "
	"  release_date, runtime, original_language, status, popularity, poster_path, backdrop_path) "
	"VALUES ($1::int, $2, $3, $4, $5, $6, $7::date, $8::smallint, $9, $10, $11::real, $12, $13) "
	"RETURNING id");

/* $1 the movie; then for each field, whether it is set and its value. */
static struct mq_stmt update_movie = MQ_STMT(
	"UPDATE movies SET "
	"  tmdb_id = CASE WHEN $2::bool THEN $3::int ELSE tmdb_id END, "
	"  imdb_id = CASE WHEN $4::bool THEN $5 ELSE imdb_id END, "
	"  title = CASE WHEN $6::bool THEN $7 ELSE title END, "
	"  original_title = CASE WHEN $8::bool THEN $9 ELSE original_title END, "
	"  overview = CASE WHEN $10::bool THEN $11 ELSE overview END, "
	"  tagline = CASE WHEN $12::bool THEN $13 ELSE tagline END, "
	"  release_date = CASE WHEN $14::bool THEN $15::date ELSE release_date END, "
	"  runtime = CASE WHEN $16::bool THEN $17::smallint ELSE runtime END, "
	"  original_language = CASE WHEN $18::bool THEN $19 ELSE original_language END, "
	"  status = CASE WHEN $20::bool THEN $21 ELSE status END, "
	"  popularity = CASE WHEN $22::bool THEN $23::real ELSE popularity END, "
	"  poster_path = CASE WHEN $24::bool THEN $25 ELSE poster_path END, "
	"  backdrop_path = CASE WHEN $26::bool THEN $27 ELSE backdrop_path END, "
	"  updated_at = now() "
	"WHERE id = $1 RETURNING id");

static struct mq_stmt set_genres = MQ_STMT(
	"WITH gone AS (DELETE FROM movie_genres WHERE movie_id = $1 AND genre_id <> ALL ($2::int[])) "
	"INSERT INTO movie_genres (movie_id, genre_id) SELECT $1, unnest($2::int[]) "
	"ON CONFLICT DO NOTHING");

static struct mq_stmt add_keywords = MQ_STMT(
	"INSERT INTO keywords (name) SELECT DISTINCT ON (lower(k)) k FROM unnest($1::text[]) k "
	"ON CONFLICT ((lower(name))) DO NOTHING");

static struct mq_stmt set_keywords = MQ_STMT(
	"WITH wanted AS (SELECT id FROM keywords "
	"                WHERE lower(name) IN (SELECT lower(k) FROM unnest($2::text[]) k)), "
	"gone AS (DELETE FROM movie_keywords WHERE movie_id = $1 "
	"         AND keyword_id NOT IN (SELECT id FROM wanted)) "
	"INSERT INTO movie_keywords (movie_id, keyword_id) SELECT $1, id FROM wanted "
	"ON CONFLICT DO NOTHING");

static struct mq_stmt delete_movie = MQ_STMT(
	"WITH files AS (SELECT file_path FROM movie_media WHERE movie_id = $1 "
	"               AND file_path NOT LIKE '/%'), "
	"gone AS (DELETE FROM movies WHERE id = $1 RETURNING id) "
	"SELECT (SELECT count(*) FROM gone), file_path FROM (SELECT NULL::text AS file_path "
	"        UNION ALL SELECT file_path FROM files) f");

/* What a request asks to write. */
struct movie_write {
	bool set[NFIELDS];
	const char *value[NFIELDS];
	const char *genres;	/* int[] literal, resolved; NULL: unchanged */
	const char *keywords;	/* text[] literal; NULL: unchanged */
};

static const char *field_value(struct mq_form *f, const struct field *fd, struct json_object *v)
{
	struct mq_arena *a = f->r->arena;
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	int64_t n;
	double d;

	switch (fd->kind) {
	case TEXT:
		return mq_form_string(f, fd->name, false, (int)fd->min, (int)fd->max);
	case INT:
		return mq_form_int(f, fd->name, false, fd->min, fd->max, &n)
			? mq_arena_int(a, n) : NULL;
	case NUMBER:
		return mq_form_number(f, fd->name, false, (double)fd->min, (double)fd->max, &d)
			? mq_arena_printf(a, "%.9g", d) : NULL;
	case ENUM:
		return mq_form_enum(f, fd->name, false, fd->values);
	case DATE:
		if (s && mq_valid_date(s))
			return s;
		mq_form_error(f, fd->name, "Must be a date written YYYY-MM-DD, from 1870 to 2100.");
		return NULL;
	case MATCH:
		if (s && fd->valid(s))
			return s;
		mq_form_error(f, fd->name, "Must be %s.", fd->expect);
		return NULL;
	}
	return NULL;
}

static void read_fields(struct mq_form *f, bool whole, struct movie_write *w)
{
	struct json_object *v;

	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *fd = &fields[i];

		if (!json_object_object_get_ex(f->body, fd->name, &v)) {
			w->set[i] = whole;
			w->value[i] = fd->dflt;
			if (whole && strcmp(fd->name, "title") == 0)
				mq_form_error(f, fd->name, "This field is required.");
			continue;
		}
		w->set[i] = true;
		if (v == NULL && !fd->nullable)
			mq_form_error(f, fd->name, "This field may not be null.");
		else if (v != NULL)
			w->value[i] = field_value(f, fd, v);
	}
	/* an original title defaults to the title */
	if (whole && !mq_form_has(f, "original_title"))
		w->value[3] = w->value[2];
}

/* genres: ids or slugs, resolved to ids, unknown ones an error.  A
 * failure is the database's. */
static enum mq_status read_genres(struct mq_form *f, struct movie_write *w)
{
	struct mq_arena *a = f->r->arena;
	const char *slugs[MAX_GENRES], *ids = "", *unknown;
	struct json_object *v;
	size_t nslugs = 0, n;
	enum mq_status st;

	if (!json_object_object_get_ex(f->body, "genres", &v))
		return MQ_OK;
	if (!json_object_is_type(v, json_type_array) || (n = json_object_array_length(v)) > MAX_GENRES) {
		mq_form_error(f, "genres", "Must be a list of at most %d genre ids or slugs.", MAX_GENRES);
		return MQ_OK;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(v, i);

		if (json_object_is_type(g, json_type_int) && json_object_get_int64(g) > 0 &&
		    json_object_get_int64(g) <= INT32_MAX) {
			ids = mq_arena_printf(a, "%s%s%s", ids, *ids ? "," : "", json_object_get_string(g));
		} else if (json_object_is_type(g, json_type_string)) {
			slugs[nslugs++] = json_object_get_string(g);
		} else {
			mq_form_error(f, "genres", "Each genre is an id or a slug.");
			return MQ_OK;
		}
	}
	st = mq_genres_resolve(&f->r->ctx, mq_arena_printf(a, "{%s}", ids),
			       mq_db_text_array(a, slugs, nslugs), &w->genres, &unknown);
	if (st != MQ_OK)
		return st;
	if (unknown)
		mq_form_error(f, "genres", "No such genre: %s.", unknown);
	return MQ_OK;
}

static void read_keywords(struct mq_form *f, struct movie_write *w)
{
	const char *names[MAX_KEYWORDS];
	struct json_object *v;
	size_t n;

	if (!json_object_object_get_ex(f->body, "keywords", &v))
		return;
	if (!json_object_is_type(v, json_type_array) || (n = json_object_array_length(v)) > MAX_KEYWORDS) {
		mq_form_error(f, "keywords", "Must be a list of at most %d keywords.", MAX_KEYWORDS);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(v, i);
		const char *s = json_object_is_type(k, json_type_string) ? json_object_get_string(k) : "";
		size_t len = mq_utf8_length(s);

		if (len < 1 || len > 100 || strlen(s) != (size_t)json_object_get_string_len(k)) {
			mq_form_error(f, "keywords", "Each keyword is a string of 1 to 100 characters.");
			return;
		}
		names[i] = s;
	}
	w->keywords = mq_db_text_array(f->r->arena, names, n);
}

/* Reads and checks the body, or answers its problems.  whole: POST and
 * PUT (every field set). */
static mq_reply read_body(struct mq_req *r, struct json_object *body, bool whole,
			  struct movie_write *w)
{
	struct mq_form f;
	enum mq_status st;

	memset(w, 0, sizeof(*w));
	mq_form_begin(&f, r, body, allowed, read_only);
	read_fields(&f, whole, w);
	if ((st = read_genres(&f, w)) != MQ_OK)
		return mq_fail(r, st);
	read_keywords(&f, w);
	if (whole && w->genres == NULL)
		w->genres = "{}";
	if (whole && w->keywords == NULL)
		w->keywords = "{}";
	return mq_form_end(&f);
}

/* A unique id taken by another movie: 409, naming the field. */
static mq_reply taken(struct mq_req *r)
{
	const char *c = mq_db_constraint(r->ctx.db);
	const char *field = strcmp(c, "movies_tmdb_id_key") == 0   ? "tmdb_id"
			    : strcmp(c, "movies_imdb_id_key") == 0 ? "imdb_id"
								   : NULL;

	mq_db_rollback(r->ctx.db);
	if (field == NULL)
		return mq_problem(r, 409, "The change conflicts with another movie.");
	return mq_problem_about(r, 409, mq_arena_printf(r->arena, mq_tr(r->lang.ui, "Another movie has this %s."), field),
				field, N_("Another movie has this id."));
}

static mq_reply fail(struct mq_req *r)
{
	if (strcmp(mq_db_sqlstate(r->ctx.db), "23505") == 0)
		return taken(r);
	return mq_fail_db(r);
}

/* Writes the links; inside the transaction.  Returns 0 or -1. */
static int write_links(struct mq_req *r, const char *id, const struct movie_write *w)
{
	if (w->genres) {
		const char *params[] = { id, w->genres };

		if (mq_q(r, &set_genres, 2, params) == NULL)
			return -1;
	}
	if (w->keywords) {
		const char *params[] = { id, w->keywords };

		if (mq_q(r, &add_keywords, 1, &w->keywords) == NULL ||
		    mq_q(r, &set_keywords, 2, params) == NULL)
			return -1;
	}
	return 0;
}

/* Answers with the movie as it now is: 404 when it was deleted since it
 * was written. */
static mq_reply show(struct mq_req *r, int status, const char *id)
{
	struct mq_lang lang;
	struct json_object *o;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_lang_choose(r, NULL, &lang)))
		return rc;
	if ((st = mq_movie_fetch(&r->ctx, id, r->user_id, true, &lang, &o, NULL)) != MQ_OK)
		return mq_fail(r, st);
	if (status == 201)
		mq_resp_header(r, "Location", mq_arena_printf(r->arena, "/api/movies/%s/", id));
	return mq_respond_json(r, status, o);
}

/* POST /api/movies/ {"tmdb_id": N}: the movie imported from TMDb, 201
 * when new, 200 when the catalog had it. */
static mq_reply import(struct mq_req *r, struct json_object *body)
{
	static const char *const only[] = { "tmdb_id", NULL };
	struct mq_tmdb_answer ans;
	int64_t tmdb_id, movie_id;
	struct mq_form f;
	enum mq_status st;
	bool created;
	mq_reply rc;

	mq_form_begin(&f, r, body, only, NULL);
	mq_form_int(&f, "tmdb_id", MQ_REQUIRED, 1, INT32_MAX, &tmdb_id);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_tmdb_movie_ensure(&r->ctx, tmdb_id, &movie_id, &created, &ans)) != MQ_OK)
		return mq_fail(r, st);
	return show(r, created ? 201 : 200, mq_arena_int(r->arena, movie_id));
}

/* POST /api/movies/: a new movie from a full body, or from TMDb. */
mq_reply mq_movies_create(struct mq_req *r)
{
	struct json_object *body;
	struct movie_write w;
	PGresult *res;
	const char *id;
	mq_reply rc;

	if (mq_done(rc = mq_req_json(r, &body)))
		return rc;
	if (json_object_object_length(body) == 1 && json_object_object_get_ex(body, "tmdb_id", NULL))
		return import(r, body);
	if (mq_done(rc = read_body(r, body, true, &w)))
		return rc;
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	if ((res = mq_q(r, &insert_movie, NFIELDS, w.value)) == NULL)
		return fail(r);
	id = mq_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
	if (write_links(r, id, &w) < 0 || mq_db_commit(r->ctx.db) < 0)
		return fail(r);
	mq_movies_changed(&r->ctx, id);
	return show(r, 201, id);
}

static mq_reply update(struct mq_req *r, bool whole)
{
	const char *id = mq_req_id_text(r, "id");
	const char *params[1 + 2 * NFIELDS];
	struct json_object *body;
	struct movie_write w;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_req_json(r, &body)) || mq_done(rc = read_body(r, body, whole, &w)))
		return rc;
	params[0] = id;
	for (size_t i = 0; i < NFIELDS; i++) {
		params[1 + 2 * i] = w.set[i] ? "true" : "false";
		params[2 + 2 * i] = w.value[i];
	}
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	if ((res = mq_q(r, &update_movie, 1 + 2 * NFIELDS, params)) == NULL)
		return fail(r);
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 404, "No movie with id %s.", id);
	}
	if (write_links(r, id, &w) < 0 || mq_db_commit(r->ctx.db) < 0)
		return fail(r);
	mq_movies_changed(&r->ctx, id);
	return show(r, 200, id);
}

/* PUT /api/movies/{id}/: every field (absent ones to their defaults). */
mq_reply mq_movies_put(struct mq_req *r)
{
	return update(r, true);
}

/* PATCH /api/movies/{id}/: the fields given. */
mq_reply mq_movies_patch(struct mq_req *r)
{
	return update(r, false);
}

/* DELETE /api/movies/{id}/: the movie, its links, media and their files. */
mq_reply mq_movies_delete(struct mq_req *r)
{
	const char *id = mq_req_id_text(r, "id");
	PGresult *res = mq_q(r, &delete_movie, 1, &id);

	if (res == NULL)
		return mq_fail_db(r);
	if (mq_row_int(res, 0, 0) == 0)
		return mq_problem(r, 404, "No movie with id %s.", id);
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 1))
			mq_media_remove(&r->ctx, PQgetvalue(res, i, 1));
	mq_movies_changed(&r->ctx, id);
	return mq_respond(r, 204, NULL, NULL, 0);
}

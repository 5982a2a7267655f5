/*
 * movie_media.c: a movie's posters, backdrops and stills (image files
 * uploaded as the request body) and trailers and clips (a video site and
 * its key), for administrators.
 *
 *   POST   /api/movies/{id}/media/?kind=poster&language=en&primary=true  (image body)
 *   POST   /api/movies/{id}/media/   {"kind": "trailer", "site": "YouTube", "video_key": ...}
 *   PUT    /api/movies/{id}/media/{media_id}/   {"is_primary": true, "language": "fr"}
 *   DELETE /api/movies/{id}/media/{media_id}/
 *
 * One item of each kind is the primary one; the primary poster and
 * backdrop are also the movie's poster_path and backdrop_path.  Changes to
 * a movie's media are serialised by locking the movie's row.
 */
#include <ctype.h>

#include "catalog/changes.h"
#include "catalog/movie_json.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/upload.h"
#include "storage/image.h"
#include "storage/media.h"

#define MEDIA_COLUMNS \
	"id, kind, file_path, site, video_key, language, is_primary, " \
	"rfc3339(created_at) AS created_at"

static const char *const video_kinds[] = { "trailer", "clip", NULL };
static const char *const video_sites[] = { "YouTube", "Vimeo", NULL };

/* $1 the movie; true when it exists (and is now locked). */
static struct mq_stmt lock_movie = MQ_STMT("SELECT 1 FROM movies WHERE id = $1 FOR UPDATE");

/* Whether a new item of kind $2 becomes primary when not told: when the
 * movie has no primary of that kind yet. */
static struct mq_stmt kind_has_primary = MQ_STMT(
	"SELECT EXISTS (SELECT 1 FROM movie_media WHERE movie_id = $1 AND kind = $2 AND is_primary)");

static struct mq_stmt drop_primary = MQ_STMT(
	"UPDATE movie_media SET is_primary = false "
	"WHERE movie_id = $1 AND kind = $2 AND is_primary AND id IS DISTINCT FROM $3::bigint");

/* The same for the kind of item $2, before it becomes primary. */
static struct mq_stmt drop_primary_of_kind = MQ_STMT(
	"UPDATE movie_media SET is_primary = false "
	"WHERE movie_id = $1 AND is_primary AND id <> $2 "
	"AND kind = (SELECT kind FROM movie_media WHERE id = $2 AND movie_id = $1)");

static struct mq_stmt insert_media = MQ_STMT(
	"INSERT INTO movie_media (movie_id, kind, file_path, site, video_key, language, is_primary) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " MEDIA_COLUMNS);

static struct mq_stmt update_media = MQ_STMT(
	"UPDATE movie_media SET "
	"  is_primary = CASE WHEN $3::bool THEN $4::bool ELSE is_primary END, "
	"  language = CASE WHEN $5::bool THEN $6 ELSE language END "
	"WHERE id = $2 AND movie_id = $1 RETURNING " MEDIA_COLUMNS);

/* An item from TMDb is remembered as dismissed, so that a refresh does
 * not add it again (tmdb_movie_media(), sql/0006_tmdb.sql). */
static struct mq_stmt delete_media = MQ_STMT(
	"WITH d AS (DELETE FROM movie_media WHERE id = $2 AND movie_id = $1 RETURNING *), "
	"dismissed AS (INSERT INTO movie_media_dismissed (movie_id, kind, item) "
	"  SELECT movie_id, kind, coalesce(file_path, site || ':' || video_key) FROM d "
	"  WHERE from_tmdb ON CONFLICT DO NOTHING) "
	"SELECT kind, file_path, is_primary FROM d");

/* The movie's poster_path or backdrop_path follows its primary image:
 * $2 the kind, $3 the new path (NULL: none) or, with $4, only when it
 * was $4. */
static struct mq_stmt set_movie_image = MQ_STMT(
	"UPDATE movies SET "
	"  poster_path = CASE WHEN $2 = 'poster' AND ($4::text IS NULL OR poster_path = $4) "
	"                THEN $3 ELSE poster_path END, "
	"  backdrop_path = CASE WHEN $2 = 'backdrop' AND ($4::text IS NULL OR backdrop_path = $4) "
	"                  THEN $3 ELSE backdrop_path END, "
	"  updated_at = now() WHERE id = $1");

static bool valid_media_language(const char *s)
{
	size_t n = strlen(s);

	return (n == 2 || (n == 5 && s[2] == '-' && isupper((unsigned char)s[3]) &&
			   isupper((unsigned char)s[4]))) &&
	       islower((unsigned char)s[0]) && islower((unsigned char)s[1]);
}

struct item {
	const char *movie, *kind, *file, *site, *key, *language;
	int primary;		/* 1, 0, or -1: not said */
};

/* Inserts the item in one transaction with its consequences; answers. */
static mq_reply add(struct mq_req *r, struct item *it)
{
	const char *id[] = { it->movie }, *pk[] = { it->movie, it->kind, NULL };
	struct json_object *o;
	PGresult *res;

	if (mq_db_begin(r->ctx.db) < 0 || (res = mq_q(r, &lock_movie, 1, id)) == NULL)
		goto failed;
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		mq_media_remove(&r->ctx, it->file);
		return mq_problem(r, 404, "No movie with id %s.", it->movie);
	}
	if (it->primary < 0) {
		if ((res = mq_q(r, &kind_has_primary, 2, pk)) == NULL)
			goto failed;
		it->primary = PQgetvalue(res, 0, 0)[0] != 't';
	}
	if (it->primary && mq_q(r, &drop_primary, 3, pk) == NULL)
		goto failed;
	const char *params[] = { it->movie, it->kind, it->file, it->site, it->key, it->language,
				 it->primary ? "true" : "false" };
	if ((res = mq_q(r, &insert_media, 7, params)) == NULL)
		goto failed;
	const char *image[] = { it->movie, it->kind, it->file, NULL };
	if (it->primary && it->file && mq_q(r, &set_movie_image, 4, image) == NULL)
		goto failed;
	if (mq_db_commit(r->ctx.db) < 0)
		goto failed;
	mq_movies_changed(&r->ctx, it->movie);
	o = mq_row_owned(r->arena, res);
	mq_media_add_url(&r->ctx, o);
	return mq_respond_json(r, 201, o);
failed:
	mq_media_remove(&r->ctx, it->file);
	return mq_fail_db(r);
}

/* The query of an image upload: kind, language, primary; or its problems
 * answered. */
static mq_reply read_image_query(struct mq_req *r, struct item *it)
{
	static const char *const allowed[] = { "kind", "language", "primary", NULL };
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	const char *v;

	it->kind = "poster";
	it->primary = -1;
	mq_form_check_query(&f, allowed);
	if ((v = mq_query_get(&r->query, "kind"))) {
		it->kind = v;
		if (strcmp(v, "poster") != 0 && strcmp(v, "backdrop") != 0 && strcmp(v, "still") != 0)
			mq_form_error(&f, "kind", "Must be poster, backdrop or still for an image.");
	}
	if ((v = mq_query_get(&r->query, "language")) && !valid_media_language(v))
		mq_form_error(&f, "language", "Must be a language such as en or pt-BR.");
	it->language = v;
	if ((v = mq_query_get(&r->query, "primary"))) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			mq_form_error(&f, "primary", "Must be true or false.");
		it->primary = strcmp(v, "true") == 0;
	}
	return mq_form_end(&f);
}

/* An image as the body, decoded and stored anew in the sizes of its kind
 * (storage/image.h). */
static mq_reply add_image(struct mq_req *r, struct item *it)
{
	struct mq_image img;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = read_image_query(r, it)) ||
	    mq_done(rc = mq_req_image(r, r->ctx.cfg->image_max, &img)))
		return rc;
	if ((st = mq_image_store(&r->ctx, (enum mq_image_kind)mq_image_kind_of(it->kind), "movies",
				 mq_arena_printf(r->arena, "%s-%s", it->movie, it->kind), img.kind,
				 img.data, img.len, &it->file)) != MQ_OK)
		return mq_fail(r, st);
	return add(r, it);
}

static mq_reply add_video(struct mq_req *r, struct item *it)
{
	static const char *const allowed[] = {
		"kind", "site", "video_key", "language", "is_primary", NULL,
	};
	struct mq_form f;
	bool primary, is_null;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, allowed, NULL)))
		return rc;
	it->kind = mq_form_enum(&f, "kind", true, video_kinds);
	it->site = mq_form_enum(&f, "site", true, video_sites);
	it->key = mq_form_string(&f, "video_key", true, 1, 64);
	if (it->key && strspn(it->key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789_-") != strlen(it->key))
		mq_form_error(&f, "video_key", "Must be the video's id on the site: letters, digits, "
			      "_ and -.");
	it->language = mq_form_string_or_null(&f, "language", 2, 5, &is_null);
	if (it->language && !valid_media_language(it->language))
		mq_form_error(&f, "language", "Must be a language such as en or pt-BR.");
	it->primary = mq_form_bool(&f, "is_primary", false, &primary) ? primary : -1;
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	return add(r, it);
}

/* POST /api/movies/{id}/media/: an image as the body, or a video as JSON. */
mq_reply mq_movie_media_add(struct mq_req *r)
{
	struct item it = { .movie = mq_req_id_text(r, "id"), .primary = -1 };
	const char *type = r->content_type ? r->content_type : "";

	if (strncasecmp(type, "application/json", 16) == 0)
		return add_video(r, &it);
	return add_image(r, &it);
}

/* PUT /api/movies/{id}/media/{media_id}/: which is primary, its language. */
mq_reply mq_movie_media_put(struct mq_req *r)
{
	static const char *const allowed[] = { "is_primary", "language", NULL };
	static const char *const read_only[] = {
		"id", "kind", "file_path", "site", "video_key", "url", "sizes", "created_at", NULL,
	};
	const char *movie = mq_req_id_text(r, "id"), *language;
	const char *media = mq_req_id_text(r, "media_id");
	bool primary = false, has_primary, lang_null;
	struct json_object *o;
	struct mq_form f;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, allowed, read_only)))
		return rc;
	has_primary = mq_form_bool(&f, "is_primary", false, &primary);
	language = mq_form_string_or_null(&f, "language", 2, 5, &lang_null);
	if (language && !valid_media_language(language))
		mq_form_error(&f, "language", "Must be a language such as en or pt-BR.");
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	const char *params[] = { movie, media, has_primary ? "true" : "false", primary ? "true" : "false",
				 language || lang_null ? "true" : "false", language };
	const char *id[] = { movie }, *pk[] = { movie, media };
	if (mq_db_begin(r->ctx.db) < 0 || mq_q(r, &lock_movie, 1, id) == NULL ||
	    (has_primary && primary && mq_q(r, &drop_primary_of_kind, 2, pk) == NULL) ||
	    (res = mq_q(r, &update_media, 6, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 404, "Movie %s has no media item %s.", movie, media);
	}
	o = mq_row_owned(r->arena, res);
	if (has_primary) {
		const char *kind = json_object_get_string(json_object_object_get(o, "kind"));
		struct json_object *jf = json_object_object_get(o, "file_path");
		const char *file = jf ? json_object_get_string(jf) : NULL;
		/* primary: the movie shows it; no longer: the movie shows none */
		const char *image[] = { movie, kind, primary ? file : NULL, primary ? NULL : file };

		if (file && mq_q(r, &set_movie_image, 4, image) == NULL)
			return mq_fail_db(r);
	}
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	mq_movies_changed(&r->ctx, movie);
	mq_media_add_url(&r->ctx, o);
	return mq_respond_json(r, 200, o);
}

/* DELETE /api/movies/{id}/media/{media_id}/ */
mq_reply mq_movie_media_delete(struct mq_req *r)
{
	const char *movie = mq_req_id_text(r, "id");
	const char *media = mq_req_id_text(r, "media_id");
	const char *params[] = { movie, media }, *id[] = { movie };
	PGresult *res;

	if (mq_db_begin(r->ctx.db) < 0 || mq_q(r, &lock_movie, 1, id) == NULL ||
	    (res = mq_q(r, &delete_media, 2, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0) {
		mq_db_rollback(r->ctx.db);
		return mq_problem(r, 404, "Movie %s has no media item %s.", movie, media);
	}
	const char *file = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
	const char *image[] = { movie, PQgetvalue(res, 0, 0), NULL, file };
	if (file && mq_q(r, &set_movie_image, 4, image) == NULL)
		return mq_fail_db(r);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	if (file && file[0] != '/')
		mq_media_remove(&r->ctx, file);
	mq_movies_changed(&r->ctx, movie);
	return mq_respond(r, 204, NULL, NULL, 0);
}

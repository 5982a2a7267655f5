/*
 * movie_json.c: image and video URLs of movies (see movie_json.h).
 *
 * An image path beginning with "/" is TMDb's ([tmdb] image_base_url, a
 * size, the path); any other is a file under [media] dir.
 */
#include "catalog/movie_json.h"

#include "core/arena.h"
#include "core/config.h"
#include "core/ctx.h"
#include "storage/media.h"

static const char *image_url(struct mq_ctx *c, const char *path, const char *size)
{
	if (path == NULL)
		return NULL;
	if (path[0] == '/')
		return mq_arena_printf(c->arena, "%s%s%s", c->cfg->tmdb_image_base_url, size, path);
	return mq_media_url(c, path);
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void add_url(struct json_object *o, const char *key, const char *url)
{
	json_object_object_add(o, key, url ? json_object_new_string(url) : NULL);
}

void mq_movie_add_urls(struct mq_ctx *c, struct json_object *movie)
{
	add_url(movie, "poster_url", image_url(c, member(movie, "poster_path"), "w500"));
	add_url(movie, "backdrop_url", image_url(c, member(movie, "backdrop_path"), "w1280"));
}

void mq_movies_add_urls(struct mq_ctx *c, struct json_object *movies)
{
	size_t n = json_object_array_length(movies);

	for (size_t i = 0; i < n; i++)
		mq_movie_add_urls(c, json_object_array_get_idx(movies, i));
}

void mq_media_add_url(struct mq_ctx *c, struct json_object *item)
{
	const char *site = member(item, "site"), *key = member(item, "video_key");
	const char *kind = member(item, "kind"), *url = NULL;

	if (site && key)
		url = strcmp(site, "YouTube") == 0
			? mq_arena_printf(c->arena, "https://www.youtube.com/watch?v=%s", key)
			: mq_arena_printf(c->arena, "https://vimeo.com/%s", key);
	else
		url = image_url(c, member(item, "file_path"),
				kind && strcmp(kind, "backdrop") == 0 ? "w1280" : "w500");
	add_url(item, "url", url);
}

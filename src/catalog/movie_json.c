/*
 * movie_json.c: image and video URLs of movies (see movie_json.h).
 *
 * An image path beginning with "/" is TMDb's ([tmdb] image_base_url, a
 * size, the path); any other is a file under [media] dir, stored with its
 * sizes (storage/image.h), which are TMDb's.
 */
#include "catalog/movie_json.h"

#include "core/arena.h"
#include "core/config.h"
#include "core/ctx.h"
#include "storage/image.h"
#include "storage/media.h"

/* The URL of an image in size: TMDb's ([tmdb] image_base_url, the size,
 * the path) or a stored one's (image.h). */
static const char *image_url(struct mq_ctx *c, const char *path, const char *size)
{
	if (path == NULL)
		return NULL;
	if (path[0] == '/')
		return mq_arena_printf(c->arena, "%s%s%s", c->cfg->tmdb_image_base_url, size, path);
	return mq_media_size_url(c, path, size);
}

/* Every size of an image of kind, and its original: {"w92": URL, ...};
 * NULL without an image.  TMDb serves these same sizes. */
static struct json_object *image_sizes(struct mq_ctx *c, const char *path, enum mq_image_kind kind)
{
	const struct mq_image_size *sizes;
	struct json_object *o;
	size_t n;

	if (path == NULL || path[0] != '/')
		return mq_media_sizes(c, path, kind);
	sizes = mq_image_sizes(kind, &n);
	o = json_object_new_object();
	for (size_t i = 0; i < n; i++)
		json_object_object_add(o, sizes[i].name,
				       json_object_new_string(image_url(c, path, sizes[i].name)));
	json_object_object_add(o, "original", json_object_new_string(image_url(c, path, "original")));
	return o;
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
	const char *poster = member(movie, "poster_path"), *backdrop = member(movie, "backdrop_path");

	add_url(movie, "poster_url", image_url(c, poster, "w500"));
	add_url(movie, "backdrop_url", image_url(c, backdrop, "w1280"));
	json_object_object_add(movie, "poster_sizes", image_sizes(c, poster, MQ_IMAGE_POSTER));
	json_object_object_add(movie, "backdrop_sizes", image_sizes(c, backdrop, MQ_IMAGE_BACKDROP));
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
	const char *file = member(item, "file_path"), *url = NULL;
	int kind = mq_image_kind_of(member(item, "kind"));
	struct json_object *sizes = NULL;

	if (site && key) {
		url = strcmp(site, "YouTube") == 0
			? mq_arena_printf(c->arena, "https://www.youtube.com/watch?v=%s", key)
			: mq_arena_printf(c->arena, "https://vimeo.com/%s", key);
	} else if (kind >= 0) {
		/* a stored still has no w500: its largest size */
		url = image_url(c, file, kind == MQ_IMAGE_BACKDROP ? "w1280"
					 : kind == MQ_IMAGE_STILL && file && file[0] != '/' ? "w300"
					 : "w500");
		sizes = image_sizes(c, file, (enum mq_image_kind)kind);
	}
	add_url(item, "url", url);
	json_object_object_add(item, "sizes", sizes);
}

/*
 * movie_json.h: the parts of a movie's JSON that SQL cannot write: URLs
 * of its images and videos, which depend on the configuration and on the
 * origin of links (c->origin).
 */
#ifndef MQ_MOVIE_JSON_H
#define MQ_MOVIE_JSON_H

#include <json-c/json.h>

struct mq_ctx;

/* Adds poster_url and backdrop_url (w500, w1280) from poster_path and
 * backdrop_path, and poster_sizes and backdrop_sizes: the URL of each
 * size. */
void mq_movie_add_urls(struct mq_ctx *c, struct json_object *movie);

/* The same for every movie of an array. */
void mq_movies_add_urls(struct mq_ctx *c, struct json_object *movies);

/* Adds url to one media item: its image, or its video page; and sizes,
 * for an image. */
void mq_media_add_url(struct mq_ctx *c, struct json_object *item);

#endif

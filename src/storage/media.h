/*
 * media.h: uploaded images on disk, under [media] dir, served by nginx at
 * [media] url.
 */
#ifndef MQ_MEDIA_H
#define MQ_MEDIA_H

#include "core/common.h"

struct mq_req;

/* "png", "jpeg" or "webp" from the first bytes; NULL for anything else. */
const char *mq_media_sniff(const char *data, size_t len);

/* The MIME type of a sniffed kind ("image/png"). */
const char *mq_media_type(const char *kind);

/* The request's body as an image of at most max bytes: PNG, JPEG or WebP
 * told by its first bytes, and Content-Type must agree.  Returns the body
 * with *kind ("png", ...) and *len, or NULL after answering 413 or 415. */
const char *mq_media_read_image(struct mq_req *r, size_t max, const char **kind, size_t *len);

/* Stores data as <dir>/<subdir>/<prefix>-<random>.<kind>, written to a
 * temporary file first so a reader never sees half of it.  Returns the
 * path relative to the media dir (in the arena), or NULL (logged). */
const char *mq_media_store(struct mq_req *r, const char *subdir, const char *prefix,
			   const char *kind, const char *data, size_t len);

/* Removes a stored file (a relative path from mq_media_store).  Missing
 * files are fine. */
void mq_media_remove(struct mq_req *r, const char *relpath);

/* The absolute URL of a stored file, or NULL for a NULL path. */
const char *mq_media_url(struct mq_req *r, const char *relpath);

#endif

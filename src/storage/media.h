/*
 * media.h: uploaded images on disk, under [media] dir, served by nginx at
 * [media] url.
 */
#ifndef MQ_MEDIA_H
#define MQ_MEDIA_H

#include "core/common.h"

struct mq_ctx;

/* "png", "jpeg" or "webp" from the first bytes; NULL for anything else. */
const char *mq_media_sniff(const char *data, size_t len);

/* The MIME type of a sniffed kind ("image/png"). */
const char *mq_media_type(const char *kind);

/* Stores data as <dir>/<subdir>/<prefix>-<random>.<kind>, written to a
 * temporary file first so a reader never sees half of it.  Returns the
 * path relative to the media dir (in the arena), or NULL (logged). */
const char *mq_media_store(struct mq_ctx *c, const char *subdir, const char *prefix,
			   const char *kind, const char *data, size_t len);

/* Removes a stored file (a relative path from mq_media_store).  Missing
 * files are fine. */
void mq_media_remove(struct mq_ctx *c, const char *relpath);

/* The absolute URL of a stored file ([media] url, made absolute with
 * c->origin when it is a path), or NULL for a NULL path. */
const char *mq_media_url(struct mq_ctx *c, const char *relpath);

#endif

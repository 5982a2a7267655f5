/*
 * media.h: uploaded images on disk, under [media] dir, or on the shared
 * media store ([media] store, storage/store.h) when set; served by nginx
 * at [media] url.
 */
#ifndef MQ_MEDIA_H
#define MQ_MEDIA_H

#include "core/common.h"
#include "core/status.h"

struct mq_ctx;

/* "png", "jpeg" or "webp" from the first bytes; NULL for anything else. */
const char *mq_media_sniff(const char *data, size_t len);

/* The MIME type of a sniffed kind ("image/png"). */
const char *mq_media_type(const char *kind);

/* The extension of files of a sniffed kind: "png", "jpg" or "webp". */
const char *mq_media_ext(const char *kind);

/* Seconds a client is told to wait (Retry-After) when the disk is full. */
#define MQ_MEDIA_FULL_RETRY_S 60

/* Makes a new directory <dir>/<subdir>/<prefix>-<random> for an image's
 * files; its path relative to the media dir (in the arena) goes to *rel.
 * Returns MQ_OK, or the failure (logged, details in c->err):
 * MQ_UNAVAILABLE with a Retry-After when the disk is full, MQ_INTERNAL
 * for any other. */
enum mq_status mq_media_dir_new(struct mq_ctx *c, const char *subdir, const char *prefix,
				const char **rel);

/* Writes data as <media dir>/<reldir>/<name>, through a temporary file so
 * that a reader never sees half of it; on failure nothing of it is left.
 * Returns what mq_media_dir_new does. */
enum mq_status mq_media_write(struct mq_ctx *c, const char *reldir, const char *name,
			      const void *data, size_t len);

/* Removes a directory from mq_media_dir_new and the files in it. */
void mq_media_remove_dir(struct mq_ctx *c, const char *reldir);

/* Removes a stored image (a relative path from mq_image_store: the
 * directory of its original and sizes; or a single file stored before
 * there were sizes).  Missing files are fine. */
void mq_media_remove(struct mq_ctx *c, const char *relpath);

/* The absolute URL of a stored file ([media] url, made absolute with
 * c->origin when it is a path), or NULL for a NULL path. */
const char *mq_media_url(struct mq_ctx *c, const char *relpath);

/* The absolute URL of one size ("w500", "original") of a stored image;
 * a file stored before there were sizes is every size.  NULL for NULL. */
const char *mq_media_size_url(struct mq_ctx *c, const char *relpath, const char *size);

/* The absolute URLs of a stored image's sizes (image.h) and of its
 * original, as an object {"w92": URL, ..., "original": URL} to add to a
 * response; NULL for a NULL path.  A file stored before there were sizes
 * is every size. */
struct json_object *mq_media_sizes(struct mq_ctx *c, const char *relpath, int image_kind);

#endif

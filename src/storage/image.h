/*
 * image.h: uploaded images decoded, checked, re-encoded and resized
 * (libvips), then stored under [media] dir with media.h.
 *
 * An upload is trusted for nothing: it is decoded by the loader of the
 * kind its first bytes claim and no other, refused when it does not decode
 * or has more than [media] image_pixels_max pixels (told by its header,
 * before any pixel is decoded), then written anew in sRGB without any of
 * its metadata (EXIF, GPS, XMP, ICC, comments) or bytes the decoder did
 * not use (a polyglot's payload), in each of the sizes of its kind.
 *
 * A stored image is a directory, <subdir>/<prefix>-<random>/, holding
 * original.<ext> and <size>.<ext> for each size of its kind, each size
 * (not the original) also as <size>.<ext>.webp when <ext> is not webp;
 * nginx serves the WebP one to clients that accept it.  Its path in the
 * database is that of original.<ext>.
 */
#ifndef MQ_IMAGE_H
#define MQ_IMAGE_H

#include "core/common.h"
#include "core/status.h"

struct mq_ctx;

/* The sets of sizes, one per kind of image. */
enum mq_image_kind {
	MQ_IMAGE_POSTER,	/* w92 w185 w342 w500 w780: widths, as TMDb's */
	MQ_IMAGE_BACKDROP,	/* w300 w780 w1280 */
	MQ_IMAGE_STILL,		/* w92 w185 w300 */
	MQ_IMAGE_AVATAR,	/* small (64x64) medium (256x256): squares */
};

struct mq_image_size {
	const char *name;	/* "w500", "small" */
	int width;
	int height;		/* 0: the width's, keeping the aspect ratio */
};

/* The kind named "poster", "backdrop", "still" or "avatar"; -1 for any
 * other. */
int mq_image_kind_of(const char *name);

/* The sizes of kind (not "original"), and their number in *n. */
const struct mq_image_size *mq_image_sizes(enum mq_image_kind kind, size_t *n);

/* Starts libvips in this process: once per worker, after the fork (it
 * starts threads), before the first mq_image_store.  No operation cache,
 * one thread per operation (VIPS_CONCURRENCY, when set, overrides), and
 * loaders other than PNG, JPEG and WebP blocked.  Returns 0, or -1
 * (logged). */
int mq_image_init(void);

/* Stops libvips (at a worker's exit, so that leak checkers see its
 * memory returned). */
void mq_image_shutdown(void);

/* Decodes data, an image whose first bytes say it is kind ("png", "jpeg"
 * or "webp", from mq_media_sniff), and stores it re-encoded in every size
 * of image_kind under <media dir>/<subdir>/<prefix>-<random>/.  On MQ_OK,
 * *relpath is the path of its original (in the arena).  MQ_UNSUPPORTED:
 * it does not decode as kind; MQ_TOO_LARGE: more than [media]
 * image_pixels_max pixels; MQ_UNAVAILABLE (with a Retry-After): the
 * disk is full; MQ_INTERNAL: it could not be written otherwise (logged).
 * Nothing of it is left on disk on failure.  The details are in c->err. */
enum mq_status mq_image_store(struct mq_ctx *c, enum mq_image_kind image_kind,
			      const char *subdir, const char *prefix, const char *kind,
			      const char *data, size_t len, const char **relpath);

#endif

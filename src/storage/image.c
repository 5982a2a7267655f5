/*
 * image.c: decoding, checking, re-encoding and resizing uploads with
 * libvips (see image.h).
 *
 * libvips is started in each worker after the fork, with no operation
 * cache (an upload is never processed twice) and one thread per
 * operation: a worker serves one request at a time, and its memory is
 * bounded by [media] image_pixels_max (a decoded image is held at most
 * twice, 4 bytes a pixel, while its sizes are made).  Only the PNG, JPEG
 * and WebP loaders may run: the optional modules (ImageMagick, PDF...)
 * are not loaded, the other loaders are blocked, and each upload goes to
 * the loader of the kind its first bytes claim, never to libvips's own
 * guess.
 */
#include "storage/image.h"

#include <vips/vips.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/log.h"
#include "storage/media.h"

static const struct mq_image_size poster_sizes[] = {
	{ "w92", 92, 0 }, { "w185", 185, 0 }, { "w342", 342, 0 }, { "w500", 500, 0 },
	{ "w780", 780, 0 },
};
static const struct mq_image_size backdrop_sizes[] = {
	{ "w300", 300, 0 }, { "w780", 780, 0 }, { "w1280", 1280, 0 },
};
static const struct mq_image_size still_sizes[] = {
	{ "w92", 92, 0 }, { "w185", 185, 0 }, { "w300", 300, 0 },
};
static const struct mq_image_size avatar_sizes[] = {
	{ "small", 64, 64 }, { "medium", 256, 256 },
};

static const struct {
	const char *name;
	const struct mq_image_size *sizes;
	size_t n;
} kinds[] = {
	[MQ_IMAGE_POSTER] = { "poster", poster_sizes, MQ_ARRAY_LEN(poster_sizes) },
	[MQ_IMAGE_BACKDROP] = { "backdrop", backdrop_sizes, MQ_ARRAY_LEN(backdrop_sizes) },
	[MQ_IMAGE_STILL] = { "still", still_sizes, MQ_ARRAY_LEN(still_sizes) },
	[MQ_IMAGE_AVATAR] = { "avatar", avatar_sizes, MQ_ARRAY_LEN(avatar_sizes) },
};

static bool started;

/* A sniffed kind as people write it. */
static const char *kind_name(const char *kind)
{
	return strcmp(kind, "png") == 0 ? "PNG" : strcmp(kind, "jpeg") == 0 ? "JPEG" : "WebP";
}

int mq_image_kind_of(const char *name)
{
	for (size_t i = 0; name && i < MQ_ARRAY_LEN(kinds); i++)
		if (strcmp(name, kinds[i].name) == 0)
			return (int)i;
	return -1;
}

const struct mq_image_size *mq_image_sizes(enum mq_image_kind kind, size_t *n)
{
	*n = kinds[kind].n;
	return kinds[kind].sizes;
}

/* libvips's warnings (a damaged upload, say) in the log's own format, not
 * glib's, and only when debugging: each refusal is answered already. */
static void vips_warning(const gchar *domain, GLogLevelFlags level, const gchar *message,
			 gpointer data)
{
	(void)domain;
	(void)data;
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		mq_log_error("libvips: %s", message);
	else
		mq_log_debug("libvips: %s", message);
}

int mq_image_init(void)
{
	if (started)
		return 0;
	g_log_set_handler("VIPS", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
			  vips_warning, NULL);
	/* libvips loads its optional modules (ImageMagick, PDF, HEIF, JPEG XL,
	 * OpenSlide) from $VIPSHOME/lib/vips-modules-8.x at start.  Blocked
	 * or not, their code and its initialisers would be in every worker
	 * (libjxl's even runs an instruction valgrind cannot): a VIPSHOME
	 * with no modules keeps them out.  Only their error messages'
	 * translations live there too. */
	setenv("VIPSHOME", "/dev/null", 0);
	if (VIPS_INIT("marquee-fcgi") != 0) {
		mq_log_error("libvips failed to start: %s", vips_error_buffer());
		vips_error_clear();
		return -1;
	}
	started = true;
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	if (getenv("VIPS_CONCURRENCY") == NULL)
		vips_concurrency_set(1);
	/* The loaders we call by name and nothing else, whatever libvips was
	 * built with. */
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	vips_operation_block_set("VipsForeignLoadPngBuffer", FALSE);
	vips_operation_block_set("VipsForeignLoadJpegBuffer", FALSE);
	vips_operation_block_set("VipsForeignLoadWebpBuffer", FALSE);
	return 0;
}

void mq_image_shutdown(void)
{
	if (!started)
		return;
	vips_shutdown();
	started = false;
}

/* The image's header, by the loader of kind: nothing is decoded yet.
 * Sequential access: its pixels are then decoded once, straight into the
 * copy normalise() makes, with no buffer (or temporary file) of the
 * loader's own. */
static VipsImage *load(const char *kind, const char *data, size_t len)
{
	VipsImage *out = NULL;
	void *buf = (void *)data;
	int rc;

	if (strcmp(kind, "png") == 0)
		rc = vips_pngload_buffer(buf, len, &out, "fail_on", VIPS_FAIL_ON_ERROR, "access",
					 VIPS_ACCESS_SEQUENTIAL, NULL);
	else if (strcmp(kind, "jpeg") == 0)
		rc = vips_jpegload_buffer(buf, len, &out, "fail_on", VIPS_FAIL_ON_ERROR, "access",
					  VIPS_ACCESS_SEQUENTIAL, NULL);
	else if (strcmp(kind, "webp") == 0)
		rc = vips_webpload_buffer(buf, len, &out, "fail_on", VIPS_FAIL_ON_ERROR, "access",
					  VIPS_ACCESS_SEQUENTIAL, NULL);
	else
		rc = -1;
	return rc == 0 ? out : NULL;
}

/* in decoded whole, turned upright (EXIF orientation), in sRGB, 8 bits a
 * band: what every size is made from, in memory.  NULL when it does not
 * decode. */
static VipsImage *normalise(VipsImage *in)
{
	VipsImage *t[4] = { NULL, NULL, NULL, NULL }, *out = NULL;

	if ((t[0] = vips_image_copy_memory(in)) == NULL || vips_autorot(t[0], &t[1], NULL) != 0)
		goto out;
	if (vips_image_get_typeof(t[1], VIPS_META_ICC_NAME) == 0 ||
	    vips_icc_transform(t[1], &t[2], "srgb", "embedded", TRUE, NULL) != 0) {
		vips_error_clear();	/* a broken profile: read it as sRGB */
		if (vips_colourspace(t[1], &t[2], VIPS_INTERPRETATION_sRGB, NULL) != 0)
			goto out;
	}
	if (vips_image_get_format(t[2]) == VIPS_FORMAT_UCHAR)
		t[3] = g_object_ref(t[2]);
	else if (vips_cast_uchar(t[2], &t[3], NULL) != 0)
		goto out;
	out = vips_image_copy_memory(t[3]);
out:
	for (size_t i = 0; i < MQ_ARRAY_LEN(t); i++)
		if (t[i])
			g_object_unref(t[i]);
	return out;
}

/* img encoded as kind ("png", "jpeg" or "webp"), without metadata; the
 * buffer is g_malloc'd.  Returns 0 or -1. */
static int save(VipsImage *img, const char *kind, void **buf, size_t *len)
{
	if (strcmp(kind, "png") == 0)
		return vips_pngsave_buffer(img, buf, len, "strip", TRUE, NULL);
	if (strcmp(kind, "jpeg") == 0)
		return vips_jpegsave_buffer(img, buf, len, "Q", 85, "strip", TRUE,
					    "optimize_coding", TRUE, NULL);
	return vips_webpsave_buffer(img, buf, len, "Q", 80, "strip", TRUE, NULL);
}

/* The failure of a step other than writing, logged by the caller. */
static enum mq_status not_stored(struct mq_ctx *c)
{
	return mq_fail_with(c, MQ_INTERNAL, NULL, "The image could not be stored.");
}

/* Writes img as <dir>/<name>, encoded as kind.  Returns MQ_OK or the
 * failure (logged; mq_media_write's when writing failed). */
static enum mq_status write_as(struct mq_ctx *c, VipsImage *img, const char *dir,
			       const char *name, const char *kind)
{
	void *buf = NULL;
	size_t len = 0;
	enum mq_status st;

	if (save(img, kind, &buf, &len) != 0) {
		mq_log_error("image: encoding %s/%s: %s", dir, name, vips_error_buffer());
		return not_stored(c);
	}
	st = mq_media_write(c, dir, name, buf, len);
	g_free(buf);
	return st;
}

/* img in one size, as <size>.<ext>, and as <size>.<ext>.webp unless kind
 * is WebP already. */
static enum mq_status write_size(struct mq_ctx *c, VipsImage *img, const struct mq_image_size *s,
				 const char *dir, const char *kind)
{
	const char *name = mq_arena_printf(c->arena, "%s.%s", s->name, mq_media_ext(kind));
	VipsImage *t = NULL;
	enum mq_status st;
	int rc;

	if (s->height)
		rc = vips_thumbnail_image(img, &t, s->width, "height", s->height, "size",
					  VIPS_SIZE_DOWN, "crop", VIPS_INTERESTING_CENTRE, NULL);
	else
		rc = vips_thumbnail_image(img, &t, s->width, "height", VIPS_MAX_COORD, "size",
					  VIPS_SIZE_DOWN, NULL);
	if (rc != 0) {
		mq_log_error("image: resizing to %s: %s", s->name, vips_error_buffer());
		return not_stored(c);
	}
	st = write_as(c, t, dir, name, kind);
	if (st == MQ_OK && strcmp(kind, "webp") != 0)
		st = write_as(c, t, dir, mq_arena_printf(c->arena, "%s.webp", name), "webp");
	g_object_unref(t);
	return st;
}

static enum mq_status write_all(struct mq_ctx *c, VipsImage *img, enum mq_image_kind image_kind,
				const char *dir, const char *kind)
{
	size_t n;
	const struct mq_image_size *sizes = mq_image_sizes(image_kind, &n);
	enum mq_status st;

	st = write_as(c, img, dir, mq_arena_printf(c->arena, "original.%s", mq_media_ext(kind)), kind);
	for (size_t i = 0; st == MQ_OK && i < n; i++)
		st = write_size(c, img, &sizes[i], dir, kind);
	return st;
}

/* The header's promise checked before anything is decoded: a 100000 x
 * 100000 PNG of a few bytes is refused without its 40 GB. */
static enum mq_status check_pixels(struct mq_ctx *c, VipsImage *in)
{
	uint64_t w = (uint64_t)vips_image_get_width(in), h = (uint64_t)vips_image_get_height(in);
	uint64_t max = (uint64_t)c->cfg->image_pixels_max;

	if (w * h <= max)
		return MQ_OK;
	return mq_fail_with(c, MQ_TOO_LARGE, NULL,
			    "The image is %llu x %llu pixels; at most %llu pixels are taken.",
			    (unsigned long long)w, (unsigned long long)h, (unsigned long long)max);
}

enum mq_status mq_image_store(struct mq_ctx *c, enum mq_image_kind image_kind,
			      const char *subdir, const char *prefix, const char *kind,
			      const char *data, size_t len, const char **relpath)
{
	VipsImage *in, *img = NULL;
	enum mq_status st;
	const char *dir;

	if (!started && mq_image_init() < 0)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "Images cannot be processed.");
	if ((in = load(kind, data, len)) == NULL) {
		mq_log_debug("image: %s refused: %s", kind, vips_error_buffer());
		st = mq_fail_with(c, MQ_UNSUPPORTED, NULL, "The body does not decode as a %s image.",
				  kind_name(kind));
		goto out;
	}
	if ((st = check_pixels(c, in)) != MQ_OK)
		goto out;
	if ((img = normalise(in)) == NULL) {
		mq_log_debug("image: %s refused: %s", kind, vips_error_buffer());
		st = mq_fail_with(c, MQ_UNSUPPORTED, NULL, "The body does not decode as a %s image.",
				  kind_name(kind));
		goto out;
	}
	if ((st = mq_media_dir_new(c, subdir, prefix, &dir)) != MQ_OK)
		goto out;
	if ((st = write_all(c, img, image_kind, dir, kind)) != MQ_OK) {
		mq_media_remove_dir(c, dir);
		goto out;
	}
	*relpath = mq_arena_printf(c->arena, "%s/original.%s", dir, mq_media_ext(kind));
out:
	if (img)
		g_object_unref(img);
	if (in)
		g_object_unref(in);
	vips_error_clear();
	return st;
}

/*
 * fuzz_upload.c: an uploaded image decoded, checked, re-encoded and
 * resized (storage/image.c, libvips), as an avatar is stored.
 *
 * Input: the body, whose first bytes say PNG, JPEG or WebP (others are
 * refused before decoding, by fuzz_image's sniffing).  What must hold: it
 * is stored, or refused as not decoding (415) or too large (413), never a
 * failure of the service; what is stored is the original and every size,
 * each of the kind the upload claimed, and none of them carries the text
 * a polyglot hides after or inside the image ("<script").
 */
#include "harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctx.h"
#include "storage/image.h"
#include "storage/media.h"

static char root[64];
static struct mq_config cfg;

static void remove_root(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_upload: could not remove %s\n", root);
}

static const struct mq_config *config(void)
{
	if (root[0] == '\0') {
		snprintf(root, sizeof(root), "/tmp/fuzz-upload.XXXXXX");
		if (mkdtemp(root) == NULL)
			fz_fail(__FILE__, __LINE__, "mkdtemp");
		atexit(remove_root);
		cfg = *fz_config();
		cfg.media_dir = root;
		cfg.image_pixels_max = 1 << 20;	/* a megapixel: fast enough to fuzz */
		if (mq_image_init() < 0)
			fz_fail(__FILE__, __LINE__, "mq_image_init");
	}
	return &cfg;
}

/* The file's bytes, or NULL. */
static char *slurp(struct mq_arena *a, const char *path, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL || fstat(fileno(f), &st) < 0) {
		if (f)
			fclose(f);
		return NULL;
	}
	buf = mq_arena_alloc(a, (size_t)st.st_size + 1);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	return buf;
}

static void check_file(struct mq_arena *a, const char *path, const char *kind)
{
	size_t len = 0;
	char *data = slurp(a, path, &len);

	FZ_CHECK(data != NULL && len > 0);
	FZ_CHECK(strcmp(mq_media_sniff(data, len) ? mq_media_sniff(data, len) : "-", kind) == 0);
	FZ_CHECK(memmem(data, len, "<script", 7) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_ctx c = { .cfg = config(), .arena = mq_arena_new(0), .origin = "https://x" };
	const char *kind = mq_media_sniff((const char *)data, size), *rel = NULL, *ext;
	const struct mq_image_size *sizes;
	enum mq_status st;
	size_t n;

	if (kind == NULL)
		goto out;
	st = mq_image_store(&c, MQ_IMAGE_AVATAR, "avatars", "f", kind, (const char *)data, size,
			    &rel);
	FZ_CHECK(st == MQ_OK || st == MQ_UNSUPPORTED || st == MQ_TOO_LARGE);
	if (st != MQ_OK) {
		FZ_CHECK(c.err.detail != NULL);
		goto out;
	}
	ext = mq_media_ext(kind);
	FZ_CHECK(rel && strncmp(rel, "avatars/f-", 10) == 0 &&
		 strcmp(strrchr(rel, '/') + 1, mq_arena_printf(c.arena, "original.%s", ext)) == 0);
	check_file(c.arena, mq_arena_printf(c.arena, "%s/%s", root, rel), kind);
	sizes = mq_image_sizes(MQ_IMAGE_AVATAR, &n);
	for (size_t i = 0; i < n; i++)
		check_file(c.arena, mq_arena_printf(c.arena, "%s/%.*s/%s.%s", root,
						    (int)(strrchr(rel, '/') - rel), rel, sizes[i].name, ext),
			   kind);
	mq_media_remove(&c, rel);
out:
	mq_arena_destroy(c.arena);
	return 0;
}

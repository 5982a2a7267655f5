/*
 * media.c: sniffing, storing and removing uploaded images, and their URLs.
 */
#include "storage/media.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/json.h"
#include "core/log.h"
#include "storage/image.h"
#include "storage/store.h"

const char *mq_media_sniff(const char *d, size_t len)
{
	const unsigned char *b = (const unsigned char *)d;

	if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "png";
	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "jpeg";
	if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "webp";
	return NULL;
}

const char *mq_media_type(const char *kind)
{
	if (strcmp(kind, "png") == 0)
		return "image/png";
	if (strcmp(kind, "jpeg") == 0)
		return "image/jpeg";
	return "image/webp";
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *mq_media_ext(const char *kind)
{
	return strcmp(kind, "jpeg") == 0 ? "jpg" : kind;
}

/* A failed write to the media dir, logged (what: "mkdir", "writing"),
 * as a status: a full disk (or quota) passes, so it is MQ_UNAVAILABLE
 * with a Retry-After; anything else is MQ_INTERNAL. */
static enum mq_status failed(struct mq_ctx *c, const char *what, const char *path, int err)
{
	mq_log_error("media: %s %s: %s", what, path, strerror(err));
	if (err == ENOSPC || err == EDQUOT)
		return mq_fail_retry(c, MQ_MEDIA_FULL_RETRY_S,
				     "There is no room to store the image; try again later.");
	return mq_fail_with(c, MQ_INTERNAL, NULL, "The image could not be stored.");
}

static enum mq_status made_dir(struct mq_ctx *c, const char *dir)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return MQ_OK;
	return failed(c, "mkdir", dir, errno);
}

enum mq_status mq_media_dir_new(struct mq_ctx *c, const char *subdir, const char *prefix,
				const char **rel)
{
	const char *root = c->cfg->media_dir;
	unsigned char raw[8];
	enum mq_status st;
	char rnd[17];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(rnd, sizeof(rnd), raw, sizeof(raw));
	*rel = mq_arena_printf(c->arena, "%s/%s-%s", subdir, prefix, rnd);
	if (mq_media_store_on(c))
		return MQ_OK;	/* the media host makes directories as files come */
	if ((st = made_dir(c, mq_arena_printf(c->arena, "%s/%s", root, subdir))) != MQ_OK)
		return st;
	return made_dir(c, mq_arena_printf(c->arena, "%s/%s", root, *rel));
}

enum mq_status mq_media_write(struct mq_ctx *c, const char *reldir, const char *name,
			      const void *data, size_t len)
{
	const char *path, *tmp;
	int fd, err = 0;

	if (mq_media_store_on(c))
		return mq_media_store_put(c, mq_arena_printf(c->arena, "%s/%s", reldir, name),
					  data, len);
	path = mq_arena_printf(c->arena, "%s/%s/%s", c->cfg->media_dir, reldir, name);
	tmp = mq_arena_printf(c->arena, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return failed(c, "creating", tmp, errno);
	errno = 0;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
		err = errno ? errno : EIO;	/* a write of 0 bytes says nothing */
	/* Closed whatever happened: an open descriptor keeps the blocks of
	 * the unlinked file, on a disk that may be full already. */
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return failed(c, "writing", path, err);
	}
	return MQ_OK;
}

/* A relative path that stays under the media dir. */
static bool sane(const char *relpath)
{
	return relpath && *relpath && relpath[0] != '/' && !strstr(relpath, "..");
}

void mq_media_remove_dir(struct mq_ctx *c, const char *reldir)
{
	const char *dir;
	struct dirent *e;
	DIR *d;

	if (!sane(reldir))
		return;
	if (mq_media_store_on(c)) {
		mq_media_store_delete(c, mq_arena_printf(c->arena, "%s/", reldir));
		return;
	}
	dir = mq_arena_printf(c->arena, "%s/%s", c->cfg->media_dir, reldir);
	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			mq_log_warn("media: removing %s: %s", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
			mq_log_warn("media: removing %s/%s: %s", dir, e->d_name, strerror(errno));
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		mq_log_warn("media: removing %s: %s", dir, strerror(errno));
}

/* The directory of an image stored with its sizes (".../original.png"),
 * or NULL for a single file. */
static const char *image_dir(struct mq_ctx *c, const char *relpath)
{
	const char *slash = strrchr(relpath, '/');

	if (slash == NULL || strncmp(slash + 1, "original.", 9) != 0)
		return NULL;
	return mq_arena_printf(c->arena, "%.*s", (int)(slash - relpath), relpath);
}

void mq_media_remove(struct mq_ctx *c, const char *relpath)
{
	const char *path, *dir;

	if (!sane(relpath))
		return;
	if ((dir = image_dir(c, relpath)) != NULL) {
		mq_media_remove_dir(c, dir);
		return;
	}
	if (mq_media_store_on(c)) {
		mq_media_store_delete(c, relpath);
		return;
	}
	path = mq_arena_printf(c->arena, "%s/%s", c->cfg->media_dir, relpath);
	if (unlink(path) < 0 && errno != ENOENT)
		mq_log_warn("media: removing %s: %s", path, strerror(errno));
}

const char *mq_media_url(struct mq_ctx *c, const char *relpath)
{
	const char *url = c->cfg->media_url;
	const char *sep;

	if (relpath == NULL)
		return NULL;
	sep = url[0] && url[strlen(url) - 1] == '/' ? "" : "/";
	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
		return mq_arena_printf(c->arena, "%s%s%s", url, sep, relpath);
	/* A path on this site: made absolute from the scheme and host of
	 * links (public_url may have a path of its own). */
	const char *host = strstr(c->origin, "://");
	const char *slash = host ? strchr(host + 3, '/') : NULL;
	int n = slash ? (int)(slash - c->origin) : (int)strlen(c->origin);
	return mq_arena_printf(c->arena, "%.*s%s%s%s", n, c->origin, url, sep, relpath);
}

const char *mq_media_size_url(struct mq_ctx *c, const char *relpath, const char *size)
{
	const char *dir, *ext;

	if (relpath == NULL || strcmp(size, "original") == 0 || (dir = image_dir(c, relpath)) == NULL)
		return mq_media_url(c, relpath);
	ext = strrchr(relpath, '.') + 1;
	return mq_media_url(c, mq_arena_printf(c->arena, "%s/%s.%s", dir, size, ext));
}

struct json_object *mq_media_sizes(struct mq_ctx *c, const char *relpath, int image_kind)
{
	const struct mq_image_size *sizes;
	struct json_object *o;
	size_t n;

	if (relpath == NULL)
		return NULL;
	sizes = mq_image_sizes((enum mq_image_kind)image_kind, &n);
	o = json_object_new_object();
	for (size_t i = 0; i < n; i++)
		json_object_object_add(o, sizes[i].name, json_object_new_string(
						   mq_media_size_url(c, relpath, sizes[i].name)));
	json_object_object_add(o, "original", json_object_new_string(mq_media_url(c, relpath)));
	return o;
}

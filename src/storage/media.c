/*
 * media.c: sniffing, storing and removing uploaded images.
 */
#include "storage/media.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/log.h"

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

const char *mq_media_store(struct mq_ctx *c, const char *subdir, const char *prefix,
			   const char *kind, const char *data, size_t len)
{
	const char *root = c->cfg->media_dir;
	unsigned char raw[8];
	char rnd[17];
	const char *dir = mq_arena_printf(c->arena, "%s/%s", root, subdir);
	const char *rel, *path, *tmp;
	int fd;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(rnd, sizeof(rnd), raw, sizeof(raw));
	rel = mq_arena_printf(c->arena, "%s/%s-%s.%s", subdir, prefix, rnd, kind);
	path = mq_arena_printf(c->arena, "%s/%s", root, rel);
	tmp = mq_arena_printf(c->arena, "%s.tmp", path);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		mq_log_error("media: mkdir %s: %s", dir, strerror(errno));
		return NULL;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		mq_log_error("media: %s: %s", tmp, strerror(errno));
		return NULL;
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		mq_log_error("media: writing %s: %s", path, strerror(errno));
		unlink(tmp);
		return NULL;
	}
	return rel;
}

void mq_media_remove(struct mq_ctx *c, const char *relpath)
{
	const char *path;

	if (relpath == NULL || *relpath == '\0' || strstr(relpath, ".."))
		return;
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

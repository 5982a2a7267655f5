/*
 * media.c: sniffing, storing and removing uploaded images.
 */
#include "storage/media.h"

#include <strings.h>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "http/http.h"
#include "core/log.h"
#include "pool/worker.h"

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

const char *mq_media_store(struct mq_req *r, const char *subdir, const char *prefix,
			   const char *kind, const char *data, size_t len)
{
	const char *root = r->w->cfg->media_dir;
	unsigned char raw[8];
	char rnd[17];
	const char *dir = mq_arena_printf(r->arena, "%s/%s", root, subdir);
	const char *rel, *path, *tmp;
	int fd;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(rnd, sizeof(rnd), raw, sizeof(raw));
	rel = mq_arena_printf(r->arena, "%s/%s-%s.%s", subdir, prefix, rnd, kind);
	path = mq_arena_printf(r->arena, "%s/%s", root, rel);
	tmp = mq_arena_printf(r->arena, "%s.tmp", path);
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

/* Content-Type equals type, parameters (";...") aside. */
static bool type_is(const char *header, const char *type)
{
	size_t n = strlen(type);

	return header && strncasecmp(header, type, n) == 0 &&
	       (header[n] == '\0' || header[n] == ';' || header[n] == ' ');
}

const char *mq_media_read_image(struct mq_req *r, size_t max, const char **kind, size_t *len)
{
	const char *body;

	if (r->content_length > 0 && (size_t)r->content_length > max) {
		mq_problem(r, 413, "An image may be at most %zu bytes here.", max);
		return NULL;
	}
	body = mq_req_body(r, len);
	if (body == NULL)
		return NULL;
	if (*len > max) {
		mq_problem(r, 413, "An image may be at most %zu bytes here.", max);
		return NULL;
	}
	*kind = mq_media_sniff(body, *len);
	if (*kind == NULL) {
		mq_problem(r, 415, "The body is not a PNG, JPEG or WebP image.");
		return NULL;
	}
	if (!type_is(r->content_type, mq_media_type(*kind))) {
		mq_problem(r, 415, "The body is %s, but Content-Type says %s.", mq_media_type(*kind),
			   r->content_type ? r->content_type : "nothing");
		return NULL;
	}
	return body;
}

void mq_media_remove(struct mq_req *r, const char *relpath)
{
	const char *path;

	if (relpath == NULL || *relpath == '\0' || strstr(relpath, ".."))
		return;
	path = mq_arena_printf(r->arena, "%s/%s", r->w->cfg->media_dir, relpath);
	if (unlink(path) < 0 && errno != ENOENT)
		mq_log_warn("media: removing %s: %s", path, strerror(errno));
}

const char *mq_media_url(struct mq_req *r, const char *relpath)
{
	const char *url = r->w->cfg->media_url;
	const char *sep;

	if (relpath == NULL)
		return NULL;
	sep = url[0] && url[strlen(url) - 1] == '/' ? "" : "/";
	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
		return mq_arena_printf(r->arena, "%s%s%s", url, sep, relpath);
	/* A path on this site: made absolute from the request's origin. */
	const char *self = mq_req_url(r, NULL);
	const char *slash = strchr(strstr(self, "://") + 3, '/');
	size_t origin = slash ? (size_t)(slash - self) : strlen(self);
	return mq_arena_printf(r->arena, "%.*s%s%s%s", (int)origin, self, url, sep, relpath);
}

/*
 * listen.c: unix, TCP and systemd-passed listening sockets.
 */
#include "pool/listen.h"

#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/config.h"

#define SD_LISTEN_FDS_START 3

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* systemd's protocol (sd_listen_fds(3)), without linking libsystemd. */
static int from_systemd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int64_t p, n;
	struct stat st;

	if (!pid || !fds || mq_parse_int64(pid, 1, INT32_MAX, &p) < 0 || p != getpid() ||
	    mq_parse_int64(fds, 1, 64, &n) < 0)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (fstat(SD_LISTEN_FDS_START, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -1;
	fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC);
	return SD_LISTEN_FDS_START;
}

static int chown_socket(const struct mq_config *cfg, const char *path, char *err, size_t errlen)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (*cfg->listen_owner) {
		struct passwd *pw = getpwnam(cfg->listen_owner);

		if (pw == NULL) {
			snprintf(err, errlen, "[server] listen_owner: no user %s", cfg->listen_owner);
			return -1;
		}
		uid = pw->pw_uid;
	}
	if (*cfg->listen_group) {
		struct group *gr = getgrnam(cfg->listen_group);

		if (gr == NULL) {
			snprintf(err, errlen, "[server] listen_group: no group %s", cfg->listen_group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0) {
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_unix(const struct mq_config *cfg, struct mq_listener *l, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = cfg->listen;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "[server] listen: %s is too long for a unix socket", path);
		return -1;
	}
	mq_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* A socket file left by a crash is removed; one with a live server
	 * behind it means another pool is running. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		snprintf(err, errlen, "%s: another server is listening there", path);
		close(fd);
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, cfg->listen_mode) < 0)
		goto fail;
	l->unix_path = mq_xstrdup(path);
	if (chown_socket(cfg, path, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* "127.0.0.1:9000", "[::1]:9000", "*:9000" or ":9000". */
static int open_tcp(const struct mq_config *cfg, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char host[256];
	const char *colon = strrchr(cfg->listen, ':');
	const char *h = cfg->listen;
	size_t hlen = colon ? (size_t)(colon - h) : 0;
	int fd = -1, one = 1, rc;

	if (colon == NULL || hlen >= sizeof(host)) {
		snprintf(err, errlen, "[server] listen = %s: expected a path or host:port", h);
		return -1;
	}
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']')
		h++, hlen -= 2;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	rc = getaddrinfo(hlen && strcmp(host, "*") ? host : NULL, colon + 1, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "[server] listen = %s: %s", cfg->listen, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
		snprintf(err, errlen, "[server] listen = %s: %s", cfg->listen, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int mq_listen_open(const struct mq_config *cfg, struct mq_listener *l, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->fd = from_systemd();
	if (l->fd >= 0) {
		l->from_systemd = true;
	} else {
		l->fd = cfg->listen[0] == '/' ? open_unix(cfg, l, err, errlen)
					      : open_tcp(cfg, err, errlen);
		if (l->fd < 0)
			return -1;
		if (listen(l->fd, cfg->listen_backlog) < 0) {
			snprintf(err, errlen, "listen %s: %s", cfg->listen, strerror(errno));
			mq_listen_close(l);
			return -1;
		}
	}
	if (set_nonblocking(l->fd) < 0) {
		snprintf(err, errlen, "listening socket: %s", strerror(errno));
		mq_listen_close(l);
		return -1;
	}
	return 0;
}

void mq_listen_close(struct mq_listener *l)
{
	if (l->fd >= 0 && !l->from_systemd)
		close(l->fd);
	l->fd = -1;
	if (l->unix_path) {
		unlink(l->unix_path);
		free(l->unix_path);
		l->unix_path = NULL;
	}
}

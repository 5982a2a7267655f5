/*
 * listen.h: the pool's listening socket.
 */
#ifndef MQ_LISTEN_H
#define MQ_LISTEN_H

#include "core/common.h"

struct mq_config;

struct mq_listener {
	int fd;
	bool from_systemd;	/* socket activation: systemd owns the socket */
	char *unix_path;	/* set when we created a unix socket file */
};

/* Takes the socket systemd passed (LISTEN_PID/LISTEN_FDS), or opens
 * [server] listen: a unix socket path (mode listen_mode, owner listen_owner,
 * group listen_group) or host:port.  The socket is non-blocking: workers
 * wait in poll(2), not in accept(2).  Returns 0, or -1 with err set. */
int mq_listen_open(const struct mq_config *cfg, struct mq_listener *l, char *err, size_t errlen);

/* Closes the socket and removes the file we created. */
void mq_listen_close(struct mq_listener *l);

#endif

/*
 * master.h: the process manager of marquee-fcgi.
 */
#ifndef MQ_MASTER_H
#define MQ_MASTER_H

#include "core/common.h"

struct mq_config;

/* Checks that cfg can run the pool: core/config.h's mq_config_check_pool
 * and the outside services' own checks.  Returns 0, or -1 with the reason
 * in err. */
int mq_master_check_config(const struct mq_config *cfg, char *err, size_t errlen);

/* Runs the pool until SIGTERM or SIGINT: opens the socket, forks workers,
 * replaces the ones that die or retire, kills the ones that overrun
 * request_timeout, and on SIGHUP re-reads config_path and replaces the
 * workers without dropping a request.  Takes ownership of cfg.  Returns
 * the process exit status. */
int mq_master_run(const char *config_path, struct mq_config *cfg);

#endif

/*
 * loopback.h: is a URL's host this machine?
 */
#ifndef MQ_LOOPBACK_H
#define MQ_LOOPBACK_H

#include "core/common.h"

/* True when the URL's host, as libcurl will connect to it (user info such
 * as "localhost@" is not the host), is exactly localhost, ::1 or in
 * 127.0.0.0/8. */
bool mq_loopback_url(const char *url);

/* Why url cannot be the base URL of an outside service, or NULL when it
 * can: https (http only for this machine, the tests' fakes), without a
 * query, a fragment, spaces or control characters. */
const char *mq_base_url_problem(const char *url);

#endif

/*
 * auth.h: who is calling, and may they call this route.
 */
#ifndef MQ_AUTH_H
#define MQ_AUTH_H

#include "http/http.h"

/* Authenticates the request (Authorization: Bearer) and checks the role
 * its route requires: MQ_NEXT to go on, or 401/403 answered.  A token that
 * is present but invalid is always a 401, even on a public route: a
 * client must never be served anonymously by mistake. */
mq_reply mq_auth_request(struct mq_req *r);

#endif

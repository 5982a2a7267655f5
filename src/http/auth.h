/*
 * auth.h: who is calling, and may they call this route.
 */
#ifndef MQ_AUTH_H
#define MQ_AUTH_H

struct mq_req;

/* Authenticates the request (Authorization: Bearer) and checks the role
 * its route requires.  Returns 0 to go on, or -1 after answering 401/403.
 * A token that is present but invalid is always a 401, even on a public
 * route: a client must never be served anonymously by mistake. */
int mq_auth_request(struct mq_req *r);

#endif

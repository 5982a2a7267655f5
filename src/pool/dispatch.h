/*
 * dispatch.h: from an accepted FastCGI request to a handler and back.
 */
#ifndef MQ_DISPATCH_H
#define MQ_DISPATCH_H

#include <fcgiapp.h>

struct mq_worker;
struct mq_arena;

/* Reads the request, routes it, enforces limits and roles, runs the
 * handler, makes sure exactly one answer went out, records the request on
 * the scoreboard and writes the access-log line. */
void mq_dispatch(struct mq_worker *w, FCGX_Request *fcgi, struct mq_arena *a);

#endif

/*
 * routes.h: the route table (routes.c).
 */
#ifndef MQ_ROUTES_H
#define MQ_ROUTES_H

#include "http/router.h"

extern const struct mq_route mq_routes[];
extern const size_t mq_routes_count;

#endif

/*
 * routes.c: every URL Marquee serves, the handler behind it and the least
 * role that may call it.  This table is the one place to look; the
 * OpenAPI document is checked against it by a test.
 *
 * Paths are written with their final slash; a request without it is served
 * the same.  Parameter types: int, slug, lang, word (see router.h).
 */
#include "routes.h"

#include "api/api.h"

#define ANON MQ_ROLE_ANON
#define USER MQ_ROLE_USER
#define ADMIN MQ_ROLE_ADMIN

const struct mq_route mq_routes[] = {
	/* operations */
	{ MQ_GET, "/healthz/", mq_health_live, ANON, 0 },
	{ MQ_GET, "/readyz/", mq_health_ready, ANON, 0 },
	{ MQ_GET, "/metrics/", mq_metrics, ANON, 0 },	/* nginx: loopback only */

	/* catalog */
	{ MQ_GET, "/api/genres/", mq_genres_list, ANON, 0 },
};

const size_t mq_routes_count = MQ_ARRAY_LEN(mq_routes);

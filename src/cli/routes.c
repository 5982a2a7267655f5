/*
 * routes.c: `marquee routes`: the route table, one line per route
 * ("GET /api/genres/ anon"), as the pool serves it.
 */
#include "core/common.h"

#include "cli/cli.h"
#include "http/routes.h"

static const char *role_name(enum mq_role role)
{
	switch (role) {
	case MQ_ROLE_ANON: return "anon";
	case MQ_ROLE_USER: return "user";
	case MQ_ROLE_ADMIN: return "admin";
	}
	return "?";
}

int mq_cli_routes(struct mq_config *cfg, int argc, char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < mq_routes_count; i++)
		printf("%-7s %s %s\n", mq_method_name(mq_routes[i].method), mq_routes[i].pattern,
		       role_name(mq_routes[i].role));
	return 0;
}

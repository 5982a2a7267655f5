/*
 * routes.c: `marquee routes`: the route table, one line per route
 * ("GET /api/genres/ anon", "PUT /api/users/me/avatar/ user upload"), as
 * the pool serves it.  The flags are what nginx's site must agree with
 * (t/ops/nginx_routes.t).
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
	for (size_t i = 0; i < mq_routes_count; i++) {
		const struct mq_route *rt = &mq_routes[i];

		printf("%-7s %s %s%s%s%s\n", mq_method_name(rt->method), rt->pattern,
		       role_name(rt->role), rt->flags & MQ_RF_TOKENLESS ? " tokenless" : "",
		       rt->flags & MQ_RF_UPLOAD ? " upload" : "",
		       rt->flags & MQ_RF_HEAVY ? " heavy" : "");
	}
	return 0;
}

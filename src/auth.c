/*
 * auth.c: the single place where roles are enforced.
 *
 * Accounts and tokens are not in yet: no token can be valid, so any
 * Authorization header is refused and routes that need a user answer 401.
 */
#include "auth.h"

#include "http.h"

int mq_auth_request(struct mq_req *r)
{
	if (r->authorization != NULL && *r->authorization != '\0') {
		mq_resp_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		mq_problem(r, 401, "The access token is invalid.");
		return -1;
	}
	if (r->match.route->role != MQ_ROLE_ANON) {
		mq_problem(r, 401, "Authentication is required.");
		return -1;
	}
	return 0;
}

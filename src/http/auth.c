/*
 * auth.c: the single place where tokens are checked and roles enforced.
 *
 * The token's signature and claims say who the caller was when it was
 * issued; the users row says whether that still holds (active, same token
 * version), and the refresh tokens whether its session (sid, the family
 * its login started) still lives, so deactivation, password changes, role
 * changes, logout and the reuse of a spent refresh token take effect on
 * the next request, not when the token expires.  One statement, one round
 * trip: the users row by its key, and two probes of small partial indexes
 * of refresh_tokens (sql/0010_hardening.sql).
 */
#include "http/auth.h"

#include <strings.h>

#include "accounts/access_token.h"
#include "db/db.h"

/* The session lives while it has its unspent, unrevoked token (one per
 * family) and no revoked member: a token that a concurrent refresh
 * inserted escapes a revocation's snapshot, the one that refresh spent
 * does not (api/sessions.c: spend_refresh). */
static struct mq_stmt current_user = MQ_STMT_READ(
	"SELECT u.role FROM users u "
	"WHERE u.id = $1 AND u.token_version = $2::bigint AND u.is_active AND u.deleted_at IS NULL "
	"AND EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family = $3::uuid AND t.user_id = u.id "
	"            AND t.revoked_at IS NULL AND t.spent_at IS NULL) "
	"AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family = $3::uuid "
	"                AND t.revoked_at IS NOT NULL)");

static mq_reply invalid(struct mq_req *r, const char *why)
{
	mq_resp_header(r, "WWW-Authenticate",
		       mq_arena_printf(r->arena, "Bearer error=\"invalid_token\", "
				       "error_description=\"%s\"", why));
	return mq_problem_ext(r, 401, why, NULL);
}

/* Sets r->user_id and r->role from a Bearer token, or answers 401. */
static mq_reply authenticate(struct mq_req *r)
{
	const char *h = r->authorization, *why;
	struct mq_claims c;
	PGresult *res;

	if (strncasecmp(h, "Bearer ", 7) != 0)
		return invalid(r, N_("Use the Authorization: Bearer <access token> scheme."));
	h += 7;
	while (*h == ' ')
		h++;
	if (mq_jwt_verify(r->arena, r->ctx.cfg, h, &c, &why) < 0)
		return invalid(r, why);
	const char *params[] = { mq_arena_int(r->arena, c.user_id), mq_arena_int(r->arena, c.version),
				 c.sid };
	if ((res = mq_q(r, &current_user, 3, params)) == NULL)
		return mq_fail_db(r);
	if (PQntuples(res) == 0)
		return invalid(r, N_("The access token has been revoked."));
	r->user_id = c.user_id;
	r->role = strcmp(PQgetvalue(res, 0, 0), "admin") == 0 ? MQ_ROLE_ADMIN : MQ_ROLE_USER;
	return MQ_NEXT;
}

mq_reply mq_auth_request(struct mq_req *r)
{
	enum mq_role need = r->match.route->role;
	mq_reply rc;

	if (r->authorization != NULL && *r->authorization != '\0' &&
	    !(r->match.route->flags & MQ_RF_TOKENLESS) && mq_done(rc = authenticate(r)))
		return rc;
	if (need == MQ_ROLE_ANON)
		return MQ_NEXT;
	if (r->user_id == 0)
		return mq_problem(r, 401, "Authentication credentials were not provided.");
	if (need == MQ_ROLE_ADMIN && r->role != MQ_ROLE_ADMIN)
		return mq_problem(r, 403, "This needs an administrator.");
	return MQ_NEXT;
}

/*
 * access_token.c: issuing and verifying access tokens with libjwt.
 */
#include "accounts/access_token.h"

#include <ctype.h>
#include <jwt.h>
#include <sodium.h>
#include <time.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/i18n.h"

/* Clock skew tolerated on iat between hosts. */
#define SKEW_SECONDS 60

static void free_jwt(void *p)
{
	jwt_free(p);
}

const char *mq_jwt_issue(struct mq_arena *a, const struct mq_config *cfg, int64_t user_id,
			 const char *role, int64_t version, const char *sid)
{
	const struct mq_secret *key = &cfg->jwt_key;
	unsigned char raw[12];
	char jti[25], sub[24];
	time_t now = time(NULL);
	jwt_t *jwt = NULL;
	char *s;
	const char *out = NULL;

	if (key->len < 32 || jwt_new(&jwt) != 0)
		return NULL;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(jti, sizeof(jti), raw, sizeof(raw));
	snprintf(sub, sizeof(sub), "%lld", (long long)user_id);
	if (jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key->value, (int)key->len) ||
	    jwt_add_grant(jwt, "typ", "access") || jwt_add_grant(jwt, "sub", sub) ||
	    jwt_add_grant(jwt, "role", role) || jwt_add_grant(jwt, "jti", jti) ||
	    jwt_add_grant(jwt, "sid", sid) ||
	    jwt_add_grant_int(jwt, "iat", (long)now) ||
	    jwt_add_grant_int(jwt, "exp", (long)(now + cfg->access_ttl_ms / 1000)) ||
	    jwt_add_grant_int(jwt, "ver", (long)version))
		goto out;
	s = jwt_encode_str(jwt);
	if (s) {
		out = mq_arena_strdup(a, s);
		free(s);	/* libjwt 1.10 has no jwt_free_str */
	}
out:
	jwt_free(jwt);
	return out;
}

/* A session id as PostgreSQL writes a uuid: 8-4-4-4-12 lower-case hex
 * digits. */
static bool uuid_ok(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	}
	return s[36] == '\0';
}

/* A claim that must be a positive integer. */
static int int_claim(jwt_t *jwt, const char *name, int64_t *out)
{
	long v;

	errno = 0;
	v = jwt_get_grant_int(jwt, name);
	if (errno != 0 || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int mq_jwt_verify(struct mq_arena *a, const struct mq_config *cfg, const char *token,
		  struct mq_claims *c, const char **why)
{
	const struct mq_secret *key = &cfg->jwt_key;
	const char *typ, *sub, *role, *sid;
	time_t now = time(NULL);
	jwt_t *jwt = NULL;

	*why = N_("The access token is malformed.");
	if (strlen(token) > MQ_JWT_MAX_LEN || key->len < 32)
		return -1;
	/* Three base64url parts and nothing else, before libjwt sees it. */
	for (const char *p = token; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return -1;
	if (jwt_decode(&jwt, token, (const unsigned char *)key->value, (int)key->len) != 0 ||
	    jwt == NULL) {
		*why = N_("The access token's signature is invalid.");
		return -1;
	}
	mq_arena_defer(a, free_jwt, jwt);
	if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
		*why = N_("The access token's algorithm is not accepted.");
		return -1;
	}
	typ = jwt_get_grant(jwt, "typ");
	sub = jwt_get_grant(jwt, "sub");
	role = jwt_get_grant(jwt, "role");
	sid = jwt_get_grant(jwt, "sid");
	if (typ == NULL || strcmp(typ, "access") != 0 || sub == NULL || role == NULL ||
	    sid == NULL || !uuid_ok(sid) ||
	    mq_parse_int64(sub, 1, INT64_MAX, &c->user_id) < 0 ||
	    int_claim(jwt, "exp", &c->expires_at) < 0 || int_claim(jwt, "iat", &c->issued_at) < 0 ||
	    int_claim(jwt, "ver", &c->version) < 0) {
		*why = N_("The access token lacks a required claim.");
		return -1;
	}
	memcpy(c->sid, sid, sizeof(c->sid));
	if (c->expires_at <= now) {
		*why = N_("The access token has expired.");
		return -1;
	}
	if (c->issued_at > now + SKEW_SECONDS || c->issued_at > c->expires_at) {
		*why = N_("The access token was issued in the future.");
		return -1;
	}
	return 0;
}

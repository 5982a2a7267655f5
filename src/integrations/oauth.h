/*
 * oauth.h: sign-in through an identity provider ([oauth.NAME] in
 * marquee.conf): OpenID Connect (any issuer, through its discovery
 * document or endpoints given in the config) and GitHub (OAuth 2.0 and
 * its REST API's /user and /user/emails), with libcurl.
 *
 * The authorization code flow with PKCE (RFC 7636, S256) and, for OIDC, a
 * nonce: mq_oauth_authorize_url() is where the browser goes; the code the
 * provider sends back is swapped by mq_oauth_identify() for who the user
 * is at the provider, the ID token checked in full (id_token.h) against
 * the provider's JWKS.  Discovery documents and JWKS are kept in
 * memcached for [oauth] metadata_ttl; a token signed with a key the
 * cached set lacks (the provider rotated its keys) fetches the set again,
 * once.
 *
 * Calls have [oauth] timeouts, a response cap, https only (http for a
 * loopback host: the tests' fake), no redirects followed; the client
 * secret goes in the token request's body only and is never logged.
 * Failures come back as a status with c->err: MQ_NOT_FOUND (no such
 * provider), MQ_UNAVAILABLE (unreachable, 5xx, 429: 503), MQ_TIMEOUT,
 * MQ_BAD_GATEWAY (an answer that is not what the protocol says),
 * MQ_FORBIDDEN (the provider refused the code, or its ID token does not
 * verify), MQ_INVALID (no verified address to sign in with).
 */
#ifndef MQ_OAUTH_H
#define MQ_OAUTH_H

#include "core/config.h"
#include "core/ctx.h"

/* Who signed in, as the provider says. */
struct mq_oauth_user {
	const char *subject;	/* stable: OIDC sub, GitHub's numeric id */
	const char *email;	/* NULL when the provider gave none */
	bool email_verified;	/* GitHub: the primary, verified address */
	const char *name;	/* display name, or NULL */
	const char *username;	/* preferred_username, GitHub's login, or NULL */
};

/* The configured provider called name, or MQ_NOT_FOUND (with a detail). */
enum mq_status mq_oauth_provider(struct mq_ctx *c, const char *name,
				 const struct mq_oauth_provider **out);

/* Checks the [oauth.NAME] sections' URLs (https, or http for loopback)
 * and [oauth] redirect_uris (absolute https or loopback http URLs, no
 * fragment or user info).  0, or -1 with the reason in err. */
int mq_oauth_check_config(const struct mq_config *cfg, char *err, size_t errlen);

/* True when uri is one of [oauth] redirect_uris, character for character
 * (no prefix, no normalisation: RFC 9700 section 4.1.3). */
bool mq_oauth_redirect_allowed(const struct mq_config *cfg, const char *uri);

/* Where our callback is for provider p: origin + /api/auth/oauth/NAME/callback/. */
const char *mq_oauth_callback_url(struct mq_ctx *c, const struct mq_oauth_provider *p);

/* The provider's authorization URL for this sign-in into *url. */
enum mq_status mq_oauth_authorize_url(struct mq_ctx *c, const struct mq_oauth_provider *p,
				      const char *state, const char *nonce, const char *verifier,
				      const char **url);

/* Swaps code for who signed in: the token request (with the PKCE
 * verifier), then the ID token checked against nonce (OIDC), or /user
 * and /user/emails (GitHub). */
enum mq_status mq_oauth_identify(struct mq_ctx *c, const struct mq_oauth_provider *p,
				 const char *code, const char *verifier, const char *nonce,
				 struct mq_oauth_user *out);

/* PKCE's S256 code challenge of verifier (base64url of its SHA-256). */
const char *mq_oauth_challenge(struct mq_arena *a, const char *verifier);

#endif

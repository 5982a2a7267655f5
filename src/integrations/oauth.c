/*
 * oauth.c: identity providers over HTTP (see oauth.h).
 */
#include "integrations/oauth.h"

#include <curl/curl.h>
#include <sodium.h>
#include <time.h>

#include "cache/cache.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "integrations/id_token.h"
#include "integrations/breaker.h"
#include "integrations/http_client.h"
#include "integrations/loopback.h"
#include "integrations/webpush.h"

#define JSON_DEPTH 16
#define RETRY_AFTER 30
#define ID_TOKEN_MAX_AGE 600	/* seconds: an ID token is used as soon as it is issued */

#define GITHUB_AUTHORIZE "https://github.com/login/oauth/authorize"
#define GITHUB_TOKEN "https://github.com/login/oauth/access_token"
#define GITHUB_API "https://api.github.com"

struct endpoints {
	const char *authorization, *token, *jwks, *userinfo;
};

/* One HTTP call in progress. */
struct call {
	const char *what;	/* for logs and details: "the token endpoint" */
	const char *url;
	const char *form;	/* POST body, or NULL for GET */
	const char *bearer;	/* an access token, or NULL */
	bool token_request;	/* 400 and 401 are refusals of the code */
	struct mq_buf body;	/* the answer's, as received */
};

enum mq_status mq_oauth_provider(struct mq_ctx *c, const char *name,
				 const struct mq_oauth_provider **out)
{
	if ((*out = mq_config_oauth(c->cfg, name)) == NULL)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No sign-in provider called %s.", name);
	return MQ_OK;
}

/* ---- the config ---- */

/* A URL a provider's endpoint may be: as a base URL (loopback.h). */
static const char *endpoint_problem(const char *url)
{
	return *url ? mq_base_url_problem(url) : NULL;
}

static const char *redirect_problem(const char *uri)
{
	const char *host = strncmp(uri, "https://", 8) == 0 ? uri + 8
			 : strncmp(uri, "http://", 7) == 0 ? uri + 7 : NULL;
	size_t n = host ? strcspn(host, "/?#") : 0;

	if (host == NULL || (strncmp(uri, "http://", 7) == 0 && !mq_loopback_url(uri)))
		return "use https:// (http:// only for this host)";
	if (n == 0 || memchr(host, '@', n) || strchr(uri, '#') || strchr(uri, '\\'))
		return "a host, and no user info or fragment";
	return NULL;
}

int mq_oauth_check_config(const struct mq_config *cfg, char *err, size_t errlen)
{
	const char *list = cfg->oauth_redirect_uris, *why;

	for (size_t i = 0; i < cfg->oauth_provider_count; i++) {
		const struct mq_oauth_provider *p = &cfg->oauth_providers[i];
		const char *urls[] = { p->issuer, p->authorization_endpoint, p->token_endpoint,
				       p->jwks_uri, p->userinfo_endpoint, p->api_url };

		for (size_t k = 0; k < MQ_ARRAY_LEN(urls); k++) {
			if ((why = endpoint_problem(urls[k])) != NULL) {
				snprintf(err, errlen, "[oauth.%s] %s: %s", p->name, urls[k], why);
				return -1;
			}
		}
	}
	while (*list) {
		size_t n = strcspn(list, " \t");
		char *uri = mq_xstrndup(list, n);

		why = n ? redirect_problem(uri) : NULL;
		if (why)
			snprintf(err, errlen, "[oauth] redirect_uris: %s: %s", uri, why);
		free(uri);
		if (why)
			return -1;
		list += n;
		list += strspn(list, " \t");
	}
	return 0;
}

bool mq_oauth_redirect_allowed(const struct mq_config *cfg, const char *uri)
{
	const char *list = cfg->oauth_redirect_uris;
	size_t len = strlen(uri);

	while (*list) {
		size_t n = strcspn(list, " \t");

		if (n && n == len && memcmp(list, uri, n) == 0)
			return true;
		list += n;
		list += strspn(list, " \t");
	}
	return false;
}

const char *mq_oauth_callback_url(struct mq_ctx *c, const struct mq_oauth_provider *p)
{
	return mq_arena_printf(c->arena, "%s/api/auth/oauth/%s/callback/", c->origin, p->name);
}

const char *mq_oauth_challenge(struct mq_arena *a, const char *verifier)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *out = mq_arena_alloc(a, sodium_base64_ENCODED_LEN(sizeof(h),
				   sodium_base64_VARIANT_URLSAFE_NO_PADDING));

	crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(sizeof(h),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING), h, sizeof(h),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* ---- HTTP ---- */

static struct curl_slist *headers(struct mq_ctx *c, const struct call *k)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");

	if (k->bearer)
		h = curl_slist_append(h, mq_arena_printf(c->arena, "Authorization: Bearer %s",
							  k->bearer));
	return h;
}

static enum mq_status unavailable(struct mq_ctx *c, const struct mq_oauth_provider *p,
				  int retry_after)
{
	return mq_fail_retry(c, retry_after, mq_arena_printf(c->arena,
			     mq_tr(c->lang, "The sign-in provider %s is unavailable at the moment; try again "
			     "later."), p->name));
}

static enum mq_status unusable(struct mq_ctx *c, const struct mq_oauth_provider *p)
{
	return mq_fail_with(c, MQ_BAD_GATEWAY, NULL,
			    "The sign-in provider %s gave an unusable answer.", p->name);
}

static enum mq_status refused(struct mq_ctx *c, const struct mq_oauth_provider *p,
			      const char *why)
{
	mq_event(c, MQ_LOG_WARN, "oauth_refused", 0, "provider", p->name, "reason", why, NULL);
	return mq_fail_with(c, MQ_FORBIDDEN, NULL,
			    "The sign-in through %s could not be verified; start it again.",
			    p->name);
}

/* What a completed exchange's status says. */
static enum mq_status judge(struct mq_ctx *c, const struct mq_oauth_provider *p, struct call *k,
			    const struct mq_http_call *h, struct json_object **out)
{
	long code = h->code;
	const char *err;

	if (code >= 200 && code < 300) {
		if (mq_json_parse(c->arena, h->body.data, h->body.len, JSON_DEPTH, out, &err) == 0 &&
		    *out && (json_object_is_type(*out, json_type_object) ||
			     json_object_is_type(*out, json_type_array)))
			return MQ_OK;
		mq_log_warn("oauth %s: %s: the answer is not JSON", p->name, k->what);
		return unusable(c, p);
	}
	if (k->token_request && (code == 400 || code == 401))
		return refused(c, p, "the token endpoint refused the code");
	mq_log_warn("oauth %s: %s: HTTP %ld", p->name, k->what, code);
	if (code == 429 || code >= 500)
		return unavailable(c, p, RETRY_AFTER);
	return unusable(c, p);
}

/* One HTTP exchange of k. */
static enum mq_status exchange(struct mq_ctx *c, const struct mq_oauth_provider *p, struct call *k,
			       struct json_object **out)
{
	const struct mq_config *cfg = c->cfg;
	struct mq_http_call h = { .method = k->form ? "POST" : "GET", .url = k->url, .form = k->form,
				  .connect_timeout_ms = cfg->oauth_connect_timeout_ms,
				  .timeout_ms = cfg->oauth_timeout_ms, .max = cfg->oauth_max_response };
	CURL *e = mq_http_handle();
	enum mq_http_outcome o;

	if (e == NULL)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "libcurl does not start");
	if (endpoint_problem(k->url) || *k->url == '\0') {
		mq_log_warn("oauth %s: %s: not an https URL", p->name, k->what);
		return unusable(c, p);
	}
	h.headers = headers(c, k);
	o = mq_http_perform(e, c->arena, &h);
	curl_slist_free_all(h.headers);
	k->body = h.body;
	if (o == MQ_HTTP_ANSWERED)
		return judge(c, p, k, &h, out);
	mq_log_warn("oauth %s: %s: %s", p->name, k->what,
		    o == MQ_HTTP_TOO_BIG ? "too large" : o == MQ_HTTP_TIMEOUT ? "timed out" : h.error);
	if (o == MQ_HTTP_TIMEOUT)
		return mq_fail_with(c, MQ_TIMEOUT, NULL,
				    "The sign-in provider %s did not answer in time.", p->name);
	if (o == MQ_HTTP_TOO_BIG)
		return unusable(c, p);
	return unavailable(c, p, RETRY_AFTER);
}

/* Performs k (a breaker open: MQ_UNAVAILABLE at once); its JSON answer
 * (an object or an array) into *out.  Failures of the provider count
 * against its breaker; a refusal of the code is no failure of its. */
static enum mq_status perform(struct mq_ctx *c, const struct mq_oauth_provider *p, struct call *k,
			      struct json_object **out)
{
	struct mq_breaker b = { c->cache, c->arena, mq_arena_printf(c->arena, "oauth %s", p->name),
				mq_arena_printf(c->arena, "oauth:%s", p->name),
				c->cfg->oauth_breaker_threshold, c->cfg->oauth_breaker_cooloff_ms };
	int wait = mq_breaker_wait(&b);
	enum mq_status st;

	*out = NULL;
	if (wait > 0)
		return unavailable(c, p, wait);
	st = exchange(c, p, k, out);
	mq_breaker_count(&b, st == MQ_UNAVAILABLE || st == MQ_TIMEOUT || st == MQ_BAD_GATEWAY);
	return st;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ---- metadata: the discovery document and the JWKS, cached ---- */

static const char *cache_key(struct mq_ctx *c, const char *kind, const char *url)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * 12 + 1];

	crypto_hash_sha256(h, (const unsigned char *)url, strlen(url));
	sodium_bin2hex(hex, sizeof(hex), h, 12);
	return mq_arena_printf(c->arena, "oauth:%s:%s", kind, hex);
}

/* The JSON object at url, from memcached unless fresh; kept there when
 * fetched. */
static enum mq_status metadata(struct mq_ctx *c, const struct mq_oauth_provider *p,
			       const char *what, const char *kind, const char *url, bool fresh,
			       struct json_object **out)
{
	const char *key = cache_key(c, kind, url), *err;
	struct call k = { .what = what, .url = url };
	size_t len = 0;
	char *cached = fresh || c->cache == NULL ? NULL : mq_cache_get(c->cache, c->arena, key, &len);
	enum mq_status st;

	if (cached && mq_json_parse(c->arena, cached, len, JSON_DEPTH, out, &err) == 0 && *out &&
	    json_object_is_type(*out, json_type_object))
		return MQ_OK;
	if ((st = perform(c, p, &k, out)) != MQ_OK)
		return st;
	if (!json_object_is_type(*out, json_type_object)) {
		mq_log_warn("oauth %s: %s is not a JSON object", p->name, what);
		return unusable(c, p);
	}
	if (c->cache)
		mq_cache_set(c->cache, key, k.body.data, k.body.len, c->cfg->oauth_metadata_ttl);
	return MQ_OK;
}

static const char *pick(const char *configured, const char *discovered)
{
	return *configured ? configured : discovered ? discovered : "";
}

/* The provider's endpoints: the config's, else GitHub's, else from its
 * discovery document (whose issuer must be the one configured). */
static enum mq_status endpoints(struct mq_ctx *c, const struct mq_oauth_provider *p,
				struct endpoints *ep)
{
	struct json_object *d = NULL;
	const char *url, *iss;
	enum mq_status st;

	if (p->kind == MQ_OAUTH_GITHUB) {
		ep->authorization = pick(p->authorization_endpoint, GITHUB_AUTHORIZE);
		ep->token = pick(p->token_endpoint, GITHUB_TOKEN);
		ep->userinfo = pick(p->api_url, GITHUB_API);
		ep->jwks = "";
		return MQ_OK;
	}
	if (*p->authorization_endpoint && *p->token_endpoint && *p->jwks_uri) {
		*ep = (struct endpoints){ p->authorization_endpoint, p->token_endpoint, p->jwks_uri,
					  p->userinfo_endpoint };
		return MQ_OK;
	}
	url = mq_arena_printf(c->arena, "%.*s/.well-known/openid-configuration",
			      (int)(strlen(p->issuer) - (p->issuer[strlen(p->issuer) - 1] == '/')),
			      p->issuer);
	if ((st = metadata(c, p, "the discovery document", "discovery", url, false, &d)) != MQ_OK)
		return st;
	if ((iss = str(d, "issuer")) == NULL || strcmp(iss, p->issuer) != 0) {
		mq_log_warn("oauth %s: the discovery document's issuer is not %s", p->name, p->issuer);
		return unusable(c, p);
	}
	ep->authorization = pick(p->authorization_endpoint, str(d, "authorization_endpoint"));
	ep->token = pick(p->token_endpoint, str(d, "token_endpoint"));
	ep->jwks = pick(p->jwks_uri, str(d, "jwks_uri"));
	ep->userinfo = pick(p->userinfo_endpoint, str(d, "userinfo_endpoint"));
	if (!*ep->authorization || !*ep->token || !*ep->jwks) {
		mq_log_warn("oauth %s: the discovery document lacks an endpoint", p->name);
		return unusable(c, p);
	}
	return MQ_OK;
}

/* ---- the flow ---- */

static const char *escape(struct mq_ctx *c, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	const char *out = mq_arena_strdup(c->arena, e ? e : "");

	curl_free(e);
	return out;
}

/* name=value&... of pairs (NULL-terminated), escaped. */
static const char *form(struct mq_ctx *c, const char *const *pairs)
{
	struct mq_buf b;

	mq_buf_init(&b, c->arena, 512);
	for (size_t i = 0; pairs[i]; i += 2)
		mq_buf_printf(&b, "%s%s=%s", i ? "&" : "", pairs[i], escape(c, pairs[i + 1]));
	return b.data;
}

static const char *scope_of(const struct mq_oauth_provider *p)
{
	if (*p->scope)
		return p->scope;
	return p->kind == MQ_OAUTH_GITHUB ? "read:user user:email" : "openid email profile";
}

enum mq_status mq_oauth_authorize_url(struct mq_ctx *c, const struct mq_oauth_provider *p,
				      const char *state, const char *nonce, const char *verifier,
				      const char **url)
{
	const char *pairs[] = { "response_type", "code", "client_id", p->client_id,
				"redirect_uri", mq_oauth_callback_url(c, p), "scope", scope_of(p),
				"state", state, "code_challenge", mq_oauth_challenge(c->arena, verifier),
				"code_challenge_method", "S256",
				p->kind == MQ_OAUTH_OIDC ? "nonce" : NULL, nonce, NULL };
	struct endpoints ep;
	enum mq_status st;

	if ((st = endpoints(c, p, &ep)) != MQ_OK)
		return st;
	*url = mq_arena_printf(c->arena, "%s%c%s", ep.authorization,
			       strchr(ep.authorization, '?') ? '&' : '?', form(c, pairs));
	return MQ_OK;
}

/* The token endpoint's answer to code. */
static enum mq_status token_request(struct mq_ctx *c, const struct mq_oauth_provider *p,
				    const struct endpoints *ep, const char *code,
				    const char *verifier, struct json_object **out)
{
	const char *pairs[] = { "grant_type", "authorization_code", "code", code,
				"redirect_uri", mq_oauth_callback_url(c, p),
				"client_id", p->client_id, "client_secret", p->client_secret.value,
				"code_verifier", verifier, NULL };
	struct call k = { .what = "the token endpoint", .url = ep->token, .form = form(c, pairs),
			  .token_request = true };
	enum mq_status st = perform(c, p, &k, out);

	if (st != MQ_OK)
		return st;
	/* GitHub answers its refusals with 200 and an "error" */
	if (str(*out, "error"))
		return refused(c, p, "the token endpoint refused the code");
	if (str(*out, "access_token") == NULL) {
		mq_log_warn("oauth %s: the token endpoint's answer has no access_token", p->name);
		return unusable(c, p);
	}
	return MQ_OK;
}

/* The ID token checked against the JWKS (fetched again once when it
 * lacks the token's key). */
static enum mq_status check_id_token(struct mq_ctx *c, const struct mq_oauth_provider *p,
				     const struct endpoints *ep, const char *jwt, const char *nonce,
				     struct mq_id_token *t)
{
	struct mq_id_token_expect e = { .issuer = p->issuer, .client_id = p->client_id,
					.nonce = nonce, .now = (int64_t)time(NULL),
					.skew = c->cfg->oauth_clock_skew_ms / 1000,
					.max_age = ID_TOKEN_MAX_AGE };
	enum mq_id_token_result res;
	struct json_object *jwks;
	enum mq_status st;
	const char *why;

	if (mq_id_token_parse(c->arena, jwt, t, &why) != MQ_ID_TOKEN_OK)
		return refused(c, p, why);
	for (int attempt = 0; attempt < 2; attempt++) {
		st = metadata(c, p, "the JWKS", "jwks", ep->jwks, attempt > 0, &jwks);
		if (st != MQ_OK)
			return st;
		if ((res = mq_id_token_verify(c->arena, t, jwks, &why)) != MQ_ID_TOKEN_UNKNOWN_KID)
			break;
	}
	if (res != MQ_ID_TOKEN_OK || mq_id_token_check(t, &e, &why) != MQ_ID_TOKEN_OK)
		return refused(c, p, why);
	return MQ_OK;
}

/* The userinfo endpoint's address, when the ID token has none and the
 * answer is about the same subject. */
static enum mq_status userinfo(struct mq_ctx *c, const struct mq_oauth_provider *p,
			       const struct endpoints *ep, const char *access,
			       struct mq_oauth_user *u)
{
	struct call k = { .what = "the userinfo endpoint", .url = ep->userinfo, .bearer = access };
	struct json_object *o, *v;
	enum mq_status st = perform(c, p, &k, &o);
	const char *sub = str(o, "sub");

	if (st != MQ_OK)
		return st;
	if (sub == NULL || strcmp(sub, u->subject) != 0)
		return refused(c, p, "the userinfo is about another subject");
	u->email = str(o, "email");
	u->email_verified = u->email && json_object_object_get_ex(o, "email_verified", &v) &&
			    json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
	return MQ_OK;
}

static enum mq_status identify_oidc(struct mq_ctx *c, const struct mq_oauth_provider *p,
				    const struct endpoints *ep, struct json_object *tokens,
				    const char *nonce, struct mq_oauth_user *u)
{
	struct mq_id_token t;
	enum mq_status st;

	if (str(tokens, "id_token") == NULL)
		return refused(c, p, "the token endpoint gave no ID token");
	if ((st = check_id_token(c, p, ep, str(tokens, "id_token"), nonce, &t)) != MQ_OK)
		return st;
	*u = (struct mq_oauth_user){ t.sub, t.email, t.email_verified, t.name,
				     t.preferred_username };
	if (u->email == NULL && *ep->userinfo)
		return userinfo(c, p, ep, str(tokens, "access_token"), u);
	return MQ_OK;
}

/* GitHub's primary address, when it is verified. */
static const char *github_email(struct json_object *emails)
{
	size_t n = json_object_is_type(emails, json_type_array) ? json_object_array_length(emails) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(emails, i), *primary, *verified;

		if (json_object_is_type(e, json_type_object) &&
		    json_object_object_get_ex(e, "primary", &primary) &&
		    json_object_object_get_ex(e, "verified", &verified) &&
		    json_object_is_type(primary, json_type_boolean) &&
		    json_object_is_type(verified, json_type_boolean) &&
		    json_object_get_boolean(primary) && json_object_get_boolean(verified) &&
		    str(e, "email"))
			return str(e, "email");
	}
	return NULL;
}

static enum mq_status identify_github(struct mq_ctx *c, const struct mq_oauth_provider *p,
				      const struct endpoints *ep, struct json_object *tokens,
				      struct mq_oauth_user *u)
{
	const char *access = str(tokens, "access_token");
	struct call user = { .what = "GitHub's /user", .bearer = access,
			     .url = mq_arena_printf(c->arena, "%s/user", ep->userinfo) };
	struct call mails = { .what = "GitHub's /user/emails", .bearer = access,
			      .url = mq_arena_printf(c->arena, "%s/user/emails", ep->userinfo) };
	struct json_object *o, *emails, *id;
	enum mq_status st;

	if ((st = perform(c, p, &user, &o)) != MQ_OK || (st = perform(c, p, &mails, &emails)) != MQ_OK)
		return st;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "id", &id) ||
	    !json_object_is_type(id, json_type_int) || json_object_get_int64(id) <= 0) {
		mq_log_warn("oauth %s: /user has no numeric id", p->name);
		return unusable(c, p);
	}
	*u = (struct mq_oauth_user){ mq_arena_int(c->arena, json_object_get_int64(id)),
				     github_email(emails), false, str(o, "name"), str(o, "login") };
	u->email_verified = u->email != NULL;
	return MQ_OK;
}

enum mq_status mq_oauth_identify(struct mq_ctx *c, const struct mq_oauth_provider *p,
				 const char *code, const char *verifier, const char *nonce,
				 struct mq_oauth_user *out)
{
	struct json_object *tokens;
	struct endpoints ep;
	enum mq_status st;

	if ((st = endpoints(c, p, &ep)) != MQ_OK ||
	    (st = token_request(c, p, &ep, code, verifier, &tokens)) != MQ_OK)
		return st;
	if (p->kind == MQ_OAUTH_GITHUB)
		return identify_github(c, p, &ep, tokens, out);
	return identify_oidc(c, p, &ep, tokens, nonce, out);
}

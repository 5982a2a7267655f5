/*
 * config.c: the directive table, its setters, and the loader.
 *
 * Every key marquee.conf accepts is one row of the table below (section,
 * name, type, field, default, range).  etc/marquee.conf documents the same
 * rows; t/unit/test_config.c checks that the two agree.
 */
#include "core/config.h"

#include <ctype.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"

#ifndef MQ_SYSCONFDIR
#define MQ_SYSCONFDIR "/etc"
#endif
#ifndef MQ_PKGDATADIR
#define MQ_PKGDATADIR "/usr/share/marquee"
#endif
#ifndef MQ_LOCALEDIR
#define MQ_LOCALEDIR "/usr/share/locale"
#endif

enum dtype { T_STR, T_SECRET, T_INT, T_BOOL, T_SIZE, T_MS, T_MS64, T_MODE, T_WORKERS, T_CPUS,
	     T_LEVEL };

struct directive {
	const char *section;
	const char *name;
	enum dtype type;
	size_t offset;
	const char *def;
	long long min;
	long long max;
};

#define D(sec, key, type, field, def, min, max) \
	{ sec, key, type, offsetof(struct mq_config, field), def, min, max }

#define KB 1024LL
#define MB (1024LL * 1024)
#define HOUR_MS (3600LL * 1000)
#define DAY_MS (24 * HOUR_MS)

static const struct directive directives[] = {
	D("server", "listen", T_STR, listen, "/run/marquee/marquee-fcgi.sock", 0, 0),
	D("server", "listen_mode", T_MODE, listen_mode, "0660", 0, 0777),
	D("server", "listen_owner", T_STR, listen_owner, "", 0, 0),
	D("server", "listen_group", T_STR, listen_group, "", 0, 0),
	D("server", "listen_backlog", T_INT, listen_backlog, "4096", 16, 65535),
	D("server", "user", T_STR, user, "", 0, 0),
	D("server", "group", T_STR, group, "", 0, 0),
	D("server", "workers", T_WORKERS, workers, "auto", 1, MQ_MAX_WORKERS),
	D("server", "connections_per_worker", T_INT, connections_per_worker, "256", 1, 4096),
	D("server", "max_requests", T_INT, max_requests, "100000", 0, 1000000000),
	D("server", "max_requests_jitter", T_INT, max_requests_jitter, "10000", 0, 1000000000),
	D("server", "request_timeout", T_MS, request_timeout_ms, "30s", 100, 24 * HOUR_MS),
	D("server", "shutdown_timeout", T_MS, shutdown_timeout_ms, "30s", 0, HOUR_MS),
	D("server", "crash_uptime", T_MS, crash_uptime_ms, "1s", 0, HOUR_MS),
	D("server", "min_workers", T_INT, min_workers, "0", 0, MQ_MAX_WORKERS),
	D("server", "heavy_requests", T_CPUS, heavy_requests, "auto", 1, MQ_MAX_WORKERS),
	D("server", "scoreboard", T_STR, scoreboard, "/run/marquee/scoreboard", 0, 0),
	D("server", "public_url", T_STR, public_url, "", 0, 0),
	D("server", "production", T_BOOL, production, "on", 0, 0),
	D("server", "localedir", T_STR, localedir, MQ_LOCALEDIR, 0, 0),

	D("limits", "body_max", T_SIZE, body_max, "64k", 1, 64 * MB),
	D("limits", "upload_max", T_SIZE, upload_max, "10m", 1, 1024 * MB),
	D("limits", "json_max_depth", T_INT, json_max_depth, "32", 1, 1000),
	D("limits", "query_max_params", T_INT, query_max_params, "64", 1, 1000),
	D("limits", "query_max_length", T_INT, query_max_length, "4096", 16, 65536),
	D("limits", "exact_count_max", T_INT, exact_count_max, "5000", 0, 10000),

	D("database", "conninfo", T_STR, db_conninfo, "dbname=marquee", 0, 0),
	D("database", "password_file", T_SECRET, db_password, "", 0, 0),
	D("database", "owner_conninfo", T_STR, db_owner_conninfo, "", 0, 0),
	D("database", "owner_password_file", T_SECRET, db_owner_password, "", 0, 0),
	D("database", "connect_timeout", T_MS, db_connect_timeout_ms, "2s", 1000, 60000),
	D("database", "statement_timeout", T_MS, db_statement_timeout_ms, "10s", 0, HOUR_MS),
	D("database", "migrations_dir", T_STR, migrations_dir, MQ_PKGDATADIR "/sql", 0, 0),
	D("database", "replica_conninfo", T_STR, db_replica_conninfo, "", 0, 0),
	D("database", "primary_after_write", T_MS, db_primary_after_write_ms, "5s", 0, HOUR_MS),
	D("database", "prepare", T_BOOL, db_prepare, "on", 0, 0),

	D("cache", "servers", T_STR, cache_servers, "127.0.0.1:11211", 0, 0),
	D("cache", "prefix", T_STR, cache_prefix, "mq:", 0, 0),
	D("cache", "ttl", T_INT, cache_ttl, "300", 1, 30 * 24 * 3600),
	D("cache", "timeout", T_MS, cache_timeout_ms, "200ms", 1, 10000),
	D("cache", "retry_timeout", T_MS, cache_retry_ms, "2s", 1000, 3600000),
	D("cache", "responses", T_BOOL, cache_responses, "on", 0, 0),
	D("cache", "verify", T_BOOL, cache_verify, "off", 0, 0),

	D("auth", "jwt_key_file", T_SECRET, jwt_key, "", 0, 0),
	D("auth", "access_ttl", T_MS, access_ttl_ms, "15m", 60000, DAY_MS),
	D("auth", "refresh_ttl", T_MS64, refresh_ttl_ms, "14d", HOUR_MS, 365 * DAY_MS),
	D("auth", "password_memory", T_SIZE, password_memory, "19m", 8 * KB, 1024 * MB),
	D("auth", "password_iterations", T_INT, password_iterations, "2", 1, 100),
	D("auth", "common_passwords", T_STR, common_passwords, MQ_PKGDATADIR "/common-passwords.txt", 0, 0),
	D("auth", "login_max_failures", T_INT, login_max_failures, "10", 0, 1000),
	D("auth", "login_failure_window", T_MS, login_failure_window_ms, "15m", 1000, DAY_MS),
	D("auth", "register_max_refusals", T_INT, register_max_refusals, "5", 0, 1000),
	D("auth", "register_max_per_email", T_INT, register_max_per_email, "5", 0, 1000),
	D("auth", "register_window", T_MS, register_window_ms, "1h", 1000, DAY_MS),
	D("auth", "verify_email_ttl", T_MS, verify_email_ttl_ms, "24h", 60000, 30 * DAY_MS),
	D("auth", "password_reset_ttl", T_MS, password_reset_ttl_ms, "15m", 60000, DAY_MS),

	D("mail", "smtp_url", T_STR, smtp_url, "smtp://127.0.0.1:25", 0, 0),
	D("mail", "from", T_STR, mail_from, "Marquee <no-reply@localhost>", 0, 0),
	D("mail", "username", T_STR, smtp_username, "", 0, 0),
	D("mail", "password_file", T_SECRET, smtp_password, "", 0, 0),
	D("mail", "require_tls", T_BOOL, smtp_require_tls, "on", 0, 0),
	D("mail", "timeout", T_MS, smtp_timeout_ms, "30s", 1000, HOUR_MS),
	D("mail", "max_attempts", T_INT, mail_max_attempts, "12", 1, 1000),
	D("mail", "retry_base", T_MS, mail_retry_base_ms, "10s", 100, HOUR_MS),
	D("mail", "link_base", T_STR, mail_link_base, "", 0, 0),

	D("media", "dir", T_STR, media_dir, "/var/lib/marquee/media", 0, 0),
	D("media", "url", T_STR, media_url, "/media/", 0, 0),
	D("media", "store", T_STR, media_store, "", 0, 0),
	D("media", "store_timeout", T_MS, media_store_timeout_ms, "5s", 100, 120000),
	D("media", "avatar_max", T_SIZE, avatar_max, "2m", 1, 64 * MB),
	D("media", "image_max", T_SIZE, image_max, "8m", 1, 64 * MB),
	D("media", "image_pixels_max", T_INT, image_pixels_max, "25000000", 1, 1000000000),

	D("tmdb", "base_url", T_STR, tmdb_base_url, "https://api.themoviedb.org/3", 0, 0),
	D("tmdb", "api_key_file", T_SECRET, tmdb_api_key, "", 0, 0),
	D("tmdb", "read_token_file", T_SECRET, tmdb_read_token, "", 0, 0),
	D("tmdb", "language", T_STR, tmdb_language, "en-US", 0, 0),
	D("tmdb", "region", T_STR, tmdb_region, "", 0, 0),
	D("tmdb", "connect_timeout", T_MS, tmdb_connect_timeout_ms, "2s", 100, 60000),
	D("tmdb", "timeout", T_MS, tmdb_timeout_ms, "5s", 100, 120000),
	D("tmdb", "max_response", T_SIZE, tmdb_max_response, "1m", 1 * KB, 64 * MB),
	D("tmdb", "cache_ttl", T_INT, tmdb_cache_ttl, "86400", 1, 30 * 24 * 3600),
	D("tmdb", "stale_ttl", T_INT, tmdb_stale_ttl, "604800", 1, 30 * 24 * 3600),
	D("tmdb", "breaker_threshold", T_INT, tmdb_breaker_threshold, "5", 1, 1000),
	D("tmdb", "breaker_cooloff", T_MS, tmdb_breaker_cooloff_ms, "30s", 1000, HOUR_MS),
	D("tmdb", "image_base_url", T_STR, tmdb_image_base_url, "https://image.tmdb.org/t/p/", 0, 0),
	D("tmdb", "provisional_max", T_INT, tmdb_provisional_max, "10", 0, 1000),

	D("watch", "region", T_STR, watch_region, "US", 0, 0),
	D("watch", "refresh_batch", T_INT, watch_refresh_batch, "1000", 1, 1000000),
	D("watch", "refresh_after", T_MS64, watch_refresh_after_ms, "7d", HOUR_MS, 365 * DAY_MS),

	D("recs", "threads", T_INT, recs_threads, "0", 0, 64),
	D("recs", "max_signals", T_INT, recs_max_signals, "500", 1, 100000),
	D("recs", "precompute_signals", T_INT, recs_precompute_signals, "50", 0, 100000),
	D("recs", "pool_ttl", T_MS, recs_pool_ttl_ms, "60s", 0, HOUR_MS),

	D("push", "vapid_key_file", T_SECRET, push_vapid_key, "", 0, 0),
	D("push", "subject", T_STR, push_subject, "", 0, 0),
	D("push", "endpoint_hosts", T_STR, push_endpoint_hosts,
	  "fcm.googleapis.com updates.push.services.mozilla.com notify.windows.com push.apple.com",
	  0, 0),
	D("push", "timeout", T_MS, push_timeout_ms, "10s", 1000, 120000),
	D("push", "ttl", T_MS, push_ttl_ms, "1d", 0, 28 * DAY_MS),
	D("push", "max_subscriptions", T_INT, push_max_subscriptions, "20", 1, 1000),

	D("payments", "base_url", T_STR, pay_base_url, "https://api.stripe.com", 0, 0),
	D("payments", "secret_key_file", T_SECRET, pay_secret_key, "", 0, 0),
	D("payments", "webhook_secret_file", T_SECRET, pay_webhook_secret, "", 0, 0),
	D("payments", "connect_timeout", T_MS, pay_connect_timeout_ms, "2s", 100, 60000),
	D("payments", "timeout", T_MS, pay_timeout_ms, "10s", 100, 120000),
	D("payments", "max_response", T_SIZE, pay_max_response, "1m", 1 * KB, 64 * MB),
	D("payments", "webhook_tolerance", T_MS, pay_webhook_tolerance_ms, "5m", 1000, HOUR_MS),
	D("payments", "grace_period", T_MS, pay_grace_ms, "3d", 0, 14 * DAY_MS),
	D("payments", "success_url", T_STR, pay_success_url, "", 0, 0),
	D("payments", "cancel_url", T_STR, pay_cancel_url, "", 0, 0),
	D("payments", "breaker_threshold", T_INT, pay_breaker_threshold, "5", 1, 1000),
	D("payments", "breaker_cooloff", T_MS, pay_breaker_cooloff_ms, "30s", 1000, HOUR_MS),

	D("portability", "zip_entries_max", T_INT, port_entries_max, "1000", 1, 100000),
	D("portability", "unpacked_max", T_SIZE, port_unpacked_max, "64m", 1 * KB, 1024 * MB),
	D("portability", "rows_max", T_INT, port_rows_max, "100000", 1, 10000000),
	D("portability", "export_ttl", T_MS64, port_export_ttl_ms, "7d", 60000, 90 * DAY_MS),
	D("portability", "lease", T_MS, port_lease_ms, "10m", 10000, DAY_MS),

	D("notify", "batch", T_INT, notify_batch, "20", 1, 1000),
	D("notify", "lease", T_MS, notify_lease_ms, "2m", 1000, DAY_MS),
	D("notify", "digest_size", T_INT, notify_digest_size, "10", 1, 50),
	D("notify", "unsubscribe_ttl", T_MS64, notify_unsubscribe_ttl_ms, "365d", HOUR_MS,
	  3650 * DAY_MS),

	D("analytics", "retention", T_MS64, analytics_retention_ms, "395d", DAY_MS, 3650 * DAY_MS),
	D("analytics", "months_ahead", T_INT, analytics_months_ahead, "3", 1, 24),
	D("analytics", "rollup_margin", T_MS, analytics_rollup_margin_ms, "1h", 0, DAY_MS),
	D("analytics", "events_per_minute", T_INT, analytics_events_per_minute, "60", 0, 100000),
	D("analytics", "browsing", T_BOOL, analytics_browsing, "on", 0, 0),

	D("oauth", "redirect_uris", T_STR, oauth_redirect_uris, "", 0, 0),
	D("oauth", "state_ttl", T_MS, oauth_state_ttl_ms, "10m", 60000, HOUR_MS),
	D("oauth", "code_ttl", T_MS, oauth_code_ttl_ms, "1m", 5000, 600000),
	D("oauth", "connect_timeout", T_MS, oauth_connect_timeout_ms, "2s", 100, 60000),
	D("oauth", "timeout", T_MS, oauth_timeout_ms, "5s", 100, 120000),
	D("oauth", "max_response", T_SIZE, oauth_max_response, "256k", 1 * KB, 16 * MB),
	D("oauth", "metadata_ttl", T_INT, oauth_metadata_ttl, "3600", 1, 7 * 24 * 3600),
	D("oauth", "clock_skew", T_MS, oauth_clock_skew_ms, "60s", 0, 600000),
	D("oauth", "breaker_threshold", T_INT, oauth_breaker_threshold, "5", 1, 1000),
	D("oauth", "breaker_cooloff", T_MS, oauth_breaker_cooloff_ms, "30s", 1000, HOUR_MS),

	D("log", "level", T_LEVEL, log_level, "info", 0, 0),
	D("log", "access_log", T_BOOL, access_log, "on", 0, 0),
};

/* The keys of an [oauth.NAME] section: offsets into struct mq_oauth_provider. */
#define P(key, type, field, def) \
	{ "oauth.*", key, type, offsetof(struct mq_oauth_provider, field), def, 0, 0 }

static const struct directive provider_keys[] = {
	P("kind", T_STR, kind_name, "oidc"),
	P("client_id", T_STR, client_id, ""),
	P("client_secret_file", T_SECRET, client_secret, ""),
	P("issuer", T_STR, issuer, ""),
	P("authorization_endpoint", T_STR, authorization_endpoint, ""),
	P("token_endpoint", T_STR, token_endpoint, ""),
	P("jwks_uri", T_STR, jwks_uri, ""),
	P("userinfo_endpoint", T_STR, userinfo_endpoint, ""),
	P("api_url", T_STR, api_url, ""),
	P("scope", T_STR, scope, ""),
	P("display_name", T_STR, display_name, ""),
};

#define OAUTH_PREFIX "oauth."
#define OAUTH_MAX_PROVIDERS 16

struct loader {
	struct mq_config *cfg;
	char *err;
	size_t errlen;
	bool failed;
};

static int fail(struct loader *ld, const char *fmt, ...) MQ_PRINTF(2, 3) MQ_NONNULL(1, 2);

static int fail(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	if (!ld->failed) {
		va_start(ap, fmt);
		vsnprintf(ld->err, ld->errlen, fmt, ap);
		va_end(ap);
		ld->failed = true;
	}
	return -1;
}

static void *field(void *base, const struct directive *d)
{
	return (char *)base + d->offset;
}

/* "64k", "10m", "1g" or plain bytes. */
static int parse_size(const char *v, int64_t *out)
{
	char *end;
	int64_t n, mul = 1;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		switch (tolower((unsigned char)*end)) {
		case 'k': mul = KB; break;
		case 'm': mul = MB; break;
		case 'g': mul = 1024 * MB; break;
		default: return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (n > INT64_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

/* "250ms", "30s", "5m", "1h", "14d"; a bare number is seconds. */
static int parse_ms(const char *v, int64_t *out)
{
	char *end;
	int64_t n, mul = 1000;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mul = HOUR_MS;
	else if (strcmp(end, "d") == 0)
		mul = DAY_MS;
	else
		return -1;
	if (n > INT64_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };

	for (size_t i = 0; i < MQ_ARRAY_LEN(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static char *config_dir(const struct mq_config *cfg)
{
	const char *slash = cfg->path ? strrchr(cfg->path, '/') : NULL;

	if (slash == NULL)
		return mq_xstrdup(".");
	return mq_xstrndup(cfg->path, (size_t)(slash - cfg->path));
}

static void secret_clear(struct mq_secret *s)
{
	if (s->value) {
		sodium_memzero(s->value, s->len);
		free(s->value);
	}
	free(s->source);
	memset(s, 0, sizeof(*s));
}

/* Reads a secret file into s.  The trailing newline editors add is not
 * part of the secret. */
static int read_secret(struct loader *ld, const struct directive *d,
		       const char *name, struct mq_secret *s)
{
	const char *credentials = getenv("CREDENTIALS_DIRECTORY");
	char path[4096];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd;

	secret_clear(s);
	if (*name == '\0')
		return 0;
	if (name[0] == '/') {
		snprintf(path, sizeof(path), "%s", name);
	} else if (credentials && *credentials) {
		snprintf(path, sizeof(path), "%s/%s", credentials, name);
	} else {
		char *dir = config_dir(ld->cfg);

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		free(dir);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(ld, "[%s] %s: cannot read %s: %s", d->section, d->name,
			    path, strerror(errno));
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 256;
			if (cap > 65536) {
				close(fd);
				free(buf);
				return fail(ld, "[%s] %s: %s is larger than 64 KiB",
					    d->section, d->name, path);
			}
			buf = mq_xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			free(buf);
			return fail(ld, "[%s] %s: reading %s: %s", d->section,
				    d->name, path, strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	s->value = buf;
	s->len = len;
	s->source = mq_xstrdup(path);
	return 0;
}

/* public_url: empty, or scheme://host[:port] with nothing after it (the
 * request's path is added to it as it came). */
static bool public_url_ok(const char *v)
{
	const char *host = strncmp(v, "https://", 8) == 0 ? v + 8
			 : strncmp(v, "http://", 7) == 0 ? v + 7 : NULL;

	if (*v == '\0')
		return true;
	if (host == NULL || *host == '\0')
		return false;
	for (const char *p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
			return false;
	return true;
}

int mq_config_cache_server(const char *spec, char *host, size_t hostlen, int *port)
{
	const char *end, *colon;
	int64_t p = 11211;

	if (spec[0] == '/') {
		*port = 0;
		return strlen(spec) < hostlen ? (mq_strlcpy(host, spec, hostlen), 0) : -1;
	}
	if (spec[0] == '[') {
		end = strchr(spec, ']');
		colon = end && end[1] == ':' ? end + 1 : NULL;
		if (end == NULL || (end[1] != '\0' && colon == NULL))
			return -1;
		spec++;
	} else {
		colon = strrchr(spec, ':');
		if (colon && strchr(spec, ':') != colon)
			return -1;	/* a bare IPv6 address needs [] */
		end = colon ? colon : spec + strlen(spec);
	}
	if ((size_t)(end - spec) >= hostlen || end == spec ||
	    (colon && mq_parse_int64(colon + 1, 1, 65535, &p) < 0))
		return -1;
	for (const char *c = spec; c < end; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-_:", *c))
			return -1;
	memcpy(host, spec, (size_t)(end - spec));
	host[end - spec] = '\0';
	*port = (int)p;
	return 0;
}

#define CACHE_SERVERS_MAX 32

/* [cache] servers: up to CACHE_SERVERS_MAX entries, comma- or
 * space-separated, each one mq_config_cache_server takes; empty is no
 * memcached (a command run where there is none, as the test harness
 * builds its catalogs: every lookup misses). */
static int check_cache_servers(struct loader *ld, const char *value)
{
	char *list = mq_xstrdup(value), *save = NULL, host[256];
	int n = 0, port, rc = 0;

	for (char *tok = strtok_r(list, ", ", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (mq_config_cache_server(tok, host, sizeof(host), &port) < 0)
			rc = fail(ld, "[cache] servers: cannot use \"%s\" (host, host:port, "
				  "[v6]:port or /socket)", tok);
		else if (++n > CACHE_SERVERS_MAX)
			rc = fail(ld, "[cache] servers: at most %d servers", CACHE_SERVERS_MAX);
	}
	free(list);
	if (rc == 0 && n == 0 && value[strspn(value, " \t")] != '\0')
		return fail(ld, "[cache] servers: at least one server, or nothing (no memcached)");
	return rc;
}

/* [media] store: empty, or the http:// or https:// URL of a WebDAV
 * collection, ending with / (files are PUT under it). */
static int check_media_store(struct loader *ld, const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return 0;
	if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) ||
	    v[n - 1] != '/' || strpbrk(v, " \t?#") != NULL || n > 1000)
		return fail(ld, "[media] store = %s: expected empty or the http:// or https:// "
			    "URL of a WebDAV collection, ending with /", v);
	return 0;
}

/* Extra checks for values a type cannot express. */
static int check_value(struct loader *ld, const struct directive *d, const char *value)
{
	if (strcmp(d->section, "cache") == 0 && strcmp(d->name, "servers") == 0)
		return check_cache_servers(ld, value);
	if (strcmp(d->section, "media") == 0 && strcmp(d->name, "store") == 0)
		return check_media_store(ld, value);
	if (strcmp(d->name, "public_url") == 0 && !public_url_ok(value))
		return fail(ld, "[server] public_url = %s: must be http:// or https:// and a host "
			    "(and port), with no path, not even a final /", value);
	if (strcmp(d->name, "prefix") == 0 && strcmp(d->section, "cache") == 0) {
		if (strlen(value) > 64)
			return fail(ld, "[cache] prefix: at most 64 characters");
		for (const char *p = value; *p; p++)
			if (!isgraph((unsigned char)*p))
				return fail(ld, "[cache] prefix = %s: no spaces or control "
					    "characters (memcached keys cannot hold them)", value);
	}
	return 0;
}

static int set_number(struct loader *ld, const struct directive *d,
		      const char *value, int64_t n)
{
	void *f = field(ld->cfg, d);	/* numbers are never a provider's */

	if (n < d->min || n > d->max)
		return fail(ld, "[%s] %s = %s: must be from %lld to %lld",
			    d->section, d->name, value, d->min, d->max);
	if (d->type == T_SIZE)
		*(size_t *)f = (size_t)n;
	else if (d->type == T_MS64)
		*(int64_t *)f = n;
	else if (d->type == T_MODE)
		*(unsigned *)f = (unsigned)n;
	else
		*(int *)f = (int)n;
	return 0;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/* Sets the key d of the struct at base (the config, or a provider). */
static int set_value_at(struct loader *ld, void *base, const struct directive *d,
			const char *value)
{
	void *f = field(base, d);
	int64_t n;
	char *end;

	switch (d->type) {
	case T_STR:
		if (check_value(ld, d, value) < 0)
			return -1;
		free(*(char **)f);
		*(char **)f = mq_xstrdup(value);
		return 0;
	case T_SECRET:
		return read_secret(ld, d, value, f);
	case T_BOOL:
		if (parse_bool(value, f) < 0)
			return fail(ld, "[%s] %s = %s: expected on or off",
				    d->section, d->name, value);
		return 0;
	case T_LEVEL:
		if ((*(int *)f = mq_log_level_parse(value)) < 0)
			return fail(ld, "[%s] %s = %s: expected debug, info, warn or error",
				    d->section, d->name, value);
		return 0;
	case T_WORKERS:
	case T_CPUS:	/* auto: twice the CPUs for workers, the CPUs for T_CPUS */
		if (strcmp(value, "auto") == 0) {
			if (d->type == T_WORKERS)
				ld->cfg->workers_auto = true;
			n = (d->type == T_WORKERS ? 2LL : 1LL) * online_cpus();
			return set_number(ld, d, value, n < d->max ? n : d->max);
		}
		if (d->type == T_WORKERS)
			ld->cfg->workers_auto = false;
		if (mq_parse_int64(value, d->min, d->max, &n) < 0)
			return fail(ld, "[%s] %s = %s: expected auto or a number from %lld to %lld",
				    d->section, d->name, value, d->min, d->max);
		return set_number(ld, d, value, n);
	case T_INT:
		if (mq_parse_int64(value, INT64_MIN, INT64_MAX, &n) < 0)
			return fail(ld, "[%s] %s = %s: expected a whole number",
				    d->section, d->name, value);
		return set_number(ld, d, value, n);
	case T_SIZE:
		if (parse_size(value, &n) < 0)
			return fail(ld, "[%s] %s = %s: expected a size such as 65536, 64k or 10m",
				    d->section, d->name, value);
		return set_number(ld, d, value, n);
	case T_MS:
	case T_MS64:
		if (parse_ms(value, &n) < 0)
			return fail(ld, "[%s] %s = %s: expected a duration such as 500ms, 30s, 5m or 14d",
				    d->section, d->name, value);
		return set_number(ld, d, value, n);
	case T_MODE:
		errno = 0;
		n = strtoll(value, &end, 8);
		if (errno || *value == '\0' || *end != '\0')
			return fail(ld, "[%s] %s = %s: expected an octal mode such as 0660",
				    d->section, d->name, value);
		return set_number(ld, d, value, n);
	}
	return fail(ld, "[%s] %s: unknown type", d->section, d->name);
}

static int set_value(struct loader *ld, const struct directive *d, const char *value)
{
	return set_value_at(ld, ld->cfg, d, value);
}

static bool provider_name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n >= 1 && n <= 32 && name[n] == '\0' && name[0] != '-';
}

/* The provider of section [oauth.NAME], made with its defaults when new. */
static struct mq_oauth_provider *provider_of(struct loader *ld, const char *section)
{
	struct mq_config *cfg = ld->cfg;
	const char *name = section + strlen(OAUTH_PREFIX);
	struct mq_oauth_provider *p;

	for (size_t i = 0; i < cfg->oauth_provider_count; i++)
		if (strcmp(cfg->oauth_providers[i].name, name) == 0)
			return &cfg->oauth_providers[i];
	if (!provider_name_ok(name)) {
		fail(ld, "[%s]: a provider's name is 1 to 32 of a-z, 0-9 and -", section);
		return NULL;
	}
	if (cfg->oauth_provider_count == OAUTH_MAX_PROVIDERS) {
		fail(ld, "[%s]: at most %d providers", section, OAUTH_MAX_PROVIDERS);
		return NULL;
	}
	if (cfg->oauth_providers == NULL)
		cfg->oauth_providers = mq_xcalloc(OAUTH_MAX_PROVIDERS, sizeof(*p));
	p = &cfg->oauth_providers[cfg->oauth_provider_count++];
	p->name = mq_xstrdup(name);
	for (size_t i = 0; i < MQ_ARRAY_LEN(provider_keys); i++)
		if (set_value_at(ld, p, &provider_keys[i], provider_keys[i].def) < 0)
			return NULL;
	return p;
}

static int set_provider_key(struct loader *ld, const char *section, const char *name,
			    const char *value)
{
	struct mq_oauth_provider *p = provider_of(ld, section);

	if (p == NULL)
		return -1;
	for (size_t i = 0; i < MQ_ARRAY_LEN(provider_keys); i++)
		if (strcmp(provider_keys[i].name, name) == 0)
			return set_value_at(ld, p, &provider_keys[i], value);
	return fail(ld, "%s: unknown key [%s] %s", ld->cfg->path, section, name);
}

/* What a provider needs that no single key says. */
static int check_provider(struct loader *ld, struct mq_oauth_provider *p)
{
	if (strcmp(p->kind_name, "oidc") == 0)
		p->kind = MQ_OAUTH_OIDC;
	else if (strcmp(p->kind_name, "github") == 0)
		p->kind = MQ_OAUTH_GITHUB;
	else
		return fail(ld, "[oauth.%s] kind = %s: expected oidc or github", p->name,
			    p->kind_name);
	if (*p->client_id == '\0' || p->client_secret.value == NULL)
		return fail(ld, "[oauth.%s]: client_id and client_secret_file are required",
			    p->name);
	if (p->kind == MQ_OAUTH_OIDC && *p->issuer == '\0')
		return fail(ld, "[oauth.%s]: an OpenID Connect provider needs its issuer", p->name);
	if (*p->display_name == '\0') {
		free(p->display_name);
		p->display_name = mq_xstrdup(p->kind == MQ_OAUTH_GITHUB ? "GitHub" : p->name);
		if (p->kind != MQ_OAUTH_GITHUB && p->display_name[0] >= 'a' && p->display_name[0] <= 'z')
			p->display_name[0] = (char)(p->display_name[0] - 'a' + 'A');
	}
	return 0;
}

static const struct directive *find(const char *section, const char *name)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(directives); i++)
		if (strcmp(directives[i].section, section) == 0 &&
		    strcmp(directives[i].name, name) == 0)
			return &directives[i];
	return NULL;
}

static int ini_handler_cb(void *user, const char *section, const char *name,
			  const char *value)
{
	struct loader *ld = user;
	const struct directive *d = find(section, name);

	if (ld->failed)
		return 0;
	if (strncmp(section, OAUTH_PREFIX, strlen(OAUTH_PREFIX)) == 0)
		return set_provider_key(ld, section, name, value) == 0;
	if (d == NULL) {
		fail(ld, "%s: unknown key [%s] %s", ld->cfg->path, section, name);
		return 0;
	}
	return set_value(ld, d, value) == 0;
}

/* MARQUEE_<SECTION>_<KEY>, upper-cased. */
static int apply_environment(struct loader *ld)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(directives); i++) {
		const struct directive *d = &directives[i];
		char var[128];
		const char *value;

		snprintf(var, sizeof(var), "MARQUEE_%s_%s", d->section, d->name);
		for (char *p = var; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		value = getenv(var);
		if (value && set_value(ld, d, value) < 0)
			return -1;
	}
	return 0;
}

/* libinih cuts lines at INI_MAX_LINE (200 in Debian's build) and reads the
 * rest as a new line; refuse long lines instead of misreading them. */
#define INI_LINE_MAX 199

static int parse_file(struct loader *ld, const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;
	int line = 1, col = 0, rc;

	if (f == NULL)
		return fail(ld, "%s: cannot open: %s", path, strerror(errno));
	if (getdelim(&text, &size, '\0', f) < 0) {
		/* an empty file: getdelim may have allocated a buffer that holds
		 * nothing, not even a NUL */
		free(text);
		text = NULL;
		if (ferror(f)) {
			fclose(f);
			return fail(ld, "%s: cannot read: %s", path, strerror(errno));
		}
	}
	fclose(f);
	for (const char *p = text ? text : ""; *p; p++) {
		if (*p == '\n') {
			line++, col = 0;
		} else if (++col > INI_LINE_MAX) {
			free(text);
			return fail(ld, "%s:%d: longer than %d characters", path, line, INI_LINE_MAX);
		}
	}
	rc = ini_parse_string(text ? text : "", ini_handler_cb, ld);
	free(text);
	if (ld->failed)
		return -1;
	if (rc != 0)
		return fail(ld, "%s:%d: syntax error", path, rc);
	return 0;
}

struct mq_config *mq_config_load(const char *path, char *err, size_t errlen)
{
	struct mq_config *cfg = mq_xcalloc(1, sizeof(*cfg));
	struct loader ld = { cfg, err, errlen, false };

	cfg->path = path ? mq_xstrdup(path) : NULL;
	for (size_t i = 0; i < MQ_ARRAY_LEN(directives); i++)
		if (set_value(&ld, &directives[i], directives[i].def) < 0)
			goto fail;
	if (path && parse_file(&ld, path) < 0)
		goto fail;
	if (apply_environment(&ld) < 0)
		goto fail;
	for (size_t i = 0; i < cfg->oauth_provider_count; i++)
		if (check_provider(&ld, &cfg->oauth_providers[i]) < 0)
			goto fail;
	return cfg;
fail:
	mq_config_free(cfg);
	return NULL;
}

/* A common-password list that is named but unreadable would let every
 * common password through: only an empty value means "no list". */
static int check_common_passwords(const struct mq_config *cfg, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (*cfg->common_passwords == '\0')
		return 0;
	fd = open(cfg->common_passwords, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "[auth] common_passwords: cannot read %s: %s (set it empty "
			 "to run without a list of common passwords)", cfg->common_passwords,
			 fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

const char *mq_config_warning(const struct mq_config *cfg)
{
	if (cfg->production && cfg->public_url[0] == '\0')
		return "[server] public_url is empty, so absolute links (pagination's next and "
		       "previous) are built from the Host header clients send: set it to the "
		       "site's URL, or production = off on a development or test stack";
	return NULL;
}

int mq_config_check_pool(const struct mq_config *cfg, char *err, size_t errlen)
{
	if (cfg->jwt_key.len < 32) {
		snprintf(err, errlen, "[auth] jwt_key_file: %s; the pool needs a key of at least 32 "
			 "random bytes (head -c 48 /dev/urandom > FILE)",
			 cfg->jwt_key.value ? "shorter than 32 bytes" : "not set");
		return -1;
	}
	if ((cfg->tmdb_api_key.len || cfg->tmdb_read_token.len) &&
	    cfg->tmdb_timeout_ms >= cfg->request_timeout_ms) {
		/* a request's calls to TMDb share [tmdb] timeout: past
		 * request_timeout, the master would kill the worker first */
		snprintf(err, errlen, "[tmdb] timeout (%dms) must be shorter than [server] "
			 "request_timeout (%dms)", cfg->tmdb_timeout_ms, cfg->request_timeout_ms);
		return -1;
	}
	if (cfg->pay_secret_key.len && cfg->pay_timeout_ms >= cfg->request_timeout_ms) {
		/* a checkout makes its calls within one request */
		snprintf(err, errlen, "[payments] timeout (%dms) must be shorter than [server] "
			 "request_timeout (%dms)", cfg->pay_timeout_ms, cfg->request_timeout_ms);
		return -1;
	}
	return check_common_passwords(cfg, err, errlen);
}

const struct mq_oauth_provider *mq_config_oauth(const struct mq_config *cfg, const char *name)
{
	for (size_t i = 0; name && i < cfg->oauth_provider_count; i++)
		if (strcmp(cfg->oauth_providers[i].name, name) == 0)
			return &cfg->oauth_providers[i];
	return NULL;
}

static void free_fields(void *base, const struct directive *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		void *f = field(base, &table[i]);

		if (table[i].type == T_STR)
			free(*(char **)f);
		else if (table[i].type == T_SECRET)
			secret_clear(f);
	}
}

void mq_config_free(struct mq_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->oauth_provider_count; i++) {
		free_fields(&cfg->oauth_providers[i], provider_keys, MQ_ARRAY_LEN(provider_keys));
		free(cfg->oauth_providers[i].name);
	}
	free(cfg->oauth_providers);
	free_fields(cfg, directives, MQ_ARRAY_LEN(directives));
	free(cfg->path);
	free(cfg);
}

size_t mq_config_key_count(void)
{
	return MQ_ARRAY_LEN(directives);
}

void mq_config_key(size_t i, const char **section, const char **name)
{
	*section = directives[i].section;
	*name = directives[i].name;
}

const char *mq_config_default_path(void)
{
	const char *env = getenv("MARQUEE_CONFIG");

	return env && *env ? env : MQ_SYSCONFDIR "/marquee/marquee.conf";
}

static void dump_value(const struct mq_config *cfg, const void *base, const struct directive *d,
		       FILE *out)
{
	const void *f = (const char *)base + d->offset;

	switch (d->type) {
	case T_STR:
		fprintf(out, "%s", *(char *const *)f);
		break;
	case T_SECRET: {
		const struct mq_secret *s = f;

		if (s->value)
			fprintf(out, "(secret: %zu bytes from %s)", s->len, s->source);
		else
			fprintf(out, "(not set)");
		break;
	}
	case T_BOOL:
		fprintf(out, "%s", *(const bool *)f ? "on" : "off");
		break;
	case T_LEVEL: {
		static const char *const names[] = { "debug", "info", "warn", "error" };

		fprintf(out, "%s", names[*(const int *)f]);
		break;
	}
	case T_SIZE:
		fprintf(out, "%zu", *(const size_t *)f);
		break;
	case T_MODE:
		fprintf(out, "%04o", *(const unsigned *)f);
		break;
	case T_MS:
		fprintf(out, "%dms", *(const int *)f);
		break;
	case T_MS64:
		fprintf(out, "%lldms", (long long)*(const int64_t *)f);
		break;
	case T_WORKERS:
		fprintf(out, "%d%s", *(const int *)f, cfg->workers_auto ? " (auto)" : "");
		break;
	case T_CPUS:
	case T_INT:
		fprintf(out, "%d", *(const int *)f);
		break;
	}
}

void mq_config_dump(const struct mq_config *cfg, FILE *out)
{
	const char *section = "";

	fprintf(out, "# %s\n", cfg->path ? cfg->path : "(built-in defaults)");
	for (size_t i = 0; i < MQ_ARRAY_LEN(directives); i++) {
		const struct directive *d = &directives[i];

		if (strcmp(section, d->section) != 0) {
			section = d->section;
			fprintf(out, "\n[%s]\n", section);
		}
		fprintf(out, "%s = ", d->name);
		dump_value(cfg, cfg, d, out);
		fputc('\n', out);
	}
	for (size_t i = 0; i < cfg->oauth_provider_count; i++) {
		fprintf(out, "\n[oauth.%s]\n", cfg->oauth_providers[i].name);
		for (size_t k = 0; k < MQ_ARRAY_LEN(provider_keys); k++) {
			fprintf(out, "%s = ", provider_keys[k].name);
			dump_value(cfg, &cfg->oauth_providers[i], &provider_keys[k], out);
			fputc('\n', out);
		}
	}
}

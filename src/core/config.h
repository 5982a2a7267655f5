/*
 * config.h: marquee.conf, read with libinih.
 *
 * Values come from, in order: the built-in defaults in config.c's directive
 * table, the file, then MARQUEE_<SECTION>_<KEY> environment variables.
 * Secrets (keys ending in _file) name a file whose contents are the value;
 * relative names are looked up in $CREDENTIALS_DIRECTORY (systemd's
 * LoadCredential=) when set, else next to the config file.  Secret values
 * are never printed or logged.
 */
#ifndef MQ_CONFIG_H
#define MQ_CONFIG_H

#include "core/common.h"

#define MQ_MAX_WORKERS 128

struct mq_secret {
	char *value;	/* NULL when not configured */
	size_t len;
	char *source;	/* the file it came from */
};

/* An identity provider, [oauth.NAME] (see etc/marquee.conf). */
enum mq_oauth_kind { MQ_OAUTH_OIDC, MQ_OAUTH_GITHUB };

struct mq_oauth_provider {
	char *name;			/* NAME: [a-z0-9-], the {provider} of the routes */
	char *kind_name;		/* "oidc" or "github" */
	enum mq_oauth_kind kind;
	char *client_id;
	struct mq_secret client_secret;
	char *issuer;			/* OIDC: iss, and discovery's base */
	char *authorization_endpoint;	/* "": from discovery (OIDC) or GitHub's */
	char *token_endpoint;
	char *jwks_uri;
	char *userinfo_endpoint;
	char *api_url;			/* GitHub: the REST API (/user, /user/emails) */
	char *scope;			/* "": openid email profile, or read:user user:email */
	char *display_name;		/* what sign-in buttons say; "": GitHub, or NAME capitalised */
};

struct mq_config {
	char *path;		/* the file read, or NULL */

	/* [server] */
	char *listen;
	unsigned listen_mode;
	char *listen_owner;
	char *listen_group;
	int listen_backlog;
	char *user;
	char *group;
	int workers;		/* resolved: "auto" is 2 x online CPUs */
	int connections_per_worker;
	bool workers_auto;
	int max_requests;
	int max_requests_jitter;
	int request_timeout_ms;
	int shutdown_timeout_ms;
	int crash_uptime_ms;	/* a worker dead sooner died young */
	int min_workers;	/* kept through a crash-loop back-off; 0: half */
	int heavy_requests;	/* pool/gate.h; auto: the CPUs */
	char *scoreboard;
	char *public_url;
	bool production;
	char *localedir;	/* the catalogs of po/: <dir>/<ll>/LC_MESSAGES/marquee.mo */

	/* [limits] */
	size_t body_max;
	size_t upload_max;
	int json_max_depth;
	int query_max_params;
	int query_max_length;
	int exact_count_max;

	/* [database] */
	char *db_conninfo;
	struct mq_secret db_password;
	char *db_owner_conninfo;	/* migrations, bulk loads; "": db_conninfo */
	struct mq_secret db_owner_password;
	int db_connect_timeout_ms;
	int db_statement_timeout_ms;
	char *migrations_dir;
	char *db_replica_conninfo;	/* catalog reads; "": none, all on conninfo */
	int db_primary_after_write_ms;	/* a writer's reads stay on the primary */
	bool db_prepare;		/* off: unnamed statements (a transaction pooler) */

	/* [cache] */
	char *cache_servers;
	char *cache_prefix;
	int cache_ttl;
	bool cache_responses;
	bool cache_verify;
	int cache_timeout_ms;
	int cache_retry_ms;

	/* [auth] */
	struct mq_secret jwt_key;
	int access_ttl_ms;
	int64_t refresh_ttl_ms;
	size_t password_memory;
	int password_iterations;
	char *common_passwords;
	int login_max_failures;
	int login_failure_window_ms;
	int register_max_refusals;
	int register_max_per_email;
	int register_window_ms;
	int verify_email_ttl_ms;
	int password_reset_ttl_ms;

	/* [mail] */
	char *smtp_url;
	char *mail_from;
	char *smtp_username;
	struct mq_secret smtp_password;
	bool smtp_require_tls;
	int smtp_timeout_ms;
	int mail_max_attempts;
	int mail_retry_base_ms;
	char *mail_link_base;

	/* [media] */
	char *media_dir;
	char *media_store;	/* "": files under media_dir; else a WebDAV base URL */
	int media_store_timeout_ms;
	char *media_url;
	size_t avatar_max;
	size_t image_max;
	int image_pixels_max;	/* decoded images: width x height */

	/* [tmdb] */
	char *tmdb_base_url;
	struct mq_secret tmdb_api_key;
	struct mq_secret tmdb_read_token;
	char *tmdb_language;
	char *tmdb_region;
	int tmdb_connect_timeout_ms;
	int tmdb_timeout_ms;
	size_t tmdb_max_response;
	int tmdb_cache_ttl;
	int tmdb_stale_ttl;
	int tmdb_breaker_threshold;
	int tmdb_breaker_cooloff_ms;
	char *tmdb_image_base_url;
	int tmdb_provisional_max;

	/* [watch] */
	char *watch_region;
	int watch_refresh_batch;
	int64_t watch_refresh_after_ms;

	/* [recs] */
	int recs_threads;	/* 0: one per CPU, at most 8 */
	int recs_max_signals;
	int recs_precompute_signals;
	int recs_pool_ttl_ms;	/* the cold-start pool kept in the cache */

	/* [push] */
	struct mq_secret push_vapid_key;	/* PEM; NULL: Web Push is off */
	char *push_subject;
	char *push_endpoint_hosts;
	int push_timeout_ms;
	int push_ttl_ms;
	int push_max_subscriptions;

	/* [payments] */
	char *pay_base_url;
	struct mq_secret pay_secret_key;	/* NULL: payments are off */
	struct mq_secret pay_webhook_secret;
	int pay_connect_timeout_ms;
	int pay_timeout_ms;
	size_t pay_max_response;
	int pay_webhook_tolerance_ms;
	int pay_grace_ms;
	char *pay_success_url;
	char *pay_cancel_url;
	int pay_breaker_threshold;
	int pay_breaker_cooloff_ms;

	/* [portability] */
	int port_entries_max;		/* entries of an uploaded zip */
	size_t port_unpacked_max;	/* its entries' bytes, unpacked */
	int port_rows_max;		/* rows of one import */
	int64_t port_export_ttl_ms;	/* an export's file and links */
	int port_lease_ms;

	/* [notify] */
	int notify_batch;
	int notify_lease_ms;
	int notify_digest_size;
	int64_t notify_unsubscribe_ttl_ms;

	/* [analytics] */
	int64_t analytics_retention_ms;	/* raw events kept; rollups kept for ever */
	int analytics_months_ahead;	/* partitions made ahead */
	int analytics_rollup_margin_ms;	/* a day is final this long after its end */
	int analytics_events_per_minute;	/* POST /api/events/ batches per caller; 0: no limit */
	bool analytics_browsing;	/* record views, searches, impressions (the worker's queue) */

	/* [oauth] and the [oauth.NAME] sections */
	char *oauth_redirect_uris;	/* the clients' URIs, space-separated, exact */
	int oauth_state_ttl_ms;
	int oauth_code_ttl_ms;
	int oauth_connect_timeout_ms;
	int oauth_timeout_ms;
	size_t oauth_max_response;
	int oauth_metadata_ttl;		/* seconds: discovery documents and JWKS in memcached */
	int oauth_clock_skew_ms;
	int oauth_breaker_threshold;
	int oauth_breaker_cooloff_ms;
	struct mq_oauth_provider *oauth_providers;
	size_t oauth_provider_count;

	/* [log] */
	int log_level;
	bool access_log;
};

/* Loads defaults, then the file at path (NULL: defaults only), then the
 * environment.  Returns a new config, or NULL after writing the reason into
 * err (one line, no secret values). */
struct mq_config *mq_config_load(const char *path, char *err, size_t errlen);

/* What the pool needs beyond a well-formed file: a signing key of 32 bytes
 * or more, and a readable [auth] common_passwords unless it is empty.
 * Returns 0, or -1 with the reason in err. */
int mq_config_check_pool(const struct mq_config *cfg, char *err, size_t errlen);

/* What is unsafe in production about a config that loads (production =
 * on): one line to warn with, or NULL.  An empty public_url: absolute
 * links are then built from the Host header each client sends. */
const char *mq_config_warning(const struct mq_config *cfg);

/* The provider [oauth.name], or NULL. */
const struct mq_oauth_provider *mq_config_oauth(const struct mq_config *cfg, const char *name);

/* Frees a config and wipes its secrets.  NULL is accepted. */
void mq_config_free(struct mq_config *cfg);

/* The default config file: $MARQUEE_CONFIG, else SYSCONFDIR/marquee/marquee.conf. */
const char *mq_config_default_path(void);

/* One entry of [cache] servers: "/unix/socket", "host", "host:port",
 * "[v6]" or "[v6]:port".  Fills host (the socket's path for a socket, the
 * host without brackets otherwise) and *port (0 for a socket, 11211 when
 * not given).  Returns 0, or -1 for an entry memcached cannot take. */
int mq_config_cache_server(const char *spec, char *host, size_t hostlen, int *port);

/* The directive table, for tests that check etc/marquee.conf against it. */
size_t mq_config_key_count(void);
void mq_config_key(size_t i, const char **section, const char **name);

/* Prints every key and its effective value, secrets redacted. */
void mq_config_dump(const struct mq_config *cfg, FILE *out);

#endif

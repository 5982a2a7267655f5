/*
 * routes.c: every URL Marquee serves, the handler behind it and the least
 * role that may call it.  This table is the one place to look; the
 * OpenAPI document is checked against it by a test.
 *
 * Paths are written with their final slash; a request without it is served
 * the same.  Parameter types: int, slug, lang, word (see router.h).
 * TOKENLESS routes ignore the Authorization header (router.h).
 *
 * The handlers' prototypes are made from this table (http/handlers.h, by
 * the build), so a new route is one line here and its handler in
 * src/api/<resource>.c; a handler no route names has no prototype, and
 * -Wmissing-prototypes refuses it.
 */
#include "http/routes.h"

#include "http/handlers.h"

#define ANON MQ_ROLE_ANON
#define USER MQ_ROLE_USER
#define ADMIN MQ_ROLE_ADMIN
#define TOKENLESS MQ_RF_TOKENLESS

const struct mq_route mq_routes[] = {
	/* operations */
	{ MQ_GET, "/healthz/", mq_health_live, ANON, 0 },
	{ MQ_GET, "/readyz/", mq_health_ready, ANON, 0 },
	{ MQ_GET, "/metrics/", mq_metrics, ANON, 0 },	/* nginx: loopback only */

	/* catalog: movies.c (lists), movie_detail.c, movies_admin.c,
	 * movie_media.c, movie_translations.c, genres.c, movies_trending.c */
	{ MQ_GET, "/api/movies/", mq_movies_list, ANON, 0 },
	{ MQ_POST, "/api/movies/", mq_movies_create, ADMIN, 0 },
	{ MQ_GET, "/api/movies/recent/", mq_movies_recent, ANON, 0 },
	{ MQ_GET, "/api/movies/trending/", mq_movies_trending, ANON, 0 },
	{ MQ_GET, "/api/movies/recommended/", mq_movies_recommended, ANON, MQ_RF_HEAVY },
	{ MQ_GET, "/api/movies/{id:int}/", mq_movies_get, ANON, 0 },
	{ MQ_PUT, "/api/movies/{id:int}/", mq_movies_put, ADMIN, 0 },
	{ MQ_PATCH, "/api/movies/{id:int}/", mq_movies_patch, ADMIN, 0 },
	{ MQ_DELETE, "/api/movies/{id:int}/", mq_movies_delete, ADMIN, 0 },
	{ MQ_GET, "/api/movies/{id:int}/similar/", mq_movies_similar, ANON, MQ_RF_HEAVY },
	{ MQ_POST, "/api/movies/{id:int}/media/", mq_movie_media_add, ADMIN, MQ_RF_UPLOAD },
	{ MQ_PUT, "/api/movies/{id:int}/media/{media_id:int}/", mq_movie_media_put, ADMIN, 0 },
	{ MQ_DELETE, "/api/movies/{id:int}/media/{media_id:int}/", mq_movie_media_delete, ADMIN, 0 },
	{ MQ_PUT, "/api/movies/{id:int}/translations/{language:lang}/", mq_movie_translations_put,
	  ADMIN, 0 },
	{ MQ_DELETE, "/api/movies/{id:int}/translations/{language:lang}/",
	  mq_movie_translations_delete, ADMIN, 0 },
	{ MQ_GET, "/api/genres/", mq_genres_list, ANON, 0 },
	{ MQ_GET, "/api/genres/{id:int}/movies/", mq_genres_movies, ANON, 0 },

	/* recommendations: recommendations.c (the engine: src/recs/) */
	{ MQ_GET, "/api/movies/{id:int}/recommendations/", mq_movies_recommendations, ANON,
	  MQ_RF_HEAVY },
	{ MQ_POST, "/api/movies/{id:int}/not-interested/", mq_not_interested_add, USER, 0 },
	{ MQ_DELETE, "/api/movies/{id:int}/not-interested/", mq_not_interested_remove, USER, 0 },
	{ MQ_GET, "/api/users/me/not-interested/", mq_not_interested_list, USER, 0 },

	/* where to watch, the release calendar, media servers: watch_providers.c,
	 * services.c, calendar.c, scrobble.c, url_secrets.c (the domain:
	 * src/watch/); the feed and the webhooks carry a secret of their URL,
	 * not a token */
	{ MQ_GET, "/api/movies/{id:int}/watch-providers/", mq_watch_providers_get, ANON, 0 },
	{ MQ_GET, "/api/users/me/services/", mq_services_get, USER, 0 },
	{ MQ_PUT, "/api/users/me/services/", mq_services_put, USER, 0 },
	{ MQ_POST, "/api/users/me/calendar-token/", mq_calendar_token_post, USER, 0 },
	{ MQ_DELETE, "/api/users/me/calendar-token/", mq_calendar_token_delete, USER, 0 },
	{ MQ_GET, "/api/users/me/calendar.ics/", mq_calendar_feed, ANON, TOKENLESS },
	{ MQ_POST, "/api/users/me/scrobble-secret/", mq_scrobble_secret_post, USER, 0 },
	{ MQ_DELETE, "/api/users/me/scrobble-secret/", mq_scrobble_secret_delete, USER, 0 },
	/* Plex adds the poster to its events: an upload's body limit */
	{ MQ_POST, "/api/scrobble/{secret:slug}/plex/", mq_scrobble_plex, ANON,
	  TOKENLESS | MQ_RF_UPLOAD },
	{ MQ_POST, "/api/scrobble/{secret:slug}/jellyfin/", mq_scrobble_jellyfin, ANON, TOKENLESS },
	{ MQ_POST, "/api/scrobble/{secret:slug}/emby/", mq_scrobble_emby, ANON, TOKENLESS },

	/* TMDb: tmdb_search.c */
	{ MQ_GET, "/api/tmdb/search/", mq_tmdb_search, ANON, 0 },

	/* accounts: users.c, sessions.c, passwords.c, verification.c */
	{ MQ_POST, "/api/users/register/", mq_users_register, ANON, TOKENLESS },
	{ MQ_POST, "/api/users/login/", mq_sessions_login, ANON, TOKENLESS },
	{ MQ_POST, "/api/users/token/refresh/", mq_sessions_refresh, ANON, TOKENLESS },
	{ MQ_POST, "/api/users/logout/", mq_sessions_logout, ANON, TOKENLESS },
	{ MQ_GET, "/api/users/me/", mq_users_me, USER, 0 },
	{ MQ_PUT, "/api/users/me/", mq_users_me_put, USER, 0 },
	{ MQ_PATCH, "/api/users/me/", mq_users_me_patch, USER, 0 },
	{ MQ_PUT, "/api/users/me/avatar/", mq_users_avatar_put, USER, MQ_RF_UPLOAD },
	{ MQ_DELETE, "/api/users/me/avatar/", mq_users_avatar_delete, USER, 0 },
	{ MQ_POST, "/api/users/password/change/", mq_passwords_change, USER, 0 },
	{ MQ_POST, "/api/users/password-reset/", mq_passwords_reset, ANON, TOKENLESS },
	{ MQ_POST, "/api/users/password-reset/confirm/", mq_passwords_reset_confirm, ANON, TOKENLESS },
	{ MQ_POST, "/api/users/verify-email/", mq_verification_verify, ANON, TOKENLESS },
	{ MQ_POST, "/api/users/verify-email/resend/", mq_verification_resend, USER, 0 },
	{ MQ_GET, "/api/users/{username:slug}/", mq_users_public, ANON, 0 },

	/* social login: oauth.c (accounts/social_login.c, integrations/oauth.c);
	 * the browser goes through start and callback, which carry no token */
	{ MQ_GET, "/api/auth/oauth/providers/", mq_oauth_providers, ANON, 0 },
	{ MQ_GET, "/api/auth/oauth/{provider:word}/start/", mq_oauth_start, ANON, TOKENLESS },
	{ MQ_GET, "/api/auth/oauth/{provider:word}/callback/", mq_oauth_callback, ANON, TOKENLESS },
	{ MQ_POST, "/api/auth/oauth/exchange/", mq_oauth_exchange, ANON, TOKENLESS },
	{ MQ_GET, "/api/users/me/identities/", mq_identities_get, USER, 0 },
	{ MQ_DELETE, "/api/users/me/identities/{provider:word}/", mq_identities_delete, USER, 0 },

	/* collections and opinions: favorites.c, ratings.c, watchlist.c,
	 * history.c, lists.c, reviews.c, comments.c, reports.c */
	{ MQ_POST, "/api/users/favorites/", mq_favorites_add, USER, 0 },
	{ MQ_GET, "/api/users/favorites/", mq_favorites_list, USER, 0 },
	{ MQ_DELETE, "/api/users/favorites/{movie_id:int}/", mq_favorites_remove, USER, 0 },
	{ MQ_GET, "/api/favorites/", mq_favorites_list, USER, 0 },
	{ MQ_GET, "/api/favorites/recently-added/", mq_favorites_recently_added, USER, 0 },
	/* the seed list's spelling (an editor's autocorrect made the hyphen an
	 * arrow), which clients copied: the same resource, a legacy alias */
	{ MQ_GET, "/api/favorites/recently\u2192added/", mq_favorites_recently_added, USER, 0 },
	{ MQ_GET, "/api/favorites/recently-removed/", mq_favorites_recently_removed, USER, 0 },
	{ MQ_POST, "/api/movies/rate/", mq_ratings_rate, USER, 0 },
	{ MQ_PUT, "/api/movies/{id:int}/rating/", mq_ratings_put, USER, 0 },
	{ MQ_DELETE, "/api/movies/{id:int}/rating/", mq_ratings_delete, USER, 0 },
	{ MQ_GET, "/api/movies/{id:int}/ratings/", mq_ratings_summary, ANON, 0 },
	{ MQ_POST, "/api/watchlist/", mq_watchlist_add, USER, 0 },
	{ MQ_GET, "/api/watchlist/", mq_watchlist_list, USER, 0 },
	{ MQ_PUT, "/api/watchlist/{id:int}/", mq_watchlist_put, USER, 0 },
	{ MQ_PATCH, "/api/watchlist/{id:int}/", mq_watchlist_patch, USER, 0 },
	{ MQ_DELETE, "/api/watchlist/{id:int}/", mq_watchlist_delete, USER, 0 },
	{ MQ_GET, "/api/users/me/history/", mq_history_list, USER, 0 },
	{ MQ_POST, "/api/users/me/history/", mq_history_add, USER, 0 },
	{ MQ_DELETE, "/api/users/me/history/{id:int}/", mq_history_delete, USER, 0 },
	{ MQ_GET, "/api/users/me/activity/", mq_activity_list, USER, 0 },
	{ MQ_GET, "/api/users/me/stats/", mq_users_me_stats, USER, 0 },
	{ MQ_GET, "/api/users/me/year-in-review/", mq_users_me_year_in_review, USER, 0 },
	{ MQ_GET, "/api/lists/", mq_lists_list, ANON, 0 },
	{ MQ_POST, "/api/lists/", mq_lists_create, USER, 0 },
	{ MQ_GET, "/api/lists/{id:int}/", mq_lists_get, ANON, 0 },
	{ MQ_PUT, "/api/lists/{id:int}/", mq_lists_put, USER, 0 },
	{ MQ_DELETE, "/api/lists/{id:int}/", mq_lists_delete, USER, 0 },
	{ MQ_POST, "/api/lists/{id:int}/items/", mq_lists_add_item, USER, 0 },
	{ MQ_DELETE, "/api/lists/{id:int}/items/{movie_id:int}/", mq_lists_remove_item, USER, 0 },
	{ MQ_GET, "/api/movies/{id:int}/reviews/", mq_reviews_list, ANON, 0 },
	{ MQ_POST, "/api/movies/{id:int}/reviews/", mq_reviews_create, USER, 0 },
	{ MQ_PUT, "/api/reviews/{id:int}/", mq_reviews_put, USER, 0 },
	{ MQ_DELETE, "/api/reviews/{id:int}/", mq_reviews_delete, USER, 0 },
	{ MQ_GET, "/api/movies/{id:int}/comments/", mq_comments_list, ANON, 0 },
	{ MQ_POST, "/api/movies/{id:int}/comments/", mq_comments_create, USER, 0 },
	{ MQ_PUT, "/api/comments/{id:int}/", mq_comments_put, USER, 0 },
	{ MQ_DELETE, "/api/comments/{id:int}/", mq_comments_delete, USER, 0 },
	{ MQ_POST, "/api/reports/", mq_reports_create, USER, 0 },

	/* social: follows.c, feed.c, likes.c, shares.c */
	{ MQ_POST, "/api/users/{username:slug}/follow/", mq_follows_post, USER, 0 },
	{ MQ_DELETE, "/api/users/{username:slug}/follow/", mq_follows_delete, USER, 0 },
	{ MQ_GET, "/api/users/{username:slug}/followers/", mq_follows_followers, ANON, 0 },
	{ MQ_GET, "/api/users/{username:slug}/following/", mq_follows_following, ANON, 0 },
	{ MQ_POST, "/api/users/{username:slug}/block/", mq_blocks_post, USER, 0 },
	{ MQ_DELETE, "/api/users/{username:slug}/block/", mq_blocks_delete, USER, 0 },
	{ MQ_GET, "/api/feed/", mq_feed_list, USER, 0 },
	{ MQ_POST, "/api/reviews/{id:int}/like/", mq_likes_post, USER, 0 },
	{ MQ_DELETE, "/api/reviews/{id:int}/like/", mq_likes_delete, USER, 0 },
	{ MQ_POST, "/api/shares/", mq_shares_post, USER, 0 },
	{ MQ_GET, "/s/{code:slug}/", mq_shares_page, ANON, 0 },	/* HTML, for people */

	/* notifications: notifications.c, push.c */
	{ MQ_GET, "/api/notifications/", mq_notifications_get, USER, 0 },
	{ MQ_POST, "/api/notifications/{id:int}/read/", mq_notifications_post_read, USER, 0 },
	{ MQ_POST, "/api/notifications/read-all/", mq_notifications_post_read_all, USER, 0 },
	{ MQ_POST, "/api/notifications/unsubscribe/", mq_notifications_post_unsubscribe, ANON, 0 },
	{ MQ_GET, "/api/users/me/notification-settings/", mq_notification_settings_get, USER, 0 },
	{ MQ_PUT, "/api/users/me/notification-settings/", mq_notification_settings_put, USER, 0 },
	{ MQ_GET, "/api/push/key/", mq_push_key_get, ANON, 0 },
	{ MQ_POST, "/api/push/subscriptions/", mq_push_subscriptions_post, USER, 0 },
	{ MQ_DELETE, "/api/push/subscriptions/", mq_push_subscriptions_delete, USER, 0 },

	/* subscriptions and payments: plans.c, subscriptions.c */
	{ MQ_GET, "/api/plans/", mq_plans_list, ANON, 0 },
	{ MQ_POST, "/api/subscriptions/", mq_subscriptions_post, USER, 0 },
	{ MQ_GET, "/api/subscriptions/", mq_subscriptions_get, USER, 0 },
	{ MQ_PUT, "/api/subscriptions/", mq_subscriptions_put, USER, 0 },
	{ MQ_DELETE, "/api/subscriptions/", mq_subscriptions_delete, USER, 0 },
	{ MQ_GET, "/api/payments/", mq_payments_list, USER, 0 },
	/* data portability: portability.c (the jobs: src/portability/) */
	{ MQ_POST, "/api/users/me/import/", mq_users_me_import, USER, MQ_RF_UPLOAD },
	{ MQ_GET, "/api/users/me/import/{id:int}/", mq_users_me_import_get, USER, 0 },
	{ MQ_POST, "/api/users/me/export/", mq_users_me_export, USER, 0 },
	{ MQ_GET, "/api/users/me/export/{id:int}/", mq_users_me_export_get, USER, 0 },
	{ MQ_GET, "/api/exports/{id:int}/file/", mq_exports_file, ANON, TOKENLESS },

	/* premium extras: extras.c; a signed URL is the file's only credential */
	{ MQ_GET, "/api/movies/{id:int}/extras/", mq_movie_extras_list, USER, 0 },
	{ MQ_GET, "/api/extras/{id:int}/file/", mq_extras_file, ANON, TOKENLESS },
	{ MQ_POST, "/api/admin/extras/", mq_admin_extras_create, ADMIN, 0 },
	{ MQ_DELETE, "/api/admin/extras/{id:int}/", mq_admin_extras_delete, ADMIN, 0 },
	/* the gateway's deliveries: their signature authenticates them */
	{ MQ_POST, "/api/payments/webhook/", mq_payments_webhook, ANON, TOKENLESS },
	{ MQ_POST, "/api/admin/plans/", mq_admin_plans_create, ADMIN, 0 },
	{ MQ_PUT, "/api/admin/plans/{id:int}/", mq_admin_plans_put, ADMIN, 0 },
	{ MQ_DELETE, "/api/admin/plans/{id:int}/", mq_admin_plans_delete, ADMIN, 0 },
	{ MQ_POST, "/api/admin/payments/{id:int}/refund/", mq_admin_payments_refund, ADMIN, 0 },
	/* analytics: analytics.c */
	{ MQ_POST, "/api/events/", mq_events_post, ANON, 0 },
	/* the reports: one handler, the report named by the path's last
	 * segment (analytics/reports.c holds each one's sections) */
	{ MQ_GET, "/api/admin/analytics/popular-movies/", mq_admin_analytics_report, ADMIN, 0 },
	{ MQ_GET, "/api/admin/analytics/most-favorited/", mq_admin_analytics_report, ADMIN, 0 },
	{ MQ_GET, "/api/admin/analytics/active-users/", mq_admin_analytics_report, ADMIN, 0 },
	{ MQ_GET, "/api/admin/analytics/top-genres/", mq_admin_analytics_report, ADMIN, 0 },
	{ MQ_GET, "/api/admin/analytics/engagement/", mq_admin_analytics_report, ADMIN, 0 },
	{ MQ_GET, "/api/admin/analytics/search/", mq_admin_analytics_report, ADMIN, 0 },
	{ MQ_GET, "/api/admin/analytics/recommendations/", mq_admin_analytics_report, ADMIN, 0 },

	/* administration: admin_users.c, reports.c, admin_movies.c */
	{ MQ_GET, "/api/admin/users/", mq_admin_users_list, ADMIN, 0 },
	{ MQ_PUT, "/api/admin/users/{id:int}/", mq_admin_users_put, ADMIN, 0 },
	{ MQ_PATCH, "/api/admin/users/{id:int}/", mq_admin_users_patch, ADMIN, 0 },
	{ MQ_DELETE, "/api/admin/users/{id:int}/", mq_admin_users_delete, ADMIN, 0 },
	{ MQ_GET, "/api/admin/reports/", mq_admin_reports_list, ADMIN, 0 },
	{ MQ_PUT, "/api/admin/reports/{id:int}/", mq_admin_reports_put, ADMIN, 0 },
	{ MQ_DELETE, "/api/admin/reports/{id:int}/", mq_admin_reports_delete, ADMIN, 0 },
	{ MQ_GET, "/api/admin/movies/provisional/", mq_admin_movies_provisional, ADMIN, 0 },
	{ MQ_POST, "/api/admin/movies/{id:int}/approve/", mq_admin_movies_approve, ADMIN, 0 },
};

const size_t mq_routes_count = MQ_ARRAY_LEN(mq_routes);

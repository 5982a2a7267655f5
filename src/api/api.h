/*
 * api.h: every handler, by resource.  routes.c binds them to paths.
 */
#ifndef MQ_API_H
#define MQ_API_H

#include "core/common.h"

struct mq_req;

/* health.c */
int mq_health_live(struct mq_req *r);
int mq_health_ready(struct mq_req *r);

/* metrics.c */
int mq_metrics(struct mq_req *r);

/* genres.c */
int mq_genres_list(struct mq_req *r);
/* Genre ids and slugs (int[] and text[] literals) to ids (an int[]
 * literal); *unknown: those that are no genre, comma-separated, or NULL.
 * Returns 0, or -1 when the database failed. */
int mq_genres_resolve(struct mq_req *r, const char *ids, const char *slugs, const char **resolved,
		      const char **unknown);

/* movies.c */
int mq_movies_list(struct mq_req *r);
int mq_movies_recent(struct mq_req *r);
int mq_genres_movies(struct mq_req *r);

/* movies_trending.c */
int mq_movies_trending(struct mq_req *r);

/* movie_detail.c */
struct mq_lang;
struct json_object;
int mq_movies_get(struct mq_req *r);
int mq_movies_similar(struct mq_req *r);
/* The movie as its detail shows it, or NULL when there is none or the
 * database failed (mq_db_state() tells). */
struct json_object *mq_movie_fetch(struct mq_req *r, const char *id, const struct mq_lang *lang);

/* movies_admin.c */
int mq_movies_create(struct mq_req *r);
int mq_movies_put(struct mq_req *r);
int mq_movies_patch(struct mq_req *r);
int mq_movies_delete(struct mq_req *r);
/* Makes every cached response that may show movie id stale: its detail
 * (mq_movie_changed), and with mq_movies_changed the lists too. */
void mq_movie_changed(struct mq_req *r, const char *id);
void mq_movies_changed(struct mq_req *r, const char *id);

/* movie_media.c */
int mq_movie_media_add(struct mq_req *r);
int mq_movie_media_put(struct mq_req *r);
int mq_movie_media_delete(struct mq_req *r);

/* movie_translations.c */
int mq_movie_translations_put(struct mq_req *r);
int mq_movie_translations_delete(struct mq_req *r);

/* tmdb_search.c */
int mq_tmdb_search(struct mq_req *r);

/* users.c */
int mq_users_register(struct mq_req *r);
int mq_users_me(struct mq_req *r);
int mq_users_me_put(struct mq_req *r);
int mq_users_me_patch(struct mq_req *r);
int mq_users_public(struct mq_req *r);
int mq_users_avatar_put(struct mq_req *r);
int mq_users_avatar_delete(struct mq_req *r);
int mq_users_send_verification(struct mq_req *r, int64_t user_id, const char *email);

/* sessions.c */
int mq_sessions_login(struct mq_req *r);
int mq_sessions_refresh(struct mq_req *r);
int mq_sessions_logout(struct mq_req *r);
int mq_sessions_issue(struct mq_req *r, struct json_object *out, int64_t user_id,
		      const char *role, int64_t version, const char *family);
int mq_sessions_end_all(struct mq_req *r, const char *user_id);

/* passwords.c */
int mq_passwords_change(struct mq_req *r);
int mq_passwords_reset(struct mq_req *r);
int mq_passwords_reset_confirm(struct mq_req *r);

/* verification.c */
int mq_verification_verify(struct mq_req *r);
int mq_verification_resend(struct mq_req *r);

/* admin_users.c */
int mq_admin_users_list(struct mq_req *r);
int mq_admin_users_put(struct mq_req *r);
int mq_admin_users_patch(struct mq_req *r);
int mq_admin_users_delete(struct mq_req *r);

/* favorites.c */
int mq_favorites_add(struct mq_req *r);
int mq_favorites_list(struct mq_req *r);
int mq_favorites_remove(struct mq_req *r);
int mq_favorites_recently_added(struct mq_req *r);
int mq_favorites_recently_removed(struct mq_req *r);

/* ratings.c */
int mq_ratings_rate(struct mq_req *r);
int mq_ratings_put(struct mq_req *r);
int mq_ratings_delete(struct mq_req *r);
int mq_ratings_summary(struct mq_req *r);

/* watchlist.c */
int mq_watchlist_add(struct mq_req *r);
int mq_watchlist_list(struct mq_req *r);
int mq_watchlist_put(struct mq_req *r);
int mq_watchlist_patch(struct mq_req *r);
int mq_watchlist_delete(struct mq_req *r);

/* history.c */
int mq_history_list(struct mq_req *r);
int mq_history_add(struct mq_req *r);
int mq_history_delete(struct mq_req *r);
int mq_activity_list(struct mq_req *r);

/* lists.c */
int mq_lists_list(struct mq_req *r);
int mq_lists_create(struct mq_req *r);
int mq_lists_get(struct mq_req *r);
int mq_lists_put(struct mq_req *r);
int mq_lists_delete(struct mq_req *r);
int mq_lists_add_item(struct mq_req *r);
int mq_lists_remove_item(struct mq_req *r);

/* reviews.c */
int mq_reviews_list(struct mq_req *r);
int mq_reviews_create(struct mq_req *r);
int mq_reviews_put(struct mq_req *r);
int mq_reviews_delete(struct mq_req *r);

/* comments.c */
int mq_comments_list(struct mq_req *r);
int mq_comments_create(struct mq_req *r);
int mq_comments_put(struct mq_req *r);
int mq_comments_delete(struct mq_req *r);

/* reports.c */
int mq_reports_create(struct mq_req *r);
int mq_admin_reports_list(struct mq_req *r);
int mq_admin_reports_put(struct mq_req *r);
int mq_admin_reports_delete(struct mq_req *r);

#endif

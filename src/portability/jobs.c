/*
 * jobs.c: imports and exports as jobs (see jobs.h).
 */
#include "portability/jobs.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/json.h"
#include "core/mac.h"
#include "catalog/changes.h"
#include "db/db.h"
#include "db/rows.h"
#include "notify/outbox.h"
#include "portability/archive.h"
#include "portability/export.h"
#include "portability/formats.h"

#define KEY_CONTEXT "marquee data export v1"
#define ITEMS_PER_STATEMENT 1000
#define UNMATCHED_SHOWN 100

#define JOB_COLUMNS \
	"j.id, j.kind, j.state, j.format, j.rows_total AS rows, j.report, j.error, " \
	"rfc3339(j.created_at) AS created_at, rfc3339(j.started_at) AS started_at, " \
	"rfc3339(j.finished_at) AS finished_at, j.file_size AS size, " \
	"rfc3339(j.expires_at) AS expires_at, extract(epoch FROM j.expires_at)::bigint AS expires "

/* $1 user, $2 kind, $3 the upload in hex (NULL for an export). */
static struct mq_stmt queue = MQ_STMT(
	"WITH j AS (INSERT INTO portability_jobs (user_id, kind, upload) "
	"           SELECT $1, $2, decode($3, 'hex') "
	"           WHERE NOT EXISTS (SELECT 1 FROM portability_jobs WHERE user_id = $1 AND kind = $2 "
	"                             AND state IN ('queued', 'running')) "
	"           RETURNING *), "
	"woken AS (SELECT pg_notify('marquee_portability', '') FROM j) "
	"SELECT " JOB_COLUMNS "FROM j, (SELECT count(*) FROM woken) w");

static struct mq_stmt get_job = MQ_STMT_READ(
	"SELECT " JOB_COLUMNS "FROM portability_jobs j WHERE j.id = $1 AND j.user_id = $2 AND j.kind = $3");

/* The oldest job queued, or running past its lease (its runner died). */
static struct mq_stmt claim = MQ_STMT(
	"UPDATE portability_jobs j SET state = 'running', attempts = attempts + 1, "
	"  started_at = coalesce(started_at, now()), lease_until = now() + $1 * interval '1 ms' "
	"FROM (SELECT id FROM portability_jobs "
	"      WHERE (state = 'queued' OR (state = 'running' AND lease_until < now())) "
	"      AND ($2::bigint IS NULL OR id = $2) "
	"      ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) due "
	"WHERE j.id = due.id "
	"RETURNING j.id, j.kind, j.user_id, j.attempts, encode(j.upload, 'hex') AS upload, "
	"  (SELECT email FROM users WHERE id = j.user_id) AS email, "
	"  (SELECT username FROM users WHERE id = j.user_id) AS username");

static struct mq_stmt fail_job = MQ_STMT(
	"UPDATE portability_jobs SET state = 'failed', error = left($2, 1000), upload = NULL, "
	"  finished_at = now(), lease_until = NULL WHERE id = $1");

static struct mq_stmt finish_import = MQ_STMT(
	"UPDATE portability_jobs SET state = 'done', format = $2, rows_total = $3, report = $4::jsonb, "
	"  upload = NULL, finished_at = now(), lease_until = NULL WHERE id = $1");

static struct mq_stmt finish_export = MQ_STMT(
	"UPDATE portability_jobs SET state = 'done', file_path = $2, file_size = $3, "
	"  expires_at = now() + $4 * interval '1 ms', finished_at = now(), lease_until = NULL "
	"WHERE id = $1 RETURNING extract(epoch FROM expires_at)::bigint, rfc3339(expires_at)");

static struct mq_stmt drop_items = MQ_STMT("DELETE FROM import_items WHERE job_id = $1");

static struct mq_stmt insert_items = MQ_STMT(
	"INSERT INTO import_items (job_id, seq, kind, source, tmdb_id, imdb_id, title, year, rating, at, "
	"  body, heading, priority, list, list_description, list_public, position, ref, parent_ref, "
	"  data) "
	"SELECT $1, x.seq, x.kind, x.source, x.tmdb_id, x.imdb_id, x.title, x.year, x.rating, x.at, "
	"  x.body, x.heading, x.priority, x.list, x.list_description, x.list_public, x.position, "
	"  x.ref, x.parent_ref, x.data "
	"FROM json_to_recordset($2::json) AS x (seq integer, kind text, source text, tmdb_id integer, "
	"  imdb_id text, title text, year smallint, rating numeric, at timestamptz, body text, "
	"  heading text, priority text, list text, list_description text, list_public boolean, "
	"  position integer, ref bigint, parent_ref bigint, data jsonb)");

/* Movies the user may name: public ones and their own provisional ones. */
#define MAY_NAME "(m.provisional_by IS NULL OR m.provisional_by = $2)"

/* $1 job, $2 user: each row's movie by TMDb id, else IMDb id, else the
 * folded title and the year (the most popular of homonyms). */
static struct mq_stmt match = MQ_STMT(
	"UPDATE import_items i SET movie_id = coalesce( "
	"  (SELECT m.id FROM movies m WHERE m.tmdb_id = i.tmdb_id AND " MAY_NAME "), "
	"  (SELECT m.id FROM movies m WHERE m.imdb_id = i.imdb_id AND " MAY_NAME "), "
	"  (SELECT m.id FROM movies m WHERE i.year IS NOT NULL AND m.title_fold = search_fold(i.title) "
	"   AND m.year = i.year AND " MAY_NAME " ORDER BY m.popularity DESC, m.id LIMIT 1)) "
	"WHERE i.job_id = $1 AND i.kind NOT IN ('follow', 'profile', 'setting')");

#define ROWS(kind) "FROM import_items WHERE job_id = $1 AND kind = '" kind "' AND movie_id IS NOT NULL "

static struct mq_stmt apply_ratings = MQ_STMT(
	"WITH src AS (SELECT DISTINCT ON (movie_id) movie_id, rating, coalesce(at, now()) AS at "
	"             " ROWS("rating") "ORDER BY movie_id, seq DESC), "
	"ins AS (INSERT INTO ratings (user_id, movie_id, rating, created_at, updated_at) "
	"        SELECT $2, movie_id, rating, at, at FROM src ON CONFLICT (user_id, movie_id) DO NOTHING "
	"        RETURNING movie_id, rating, created_at), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id, rating, created_at) "
	"           SELECT $2, 'rated', movie_id, rating, created_at FROM ins) "
	"SELECT count(*) FROM ins");

static struct mq_stmt apply_reviews = MQ_STMT(
	"WITH src AS (SELECT DISTINCT ON (movie_id) movie_id, rating, body, heading, "
	"             coalesce(at, now()) AS at " ROWS("review") "ORDER BY movie_id, seq DESC), "
	"ins AS (INSERT INTO reviews (user_id, movie_id, title, body, rating, created_at, updated_at) "
	"        SELECT $2, movie_id, coalesce(heading, ''), body, rating, at, at FROM src "
	"        ON CONFLICT (user_id, movie_id) DO NOTHING RETURNING 1) "
	"SELECT count(*) FROM ins");

static struct mq_stmt apply_favorites = MQ_STMT(
	"WITH src AS (SELECT DISTINCT ON (movie_id) movie_id, coalesce(at, now()) AS at "
	"             " ROWS("favorite") "ORDER BY movie_id, seq), "
	"ins AS (INSERT INTO favorites (user_id, movie_id, created_at) SELECT $2, movie_id, at FROM src "
	"        ON CONFLICT (user_id, movie_id) DO NOTHING RETURNING movie_id, created_at), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id, created_at) "
	"           SELECT $2, 'favorite_added', movie_id, created_at FROM ins) "
	"SELECT count(*) FROM ins");

static struct mq_stmt apply_watchlist = MQ_STMT(
	"WITH src AS (SELECT DISTINCT ON (movie_id) movie_id, coalesce(body, '') AS note, "
	"             coalesce(priority, 'medium') AS priority, coalesce(at, now()) AS at "
	"             " ROWS("watchlist") "ORDER BY movie_id, seq), "
	"ins AS (INSERT INTO watchlist (user_id, movie_id, note, priority, created_at, updated_at) "
	"        SELECT $2, movie_id, left(note, 1000), priority, at, at FROM src "
	"        ON CONFLICT (user_id, movie_id) DO NOTHING RETURNING movie_id, created_at), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id, created_at) "
	"           SELECT $2, 'watchlist_added', movie_id, created_at FROM ins) "
	"SELECT count(*) FROM ins");

/* Dated viewings: each one not there at that very time. */
static struct mq_stmt apply_watches = MQ_STMT(
	"WITH src AS (SELECT DISTINCT movie_id, at " ROWS("watch") "AND at IS NOT NULL), "
	"ins AS (INSERT INTO watch_history (user_id, movie_id, watched_at) "
	"        SELECT $2, s.movie_id, s.at FROM src s WHERE NOT EXISTS "
	"          (SELECT 1 FROM watch_history h WHERE h.user_id = $2 AND h.movie_id = s.movie_id "
	"           AND h.watched_at = s.at) "
	"        RETURNING movie_id, watched_at), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id, created_at) "
	"           SELECT $2, 'watched', movie_id, watched_at FROM ins) "
	"SELECT count(*) FROM ins");

/* "Seen" without a date that counts: a viewing when there is none. */
static struct mq_stmt apply_watched = MQ_STMT(
	"WITH src AS (SELECT DISTINCT ON (movie_id) movie_id, coalesce(at, now()) AS at "
	"             " ROWS("watched") "ORDER BY movie_id, at DESC NULLS LAST), "
	"ins AS (INSERT INTO watch_history (user_id, movie_id, watched_at) "
	"        SELECT $2, s.movie_id, s.at FROM src s WHERE NOT EXISTS "
	"          (SELECT 1 FROM watch_history h WHERE h.user_id = $2 AND h.movie_id = s.movie_id) "
	"        RETURNING movie_id, watched_at), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id, created_at) "
	"           SELECT $2, 'watched', movie_id, watched_at FROM ins) "
	"SELECT count(*) FROM ins");

/* The user's lists of the import's names that are not there yet. */
static struct mq_stmt apply_lists = MQ_STMT(
	"WITH names AS (SELECT DISTINCT ON (list) list, list_description, list_public "
	"               FROM import_items WHERE job_id = $1 AND kind = 'list_item' ORDER BY list, seq), "
	"ins AS (INSERT INTO lists (user_id, name, description, is_public) "
	"        SELECT $2, n.list, coalesce(n.list_description, ''), coalesce(n.list_public, false) "
	"        FROM names n WHERE NOT EXISTS (SELECT 1 FROM lists l WHERE l.user_id = $2 "
	"                                       AND l.name = n.list) RETURNING 1) "
	"SELECT count(*) FROM ins");

/* Item writers lock the list's row first (sql/0007_collections.sql). */
static struct mq_stmt lock_lists = MQ_STMT(
	"SELECT 1 FROM lists WHERE user_id = $2 AND name IN "
	"  (SELECT list FROM import_items WHERE job_id = $1 AND kind = 'list_item') "
	"ORDER BY id FOR NO KEY UPDATE");

/* Items not in the list yet, after its last, in the file's order; each
 * name's oldest list of the user. */
static struct mq_stmt apply_list_items = MQ_STMT(
	"WITH target AS (SELECT DISTINCT ON (name) id, name FROM lists WHERE user_id = $2 AND name IN "
	"                  (SELECT list FROM import_items WHERE job_id = $1 AND kind = 'list_item') "
	"                ORDER BY name, id), "
	"src AS (SELECT DISTINCT ON (t.id, i.movie_id) t.id AS list_id, i.movie_id, i.position, i.seq, "
	"        i.body FROM import_items i JOIN target t ON t.name = i.list "
	"        WHERE i.job_id = $1 AND i.kind = 'list_item' AND i.movie_id IS NOT NULL "
	"        AND NOT EXISTS (SELECT 1 FROM list_items x WHERE x.list_id = t.id "
	"                        AND x.movie_id = i.movie_id) "
	"        ORDER BY t.id, i.movie_id, i.position NULLS LAST, i.seq), "
	"ins AS (INSERT INTO list_items (list_id, movie_id, position, note) "
	"        SELECT s.list_id, s.movie_id, "
	"          coalesce((SELECT max(position) FROM list_items x WHERE x.list_id = s.list_id), 0) "
	"          + row_number() OVER (PARTITION BY s.list_id ORDER BY s.position NULLS LAST, s.seq), "
	"          left(coalesce(s.body, ''), 500) FROM src s RETURNING 1) "
	"SELECT count(*) FROM ins");

/* One round of comments: those whose parent is placed (none; one of
 * the file's, placed in an earlier round; or one on this server, on the
 * same movie and older, that no comment of the file claims to be),
 * added unless the same comment (movie, parent, text, time) is there;
 * each row marked with the comment it became.  (new, marked) */
#define SAME_COMMENT(x, p) \
	x ".movie_id = " p ".movie_id AND " x ".parent_id IS NOT DISTINCT FROM " p ".parent_id AND " \
	x ".body = " p ".body AND " x ".created_at = " p ".at"
static struct mq_stmt apply_comments = MQ_STMT(
	"WITH ready AS (SELECT i.seq, i.movie_id, i.body, i.at, i.parent_ref, CASE WHEN i.parent_ref IS NULL "
	"    THEN NULL ELSE coalesce((SELECT p.result_id FROM import_items p WHERE p.job_id = $1 "
	"      AND p.kind = 'comment' AND p.ref = i.parent_ref ORDER BY p.seq LIMIT 1), "
	"    (SELECT x.id FROM comments x WHERE x.id = i.parent_ref AND x.movie_id = i.movie_id "
	"      AND x.deleted_at IS NULL AND x.created_at < i.at + interval '1 second' AND NOT EXISTS (SELECT 1 FROM import_items p "
	"        WHERE p.job_id = $1 AND p.kind = 'comment' AND p.ref = i.parent_ref))) END AS parent_id "
	"  FROM import_items i JOIN movies m ON m.id = i.movie_id AND m.provisional_by IS NULL "
	"  WHERE i.job_id = $1 AND i.kind = 'comment' AND i.result_id IS NULL), "
	"placed AS (SELECT r.*, p.depth AS parent_depth FROM ready r LEFT JOIN comments p ON p.id = r.parent_id "
	"  WHERE (r.parent_ref IS NULL OR r.parent_id IS NOT NULL) AND coalesce(p.depth, 0) < 10 "
	"  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p.user_id AND b.blocked_id = $2)), "
	"new AS (INSERT INTO comments (movie_id, user_id, parent_id, body, depth, created_at, updated_at) "
	"  SELECT DISTINCT ON (movie_id, parent_id, body, at) movie_id, $2, parent_id, body, "
	"    coalesce(parent_depth + 1, 0), at, at FROM placed pl "
	"  WHERE NOT EXISTS (SELECT 1 FROM comments x WHERE x.user_id = $2 AND x.deleted_at IS NULL AND "
	     SAME_COMMENT("x", "pl") ") "
	"  ORDER BY movie_id, parent_id, body, at "
	"  RETURNING id, movie_id, parent_id, body, created_at), "
	"marked AS (UPDATE import_items i SET result_id = coalesce("
	"    (SELECT n.id FROM new n WHERE " SAME_COMMENT("n", "pl") "), "
	"    (SELECT x.id FROM comments x WHERE x.user_id = $2 AND x.deleted_at IS NULL AND "
	     SAME_COMMENT("x", "pl") " ORDER BY x.id LIMIT 1)) "
	"  FROM placed pl WHERE i.job_id = $1 AND i.seq = pl.seq RETURNING 1) "
	"SELECT (SELECT count(*) FROM new), (SELECT count(*) FROM marked)");

/* Whom the file follows: active users of those names, not the user,
 * with no block between them; each row marked with the user's id. */
static struct mq_stmt apply_follows = MQ_STMT(
	"WITH found AS (UPDATE import_items i SET result_id = u.id FROM users u "
	"  WHERE i.job_id = $1 AND i.kind = 'follow' AND lower(u.username) = lower(i.data->>'username') "
	"  AND u.is_active AND u.deleted_at IS NULL AND u.id <> $2 AND NOT blocked_between($2, u.id) "
	"  RETURNING u.id), "
	"ins AS (INSERT INTO follows (follower_id, followee_id) SELECT DISTINCT $2, id FROM found "
	"  ON CONFLICT DO NOTHING RETURNING 1) "
	"SELECT count(*) FROM ins");

/* The profile's fields the user has left empty, from the file's last. */
static struct mq_stmt apply_profile = MQ_STMT(
	"WITH p AS (SELECT data FROM import_items WHERE job_id = $1 AND kind = 'profile' "
	"           ORDER BY seq DESC LIMIT 1), "
	"v AS (SELECT u.id, CASE WHEN u.display_name = '' THEN coalesce(p.data->>'display_name', '') "
	"        ELSE u.display_name END AS display_name, "
	"      CASE WHEN u.bio = '' THEN coalesce(p.data->>'bio', '') ELSE u.bio END AS bio, "
	"      coalesce(u.locale, p.data->>'locale') AS locale, coalesce(u.region, p.data->>'region') AS region "
	"      FROM users u, p WHERE u.id = $2), "
	"up AS (UPDATE users u SET display_name = v.display_name, bio = v.bio, locale = v.locale, "
	"         region = v.region FROM v WHERE u.id = v.id AND (u.display_name, u.bio, u.locale, u.region) "
	"         IS DISTINCT FROM (v.display_name, v.bio, v.locale, v.region) RETURNING 1) "
	"SELECT count(*) FROM up");

/* Notification settings of kinds the user has not set. */
static struct mq_stmt apply_settings = MQ_STMT(
	"WITH src AS (SELECT DISTINCT ON (data->>'kind') data->>'kind' AS kind, (data->>'in_app')::boolean "
	"             AS in_app, (data->>'email')::boolean AS email, (data->>'push')::boolean AS push "
	"             FROM import_items WHERE job_id = $1 AND kind = 'setting' ORDER BY data->>'kind', seq DESC), "
	"ins AS (INSERT INTO notification_settings (user_id, kind, in_app, email, push) "
	"        SELECT $2, kind, in_app, email, push FROM src ON CONFLICT (user_id, kind) DO NOTHING "
	"        RETURNING 1) "
	"SELECT count(*) FROM ins");

static struct mq_stmt social_rows = MQ_STMT_READ(
	"SELECT kind, count(*), count(result_id) FROM import_items WHERE job_id = $1 "
	"AND kind IN ('follow', 'profile', 'setting') GROUP BY kind");

/* Follows of no user here; comments whose movie matched but whose
 * parent is nowhere here (or too deep, or its author blocks the user). */
static struct mq_stmt unmatched_follows = MQ_STMT_READ(
	"SELECT DISTINCT data->>'username' FROM import_items WHERE job_id = $1 AND kind = 'follow' "
	"AND result_id IS NULL ORDER BY 1 LIMIT " MQ_STRINGIFY(UNMATCHED_SHOWN));
static struct mq_stmt unplaced_comments = MQ_STMT_READ(
	"SELECT source FROM import_items WHERE job_id = $1 AND kind = 'comment' AND movie_id IS NOT NULL "
	"AND result_id IS NULL ORDER BY seq LIMIT " MQ_STRINGIFY(UNMATCHED_SHOWN));

static struct mq_stmt matched = MQ_STMT_READ(
	"SELECT kind, count(movie_id) FROM import_items WHERE job_id = $1 GROUP BY kind");

static struct mq_stmt unmatched = MQ_STMT_READ(
	"SELECT count(*) OVER () AS total, source, title, year, tmdb_id, imdb_id "
	"FROM import_items WHERE job_id = $1 AND movie_id IS NULL "
	"AND kind NOT IN ('follow', 'profile', 'setting') ORDER BY seq LIMIT " MQ_STRINGIFY(UNMATCHED_SHOWN));

static struct mq_stmt expired = MQ_STMT(
	"WITH old AS (SELECT id, file_path FROM portability_jobs "
	"             WHERE file_path IS NOT NULL AND expires_at < now() "
	"             ORDER BY expires_at LIMIT 100 FOR UPDATE SKIP LOCKED) "
	"UPDATE portability_jobs j SET file_path = NULL FROM old WHERE j.id = old.id "
	"RETURNING old.file_path");

static struct mq_stmt export_file = MQ_STMT_READ(
	"SELECT file_path, (SELECT username FROM users WHERE id = user_id) FROM portability_jobs "
	"WHERE id = $1 AND kind = 'export' AND state = 'done' AND file_path IS NOT NULL "
	"AND expires_at > now()");

/* ---- the signed link ---- */

static const char *signed_url(struct mq_ctx *c, const char *base, int64_t id, long long expires)
{
	char mac[MQ_MAC_TEXT_LEN + 1];

	if (!mq_mac(c->cfg, KEY_CONTEXT, mq_arena_printf(c->arena, "%lld.%lld", (long long)id, expires),
		    mac))
		return NULL;
	return mq_arena_printf(c->arena, "%s/api/exports/%lld/file/?expires=%lld&sig=%s", base,
			       (long long)id, expires, mac);
}

/* The job of res's row 0 as clients see it. */
static struct json_object *job_json(struct mq_ctx *c, PGresult *res)
{
	struct json_object *o = mq_row_owned(c->arena, res);
	bool export = strcmp(PQgetvalue(res, 0, 1), "export") == 0;
	int expires = PQfnumber(res, "expires");
	const char *url = NULL;

	json_object_object_del(o, "expires");
	if (!export) {
		struct json_object *report = json_object_object_get(o, "report");
		struct json_object *bad = report ? json_object_object_get(report, "invalid") : NULL;

		json_object_object_del(o, "size");
		json_object_object_del(o, "expires_at");
		/* the reasons rows were refused, in the reader's language */
		for (size_t i = 0; bad && i < json_object_array_length(bad); i++) {
			struct json_object *row = json_object_array_get_idx(bad, i);
			const char *why = json_object_get_string(json_object_object_get(row, "reason"));

			if (why)
				mq_json_add_str(row, "reason", mq_tr(c->lang, why));
		}
		return o;
	}
	json_object_object_del(o, "format");
	json_object_object_del(o, "rows");
	json_object_object_del(o, "report");
	if (!PQgetisnull(res, 0, expires) && strcmp(PQgetvalue(res, 0, 2), "done") == 0 &&
	    mq_row_int(res, 0, expires) > (int64_t)time(NULL))
		url = signed_url(c, c->origin ? c->origin : "", mq_row_int(res, 0, 0),
				 mq_row_int(res, 0, expires));
	mq_json_add_str(o, "url", url);
	return o;
}

static const char *hex(struct mq_arena *a, const void *body, size_t len)
{
	char *out = mq_arena_alloc(a, len * 2 + 1);

	sodium_bin2hex(out, len * 2 + 1, body, len);
	return out;
}

static enum mq_status queue_job(struct mq_ctx *c, int64_t user, const char *kind, const char *hexbody,
				struct json_object **out)
{
	const char *p[] = { mq_arena_int(c->arena, user), kind, hexbody };
	PGresult *res = mq_db_q(c, &queue, 3, p);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_CONFLICT, NULL, "An %s of yours is under way: wait for it to "
				    "finish.", kind);
	*out = job_json(c, res);
	return MQ_OK;
}

enum mq_status mq_import_queue(struct mq_ctx *c, int64_t user, const void *body, size_t len,
			       struct json_object **out)
{
	if (len == 0)
		return mq_fail_with(c, MQ_INVALID, NULL, "The body is empty: send the export file.");
	return queue_job(c, user, "import", hex(c->arena, body, len), out);
}

enum mq_status mq_export_queue(struct mq_ctx *c, int64_t user, struct json_object **out)
{
	return queue_job(c, user, "export", NULL, out);
}

enum mq_status mq_port_job_get(struct mq_ctx *c, int64_t user, int64_t id, const char *kind,
			       struct json_object **out)
{
	const char *p[] = { mq_arena_int(c->arena, id), mq_arena_int(c->arena, user), kind };
	PGresult *res = mq_db_q(c, &get_job, 3, p);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "You have no %s with id %lld.", kind,
				    (long long)id);
	*out = job_json(c, res);
	return MQ_OK;
}

/* ---- imports ---- */

static struct json_object *item_json(const struct mq_import_item *it, int seq)
{
	struct json_object *o = json_object_new_object();

	mq_json_add_int(o, "seq", seq);
	mq_json_add_str(o, "kind", mq_item_kind_names[it->kind]);
	mq_json_add_str(o, "source", it->source);
	if (it->tmdb_id)
		mq_json_add_int(o, "tmdb_id", it->tmdb_id);
	mq_json_add_str(o, "imdb_id", it->imdb_id);
	mq_json_add_str(o, "title", it->title);
	if (it->year)
		mq_json_add_int(o, "year", it->year);
	if (it->half_stars)
		json_object_object_add(o, "rating", json_object_new_double(it->half_stars / 2.0));
	mq_json_add_str(o, "at", it->at);
	mq_json_add_str(o, "body", it->body);
	mq_json_add_str(o, "heading", it->heading);
	mq_json_add_str(o, "priority", it->priority);
	mq_json_add_str(o, "list", it->list);
	mq_json_add_str(o, "list_description", it->list_description);
	if (it->list_public >= 0)
		json_object_object_add(o, "list_public", json_object_new_boolean(it->list_public));
	if (it->position)
		mq_json_add_int(o, "position", it->position);
	if (it->ref)
		mq_json_add_int(o, "ref", it->ref);
	if (it->parent_ref)
		mq_json_add_int(o, "parent_ref", it->parent_ref);
	if (it->data)
		json_object_object_add(o, "data", json_object_get(it->data));
	return o;
}

static enum mq_status store_items(struct mq_ctx *c, const char *job, const struct mq_import *im)
{
	for (int from = 0; from < im->n; from += ITEMS_PER_STATEMENT) {
		struct json_object *a = mq_json_array(c->arena);

		for (int i = from; i < im->n && i < from + ITEMS_PER_STATEMENT; i++)
			json_object_array_add(a, item_json(&im->items[i], i));
		const char *p[] = { job, mq_json_render(a, NULL) };
		if (mq_db_q(c, &insert_items, 2, p) == NULL)
			return mq_db_failure(c);
	}
	return MQ_OK;
}

/* Runs st ($1 job, $2 user), its count into *n. */
static enum mq_status step(struct mq_ctx *c, struct mq_stmt *st, const char *const *p, int64_t *n)
{
	PGresult *res = mq_db_q(c, st, 2, p);

	if (res == NULL)
		return mq_db_failure(c);
	*n = PQntuples(res) > 0 ? mq_row_int(res, 0, 0) : 0;
	return MQ_OK;
}

static const struct {
	const char *key;
	struct mq_stmt *stmt;
	const char *kind;	/* the rows whose matches it counts */
} applies[] = {
	{ "ratings", &apply_ratings, "rating" },     { "reviews", &apply_reviews, "review" },
	{ "favorites", &apply_favorites, "favorite" }, { "watchlist", &apply_watchlist, "watchlist" },
	{ "history", &apply_watches, "watch" },      { "history_undated", &apply_watched, "watched" },
	{ "lists", &apply_lists, NULL },	     { "list_items", &apply_list_items, "list_item" },
};

static int64_t matched_of(PGresult *res, const char *kind)
{
	for (int i = 0; kind && i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), kind) == 0)
			return mq_row_int(res, i, 1);
	return 0;
}

/* Column 0 of res's rows, as an array of strings. */
static struct json_object *column(struct mq_ctx *c, PGresult *res)
{
	struct json_object *a = mq_json_array(c->arena);

	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(a, json_object_new_string(PQgetvalue(res, i, 0)));
	return a;
}

/* Column col of the row of res whose column 0 is kind (0 when none). */
static int64_t count_of(PGresult *res, const char *kind, int col)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), kind) == 0)
			return mq_row_int(res, i, col);
	return 0;
}

/* Adds the comments, round by round (a reply after its parent), the
 * follows, the profile and the settings; into added and kept. */
static enum mq_status apply_social(struct mq_ctx *c, const char *const *p, struct json_object *added,
				   struct json_object *kept)
{
	int64_t n, placed = 0, made = 0, marked;
	PGresult *res;
	enum mq_status st;

	/* comments nest at most 10 deep: 11 rounds place every one that can be */
	for (int round = 0; round < 11; round++) {
		if ((res = mq_db_q(c, &apply_comments, 2, p)) == NULL)
			return mq_db_failure(c);
		made += mq_row_int(res, 0, 0);
		marked = mq_row_int(res, 0, 1);
		placed += marked;
		if (marked == 0)
			break;
	}
	mq_json_add_int(added, "comments", made);
	mq_json_add_int(kept, "comments", placed - made);
	if ((st = step(c, &apply_follows, p, &n)) != MQ_OK)
		return st;
	if ((res = mq_db_q(c, &social_rows, 1, p)) == NULL)
		return mq_db_failure(c);
	mq_json_add_int(added, "follows", n);
	mq_json_add_int(kept, "follows", count_of(res, "follow", 2) - n);
	if ((st = step(c, &apply_profile, p, &n)) != MQ_OK)
		return st;
	mq_json_add_int(added, "profile", n);
	mq_json_add_int(kept, "profile", count_of(res, "profile", 1) > 0 ? 1 - n : 0);
	if ((st = step(c, &apply_settings, p, &n)) != MQ_OK)
		return st;
	mq_json_add_int(added, "notification_settings", n);
	mq_json_add_int(kept, "notification_settings", count_of(res, "setting", 1) - n);
	return MQ_OK;
}

/* Matches and adds the stored rows; the report into *report. */
static enum mq_status apply(struct mq_ctx *c, const char *job, const char *user,
			    const struct mq_import *im, struct json_object **report)
{
	const char *p[] = { job, user };
	struct json_object *added = json_object_new_object(), *kept = json_object_new_object(), *u;
	PGresult *m, *un, *uf, *uc;
	enum mq_status st;
	int64_t n;

	*report = mq_json_object(c->arena);
	json_object_object_add(*report, "added", added);
	json_object_object_add(*report, "unchanged", kept);
	if ((st = step(c, &match, p, &n)) != MQ_OK)
		return st;
	const char *pj[] = { job };
	if ((m = mq_db_q(c, &matched, 1, pj)) == NULL)
		return mq_db_failure(c);
	for (size_t i = 0; i < MQ_ARRAY_LEN(applies); i++) {
		if (applies[i].stmt == &apply_list_items && (st = step(c, &lock_lists, p, &n)) != MQ_OK)
			return st;
		if ((st = step(c, applies[i].stmt, p, &n)) != MQ_OK)
			return st;
		mq_json_add_int(added, applies[i].key, n);
		if (applies[i].kind)
			mq_json_add_int(kept, applies[i].key, matched_of(m, applies[i].kind) - n);
	}
	if (strcmp(im->format, "marquee") == 0 && (st = apply_social(c, p, added, kept)) != MQ_OK)
		return st;
	if ((un = mq_db_q(c, &unmatched, 1, pj)) == NULL || (uf = mq_db_q(c, &unmatched_follows, 1, pj)) == NULL ||
	    (uc = mq_db_q(c, &unplaced_comments, 1, pj)) == NULL)
		return mq_db_failure(c);
	u = mq_rows_array(c->arena, un);
	for (size_t i = 0; i < json_object_array_length(u); i++)
		json_object_object_del(json_object_array_get_idx(u, i), "total");
	mq_json_add_int(*report, "rows", im->n);
	mq_json_add_int(*report, "unmatched_count", PQntuples(un) ? mq_row_int(un, 0, 0) : 0);
	json_object_object_add(*report, "unmatched", json_object_get(u));
	json_object_object_add(*report, "unmatched_follows", json_object_get(column(c, uf)));
	json_object_object_add(*report, "unplaced_comments", json_object_get(column(c, uc)));
	mq_json_add_int(*report, "invalid_count", im->invalid_count);
	json_object_object_add(*report, "invalid", json_object_get(im->invalid));
	mq_json_add_int(*report, "skipped_count", im->skipped_count);
	return MQ_OK;
}

static enum mq_status run_import(struct mq_ctx *c, const char *job, const char *user,
				 const char *hexbody, struct json_object **report, const char **format,
				 int *rows)
{
	size_t cap = strlen(hexbody) / 2 + 1, len = 0;
	unsigned char *body = mq_arena_alloc(c->arena, cap);
	struct mq_import im;
	enum mq_status st;

	if (sodium_hex2bin(body, cap, hexbody, strlen(hexbody), NULL, &len, NULL) < 0)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "The stored upload cannot be read.");
	if ((st = mq_import_parse(c, body, len, &im)) != MQ_OK)
		return st;
	*format = im.format;
	*rows = im.n;
	const char *p[] = { job };
	if (mq_db_begin(c->db) < 0)
		return mq_db_failure(c);
	if (mq_db_q(c, &drop_items, 1, p) == NULL)
		return mq_db_failure(c);
	if ((st = store_items(c, job, &im)) != MQ_OK || (st = apply(c, job, user, &im, report)) != MQ_OK)
		return st;
	if (mq_db_q(c, &drop_items, 1, p) == NULL)
		return mq_db_failure(c);
	return MQ_OK;	/* the caller commits, with the job's end */
}

/* ---- the worker ---- */

static bool own_failure(enum mq_status st)
{
	return st == MQ_INVALID || st == MQ_UNSUPPORTED || st == MQ_TOO_LARGE;
}

static enum mq_status failed(struct mq_ctx *c, const char *job, const char *why)
{
	const char *p[] = { job, why };

	if (mq_db_in_transaction(c->db))
		mq_db_rollback(c->db);
	return mq_db_q(c, &fail_job, 2, p) ? MQ_OK : mq_db_failure(c);
}

static enum mq_status do_import(struct mq_ctx *c, PGresult *job)
{
	const char *id = PQgetvalue(job, 0, 0), *user = PQgetvalue(job, 0, 2), *format = NULL;
	struct json_object *report = NULL;
	enum mq_status st;
	int rows = 0;

	if (PQgetisnull(job, 0, 4))
		return failed(c, id, "The upload is gone.");
	st = run_import(c, id, user, PQgetvalue(job, 0, 4), &report, &format, &rows);
	if (own_failure(st))
		return failed(c, id, c->err.detail ? c->err.detail : "The file cannot be imported.");
	if (st != MQ_OK)
		return st;
	const char *p[] = { id, format, mq_arena_int(c->arena, rows), mq_json_render(report, NULL) };
	if (mq_db_q(c, &finish_import, 4, p) == NULL)
		return mq_db_failure(c);
	if (mq_db_commit(c->db) < 0)
		return mq_db_failure(c);
	mq_catalog_changed(c);	/* the movies' averages and counts */
	mq_favorites_changed(c, user);
	return MQ_OK;
}

static enum mq_status do_export(struct mq_ctx *c, PGresult *job)
{
	const char *id = PQgetvalue(job, 0, 0);
	const char *dir = mq_arena_printf(c->arena, "%s/protected/exports", c->cfg->media_dir);
	unsigned char rnd[12];
	char token[32];
	struct mq_zip_entry *e;
	enum mq_status st;
	const char *err, *rel, *path, *url;
	PGresult *res;
	struct stat sb;
	int n;

	if ((st = mq_export_build(c, mq_row_int(job, 0, 2), &e, &n)) != MQ_OK)
		return st;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, sizeof(token), rnd, sizeof(rnd));
	rel = mq_arena_printf(c->arena, "exports/marquee-%s-%s-%s.zip", PQgetvalue(job, 0, 6), id, token);
	path = mq_arena_printf(c->arena, "%s/protected/%s", c->cfg->media_dir, rel);
	if ((mkdir(mq_arena_printf(c->arena, "%s/protected", c->cfg->media_dir), 0755) < 0 &&
	     errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return mq_fail_with(c, MQ_INTERNAL, NULL, "%s: %s", dir, strerror(errno));
	if (mq_zip_write(path, e, n, &err) < 0)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "%s: %s", path, err);
	if (stat(path, &sb) < 0)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "%s: %s", path, strerror(errno));
	const char *p[] = { id, rel, mq_arena_int(c->arena, sb.st_size),
			    mq_arena_int(c->arena, c->cfg->port_export_ttl_ms) };
	if (mq_db_begin(c->db) < 0)
		goto db_failed;
	if ((res = mq_db_q(c, &finish_export, 4, p)) == NULL || PQntuples(res) != 1)
		goto db_failed;
	url = signed_url(c, mq_outbox_base(c), mq_row_int(job, 0, 0), mq_row_int(res, 0, 0));
	if (url == NULL) {
		mq_db_rollback(c->db);
		unlink(path);
		return mq_fail_with(c, MQ_INTERNAL, NULL, "There is no key to sign links with.");
	}
	if ((st = mq_outbox_queue(c, PQgetvalue(job, 0, 5), "Your Marquee data export is ready",
				  mq_arena_printf(c->arena,
						  "Hello %s,\n\nthe export of your Marquee data you asked for is "
						  "ready: everything you have with us, as JSON and as CSV files "
						  "Letterboxd can import.\n\nDownload it (%s bytes) until %s:\n\n%s\n\n"
						  "If you did not ask for it, change your password: whoever did "
						  "knows it.\n",
						  PQgetvalue(job, 0, 6), mq_arena_int(c->arena, sb.st_size),
						  PQgetvalue(res, 0, 1), url))) != MQ_OK) {
		unlink(path);
		return st;
	}
	if (mq_db_commit(c->db) < 0)
		goto db_failed;
	return MQ_OK;
db_failed:
	st = mq_db_failure(c);
	unlink(path);
	return st;
}

enum mq_status mq_port_work_one(struct mq_ctx *c, int64_t only, int64_t *ran)
{
	const char *p[] = { mq_arena_int(c->arena, c->cfg->port_lease_ms),
			    only ? mq_arena_int(c->arena, only) : NULL };
	PGresult *job = mq_db_q(c, &claim, 2, p);
	enum mq_status st;

	*ran = 0;
	if (job == NULL)
		return mq_db_failure(c);
	if (PQntuples(job) == 0)
		return MQ_OK;
	*ran = mq_row_int(job, 0, 0);
	if (mq_row_int(job, 0, 3) > 3)
		return failed(c, PQgetvalue(job, 0, 0), "The job failed three times; ask again.");
	st = strcmp(PQgetvalue(job, 0, 1), "import") == 0 ? do_import(c, job) : do_export(c, job);
	if (mq_db_in_transaction(c->db))
		mq_db_rollback(c->db);
	return st;
}

enum mq_status mq_port_sweep(struct mq_ctx *c, int64_t *n)
{
	PGresult *res = mq_db_q(c, &expired, 0, NULL);

	*n = 0;
	if (res == NULL)
		return mq_db_failure(c);
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 0) &&
		    unlink(mq_arena_printf(c->arena, "%s/protected/%s", c->cfg->media_dir,
					   PQgetvalue(res, i, 0))) == 0)
			(*n)++;
	return MQ_OK;
}

enum mq_status mq_export_open(struct mq_ctx *c, int64_t id, const char *expires, const char *sig,
			      const char **path, const char **name)
{
	char *end = NULL;
	long long exp = expires ? strtoll(expires, &end, 10) : 0;
	PGresult *res;

	if (expires == NULL || sig == NULL || end == expires || *end != '\0' ||
	    !mq_mac_ok(c->cfg, KEY_CONTEXT, mq_arena_printf(c->arena, "%lld.%lld", (long long)id, exp),
		       sig))
		return mq_fail_with(c, MQ_FORBIDDEN, NULL, "This link is not valid: ask for your "
				    "export's link again.");
	if (exp < (long long)time(NULL))
		return mq_fail_with(c, MQ_FORBIDDEN, NULL, "This link has expired.");
	const char *p[] = { mq_arena_int(c->arena, id) };
	if ((res = mq_db_q(c, &export_file, 1, p)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "This export is no longer kept.");
	*path = mq_arena_printf(c->arena, "/protected-media/%s", PQgetvalue(res, 0, 0));
	*name = mq_arena_printf(c->arena, "marquee-%s.zip", PQgetvalue(res, 0, 1));
	return MQ_OK;
}

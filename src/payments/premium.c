/*
 * premium.c: premium extras and their signed URLs (see premium.h).
 */
#include "payments/premium.h"

#include <sys/stat.h>
#include <time.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "core/mac.h"
#include "db/db.h"
#include "db/rows.h"
#include "payments/subscriptions.h"

#define KEY_CONTEXT "marquee premium media v1"
#define DEFAULT_FEATURE "premium_media"

#define EXTRA_COLUMNS "e.id, e.movie_id AS movie, e.title, e.content_type, e.feature "

static struct mq_stmt add = MQ_STMT(
	"INSERT INTO premium_extras AS e (movie_id, title, file_path, content_type, feature) "
	"SELECT m.id, $2, $3, $4, $5 FROM movies m WHERE m.id = $1 RETURNING " EXTRA_COLUMNS);

static struct mq_stmt del = MQ_STMT("DELETE FROM premium_extras WHERE id = $1 RETURNING id");

static struct mq_stmt list = MQ_STMT_READ(
	"SELECT " EXTRA_COLUMNS ", EXISTS (SELECT 1 FROM movies WHERE id = $1) AS movie_exists "
	"FROM (SELECT 1) one LEFT JOIN premium_extras e ON e.movie_id = $1 ORDER BY e.id");

static struct mq_stmt one = MQ_STMT_READ(
	"SELECT file_path, content_type FROM premium_extras WHERE id = $1");

/* A path we take: segments of [A-Za-z0-9_.-], none empty or starting with a dot. */
static bool path_ok(const char *p)
{
	size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./");

	if (n == 0 || n > 300 || p[n] != '\0' || *p == '/')
		return false;
	for (const char *s = p; *s; s++)
		if ((s == p || s[-1] == '/') && (*s == '.' || *s == '/'))
			return false;
	return p[n - 1] != '/';
}

enum mq_status mq_extras_add(struct mq_ctx *c, const struct mq_extra_input *in,
			     struct json_object **out)
{
	struct stat st;
	PGresult *res;

	if (!path_ok(in->file) ||
	    stat(mq_arena_printf(c->arena, "%s/protected/%s", c->cfg->media_dir, in->file), &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return mq_fail_field(c, MQ_INVALID, "file", N_("Must name a file under the media "
				     "directory's protected/."), N_("No such protected file."));
	const char *p[] = { mq_arena_int(c->arena, in->movie), in->title, in->file, in->content_type,
			    in->feature ? in->feature : DEFAULT_FEATURE };
	if ((res = mq_db_q(c, &add, 5, p)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_field(c, MQ_INVALID, "movie", N_("No movie has this id."), N_("No movie has this id."));
	*out = mq_row_owned(c->arena, res);
	return MQ_OK;
}

enum mq_status mq_extras_remove(struct mq_ctx *c, int64_t id)
{
	const char *p[] = { mq_arena_int(c->arena, id) };
	PGresult *res = mq_db_q(c, &del, 1, p);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No extra with id %lld.", (long long)id);
	return MQ_OK;
}

/* The signed URL of extra id, good until expires. */
static const char *signed_url(struct mq_ctx *c, const char *id, long long expires)
{
	char mac[MQ_MAC_TEXT_LEN + 1];
	const char *text = mq_arena_printf(c->arena, "%s.%lld", id, expires);

	if (!mq_mac(c->cfg, KEY_CONTEXT, text, mac))
		return NULL;
	return mq_arena_printf(c->arena, "%s/api/extras/%s/file/?expires=%lld&sig=%s", c->origin, id,
			       expires, mac);
}

static const char *rfc3339(struct mq_arena *a, time_t t)
{
	char buf[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return mq_arena_strdup(a, buf);
}

/* Whether user may have the extras of res (each names its feature). */
static enum mq_status entitled_to_all(struct mq_ctx *c, int64_t user, PGresult *res,
				      struct json_object **plan)
{
	enum mq_status st;
	bool ok;

	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 0))
			continue;
		if ((st = mq_subs_entitled(c, user, PQgetvalue(res, i, 4), &ok, plan)) != MQ_OK)
			return st;
		if (!ok)
			return *plan ? mq_fail_with(c, MQ_FORBIDDEN, NULL, "This movie's extras come with "
						    "a subscription to %s.",
						    json_object_get_string(json_object_object_get(*plan, "name")))
				     : mq_fail_with(c, MQ_FORBIDDEN, NULL, "This movie's extras are not "
						    "offered with any plan at the moment.");
	}
	return MQ_OK;
}

enum mq_status mq_extras_list(struct mq_ctx *c, int64_t user, int64_t movie,
			      struct json_object **out, struct json_object **plan)
{
	const char *p[] = { mq_arena_int(c->arena, movie) };
	long long expires = (long long)time(NULL) + MQ_EXTRA_URL_TTL;
	PGresult *res = mq_db_q(c, &list, 1, p);
	enum mq_status st;

	*plan = NULL;
	if (res == NULL)
		return mq_db_failure(c);
	if (PQgetvalue(res, 0, PQnfields(res) - 1)[0] != 't')
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No movie with id %lld.", (long long)movie);
	if ((st = entitled_to_all(c, user, res, plan)) != MQ_OK)
		return st;
	*out = mq_json_array(c->arena);
	for (int i = 0; i < PQntuples(res) && !PQgetisnull(res, i, 0); i++) {
		struct json_object *o = mq_row_columns(res, i, 0, PQnfields(res) - 1);
		const char *url = signed_url(c, PQgetvalue(res, i, 0), expires);

		if (url == NULL) {
			json_object_put(o);
			return mq_fail_with(c, MQ_INTERNAL, NULL, "There is no key to sign URLs with.");
		}
		mq_json_add_str(o, "url", url);
		mq_json_add_str(o, "expires_at", rfc3339(c->arena, (time_t)expires));
		json_object_array_add(*out, o);
	}
	return MQ_OK;
}

enum mq_status mq_extras_open(struct mq_ctx *c, int64_t id, const char *expires, const char *sig,
			      const char **path, const char **type)
{
	const char *ids = mq_arena_int(c->arena, id);
	char *end = NULL;
	long long exp = expires ? strtoll(expires, &end, 10) : 0;
	PGresult *res;

	if (expires == NULL || sig == NULL || end == expires || *end != '\0' ||
	    !mq_mac_ok(c->cfg, KEY_CONTEXT, mq_arena_printf(c->arena, "%s.%lld", ids, exp), sig))
		return mq_fail_with(c, MQ_FORBIDDEN, NULL, "This link is not valid: ask for the "
				    "movie's extras again.");
	if (exp < (long long)time(NULL))
		return mq_fail_with(c, MQ_FORBIDDEN, NULL, "This link has expired: ask for the movie's "
				    "extras again.");
	const char *p[] = { ids };
	if ((res = mq_db_q(c, &one, 1, p)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No extra with id %lld.", (long long)id);
	*path = mq_arena_printf(c->arena, "/protected-media/%s", PQgetvalue(res, 0, 0));
	*type = PQgetvalue(res, 0, 1);
	return MQ_OK;
}

/*
 * users.c: registration, one's own profile, public profiles, avatars.
 */
#include <ctype.h>

#include "accounts/account.h"
#include "accounts/password.h"
#include "accounts/verification.h"
#include "cache/cache.h"
#include "core/config.h"
#include "core/json.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/upload.h"
#include "notify/outbox.h"
#include "storage/image.h"
#include "storage/media.h"

/* Fields shown on a user that no request may set. */
static const char *const read_only[] = {
	"id", "role", "is_active", "email_verified", "email_verified_at", "date_joined",
	"avatar_url", "avatar_sizes", "token_version", "password_hash", NULL,
};

static struct mq_stmt insert_user = MQ_STMT(
	"INSERT INTO users AS u (username, email, password_hash) VALUES ($1, $2, $3) "
	"RETURNING " MQ_USER_PRIVATE);

static struct mq_stmt select_me = MQ_STMT_READ(
	"SELECT " MQ_USER_PRIVATE " FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL");

static struct mq_stmt update_me = MQ_STMT(
	"UPDATE users AS u SET "
	"  display_name = CASE WHEN $2::bool THEN $3 ELSE display_name END, "
	"  bio = CASE WHEN $4::bool THEN $5 ELSE bio END, "
	"  locale = CASE WHEN $6::bool THEN $7 ELSE locale END, "
	"  region = CASE WHEN $8::bool THEN $9 ELSE region END, "
	"  updated_at = now() "
	"WHERE u.id = $1 AND u.deleted_at IS NULL RETURNING " MQ_USER_PRIVATE);

static struct mq_stmt select_public = MQ_STMT_READ(
	"SELECT " MQ_USER_PUBLIC " FROM users u "
	"WHERE lower(u.username) = lower($1) AND u.is_active AND u.deleted_at IS NULL");

static struct mq_stmt set_avatar = MQ_STMT(
	"UPDATE users u SET avatar_path = $2, updated_at = now() "
	"FROM (SELECT avatar_path AS old FROM users WHERE id = $1 AND deleted_at IS NULL "
	"      FOR UPDATE) o "
	"WHERE u.id = $1 RETURNING o.old");

/*
 * Registration says when a username or an address is taken: the
 * contract answers 201 with the new user, and a feigned success for a
 * taken address would be told apart anyway, by its username staying free
 * for the next registration.  Probing addresses through it is limited
 * instead (issue 12, finding 7), in memcached, for [auth] register_window:
 *
 *   per client address, registrations refused for a taken username or
 *       address: each registration reserves one before its account is
 *       written and gives it back unless it was refused so (parallel
 *       probes cannot slip past; successes never count); past
 *       register_max_refusals every registration from there is a 429;
 *   per email address, lower-cased (mq_email_problem admits ASCII only,
 *       so this is the database's lower()), every attempt from anywhere:
 *       past register_max_per_email, a 429 for that address.
 *
 * A 429 comes whatever the fields, so it tells nothing either.  When
 * memcached does not answer nothing is counted (fails open, as the login
 * limit does; nginx's limit per client address still holds).
 */
struct reg_limit {
	const char *per_client;	/* reserved: give back unless refused as taken */
};

static mq_reply reg_limited(struct mq_req *r, const char *reason)
{
	mq_req_event(r, MQ_LOG_WARN, "register_limited", 0, "reason", reason, NULL);
	mq_resp_header(r, "Retry-After", mq_arena_int(r->arena, r->ctx.cfg->register_window_ms / 1000));
	return mq_problem(r, 429, "Too many registration attempts; try again later.");
}

/* Counts the attempt and reserves a refusal, or answers 429. */
static mq_reply reg_allowed(struct mq_req *r, const char *email, struct reg_limit *l)
{
	const struct mq_config *cfg = r->ctx.cfg;
	int window = cfg->register_window_ms / 1000;
	char *key = mq_arena_printf(r->arena, "register-email:%s", email);

	l->per_client = NULL;
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (cfg->register_max_per_email > 0 &&
	    mq_cache_incr(r->ctx.cache, key, window) > (uint64_t)cfg->register_max_per_email)
		return reg_limited(r, "email");
	if (cfg->register_max_refusals == 0)
		return MQ_NEXT;
	key = mq_arena_printf(r->arena, "register-refused:%s", mq_req_client(r));
	if (mq_cache_incr(r->ctx.cache, key, window) > (uint64_t)cfg->register_max_refusals)
		return reg_limited(r, "address");
	l->per_client = key;
	return MQ_NEXT;
}

/* Unique violations on register: which field is taken. */
static mq_reply taken(struct mq_req *r)
{
	const char *c = mq_db_constraint(r->ctx.db);
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };

	mq_db_rollback(r->ctx.db);
	if (strcmp(c, "users_username_key") == 0)
		mq_form_error(&f, "username", "A user with that username already exists.");
	else if (strcmp(c, "users_email_key") == 0)
		mq_form_error(&f, "email", "A user with that email already exists.");
	else
		return mq_fail_db(r);
	return mq_form_end(&f);
}

/* The account, made; *refused when a username or address was taken. */
static mq_reply create_user(struct mq_req *r, const char *username, const char *email,
			    const char *password, bool *refused)
{
	char hash[MQ_PASSWORD_HASH_MAX];
	struct json_object *user;
	enum mq_status st;
	PGresult *res;

	*refused = false;
	if (mq_password_hash(r->ctx.cfg, password, hash) < 0)
		return mq_problem(r, 503, "The server is short of memory; try again shortly.");

	const char *params[] = { username, email, hash };
	if (mq_db_begin(r->ctx.db) < 0)
		return mq_fail_db(r);
	res = mq_q(r, &insert_user, 3, params);
	if (res == NULL && strcmp(mq_db_sqlstate(r->ctx.db), "23505") == 0) {
		*refused = true;
		return taken(r);
	}
	if (res == NULL)
		return mq_fail_db(r);
	user = mq_row_owned(r->arena, res);
	/* Counted against the address's mail limit, which resend checks;
	 * never refused here, where an address can come only once. */
	mq_outbox_allow(&r->ctx, "verify_email", email);
	if ((st = mq_verification_send(&r->ctx, mq_row_int(res, 0, 0), email)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_db_commit(r->ctx.db) < 0)
		return mq_fail_db(r);
	mq_account_finish(&r->ctx, user);
	return mq_respond_json(r, 201, user);
}

/* POST /api/users/register/ {username, email, password} -> 201 user */
mq_reply mq_users_register(struct mq_req *r)
{
	static const char *const fields[] = { "username", "email", "password", NULL };
	const char *username, *email, *password, *why;
	struct reg_limit limit;
	struct mq_form f;
	bool refused;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	username = mq_form_string(&f, "username", MQ_REQUIRED, 1, 30);
	email = mq_form_string(&f, "email", MQ_REQUIRED, 1, 254);
	password = mq_form_string(&f, "password", MQ_REQUIRED, 1, MQ_PASSWORD_MAX_BYTES);
	if (username && (why = mq_username_problem(username)))
		mq_form_error(&f, "username", "%s", mq_tr(f.r->lang.ui, why));
	if (email && (why = mq_email_problem(email)))
		mq_form_error(&f, "email", "%s", mq_tr(f.r->lang.ui, why));
	if (password && (why = mq_password_problem(r->ctx.cfg, password)))
		mq_form_error(&f, "password", "%s", mq_tr(f.r->lang.ui, why));
	if (mq_done(rc = mq_form_end(&f)) || mq_done(rc = reg_allowed(r, email, &limit)))
		return rc;
	rc = create_user(r, username, email, password, &refused);
	if (limit.per_client && !refused)
		mq_cache_decr(r->ctx.cache, limit.per_client);
	return rc;
}

/* How much of each collection the user has (index-only counts). */
static struct mq_stmt select_counts = MQ_STMT_READ(
	"SELECT (SELECT count(*) FROM favorites WHERE user_id = $1) AS favorites, "
	"(SELECT count(*) FROM watchlist WHERE user_id = $1) AS watchlist, "
	"(SELECT count(*) FROM ratings WHERE user_id = $1) AS ratings, "
	"(SELECT count(*) FROM reviews WHERE user_id = $1) AS reviews");

static mq_reply respond_me(struct mq_req *r, PGresult *res)
{
	struct json_object *user = mq_row_owned(r->arena, res);
	const char *id = mq_req_user_text(r);

	if (user == NULL)
		return mq_problem(r, 404, "This account no longer exists.");
	if ((res = mq_q(r, &select_counts, 1, &id)) == NULL)
		return mq_fail_db(r);
	json_object_object_add(user, "counts", mq_row_object(res, 0));
	mq_account_finish(&r->ctx, user);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, user);
}

/* GET /api/users/me/ */
mq_reply mq_users_me(struct mq_req *r)
{
	const char *id = mq_req_user_text(r);
	PGresult *res = mq_q(r, &select_me, 1, &id);

	return res ? respond_me(r, res) : mq_fail_db(r);
}

/* One nullable code field (locale or region) of a profile update. */
static void code_field(struct mq_form *f, const char *name, bool (*ok)(const char *),
		       const char *example, bool put, const char **flag, const char **value)
{
	bool null;
	const char *v = mq_form_string_or_null(f, name, 2, 6, &null);

	*flag = put || mq_form_has(f, name) ? "true" : "false";
	*value = v;
	if (v && !ok(v))
		mq_form_error(f, name, "Use a code such as %s.", example);
}

static void text_field(struct mq_form *f, const char *name, int max, bool put, const char **flag,
		       const char **value)
{
	const char *v = mq_form_string(f, name, MQ_OPTIONAL, 0, max);

	*flag = put || mq_form_has(f, name) ? "true" : "false";
	*value = v ? v : "";
}

/* PUT (every field; missing ones reset) and PATCH (the fields given)
 * /api/users/me/ {display_name, bio, locale, region} */
static mq_reply update_profile(struct mq_req *r, bool put)
{
	static const char *const fields[] = { "display_name", "bio", "locale", "region",
					      "username", "email", NULL };
	const char *p[9];
	struct mq_form f;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, read_only)))
		return rc;
	/* Username and email are shown but changed elsewhere (or not at all). */
	if (mq_form_has(&f, "username"))
		mq_form_error(&f, "username", "This field cannot be changed.");
	if (mq_form_has(&f, "email"))
		mq_form_error(&f, "email", "This field cannot be changed here.");
	p[0] = mq_req_user_text(r);
	text_field(&f, "display_name", 100, put, &p[1], &p[2]);
	text_field(&f, "bio", 2000, put, &p[3], &p[4]);
	code_field(&f, "locale", mq_locale_ok, "en-US or fr", put, &p[5], &p[6]);
	code_field(&f, "region", mq_region_ok, "US", put, &p[7], &p[8]);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	res = mq_q(r, &update_me, 9, p);
	return res ? respond_me(r, res) : mq_fail_db(r);
}

mq_reply mq_users_me_put(struct mq_req *r)
{
	return update_profile(r, true);
}

mq_reply mq_users_me_patch(struct mq_req *r)
{
	return update_profile(r, false);
}

/* GET /api/users/{username}/: public fields only. */
mq_reply mq_users_public(struct mq_req *r)
{
	const char *name = mq_req_str(r, "username");
	PGresult *res = mq_q(r, &select_public, 1, &name);
	struct json_object *user;

	if (res == NULL)
		return mq_fail_db(r);
	user = mq_row_owned(r->arena, res);
	if (user == NULL)
		return mq_problem(r, 404, "No user is called %s.", name);
	mq_account_finish(&r->ctx, user);
	return mq_respond_json(r, 200, user);
}

/* Sets the avatar to rel (NULL: none) and removes the old file, or
 * answers the failure.  An account erased meanwhile (the request was
 * authenticated before) keeps no avatar: the new file goes too. */
static mq_reply replace_avatar(struct mq_req *r, const char *rel)
{
	const char *params[] = { mq_req_user_text(r), rel };
	PGresult *res = mq_q(r, &set_avatar, 2, params);

	if (res == NULL || PQntuples(res) == 0) {
		mq_media_remove(&r->ctx, rel);
		if (res)
			return mq_problem(r, 404, "This account no longer exists.");
		return mq_fail_db(r);
	}
	if (!PQgetisnull(res, 0, 0))
		mq_media_remove(&r->ctx, PQgetvalue(res, 0, 0));
	return MQ_NEXT;
}

/* PUT /api/users/me/avatar/: the image is the body (PNG, JPEG or WebP,
 * told by its first bytes, and Content-Type must agree), decoded and
 * stored anew in its sizes (storage/image.h). */
mq_reply mq_users_avatar_put(struct mq_req *r)
{
	struct mq_image img;
	struct json_object *o;
	const char *rel;
	enum mq_status st;
	mq_reply rc;

	if (mq_done(rc = mq_req_image(r, r->ctx.cfg->avatar_max, &img)))
		return rc;
	if ((st = mq_image_store(&r->ctx, MQ_IMAGE_AVATAR, "avatars", mq_req_user_text(r), img.kind,
				 img.data, img.len, &rel)) != MQ_OK)
		return mq_fail(r, st);
	if (mq_done(rc = replace_avatar(r, rel)))
		return rc;
	o = mq_json_object(r->arena);
	mq_json_add_str(o, "avatar_url", mq_media_size_url(&r->ctx, rel, "medium"));
	json_object_object_add(o, "avatar_sizes", mq_media_sizes(&r->ctx, rel, MQ_IMAGE_AVATAR));
	return mq_respond_json(r, 200, o);
}

/* DELETE /api/users/me/avatar/ */
mq_reply mq_users_avatar_delete(struct mq_req *r)
{
	mq_reply rc;

	if (mq_done(rc = replace_avatar(r, NULL)))
		return rc;
	return mq_respond(r, 204, NULL, NULL, 0);
}

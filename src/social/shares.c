/*
 * shares.c: share links (see shares.h).
 */
#include "social/shares.h"

#include <sodium.h>

#include "catalog/movie_json.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"
#include "notify/outbox.h"
#include "notify/render.h"

#define CODE_BYTES 12	/* 16 characters of base64url, 96 bits */

/* The words people read on a link's page and in its share texts: every
 * one of them here, translated into the request's language (c->lang).
 * %s are the movie's title and year, the author, the list's name. */
static const struct {
	const char *movie;		/* title (year) */
	const char *movie_no_year;	/* title */
	const char *review;		/* author, title (year) */
	const char *list;		/* name, owner */
	const char *list_description;	/* owner */
	const char *share_text;		/* title */
	const char *site;
	const char *open;		/* the link to the web app */
	const char *missing_title;
	const char *missing;
} text = {
	.movie = "%s (%s)",
	.movie_no_year = "%s",
	.review = N_("%s on %s"),
	.list = N_("%s, a list by %s"),
	.list_description = N_("A list of movies by %s on Marquee."),
	.share_text = N_("%s on Marquee"),
	.site = "Marquee",
	.open = N_("Open in Marquee"),
	.missing_title = N_("Nothing here"),
	.missing = N_("This link leads nowhere: what it shared was removed or made private."),
};

/* A description at most 300 characters long. */
#define SHORT(x) "CASE WHEN length(" x ") > 300 THEN left(" x ", 299) || '…' ELSE " x " END"

/* The target of kind K and id ID (SQL expressions), if it may be shown
 * to anyone: title, year, author, description, image path (a poster). */
#define TARGET(K, ID) \
	"SELECT m.title, m.year::text AS year, NULL::text AS author, " SHORT("m.overview") " AS body, " \
	"  m.poster_path AS image FROM movies m " \
	"WHERE " K " = 'movie' AND m.id = " ID " AND m.provisional_by IS NULL " \
	"UNION ALL SELECT m.title, m.year::text, u.username, " \
	"  " SHORT("CASE WHEN v.title = '' THEN v.body ELSE v.title || ' — ' || v.body END") ", " \
	"  m.poster_path FROM reviews v JOIN movies m ON m.id = v.movie_id " \
	"  JOIN users u ON u.id = v.user_id " \
	"WHERE " K " = 'review' AND v.id = " ID " AND m.provisional_by IS NULL " \
	"  AND u.is_active AND u.deleted_at IS NULL " \
	"UNION ALL SELECT l.name, NULL, u.username, nullif(" SHORT("l.description") ", ''), " \
	"  (SELECT m.poster_path FROM list_items i JOIN movies m ON m.id = i.movie_id " \
	"   WHERE i.list_id = l.id AND m.provisional_by IS NULL AND m.poster_path IS NOT NULL " \
	"   ORDER BY i.position LIMIT 1) " \
	"FROM lists l JOIN users u ON u.id = l.user_id " \
	"WHERE " K " = 'list' AND l.id = " ID " AND l.is_public AND u.is_active AND u.deleted_at IS NULL"

/* $1 code, $2 me, $3 kind, $4 target: the target, and the link made now
 * (new) or before (old), or neither when one made meanwhile is not yet
 * visible (try again). */
static struct mq_stmt create_share = MQ_STMT(
	"WITH t AS (" TARGET("$3::text", "$4::bigint") "), "
	"ins AS (INSERT INTO shares (code, user_id, kind, movie_id, review_id, list_id) "
	"        SELECT $1, $2, $3, CASE WHEN $3 = 'movie' THEN $4::bigint END, "
	"               CASE WHEN $3 = 'review' THEN $4::bigint END, "
	"               CASE WHEN $3 = 'list' THEN $4::bigint END FROM t "
	"        ON CONFLICT (user_id, kind, (coalesce(movie_id, review_id, list_id))) DO NOTHING "
	"        RETURNING code) "
	"SELECT t.*, (SELECT code FROM ins) AS new, "
	"  (SELECT code FROM shares WHERE user_id = $2 AND kind = $3 "
	"   AND coalesce(movie_id, review_id, list_id) = $4::bigint) AS old FROM t");

/* $1 code, $2 whether to count the visit: its target and visits. */
static struct mq_stmt visit_share = MQ_STMT(
	"WITH s AS (SELECT kind, coalesce(movie_id, review_id, list_id) AS target, visits "
	"           FROM shares WHERE code = $1), "
	"t AS (" TARGET("(SELECT kind FROM s)", "(SELECT target FROM s)") "), "
	"up AS (UPDATE shares SET visits = visits + 1 "
	"       WHERE code = $1 AND $2::bool AND EXISTS (SELECT 1 FROM t) RETURNING visits) "
	"SELECT t.*, (SELECT kind FROM s), coalesce((SELECT visits FROM up), (SELECT visits FROM s)), "
	"  (SELECT target FROM s) FROM t");

enum { COL_TITLE, COL_YEAR, COL_AUTHOR, COL_BODY, COL_IMAGE, COL_NEXT };

static const char *value(PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col);
}

/* The target's title and description for people, from a TARGET row,
 * and its page in the web app. */
static void describe(struct mq_ctx *c, PGresult *res, const char *kind, const char *id,
		     struct mq_share_target *t)
{
	const char *title = value(res, COL_TITLE), *year = value(res, COL_YEAR);
	const char *author = value(res, COL_AUTHOR), *body = value(res, COL_BODY);
	const char *movie = year ? mq_words(c, text.movie, title, year)
				 : mq_words(c, text.movie_no_year, title);
	struct json_object *m = mq_json_object(c->arena), *url;

	t->kind = kind;
	t->app = mq_arena_printf(c->arena, "%s/%ss/%s", mq_outbox_base(c), kind, id);
	t->description = body ? body : "";
	if (strcmp(kind, "review") == 0) {
		t->title = mq_words(c, text.review, author, movie);
	} else if (strcmp(kind, "list") == 0) {
		t->title = mq_words(c, text.list, title, author);
		if (body == NULL)
			t->description = mq_words(c, text.list_description, author);
	} else {
		t->title = movie;
	}
	/* a movie's poster URL, as its JSON has it */
	mq_json_add_str(m, "poster_path", value(res, COL_IMAGE));
	mq_movie_add_urls(c, m);
	t->image = json_object_object_get_ex(m, "poster_url", &url) && url
			   ? mq_arena_strdup(c->arena, json_object_get_string(url)) : NULL;
}

static const char *link_of(struct mq_ctx *c, const char *code)
{
	size_t n = strlen(c->origin);

	while (n > 0 && c->origin[n - 1] == '/')
		n--;
	return mq_arena_printf(c->arena, "%.*s/s/%s", (int)n, c->origin, code);
}

/* s percent-encoded for a URL's query (RFC 3986's unreserved kept). */
static const char *escape(struct mq_ctx *c, const char *s)
{
	char *out = mq_arena_alloc(c->arena, strlen(s) * 3 + 1), *p = out;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~')
			*p++ = (char)ch;
		else
			p += snprintf(p, 4, "%%%02X", ch);
	}
	*p = '\0';
	return out;
}

/* Ready links that share url with text on the usual networks (a new
 * object: the caller adds it to a parent). */
static struct json_object *intents(struct mq_ctx *c, const char *url, const char *title)
{
	struct json_object *o = json_object_new_object();
	const char *u = escape(c, url), *t = escape(c, mq_words(c, text.share_text, title));

	mq_json_add_str(o, "x", mq_arena_printf(c->arena, "https://twitter.com/intent/tweet?text=%s&url=%s", t, u));
	mq_json_add_str(o, "facebook", mq_arena_printf(c->arena, "https://www.facebook.com/sharer/sharer.php?u=%s", u));
	mq_json_add_str(o, "whatsapp", mq_arena_printf(c->arena, "https://wa.me/?text=%s%%20%s", t, u));
	mq_json_add_str(o, "telegram", mq_arena_printf(c->arena, "https://t.me/share/url?url=%s&text=%s", u, t));
	mq_json_add_str(o, "email", mq_arena_printf(c->arena, "mailto:?subject=%s&body=%s", t, u));
	return o;
}

enum mq_status mq_share_create(struct mq_ctx *c, int64_t me, const char *kind, int64_t id,
			       struct json_object **out, bool *created)
{
	unsigned char raw[CODE_BYTES];
	char code[sodium_base64_ENCODED_LEN(CODE_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	struct mq_share_target t;
	const char *link;
	PGresult *res = NULL;

	/* twice at most: a link of the target made by a concurrent request
	 * is there for the second statement to see */
	for (int attempt = 0; attempt < 2; attempt++) {
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(code, sizeof(code), raw, sizeof(raw),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		const char *p[] = { code, mq_arena_int(c->arena, me), kind, mq_arena_int(c->arena, id) };
		if ((res = mq_db_q(c, &create_share, 4, p)) == NULL) {
			if (strcmp(mq_db_sqlstate(c->db), "23503") == 0)	/* gone meanwhile */
				break;
			return mq_db_failure(c);
		}
		if (PQntuples(res) == 0 || !PQgetisnull(res, 0, COL_NEXT) ||
		    !PQgetisnull(res, 0, COL_NEXT + 1))
			break;
	}
	if (res == NULL || PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "No %s with id %lld that may be shared.",
				    kind, (long long)id);
	*created = !PQgetisnull(res, 0, COL_NEXT);
	if (!*created && PQgetisnull(res, 0, COL_NEXT + 1))
		return mq_fail_retry(c, 1, "The link is being made by another request; try again.");
	describe(c, res, kind, mq_arena_int(c->arena, id), &t);
	link = link_of(c, PQgetvalue(res, 0, *created ? COL_NEXT : COL_NEXT + 1));
	*out = mq_json_object(c->arena);
	mq_json_add_str(*out, "url", link);
	mq_json_add_str(*out, "code", PQgetvalue(res, 0, *created ? COL_NEXT : COL_NEXT + 1));
	mq_json_add_str(*out, "kind", kind);
	mq_json_add_int(*out, "id", id);
	mq_json_add_str(*out, "title", t.title);
	json_object_object_add(*out, "intents", intents(c, link, t.title));
	return MQ_OK;
}

enum mq_status mq_share_visit(struct mq_ctx *c, const char *code, bool count,
			      struct mq_share_target *t)
{
	const char *p[] = { code, count ? "true" : "false" };
	PGresult *res = mq_db_q(c, &visit_share, 2, p);

	if (res == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 0)
		return mq_fail_with(c, MQ_NOT_FOUND, NULL, "There is nothing at this link.");
	describe(c, res, PQgetvalue(res, 0, COL_NEXT), PQgetvalue(res, 0, COL_NEXT + 2), t);
	t->url = link_of(c, code);
	t->visits = mq_row_int(res, 0, COL_NEXT + 1);
	return MQ_OK;
}

/* s with &, <, >, " and ' as entities (arena). */
static const char *html(struct mq_ctx *c, const char *s)
{
	char *out = mq_arena_alloc(c->arena, strlen(s) * 6 + 1), *p = out;

	for (; *s; s++) {
		switch (*s) {
		case '&': p = stpcpy(p, "&amp;"); break;
		case '<': p = stpcpy(p, "&lt;"); break;
		case '>': p = stpcpy(p, "&gt;"); break;
		case '"': p = stpcpy(p, "&quot;"); break;
		case '\'': p = stpcpy(p, "&#39;"); break;
		default: *p++ = *s;
		}
	}
	*p = '\0';
	return out;
}

#define PAGE_HEAD \
	"<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n" \
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"

const char *mq_share_html(struct mq_ctx *c, const struct mq_share_target *t)
{
	const char *title = html(c, t->title), *desc = html(c, t->description);
	const char *url = html(c, t->url), *site = html(c, text.site);
	const char *img = t->image ? html(c, t->image) : NULL;
	const char *type = strcmp(t->kind, "movie") == 0 ? "video.movie"
			   : strcmp(t->kind, "review") == 0 ? "article" : "website";

	return mq_arena_printf(c->arena,
		PAGE_HEAD
		"<title>%s · %s</title>\n"
		"<meta name=\"description\" content=\"%s\">\n"
		"<link rel=\"canonical\" href=\"%s\">\n"
		"<meta property=\"og:site_name\" content=\"%s\">\n"
		"<meta property=\"og:type\" content=\"%s\">\n"
		"<meta property=\"og:title\" content=\"%s\">\n"
		"<meta property=\"og:description\" content=\"%s\">\n"
		"<meta property=\"og:url\" content=\"%s\">\n"
		"%s%s%s"
		"<meta name=\"twitter:card\" content=\"%s\">\n"
		"<meta name=\"twitter:title\" content=\"%s\">\n"
		"<meta name=\"twitter:description\" content=\"%s\">\n"
		"%s%s%s"
		"</head>\n<body>\n<main>\n<h1>%s</h1>\n"
		"%s%s%s%s%s"
		"<p>%s</p>\n<p><a href=\"%s\">%s</a></p>\n</main>\n</body>\n</html>\n",
		mq_ui_tag(c->lang), title, site, desc, url, site, type, title, desc, url,
		img ? "<meta property=\"og:image\" content=\"" : "", img ? img : "", img ? "\">\n" : "",
		img ? "summary_large_image" : "summary", title, desc,
		img ? "<meta name=\"twitter:image\" content=\"" : "", img ? img : "", img ? "\">\n" : "",
		title,
		img ? "<img src=\"" : "", img ? img : "", img ? "\" alt=\"" : "", img ? title : "",
		img ? "\" width=\"300\">\n" : "",
		desc, html(c, t->app), html(c, mq_tr(c->lang, text.open)));
}

const char *mq_share_missing_html(struct mq_ctx *c)
{
	return mq_arena_printf(c->arena,
		PAGE_HEAD "<meta name=\"robots\" content=\"noindex\">\n"
		"<title>%s · %s</title>\n</head>\n<body>\n<main>\n<h1>%s</h1>\n<p>%s</p>\n</main>\n"
		"</body>\n</html>\n", mq_ui_tag(c->lang),
		html(c, mq_tr(c->lang, text.missing_title)), html(c, text.site), html(c, mq_tr(c->lang, text.missing_title)),
		html(c, mq_tr(c->lang, text.missing)));
}

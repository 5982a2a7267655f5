/*
 * movie_document.c: a movie's detail, kept rendered (see
 * movie_document.h and sql/0038_movie_documents.sql).
 */
#include "catalog/movie_document.h"

#include "catalog/genre_names.h"
#include "catalog/movie.h"
#include "catalog/movie_sql.h"
#include "catalog/releases.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "db/db.h"
#include "db/rows.h"

/* The translation a movie shows for the language tag $2 and the language
 * alone $3, '' for none. */
#define TRANSLATION "coalesce(" MQ_MOVIE_TRANSLATION_CHOSEN("$2", "$3") ", '')"

/* The kept text when it is good (version and stamp, $4 the genres'
 * language, $5 the stamp) and the counters: three probes of primary
 * keys.  No row for a provisional movie, which is rendered for each
 * viewer. */
static struct mq_stmt kept = MQ_STMT_CATALOG(
	"SELECT d.body, " MQ_MOVIE_COUNTERS " "
	"FROM movies m LEFT JOIN movie_stats ms ON ms.movie_id = m.id "
	"LEFT JOIN movie_documents d ON d.movie_id = m.id AND d.translation = " TRANSLATION " "
	"  AND d.genre_language = $4 AND d.version = m.xmin AND d.stamp = $5 "
	"WHERE m.id = $1 AND m.provisional_by IS NULL");
enum { K_BODY, K_COUNTERS };

/* The renderings waiting to be written, as the statement below takes
 * them: [{m: movie, t: translation, g: genre language, v: version, s:
 * stamp, b: body}, ...].  Two of one key in a batch keep the last. */
static struct mq_batch pending;

static struct mq_stmt write_pending = MQ_STMT_UNSEEN(
	"INSERT INTO movie_documents AS d (movie_id, translation, genre_language, version, stamp, body) "
	"SELECT DISTINCT ON (e.m, e.t, e.g) e.m, e.t, e.g, e.v::xid, e.s, e.b "
	"FROM ROWS FROM (jsonb_to_recordset($1::jsonb) "
	"  AS (m bigint, t text, g text, v text, s bigint, b text)) WITH ORDINALITY "
	"  AS e(m, t, g, v, s, b, n) "
	"WHERE EXISTS (SELECT 1 FROM movies WHERE id = e.m) "
	"ORDER BY e.m, e.t, e.g, e.n DESC "
	"ON CONFLICT (movie_id, translation, genre_language) DO UPDATE "
	"SET version = excluded.version, stamp = excluded.stamp, body = excluded.body");

/* s onto h, and a separator: "ab","c" is not "a","bc". */
static uint64_t mix(uint64_t h, const char *s)
{
	return (mq_fnv1a(h, s) ^ 0xff) * 0x100000001b3ULL;
}

/* What a kept text depends on besides the movie's row: its shape, the
 * configuration and origin its URLs are made of (movie_json.h), the
 * names of genres and keywords and the cluster (genre_names.h). */
static const char *stamp_of(struct mq_ctx *c, const char *names_version)
{
	uint64_t h = MQ_FNV1A_BASIS;

	h = mix(h, MQ_STRINGIFY(MQ_MOVIE_DOCUMENT_SHAPE) " " PACKAGE_VERSION);
	h = mix(h, names_version);
	h = mix(h, c->cfg->tmdb_image_base_url);
	h = mix(h, c->cfg->media_url);
	/* the origin only where it makes URLs (a media_url on this site):
	 * else a client's Host header would make every read a rendering */
	if (strncmp(c->cfg->media_url, "http://", 7) != 0 &&
	    strncmp(c->cfg->media_url, "https://", 8) != 0)
		h = mix(h, c->origin ? c->origin : "");
	return mq_arena_printf(c->arena, "%lld", (long long)(int64_t)h);
}

/* A rendering: the text to keep, the counters left out of it, and what
 * it shows (its version and translation, from the statement that read
 * it: the kept read may have been answered by another server). */
struct rendering {
	const char *doc;
	struct json_object *counters;
	const char *version;
	const char *translation;	/* "" for the original text */
	bool provisional;
};

static enum mq_status render(struct mq_ctx *c, const char *id, int64_t viewer, bool admin,
			     const struct mq_lang *lang, struct rendering *out)
{
	static const char *const moved[] = { "rating", "ratings_count", "statistics" };
	struct json_object *o, *v;
	enum mq_status st;

	if ((st = mq_movie_fetch(c, id, viewer, admin, lang, &o, &out->version)) != MQ_OK)
		return st;
	out->provisional = json_object_get_boolean(json_object_object_get(o, "provisional"));
	v = json_object_object_get(o, "translation");
	out->translation = v ? mq_arena_strdup(c->arena, json_object_get_string(v)) : "";
	out->counters = mq_json_object(c->arena);
	for (size_t i = 0; i < MQ_ARRAY_LEN(moved); i++) {
		v = json_object_object_get(o, moved[i]);
		json_object_object_add(out->counters, moved[i], json_object_get(v));
		json_object_object_del(o, moved[i]);
	}
	out->doc = mq_arena_strdup(c->arena, mq_json_render(o, &(size_t){ 0 }));
	return MQ_OK;
}

static void queue(const char *id, const struct rendering *r, const char *genre_language,
		  const char *stamp)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "m", json_object_new_int64(strtoll(id, NULL, 10)));
	json_object_object_add(e, "t", json_object_new_string(r->translation));
	json_object_object_add(e, "g", json_object_new_string(genre_language));
	json_object_object_add(e, "v", json_object_new_string(r->version));
	json_object_object_add(e, "s", json_object_new_int64(strtoll(stamp, NULL, 10)));
	json_object_object_add(e, "b", json_object_new_string(r->doc));
	mq_batch_add(&pending, e);
}

/* [cache] verify: the kept text must be what a rendering says now (a
 * rendering that fails says nothing). */
static void verify(struct mq_ctx *c, const char *id, int64_t viewer, bool admin,
		   const struct mq_lang *lang, const char *doc)
{
	struct rendering now;
	struct mq_logline l;

	if (render(c, id, viewer, admin, lang, &now) != MQ_OK || strcmp(now.doc, doc) == 0)
		return;
	if (!mq_logline_start(&l, MQ_LOG_ERROR))
		return;
	mq_logline_str(&l, "msg", "stale movie document");
	mq_logline_str(&l, "id", c->request_id);
	mq_logline_str(&l, "movie", id);
	mq_logline_str(&l, "language", lang->tag);
	mq_logline_emit(&l);
}

/* Whether the names a rendering used are still those its key and stamp
 * were chosen with: the worker's copy may have been reloaded between. */
static bool names_unchanged(struct mq_ctx *c, const struct mq_lang *lang,
			    const char *genre_language, const char *names_version)
{
	const char *language, *version;

	return mq_catalog_names(c, lang->primary, &language, &version) == MQ_OK &&
	       strcmp(language, genre_language) == 0 && strcmp(version, names_version) == 0;
}

/* doc (an object) with the members of more after its own. */
static void splice(struct mq_ctx *c, const char *doc, struct json_object *more,
		   struct mq_movie_detail *out)
{
	size_t doc_len = strlen(doc), more_len;
	const char *tail = mq_json_render(more, &more_len);
	char *s = mq_arena_alloc(c->arena, doc_len + more_len + 1);

	/* "{...}" + "{...}": the first's "}" becomes ",", the second's "{" goes */
	memcpy(s, doc, doc_len - 1);
	s[doc_len - 1] = ',';
	memcpy(s + doc_len, tail + 1, more_len);
	out->len = doc_len + more_len - 1;
	s[out->len] = '\0';
	out->body = s;
}

enum mq_status mq_movie_detail(struct mq_ctx *c, const char *id, int64_t viewer, bool admin,
			       const struct mq_lang *lang, const char *region,
			       struct mq_movie_detail *out)
{
	const char *genre_language, *names_version, *stamp;
	struct rendering r = { .provisional = false };
	enum mq_status st;
	PGresult *res;

	if ((st = mq_catalog_names(c, lang->primary, &genre_language, &names_version)) != MQ_OK)
		return st;
	stamp = stamp_of(c, names_version);
	const char *params[] = { id, lang->tag, lang->primary, genre_language, stamp };
	if ((res = mq_db_q(c, &kept, 5, params)) == NULL)
		return mq_db_failure(c);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, K_BODY)) {
		r.doc = PQgetvalue(res, 0, K_BODY);
		r.counters = mq_row_owned_from(c->arena, res, K_COUNTERS);
		mq_movie_statistics_fold(r.counters);
		if (c->cfg->cache_verify)
			verify(c, id, viewer, admin, lang, r.doc);
	} else {
		if ((st = render(c, id, viewer, admin, lang, &r)) != MQ_OK)
			return st;
		if (PQntuples(res) == 1 && !r.provisional &&
		    names_unchanged(c, lang, genre_language, names_version))
			queue(id, &r, genre_language, stamp);
	}
	if ((st = mq_movie_add_release(c, r.counters, id, region)) != MQ_OK)
		return st;
	splice(c, r.doc, r.counters, out);
	out->shared = !r.provisional;
	return MQ_OK;
}

int mq_movie_documents_due_ms(void)
{
	return mq_batch_due_ms(&pending);
}

void mq_movie_documents_flush(struct mq_ctx *c, bool now)
{
	mq_db_write_batch(c, &write_pending, &pending, now, "movie documents");
}

/*
 * scrobble.c: media servers' plays as watch history (see scrobble.h).
 */
#include "watch/scrobble.h"

#include <sodium.h>
#include <strings.h>

#include "core/arena.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"

#define MAX_DEPTH 32

/* What a payload says, once read. */
struct play {
	const char *ignored;	/* why nothing is recorded, or NULL */
	const char *tmdb_id, *imdb_id;
};

/* $1 TMDb id, $2 IMDb id, $3 the user: the TMDb id's movie first. */
static struct mq_stmt match = MQ_STMT_READ(
	"SELECT id FROM movies WHERE (tmdb_id = $1::int OR imdb_id = $2) "
	"AND (provisional_by IS NULL OR provisional_by = $3::bigint) "
	"ORDER BY tmdb_id = $1::int DESC NULLS LAST LIMIT 1");

/* $1 user, $2 server, $3 event key, $4 movie: the event, its history
 * entry and activity, the watchlist entry marked watched; nothing when
 * the event was recorded before. */
static struct mq_stmt record = MQ_STMT(
	"WITH ev AS (INSERT INTO scrobble_events (user_id, server, event_key, movie_id) "
	"            VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING movie_id), "
	"hist AS (INSERT INTO watch_history (user_id, movie_id) SELECT $1, movie_id FROM ev "
	"         RETURNING id, movie_id), "
	"logged AS (INSERT INTO activity (user_id, verb, movie_id) "
	"           SELECT $1, 'watched', movie_id FROM hist), "
	"listed AS (UPDATE watchlist SET watched = true, watched_at = now(), updated_at = now() "
	"           WHERE user_id = $1 AND movie_id = (SELECT movie_id FROM hist) AND NOT watched) "
	"SELECT id FROM hist");

static struct json_object *member(struct json_object *o, const char *name, json_type type)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static const char *string(struct json_object *o, const char *name)
{
	struct json_object *v = member(o, name, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

/* A member whose name is name in any case (Emby's ProviderIds are
 * "Tmdb" or "TMDB" as its versions write them). */
static const char *string_nocase(struct json_object *o, const char *name)
{
	if (o == NULL)
		return NULL;
	json_object_object_foreach(o, key, v)
		if (strcasecmp(key, name) == 0 && json_object_is_type(v, json_type_string))
			return json_object_get_string(v);
	return NULL;
}

/* true, or the text "true" of a template that quoted it. */
static bool is_true(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v))
		return false;
	return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
	       : json_object_is_type(v, json_type_string) &&
		 strcasecmp(json_object_get_string(v), "true") == 0;
}

/* A TMDb id as the servers write it ("550"), or NULL. */
static const char *tmdb_id(const char *s)
{
	int64_t n;

	return s && mq_parse_int64(s, 1, INT32_MAX, &n) == 0 ? s : NULL;
}

/* An IMDb id ("tt0137523"), or NULL. */
static const char *imdb_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 9 && n <= 12 && strncmp(s, "tt", 2) == 0 && strspn(s + 2, "0123456789") == n - 2
		? s : NULL;
}

/* One of Plex's guids: "tmdb://550", "imdb://tt0137523", or the legacy
 * agents' "com.plexapp.agents.themoviedb://550?lang=en". */
static void plex_guid(struct mq_arena *a, const char *g, struct play *p)
{
	static const struct { const char *prefix; bool tmdb; } kinds[] = {
		{ "tmdb://", true }, { "com.plexapp.agents.themoviedb://", true },
		{ "imdb://", false }, { "com.plexapp.agents.imdb://", false },
	};

	for (size_t i = 0; g && i < MQ_ARRAY_LEN(kinds); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (strncmp(g, kinds[i].prefix, n) != 0)
			continue;
		const char *id = mq_arena_strndup(a, g + n, strcspn(g + n, "?"));
		if (kinds[i].tmdb && !p->tmdb_id)
			p->tmdb_id = tmdb_id(id);
		else if (!kinds[i].tmdb && !p->imdb_id)
			p->imdb_id = imdb_id(id);
	}
}

static enum mq_status read_plex(struct mq_ctx *c, struct json_object *o, struct play *p)
{
	const char *event = string(o, "event");
	struct json_object *meta = member(o, "Metadata", json_type_object), *guids;

	if (event == NULL)
		return mq_fail_with(c, MQ_INVALID, "event", "A Plex payload has an event.");
	if (strcmp(event, "media.scrobble") != 0) {
		p->ignored = mq_arena_printf(c->arena, "The event %s is not a finished play.", event);
		return MQ_OK;
	}
	if (meta == NULL)
		return mq_fail_with(c, MQ_INVALID, "Metadata", "A Plex scrobble has Metadata.");
	if (!string(meta, "type") || strcmp(string(meta, "type"), "movie") != 0) {
		p->ignored = "Not a movie.";
		return MQ_OK;
	}
	if ((guids = member(meta, "Guid", json_type_array)))
		for (size_t i = 0; i < json_object_array_length(guids); i++)
			plex_guid(c->arena, string(json_object_array_get_idx(guids, i), "id"), p);
	plex_guid(c->arena, string(meta, "guid"), p);
	return MQ_OK;
}

static enum mq_status read_jellyfin(struct mq_ctx *c, struct json_object *o, struct play *p)
{
	const char *type = string(o, "NotificationType"), *item = string(o, "ItemType");

	if (type == NULL)
		return mq_fail_with(c, MQ_INVALID, "NotificationType",
				    "A Jellyfin payload has a NotificationType.");
	if (strcmp(type, "PlaybackStop") != 0)
		p->ignored = mq_arena_printf(c->arena, "The notification %s is not a finished play.",
					     type);
	else if (item == NULL || strcmp(item, "Movie") != 0)
		p->ignored = "Not a movie.";
	else if (!is_true(o, "PlayedToCompletion"))
		p->ignored = "Not played to completion.";
	p->tmdb_id = tmdb_id(string(o, "Provider_tmdb"));
	p->imdb_id = imdb_id(string(o, "Provider_imdb"));
	return MQ_OK;
}

static enum mq_status read_emby(struct mq_ctx *c, struct json_object *o, struct play *p)
{
	const char *event = string(o, "Event");
	struct json_object *item = member(o, "Item", json_type_object);
	struct json_object *ids = member(item, "ProviderIds", json_type_object);

	if (event == NULL)
		return mq_fail_with(c, MQ_INVALID, "Event", "An Emby payload has an Event.");
	if (strcmp(event, "playback.stop") != 0) {
		p->ignored = mq_arena_printf(c->arena, "The event %s is not a finished play.", event);
		return MQ_OK;
	}
	if (item == NULL)
		return mq_fail_with(c, MQ_INVALID, "Item", "An Emby playback event has an Item.");
	if (!string(item, "Type") || strcmp(string(item, "Type"), "Movie") != 0)
		p->ignored = "Not a movie.";
	else if (!is_true(member(o, "PlaybackInfo", json_type_object), "PlayedToCompletion"))
		p->ignored = "Not played to completion.";
	p->tmdb_id = tmdb_id(string_nocase(ids, "Tmdb"));
	p->imdb_id = imdb_id(string_nocase(ids, "Imdb"));
	return MQ_OK;
}

static const char *key_of(struct mq_arena *a, const char *payload, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *hex = mq_arena_alloc(a, sizeof(h) * 2 + 1);

	crypto_hash_sha256(h, (const unsigned char *)payload, len);
	sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
	return hex;
}

/* The catalog's movie of the play into *movie (0: none). */
static enum mq_status find(struct mq_ctx *c, int64_t user, const struct play *p, int64_t *movie)
{
	const char *params[] = { p->tmdb_id, p->imdb_id, mq_arena_int(c->arena, user) };
	PGresult *res = mq_db_q(c, &match, 3, params);

	if (res == NULL)
		return mq_db_failure(c);
	*movie = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	return MQ_OK;
}

static enum mq_status ignore(int64_t user, const char *server, const char *why,
			     struct mq_scrobble *out)
{
	out->outcome = MQ_SCROBBLE_IGNORED;
	out->why = why;
	mq_log_info("scrobble: user=%lld server=%s ignored: %s", (long long)user, server, why);
	return MQ_OK;
}

enum mq_status mq_scrobble_record(struct mq_ctx *c, int64_t user, const char *server,
				  const char *payload, size_t len, struct mq_scrobble *out)
{
	struct json_object *o;
	struct play p = { 0 };
	enum mq_status st;
	const char *err;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if (mq_json_parse(c->arena, payload, len, MAX_DEPTH, &o, &err) < 0)
		return mq_fail_with(c, MQ_INVALID, NULL, "The payload is not JSON: %s.", err);
	if (!json_object_is_type(o, json_type_object))
		return mq_fail_with(c, MQ_INVALID, NULL, "The payload is not a JSON object.");
	st = strcmp(server, "plex") == 0 ? read_plex(c, o, &p)
	     : strcmp(server, "jellyfin") == 0 ? read_jellyfin(c, o, &p) : read_emby(c, o, &p);
	if (st != MQ_OK)
		return st;
	if (p.ignored)
		return ignore(user, server, p.ignored, out);
	if (!p.tmdb_id && !p.imdb_id)
		return ignore(user, server, "The movie has no TMDb or IMDb id.", out);
	if ((st = find(c, user, &p, &out->movie)) != MQ_OK)
		return st;
	if (out->movie == 0)
		return ignore(user, server, mq_arena_printf(c->arena, "No movie in the catalog "
							       "with TMDb id %s or IMDb id %s.",
							       p.tmdb_id ? p.tmdb_id : "-",
							       p.imdb_id ? p.imdb_id : "-"), out);
	const char *params[] = { mq_arena_int(c->arena, user), server, key_of(c->arena, payload, len),
				 mq_arena_int(c->arena, out->movie) };
	if ((res = mq_db_q(c, &record, 4, params)) == NULL)
		return mq_db_failure(c);
	out->outcome = PQntuples(res) ? MQ_SCROBBLE_RECORDED : MQ_SCROBBLE_DUPLICATE;
	out->history_id = PQntuples(res) ? mq_row_int(res, 0, 0) : 0;
	return MQ_OK;
}

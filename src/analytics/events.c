/*
 * events.c: the events of requests, and the client's batches.
 */
#include "analytics/events.h"

#include <ctype.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "db/db.h"
#include "db/rows.h"

/* The events of a batch that are taken: those of no movie or of one
 * that exists. */
#define TAKEN "FROM jsonb_to_recordset($3::jsonb) " \
	"  AS e(kind text, movie bigint, value numeric, data jsonb) " \
	"  WHERE (e.movie IS NULL OR EXISTS (SELECT 1 FROM movies m WHERE m.id = e.movie)) "

/* $3: [{kind, movie, value, data}, ...], checked here; $4 the batch's id
 * or NULL.  A batch id already the caller's waits for its batch to
 * commit, then conflicts: nothing is written, and stored is false. */
static struct mq_stmt ingest = MQ_STMT_UNSEEN(
	"WITH b AS (INSERT INTO event_batches (batch_id, user_id, client_id, digest, accepted) "
	"  SELECT $4::uuid, $1, $2::uuid, md5($3::jsonb::text), (SELECT count(*) " TAKEN ") "
	"  WHERE $4 IS NOT NULL "
	"  ON CONFLICT (batch_id, user_id, client_id) DO NOTHING RETURNING 1), "
	"ins AS (INSERT INTO events (kind, user_id, client_id, movie_id, value, data) "
	"  SELECT e.kind, $1, $2::uuid, e.movie, e.value, e.data " TAKEN
	"  AND ($4 IS NULL OR EXISTS (SELECT 1 FROM b)) "
	"  RETURNING 1) "
	"SELECT count(*), $4 IS NULL OR EXISTS (SELECT 1 FROM b) AS stored FROM ins");

/* The answer to the caller's batch $3, and whether $4 is its events. */
static struct mq_stmt replay = MQ_STMT_READ(
	"SELECT accepted, digest = md5($4::jsonb::text) FROM event_batches "
	"WHERE batch_id = $3::uuid AND user_id IS NOT DISTINCT FROM $1::bigint "
	"AND client_id IS NOT DISTINCT FROM $2::uuid");

static struct mq_stmt forget = MQ_STMT_UNSEEN(
	"WITH d AS (DELETE FROM event_batches "
	"  WHERE at < now() - interval '" MQ_EVENTS_BATCH_MEMORY "' RETURNING 1) "
	"SELECT count(*) FROM d");

static const char *user_param(struct mq_ctx *c, int64_t user_id)
{
	return user_id ? mq_arena_int(c->arena, user_id) : NULL;
}

/* The events of requests waiting to be written, oldest first: [{t: the
 * request's time in microseconds, k: kind, u: user, m: movie, d: data},
 * ...], written by one statement (which skips, as track() does, a movie
 * no longer there and a user erased since).  The erased users are found
 * by their own small index (users_erased, sql/0026_analytics_user_months
 * .sql): without it the planner hashed them from a scan of every user,
 * each flush (4 to 22 ms of a 20-event flush at 10,000 users).  An
 * anonymous event's NULL id matches no user.  The movie is probed per
 * event by a scalar subquery: as "OR EXISTS" the planner, taking the
 * batch for 50 rows, hashed the ids of every movie instead (an index
 * scan of all of them each flush: 9 ms a one-event flush at 20,000
 * movies, which a lone client's every detail waited for). */
static struct mq_batch pending;

static struct mq_stmt write_pending = MQ_STMT_UNSEEN(
	"INSERT INTO events (at, kind, user_id, movie_id, data) "
	"SELECT to_timestamp(e.t / 1e6), e.k, e.u, e.m, e.d "
	"FROM jsonb_to_recordset($1::jsonb) AS e(t bigint, k text, u bigint, m bigint, d jsonb) "
	"WHERE (e.m IS NULL OR (SELECT true FROM movies WHERE id = e.m)) "
	"AND NOT EXISTS (SELECT 1 FROM users WHERE id = e.u AND deleted_at IS NOT NULL)");

/* Queues an event; takes data (may be NULL).  The callers look at
 * [analytics] browsing first, before making data. */
static void queue(const char *kind, int64_t user_id, int64_t movie_id, struct json_object *data)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "t", json_object_new_int64((int64_t)(mq_now_real_ns() / 1000)));
	json_object_object_add(e, "k", json_object_new_string(kind));
	if (user_id)
		json_object_object_add(e, "u", json_object_new_int64(user_id));
	if (movie_id)
		json_object_object_add(e, "m", json_object_new_int64(movie_id));
	if (data)
		json_object_object_add(e, "d", data);
	mq_batch_add(&pending, e);
}

int mq_analytics_due_ms(void)
{
	return mq_batch_due_ms(&pending);
}

/* An event lost is logged, never a failure of what it is about. */
void mq_analytics_flush(struct mq_ctx *c, bool now)
{
	mq_db_write_batch(c, &write_pending, &pending, now, "events");
}

void mq_analytics_view(struct mq_ctx *c, int64_t user_id, int64_t movie_id)
{
	if (c->cfg->analytics_browsing)
		queue("movie_view", user_id, movie_id, NULL);
}

void mq_analytics_search(struct mq_ctx *c, int64_t user_id, const char *q,
			 struct json_object *filters, int64_t results, bool corrected)
{
	struct json_object *d;

	if (!c->cfg->analytics_browsing)
		return;
	d = json_object_new_object();
	json_object_object_add(d, "q", json_object_new_string(q));
	if (filters && json_object_object_length(filters))
		json_object_object_add(d, "filters", json_object_get(filters));
	json_object_object_add(d, "results", json_object_new_int64(results));
	json_object_object_add(d, "corrected", json_object_new_boolean(corrected));
	queue("search", user_id, 0, d);
}

void mq_analytics_impressions(struct mq_ctx *c, int64_t user_id, struct json_object *results,
			      int64_t first, const char *reason)
{
	size_t n = results && c->cfg->analytics_browsing ? json_object_array_length(results) : 0;
	struct json_object *id, *why, *kind;

	for (size_t i = 0; i < n; i++) {
		struct json_object *movie = json_object_array_get_idx(results, i), *d;
		const char *k = reason;

		if (!json_object_object_get_ex(movie, "id", &id))
			continue;
		if (json_object_object_get_ex(movie, "reason", &why) &&
		    json_object_object_get_ex(why, "kind", &kind))
			k = json_object_get_string(kind);
		d = json_object_new_object();
		json_object_object_add(d, "reason", json_object_new_string(k ? k : ""));
		json_object_object_add(d, "position", json_object_new_int64(first + (int64_t)i));
		json_object_object_add(d, "source", json_object_new_string("server"));
		queue("rec_impression", user_id, json_object_get_int64(id), d);
	}
}

void mq_analytics_impressions_page(struct mq_ctx *c, int64_t user_id, const char *body,
				   size_t len, int64_t first, const char *reason)
{
	struct json_object *page, *results;
	const char *err;

	if (!c->cfg->analytics_browsing)
		return;
	if (body && mq_json_parse(c->arena, body, len, 64, &page, &err) == 0 &&
	    json_object_object_get_ex(page, "results", &results) &&
	    json_object_is_type(results, json_type_array))
		mq_analytics_impressions(c, user_id, results, first, reason);
}

/* ---- the client's events ---- */

enum ftype {
	F_MOVIE,	/* a movie's id: the event's movie */
	F_SECONDS,	/* 0..86400: the event's value */
	F_POSITION,	/* 0..1000, in data */
	F_WORD,		/* [a-z0-9_]{1,32}, in data */
};

struct field {
	const char *name;
	enum ftype type;
	bool required;
};

/* Every kind a client may send, and its fields: nothing else is taken. */
static const struct kind {
	const char *name;
	struct field fields[4];
} kinds[] = {
	{ "trailer_play", { { "movie", F_MOVIE, true }, { "seconds", F_SECONDS, false } } },
	{ "rec_impression", { { "movie", F_MOVIE, true }, { "reason", F_WORD, true },
			      { "position", F_POSITION, false } } },
	{ "rec_click", { { "movie", F_MOVIE, true }, { "reason", F_WORD, true },
			 { "position", F_POSITION, false } } },
	{ "share_click", { { "movie", F_MOVIE, false }, { "channel", F_WORD, false } } },
};

static const struct kind *find_kind(const char *name)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

static const struct field *find_field(const struct kind *k, const char *name)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(k->fields) && k->fields[i].name; i++)
		if (strcmp(k->fields[i].name, name) == 0)
			return &k->fields[i];
	return NULL;
}

static bool word_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* 8-4-4-4-12 hex digits. */
static bool uuid_ok(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return s[36] == '\0';
}

static bool int_in(struct json_object *v, int64_t lo, int64_t hi)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int))
		return false;
	n = json_object_get_int64(v);
	return n >= lo && n <= hi;
}

/* Checks one field's value and puts it where it goes in out. */
static enum mq_status put_field(struct mq_ctx *c, const char *where, const struct field *f,
				struct json_object *v, struct json_object *out,
				struct json_object *data)
{
	switch (f->type) {
	case F_MOVIE:
		if (!int_in(v, 1, INT64_MAX))
			return mq_fail_with(c, MQ_INVALID, where, "Must be a movie's id.");
		json_object_object_add(out, "movie", json_object_get(v));
		return MQ_OK;
	case F_SECONDS:
		if (!int_in(v, 0, 86400))
			return mq_fail_with(c, MQ_INVALID, where,
					    "Must be a whole number of seconds from 0 to 86400.");
		json_object_object_add(out, "value", json_object_get(v));
		return MQ_OK;
	case F_POSITION:
		if (!int_in(v, 0, 1000))
			return mq_fail_with(c, MQ_INVALID, where,
					    "Must be a whole number from 0 to 1000.");
		break;
	case F_WORD:
		if (!json_object_is_type(v, json_type_string) || !word_ok(json_object_get_string(v)))
			return mq_fail_with(c, MQ_INVALID, where,
					    "Must be 1 to 32 lower-case letters, digits or _.");
		break;
	}
	json_object_object_add(data, f->name, json_object_get(v));
	return MQ_OK;
}

/* Checks event i and appends its row ({kind, movie, value, data}) to rows. */
static enum mq_status check_event(struct mq_ctx *c, size_t i, struct json_object *e,
				  struct json_object *rows)
{
	const char *at = mq_arena_printf(c->arena, "events[%zu]", i);
	struct json_object *kind, *row, *data;
	const struct kind *k;
	enum mq_status st;

	if (!json_object_is_type(e, json_type_object))
		return mq_fail_with(c, MQ_INVALID, at, "Must be an object.");
	if (!json_object_object_get_ex(e, "kind", &kind) ||
	    !json_object_is_type(kind, json_type_string) ||
	    (k = find_kind(json_object_get_string(kind))) == NULL)
		return mq_fail_with(c, MQ_INVALID, mq_arena_printf(c->arena, "%s.kind", at),
				    "Must be trailer_play, rec_impression, rec_click or share_click.");
	row = json_object_new_object();
	json_object_array_add(rows, row);
	data = json_object_new_object();
	json_object_object_add(row, "data", data);
	json_object_object_add(row, "kind", json_object_get(kind));
	json_object_object_foreach(e, name, v) {
		const struct field *f = strcmp(name, "kind") == 0 ? NULL : find_field(k, name);
		const char *where = mq_arena_printf(c->arena, "%s.%s", at, name);

		if (strcmp(name, "kind") == 0)
			continue;
		if (f == NULL)
			return mq_fail_with(c, MQ_INVALID, where, "No such field in a %s event.",
					    k->name);
		if ((st = put_field(c, where, f, v, row, data)) != MQ_OK)
			return st;
	}
	for (size_t j = 0; j < MQ_ARRAY_LEN(k->fields) && k->fields[j].name; j++)
		if (k->fields[j].required && !json_object_object_get_ex(e, k->fields[j].name, NULL))
			return mq_fail_with(c, MQ_INVALID,
					    mq_arena_printf(c->arena, "%s.%s", at, k->fields[j].name),
					    "Required in a %s event.", k->name);
	return MQ_OK;
}

/* The answer to a batch sent again: the first one's, unless its events
 * differ. */
static enum mq_status replayed(struct mq_ctx *c, const char *const *params, int64_t *accepted)
{
	PGresult *res = mq_db_q(c, &replay, 4, params);

	if (res == NULL)
		return mq_db_failure(c);
	*accepted = 0;
	if (PQntuples(res) == 0)	/* recorded over a day ago, forgotten just now */
		return MQ_OK;
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
		return mq_fail_with(c, MQ_CONFLICT, "batch_id",
				    "Already the id of another batch of events.");
	*accepted = mq_row_int(res, 0, 0);
	return MQ_OK;
}

enum mq_status mq_analytics_ingest(struct mq_ctx *c, int64_t user_id, const char *client_id,
				   const char *batch_id, struct json_object *events,
				   int64_t *accepted)
{
	struct json_object *rows = mq_json_array(c->arena);
	enum mq_status st;
	PGresult *res;
	size_t n;

	*accepted = 0;
	if (!json_object_is_type(events, json_type_array))
		return mq_fail_with(c, MQ_INVALID, "events", "Must be an array of events.");
	if ((n = json_object_array_length(events)) > MQ_EVENTS_BATCH_MAX)
		return mq_fail_with(c, MQ_TOO_LARGE, "events",
				    "At most %d events in a batch.", MQ_EVENTS_BATCH_MAX);
	if (user_id && client_id)
		return mq_fail_with(c, MQ_INVALID, "client_id",
				    "Not with an access token: the events are the user's.");
	if (!user_id && (client_id == NULL || !uuid_ok(client_id)))
		return mq_fail_with(c, MQ_INVALID, "client_id",
				    "Required without an access token: a random UUID the client "
				    "keeps.");
	if (batch_id && !uuid_ok(batch_id))
		return mq_fail_with(c, MQ_INVALID, "batch_id",
				    "A UUID the client makes for the batch and sends with its retries.");
	for (size_t i = 0; i < n; i++)
		if ((st = check_event(c, i, json_object_array_get_idx(events, i), rows)) != MQ_OK)
			return st;
	if (n == 0)
		return MQ_OK;
	const char *params[] = { user_param(c, user_id), client_id,
				 mq_json_render(rows, &(size_t){ 0 }), batch_id };
	if ((res = mq_db_q(c, &ingest, 4, params)) == NULL)
		return mq_db_failure(c);
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
		return replayed(c, (const char *[]){ params[0], params[1], batch_id, params[2] },
				accepted);
	*accepted = mq_row_int(res, 0, 0);
	return MQ_OK;
}

enum mq_status mq_analytics_forget_batches(struct mq_ctx *c, int64_t *n)
{
	PGresult *res = mq_db_q(c, &forget, 0, NULL);

	if (res == NULL)
		return mq_db_failure(c);
	*n = mq_row_int(res, 0, 0);
	return MQ_OK;
}

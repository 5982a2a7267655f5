/*
 * fuzz_events.c: a client's batch of analytics events, POST /api/events/
 * (analytics/events.c: mq_analytics_ingest), up to the statement that
 * stores it, which is this target's: it keeps the rows it is given.
 *
 * Input: a first byte (odd: a signed-in user; even: anonymous), then the
 * JSON body, {"client_id": ..., "events": [...]} (without "events", the
 * whole value is the batch).  What must hold: a batch is stored only
 * when it is an array of at most MQ_EVENTS_BATCH_MAX events, from a user
 * or a client's UUID, not both; then one row per event, each of a known
 * kind, with a movie's id, seconds from 0 to 86400, and in its data only
 * that kind's fields, of their types; a refusal names its field.
 */
#include "harness.h"

#include "core/config.h"
#include "core/ctx.h"
#include "core/json.h"
#include "db/db.h"

/* The statements are this target's: the code under test is compiled here. */
PGresult *fz_db_q(struct mq_ctx *c, struct mq_stmt *st, int n, const char *const *params);
enum mq_status fz_db_failure(struct mq_ctx *c);
#define mq_db_q fz_db_q
#define mq_db_failure fz_db_failure
#include "analytics/events.c"
#undef mq_db_q
#undef mq_db_failure

#define STORED MQ_UNAVAILABLE	/* what "storing" answers here */

static const char *stored;	/* $3 of the insert, rendered */
static int calls;

PGresult *fz_db_q(struct mq_ctx *c, struct mq_stmt *st, int n, const char *const *params)
{
	FZ_CHECK(st == &ingest && n == 4 && params[3] == NULL);
	stored = mq_arena_strdup(c->arena, params[2]);
	calls++;
	return NULL;
}

enum mq_status fz_db_failure(struct mq_ctx *c)
{
	(void)c;
	return STORED;
}

/* Is s a field's name of kind, and v of that field's type? Written from
 * the API's description, apart from the kinds[] table. */
static bool field_ok(const char *kind, const char *s, struct json_object *v)
{
	bool rec = strcmp(kind, "rec_impression") == 0 || strcmp(kind, "rec_click") == 0;
	const char *w;

	if (strcmp(s, "position") == 0)
		return rec && json_object_is_type(v, json_type_int) &&
		       json_object_get_int64(v) >= 0 && json_object_get_int64(v) <= 1000;
	if (strcmp(s, "reason") == 0 || strcmp(s, "channel") == 0) {
		if ((strcmp(s, "reason") == 0) != rec ||
		    (strcmp(s, "channel") == 0) != (strcmp(kind, "share_click") == 0) ||
		    !json_object_is_type(v, json_type_string))
			return false;
		w = json_object_get_string(v);
		if (strlen(w) < 1 || strlen(w) > 32)
			return false;
		for (; *w; w++)
			if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') || *w == '_'))
				return false;
		return true;
	}
	return false;
}

/* 8-4-4-4-12 hex digits. */
static bool uuid(const char *s)
{
	static const char hex[] = "0123456789abcdefABCDEF";

	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !strchr(hex, s[i]))
			return false;
	return true;
}

static void check_rows(struct mq_arena *a, struct json_object *events)
{
	struct json_object *rows = NULL, *row, *kind, *movie, *value, *data;
	const char *err, *k;
	size_t n = json_object_array_length(events);

	FZ_CHECK(mq_json_parse(a, stored, strlen(stored), 8, &rows, &err) == 0);
	FZ_CHECK(json_object_is_type(rows, json_type_array) &&
		 json_object_array_length(rows) == n);
	for (size_t i = 0; i < n; i++) {
		row = json_object_array_get_idx(rows, i);
		movie = value = NULL;
		FZ_CHECK(json_object_object_get_ex(row, "kind", &kind) &&
			 json_object_object_get_ex(row, "data", &data));
		k = json_object_get_string(kind);
		FZ_CHECK(strcmp(k, "trailer_play") == 0 || strcmp(k, "rec_impression") == 0 ||
			 strcmp(k, "rec_click") == 0 || strcmp(k, "share_click") == 0);
		/* the movie, required but for a share */
		if (json_object_object_get_ex(row, "movie", &movie))
			FZ_CHECK(json_object_is_type(movie, json_type_int) &&
				 json_object_get_int64(movie) >= 1);
		else
			FZ_CHECK(strcmp(k, "share_click") == 0);
		if (json_object_object_get_ex(row, "value", &value))
			FZ_CHECK(strcmp(k, "trailer_play") == 0 &&
				 json_object_is_type(value, json_type_int) &&
				 json_object_get_int64(value) >= 0 &&
				 json_object_get_int64(value) <= 86400);
		FZ_CHECK(json_object_object_length(row) == 2 + (movie != NULL) + (value != NULL));
		json_object_object_foreach(data, name, v)
			FZ_CHECK(field_ok(k, name, v));
		/* what the client sent, nothing more, nothing lost */
		FZ_CHECK(json_object_object_length(json_object_array_get_idx(events, i)) ==
			 json_object_object_length(row) - 1 + json_object_object_length(data));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a;
	struct json_object *body = NULL, *events, *cid;
	const char *err, *client = NULL;
	struct mq_ctx c;
	int64_t user, accepted = -1;
	enum mq_status st;

	if (size == 0)
		return 0;
	a = mq_arena_new(0);
	if (mq_json_parse(a, (const char *)data + 1, size - 1, fz_config()->json_max_depth, &body,
			  &err) < 0)
		goto out;
	user = data[0] & 1 ? 7 : 0;
	events = body;
	if (json_object_is_type(body, json_type_object)) {
		if (json_object_object_get_ex(body, "client_id", &cid) &&
		    json_object_is_type(cid, json_type_string))
			client = json_object_get_string(cid);
		json_object_object_get_ex(body, "events", &events);
	}
	c = (struct mq_ctx){ .cfg = fz_config(), .arena = a, .request_id = "-", .client = "-" };
	stored = NULL;
	calls = 0;
	st = mq_analytics_ingest(&c, user, client, NULL, events, &accepted);
	FZ_CHECK(accepted == 0);
	if (st == MQ_OK) {
		/* nothing to store */
		FZ_CHECK(calls == 0 && json_object_array_length(events) == 0);
	} else if (st == STORED) {
		FZ_CHECK(calls == 1 && json_object_is_type(events, json_type_array));
		FZ_CHECK(json_object_array_length(events) <= MQ_EVENTS_BATCH_MAX);
		FZ_CHECK((user != 0) != (client != NULL));
		FZ_CHECK(client == NULL || uuid(client));
		check_rows(a, events);
	} else {
		FZ_CHECK(calls == 0 && (st == MQ_INVALID || st == MQ_TOO_LARGE));
		FZ_CHECK(c.err.field != NULL && (strncmp(c.err.field, "events", 6) == 0 ||
						 strcmp(c.err.field, "client_id") == 0));
	}
out:
	mq_arena_destroy(a);
	return 0;
}

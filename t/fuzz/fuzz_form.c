/*
 * fuzz_form.c: a JSON request body read as a handler reads it
 * (mq_form_read: Content-Type, length, strict JSON) and checked field by
 * field (http/form.c), then answered (mq_form_end).
 *
 * Input: the body.  What must hold: every value a check lets through
 * keeps its promise (length in characters, range, calendar), the answer
 * is one well-formed response (400 problem+json naming the fields), and
 * nothing is answered when every check passed.
 */
#include "harness.h"

#include "core/utf8.h"
#include "http/form.h"

static const char *const fields[] = {
	"username", "email", "bio", "rating", "tmdb_id", "public", "score", "status",
	"release_date", "watched_at", NULL,
};
static const char *const read_only[] = { "id", "created_at", NULL };
static const char *const statuses[] = { "want", "watching", "watched", NULL };

static void check_string(const char *s, size_t min, size_t max)
{
	size_t n;

	if (s == NULL)
		return;
	n = mq_utf8_length(s);
	FZ_CHECK(fz_utf8_ok(s, strlen(s)));
	FZ_CHECK(n >= min && n <= max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	char *body = fz_cstr(a, data, size);
	char *env[] = {
		"REQUEST_METHOD=POST", "DOCUMENT_URI=/api/fuzz/",
		"CONTENT_TYPE=application/json; charset=utf-8",
		mq_arena_printf(a, "CONTENT_LENGTH=%zu", size), NULL,
	};
	const char *why, *s, *date, *ts;
	struct mq_req r;
	struct mq_form f;
	mq_reply rc;
	int64_t n;
	double d;
	bool b, is_null, ok = true;

	FZ_CHECK(fz_request(&r, a, env, body, size, &why) == 0);
	if (mq_done(rc = mq_form_read(&f, &r, fields, read_only))) {
		FZ_CHECK(fz_check_response(a) == 400);
		goto out;
	}
	FZ_CHECK(!r.responded);
	check_string(mq_form_string(&f, "username", MQ_REQUIRED, 3, 30), 3, 30);
	check_string(mq_form_string(&f, "email", MQ_OPTIONAL, 1, 254), 1, 254);
	s = mq_form_string_or_null(&f, "bio", 0, 500, &is_null);
	check_string(s, 0, 500);
	FZ_CHECK(!(is_null && s));
	if (mq_form_int(&f, "rating", MQ_REQUIRED, 1, 10, &n))
		FZ_CHECK(n >= 1 && n <= 10);
	else
		ok = false;
	if (mq_form_int(&f, "tmdb_id", MQ_OPTIONAL, 1, INT32_MAX, &n))
		FZ_CHECK(n >= 1 && n <= INT32_MAX);
	mq_form_bool(&f, "public", MQ_OPTIONAL, &b);
	if (mq_form_number(&f, "score", MQ_OPTIONAL, 0, 10, &d))
		FZ_CHECK(d >= 0 && d <= 10);
	if ((s = mq_form_enum(&f, "status", MQ_OPTIONAL, statuses)))
		FZ_CHECK(mq_form_listed(statuses, s));
	if ((date = mq_form_string(&f, "release_date", MQ_OPTIONAL, 10, 10)) && !mq_valid_date(date))
		mq_form_error(&f, "release_date", "Must be a date.");
	if ((ts = mq_form_string(&f, "watched_at", MQ_OPTIONAL, 1, 40)) && !mq_valid_timestamp(ts))
		mq_form_error(&f, "watched_at", "Must be an RFC 3339 date-time.");
	FZ_CHECK(!r.responded);
	if (mq_done(rc = mq_form_end(&f))) {
		FZ_CHECK(fz_check_response(a) == 400);
	} else {
		/* nothing was wrong, so the required fields were there */
		FZ_CHECK(ok && mq_form_has(&f, "username") && !r.responded);
		FZ_CHECK(fz_response(&(size_t){ 0 })[0] == '\0');
	}
out:
	fz_request_end();
	mq_arena_destroy(a);
	return 0;
}

/*
 * test_form.c: field checks of request bodies, on json-c objects built
 * here (the HTTP layer's JSON validator is not in the way).
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/json.h"
#include "http/form.h"
#include "http/http.h"
#include "unit.h"

static const char *const fields[] = { "password", "name", NULL };
static struct mq_arena *a;
static struct mq_req r;
static struct json_object *body;

static void setup(void)
{
	a = mq_arena_new(0);
	memset(&r, 0, sizeof(r));
	r.arena = a;
	body = mq_json_object(a);
}

static void teardown(void)
{
	mq_arena_destroy(a);
}

/* The first error recorded for field, or NULL. */
static const char *error_of(struct mq_form *f, const char *field)
{
	struct json_object *list;

	if (!json_object_object_get_ex(f->errors, field, &list))
		return NULL;
	return json_object_get_string(json_object_array_get_idx(list, 0));
}

/* json_object_get_string() stops at a NUL: "secret\0x" would be taken,
 * and stored or compared, as "secret". */
START_TEST(strings_with_a_nul_are_refused)
{
	struct mq_form f;
	bool is_null;

	json_object_object_add(body, "password", json_object_new_string_len("secret\0xyz", 10));
	json_object_object_add(body, "name", json_object_new_string_len("al\0ice", 6));
	mq_form_begin(&f, &r, body, fields, NULL);
	ck_assert_ptr_null(mq_form_string(&f, "password", MQ_REQUIRED, 1, 128));
	ck_assert_ptr_nonnull(strstr(error_of(&f, "password"), "NUL"));
	ck_assert_ptr_null(mq_form_string_or_null(&f, "name", 0, 100, &is_null));
	ck_assert(!is_null);
	ck_assert_ptr_nonnull(strstr(error_of(&f, "name"), "NUL"));
	ck_assert(!mq_form_ok(&f));
}
END_TEST

START_TEST(plain_strings_pass)
{
	struct mq_form f;

	json_object_object_add(body, "password", json_object_new_string("correct horse battery"));
	json_object_object_add(body, "name", json_object_new_string("Zoë"));
	mq_form_begin(&f, &r, body, fields, NULL);
	ck_assert_str_eq(mq_form_string(&f, "password", MQ_REQUIRED, 1, 128), "correct horse battery");
	ck_assert_str_eq(mq_form_string(&f, "name", MQ_REQUIRED, 3, 3), "Zoë");
	ck_assert(mq_form_ok(&f));
}
END_TEST

/* added_after=, watched_at: RFC 3339, seconds with or without a fraction,
 * Z or an offset. */
START_TEST(timestamps)
{
	static const char *const good[] = {
		"2026-11-20T10:00:00Z", "2024-02-29T23:59:59+01:00", "1999-12-31T00:00:00-05:30",
		"2026-11-20T10:00:00.5Z", "2026-11-20T10:00:00.123456789+05:30",
	};
	static const char *const bad[] = {
		"2026-11-20", "2026-11-20T10:00:00", "2026-11-20 10:00:00Z", "2023-02-29T10:00:00Z",
		"2026-11-20T24:00:00Z", "2026-11-20T10:60:00Z", "2026-11-20T10:00:60Z",
		"2026-11-20T10:00:00.Z", "2026-11-20T10:00:00.1234567890Z", "2026-11-20T10:00:00.5",
		"2026-11-20T10:00:00,5Z", "2026-11-20T10:00:00+1:00", "2026-11-20T10:00:00+24:00",
		"2026-11-20T10:00:00z", "2026-11-20T1a:00:00Z", "2026-11-20T10:00:00Zx", "", "yesterday",
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(good); i++)
		ck_assert_msg(mq_valid_timestamp(good[i]), "%s", good[i]);
	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++)
		ck_assert_msg(!mq_valid_timestamp(bad[i]), "%s", bad[i]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("form");
	TCase *tc = tcase_create("form");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, strings_with_a_nul_are_refused);
	tcase_add_test(tc, plain_strings_pass);
	tcase_add_test(tc, timestamps);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

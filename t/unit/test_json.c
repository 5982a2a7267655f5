/*
 * test_json.c: strict parsing and its limits.
 */
#include "core/common.h"

#include "core/json.h"
#include "unit.h"

static struct mq_arena *a;

static void setup(void)
{
	a = mq_arena_new(0);
}

static void teardown(void)
{
	mq_arena_destroy(a);
}

/* The value, or NULL for a refusal (never the JSON null: not parsed here
 * but in parses_null). */
static struct json_object *parse(const char *s, const char **err)
{
	struct json_object *v;

	*err = NULL;
	if (mq_json_parse(a, s, strlen(s), 32, &v, err) < 0) {
		ck_assert_ptr_nonnull(*err);
		return NULL;
	}
	ck_assert_ptr_nonnull(v);
	return v;
}

static char *nested(int depth)
{
	char *s = mq_arena_alloc(a, (size_t)depth * 2 + 1);

	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth * 2 - 1 - i] = ']';
	}
	s[depth * 2] = '\0';
	return s;
}

START_TEST(accepts_valid_json)
{
	const char *err = NULL;
	struct json_object *v = parse(" {\"title\": \"Am\u00e9lie\", \"n\": [1, 2.5, true, null]} \n", &err);

	ck_assert_ptr_nonnull(v);
	ck_assert(json_object_is_type(v, json_type_object));
	ck_assert_ptr_nonnull(parse("42", &err));
	ck_assert_ptr_nonnull(parse("\"s\"", &err));
	ck_assert_ptr_nonnull(parse("[-0, 0.5, 1e5, 1E-5, -1.25e+3]", &err));
	ck_assert_ptr_nonnull(parse("\"\\ud83c\\udfac \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"", &err));
	ck_assert_ptr_nonnull(parse("{\"a\": {}, \"b\": []}", &err));
	ck_assert_ptr_nonnull(parse(nested(32), &err));
}
END_TEST

START_TEST(refuses_sloppy_json)
{
	static const char *const bad[] = {
		"{", "{\"a\":}", "{'a': 1}", "{\"a\": 1,}", "[1, 2,]", "{\"a\": 01}",
		"{\"a\": 1} x", "{\"a\": 1}{}", "", "nul", "{\"a\": NaN}", "{a: 1}",
		"{\"a\": \"\t\"}", "// c\n{}", "NaN", "Infinity", "[-Infinity]", "1.", "1.e5",
		"\"\\ud800\"", "\"\\udc00\"", "\"\\u0000\"", "\"\\x41\"", "+1", ".5", "[1 2]",
		"{\"a\" 1}", "tRue", "\"unterminated", "-", "[\"a\",]",
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++) {
		const char *err = NULL;

		ck_assert_msg(parse(bad[i], &err) == NULL, "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(err);
	}
}
END_TEST

START_TEST(refuses_deep_nesting)
{
	const char *err = NULL;

	ck_assert_ptr_null(parse(nested(33), &err));
	ck_assert_str_eq(err, "The JSON body is nested too deeply.");
	ck_assert_ptr_null(parse(nested(5000), &err));
}
END_TEST

START_TEST(refuses_invalid_utf8_and_nul)
{
	const char *err = NULL;
	static const char with_nul[] = "{\"a\": 1}\0junk";
	struct json_object *v;

	ck_assert_ptr_null(parse("{\"a\": \"\xc3\"}", &err));
	ck_assert_ptr_null(parse("{\"a\": \"\xff\xfe\"}", &err));
	ck_assert_int_eq(mq_json_parse(a, with_nul, sizeof(with_nul) - 1, 32, &v, &err), -1);
}
END_TEST

/* json-c represents the JSON null as NULL: a parse that succeeds says so
 * by its return, never by the pointer (a NULL taken for a failure had its
 * absent reason printed with %s: "detail": "(null)"). */
START_TEST(parses_null)
{
	static int sentinel;
	const char *err = "untouched";
	struct json_object *v = (struct json_object *)&sentinel;

	ck_assert_int_eq(mq_json_parse(a, " null ", 6, 32, &v, &err), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(mq_json_parse(a, "nul", 3, 32, &v, &err), -1);
	ck_assert_str_eq(err, "The body is not valid JSON.");
}
END_TEST

/* RFC 8259 leaves duplicate names to the parser; json-c keeps the last,
 * so {"role": "user", "role": "admin"} would be read as what a filter
 * that saw the first never checked.  Refused at every depth, and names
 * that differ only by escapes ("a" and "\u0061") are the same name. */
START_TEST(refuses_duplicate_keys)
{
	static const char *const dup[] = {
		"{\"a\": 1, \"a\": 2}",
		"{\"a\": 1, \"b\": 2, \"a\": 1}",
		"{\"a\": 1, \"\\u0061\": 2}",
		"{\"x\": {\"a\": 1, \"a\": 2}}",
		"[{\"ok\": 1}, {\"a\": [], \"a\": {}}]",
		"{\"x\": [[{\"deep\": {\"a\": null, \"a\": null}}]]}",
		"{\"a\": {\"b\": 1}, \"a\": {\"c\": 2}}",
		"{\"\u00e9\": 1, \"\\u00e9\": 2}",
	};
	static const char *const fine[] = {
		"{\"a\": 1, \"A\": 2}",
		"{\"a\": {\"a\": {\"a\": 1}}}",
		"[{\"a\": 1}, {\"a\": 2}]",
		"{\"a\": 1, \"a \": 2, \"\\u00e9\": 3, \"e\\u0301\": 4}",
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(dup); i++) {
		const char *err = NULL;

		ck_assert_msg(parse(dup[i], &err) == NULL, "accepted %s", dup[i]);
		ck_assert_str_eq(err, "The JSON body has a duplicate key.");
	}
	for (size_t i = 0; i < MQ_ARRAY_LEN(fine); i++) {
		const char *err = NULL;

		ck_assert_msg(parse(fine[i], &err) != NULL, "refused %s: %s", fine[i], err);
	}
}
END_TEST

START_TEST(renders_compactly)
{
	struct json_object *o = mq_json_object(a);
	size_t len;

	mq_json_add_str(o, "url", "http://x/y");
	mq_json_add_int(o, "n", 7);
	mq_json_add_str(o, "none", NULL);
	ck_assert_str_eq(mq_json_render(o, &len), "{\"url\":\"http://x/y\",\"n\":7,\"none\":null}");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, accepts_valid_json);
	tcase_add_test(tc, refuses_sloppy_json);
	tcase_add_test(tc, refuses_deep_nesting);
	tcase_add_test(tc, refuses_invalid_utf8_and_nul);
	tcase_add_test(tc, parses_null);
	tcase_add_test(tc, refuses_duplicate_keys);
	tcase_add_test(tc, renders_compactly);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

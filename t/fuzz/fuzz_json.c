/*
 * fuzz_json.c: request and TMDb bodies (core/json.c): the strict RFC 8259
 * check, then json-c.
 *
 * Input: the body.  What must hold: when the strict check passes json-c
 * builds the value (the check is never laxer than json-c, and never
 * stricter in a way that turns valid JSON into a 500), unless a name is
 * given twice in an object, which is refused; the value is no deeper
 * than the limit and has every name of the text; rendered, it parses again
 * to an equal value.
 */
#include "harness.h"

#include "core/config.h"

/* check_syntax() is static: this target is compiled with it. */
#include "core/json.c"

/* Depth of v: 0 for a scalar, 1 for [] or {}, ... */
static int depth_of(struct json_object *v)
{
	int d = 0;

	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			int k = depth_of(json_object_array_get_idx(v, i));

			d = k > d ? k : d;
		}
		return d + 1;
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			int k = depth_of(val);

			(void)key;
			d = k > d ? k : d;
		}
		return d + 1;
	}
	return 0;
}

/* How many names the objects of v have, at every depth. */
static size_t members_of(struct json_object *v)
{
	size_t n = 0;

	if (json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v); i++)
			n += members_of(json_object_array_get_idx(v, i));
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			(void)key;
			n += 1 + members_of(val);
		}
	}
	return n;
}

/* How many object member names the text of a valid document has: each
 * string followed by a colon, counted here apart from check_syntax(). */
static size_t names_in(const uint8_t *d, size_t n)
{
	size_t names = 0;

	for (size_t i = 0; i < n; i++) {
		if (d[i] != '"')
			continue;
		for (i++; i < n && d[i] != '"'; i++)
			i += d[i] == '\\';
		for (i++; i < n && strchr(" \t\r\n", d[i]) && d[i]; i++)
			;
		names += i < n && d[i] == ':';
		i--;
	}
	return names;
}

static void one(struct mq_arena *a, const uint8_t *data, size_t size, int max_depth)
{
	const char *err = NULL, *text, *syntax;
	struct json_object *v = NULL, *again = NULL;
	size_t len, names;
	int rc = mq_json_parse(a, (const char *)data, size, max_depth, &v, &err);

	syntax = check_syntax((const char *)data, size, max_depth, &names);
	FZ_CHECK((rc == 0) == (err == NULL));
	if (rc < 0 && syntax == NULL) {
		/* the text is JSON: the only refusal left is a name given
		 * twice in one object, which json-c keeps once (were json-c
		 * to refuse what the strict check let through, valid JSON
		 * would be answered as invalid) */
		struct json_object *lax = json_tokener_parse((const char *)fz_cstr(a, data, size));

		mq_arena_defer(a, put_json, lax);
		FZ_CHECK(strcmp(err, "The JSON body has a duplicate key.") == 0);
		FZ_CHECK(names_in(data, size) == names && members_of(lax) < names);
		return;
	}
	if (rc < 0)
		return;
	FZ_CHECK(syntax == NULL);
	FZ_CHECK(fz_utf8_ok((const char *)data, size));
	FZ_CHECK(depth_of(v) <= max_depth);
	/* no name was given twice, none was lost */
	FZ_CHECK(members_of(v) == names_in(data, size));
	text = mq_json_render(v, &len);
	FZ_CHECK(strlen(text) == len);
	FZ_CHECK(mq_json_parse(a, text, len, max_depth, &again, &err) == 0);
	FZ_CHECK(json_object_equal(v, again));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);

	one(a, data, size, fz_config()->json_max_depth);
	one(a, data, size, 3);
	mq_arena_destroy(a);
	return 0;
}

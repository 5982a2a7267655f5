/*
 * fuzz_json.c: request and TMDb bodies (core/json.c): the strict RFC 8259
 * check, then json-c.
 *
 * Input: the body.  What must hold: when the strict check passes json-c
 * builds the value (the check is never laxer than json-c, and never
 * stricter in a way that turns valid JSON into a 500); the value is no
 * deeper than the limit; rendered, it parses again to an equal value.
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

/* The document null, between white space. */
static bool is_null(const uint8_t *d, size_t n)
{
	size_t i = 0;

	while (i < n && strchr(" \t\r\n", d[i]) && d[i])
		i++;
	if (n - i < 4 || memcmp(d + i, "null", 4) != 0)
		return false;
	for (i += 4; i < n; i++)
		if (!strchr(" \t\r\n", d[i]) || !d[i])
			return false;
	return true;
}

static void one(struct mq_arena *a, const uint8_t *data, size_t size, int max_depth)
{
	const char *err = NULL, *text, *syntax = check_syntax((const char *)data, size, max_depth);
	struct json_object *v = mq_json_parse(a, (const char *)data, size, max_depth, &err), *again;
	size_t len;

	/* json-c's null is a NULL object: a NULL without a reason is the
	 * document null */
	if (v == NULL && err == NULL) {
		FZ_CHECK(syntax == NULL && is_null(data, size));
		return;
	}
	if (v == NULL) {
		/* json-c refusing what the strict check let through would
		 * be a body that is valid JSON but answered as invalid */
		FZ_CHECK(syntax != NULL);
		return;
	}
	FZ_CHECK(syntax == NULL);
	FZ_CHECK(fz_utf8_ok((const char *)data, size));
	FZ_CHECK(depth_of(v) <= max_depth);
	text = mq_json_render(v, &len);
	FZ_CHECK(strlen(text) == len);
	again = mq_json_parse(a, text, len, max_depth, &err);
	FZ_CHECK(again != NULL);
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

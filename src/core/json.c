/*
 * json.c: strict parsing and compact rendering.
 *
 * json-c's JSON_TOKENER_STRICT still accepts single-quoted keys, NaN and
 * Infinity, raw control characters in strings, "1." and lone surrogates,
 * so the text is first checked against RFC 8259's grammar here, then
 * handed to json-c to build the tree.
 *
 * Duplicate names in an object are refused too, at any depth: RFC 8259
 * leaves them to the parser, and json-c keeps the last one, so that
 * {"role": "user", "role": "admin"} means what a reader of the first
 * never saw.  The check counts the names of the text and those of
 * json-c's tree: json-c stores one member per distinct name (after
 * decoding escapes: "a" and "\u0061" are one name), so the tree has fewer
 * exactly when the text repeats a name somewhere.  Counting leaves the
 * question of sameness to the parser whose tree the handlers read.
 */
#include "core/json.h"

#include "core/i18n.h"
#include "core/utf8.h"

struct cursor {
	const unsigned char *p, *end;
	int depth, max_depth;
	size_t names;		/* object member names seen, at every depth */
	const char *err;
};

static bool fail(struct cursor *c, const char *err)
{
	if (c->err == NULL)
		c->err = err;
	return false;
}

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool hex4(struct cursor *c, unsigned *out)
{
	unsigned v = 0;

	if (c->end - c->p < 4)
		return false;
	for (int i = 0; i < 4; i++, c->p++) {
		unsigned ch = *c->p;

		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= ch - '0';
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			v |= (ch | 0x20) - 'a' + 10;
		else
			return false;
	}
	*out = v;
	return true;
}

/* After "\u": one escape, or a surrogate pair; U+0000 is refused because
 * PostgreSQL text cannot hold it. */
static bool unicode_escape(struct cursor *c)
{
	unsigned cp, lo;

	if (!hex4(c, &cp))
		return fail(c, "The JSON body has a malformed \\u escape.");
	if (cp == 0)
		return fail(c, "Strings must not contain U+0000.");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(c, "The JSON body has an unpaired surrogate escape.");
	if (cp < 0xd800 || cp > 0xdbff)
		return true;
	if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
		return fail(c, "The JSON body has an unpaired surrogate escape.");
	c->p += 2;
	if (!hex4(c, &lo) || lo < 0xdc00 || lo > 0xdfff)
		return fail(c, "The JSON body has an unpaired surrogate escape.");
	return true;
}

static bool string(struct cursor *c)
{
	c->p++;	/* the opening quote */
	while (c->p < c->end) {
		unsigned ch = *c->p++;

		if (ch == '"')
			return true;
		if (ch < 0x20)
			return fail(c, "Strings must not contain raw control characters.");
		if (ch != '\\')
			continue;
		if (c->p == c->end)
			break;
		ch = *c->p++;
		if (ch == 'u') {
			if (!unicode_escape(c))
				return false;
		} else if (!strchr("\"\\/bfnrt", (int)ch) || ch == 0) {
			return fail(c, "The JSON body has an invalid escape sequence.");
		}
	}
	return fail(c, "The JSON body has an unterminated string.");
}

static bool digits(struct cursor *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct cursor *c)
{
	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!digits(c))
		return fail(c, "The body is not valid JSON.");
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!digits(c))
			return fail(c, "The body is not valid JSON.");
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!digits(c))
			return fail(c, "The body is not valid JSON.");
	}
	return true;
}

static bool literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return fail(c, "The body is not valid JSON.");
	c->p += n;
	return true;
}

static bool value(struct cursor *c);

/* An array or object: open and close are '[' ']' or '{' '}'. */
static bool container(struct cursor *c, unsigned char close)
{
	bool object = close == '}';

	if (++c->depth > c->max_depth)
		return fail(c, "The JSON body is nested too deeply.");
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			if (c->p == c->end || *c->p != '"' || !string(c))
				return fail(c, "Object keys must be double-quoted strings.");
			c->names++;
			skip_ws(c);
			if (c->p == c->end || *c->p++ != ':')
				return fail(c, "The body is not valid JSON.");
		}
		if (!value(c))
			return false;
		skip_ws(c);
		if (c->p == c->end)
			return fail(c, "The body is not valid JSON.");
		if (*c->p == close) {
			c->p++;
			c->depth--;
			return true;
		}
		if (*c->p++ != ',')
			return fail(c, "The body is not valid JSON.");
		skip_ws(c);
	}
}

static bool value(struct cursor *c)
{
	skip_ws(c);
	if (c->p == c->end)
		return fail(c, "The body is not valid JSON.");
	switch (*c->p) {
	case '{': return container(c, '}');
	case '[': return container(c, ']');
	case '"': return string(c);
	case 't': return literal(c, "true");
	case 'f': return literal(c, "false");
	case 'n': return literal(c, "null");
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return number(c);
		return fail(c, "The body is not valid JSON.");
	}
}

/* Checks buf against RFC 8259; NULL when it conforms, else the reason.
 * *names: how many object member names it has, at every depth. */
static const char *check_syntax(const char *buf, size_t len, int max_depth, size_t *names)
{
	struct cursor c = { (const unsigned char *)buf, (const unsigned char *)buf + len, 0,
			    max_depth, 0, NULL };

	if (!mq_utf8_valid(buf, len))
		return N_("The JSON body is not valid UTF-8.");
	if (!value(&c))
		return c.err;
	skip_ws(&c);
	*names = c.names;
	return c.p == c.end ? NULL : "The body has data after the JSON value.";
}

/* The members of every object in v, at every depth (v was checked to
 * nest at most max_depth deep). */
static size_t members(struct json_object *v)
{
	size_t n = 0;

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			(void)key;
			n += 1 + members(val);
		}
	} else if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0, len = json_object_array_length(v); i < len; i++)
			n += members(json_object_array_get_idx(v, i));
	}
	return n;
}

static void put_json(void *p)
{
	json_object_put(p);
}

static void free_tokener(void *p)
{
	json_tokener_free(p);
}

int mq_json_parse(struct mq_arena *a, const char *buf, size_t len, int max_depth,
		  struct json_object **out, const char **err)
{
	struct json_tokener *tok;
	struct json_object *v;
	enum json_tokener_error jerr;
	size_t names = 0;

	if (len > INT32_MAX) {
		*err = N_("The body is too large.");
		return -1;
	}
	*err = check_syntax(buf, len, max_depth, &names);
	if (*err != NULL)
		return -1;
	/* The check above enforced max_depth; json-c's own limit is a
	 * second guard. */
	tok = json_tokener_new_ex(max_depth + 1);
	if (tok == NULL)
		abort();
	mq_arena_defer(a, free_tokener, tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	v = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* Input ended inside a value ("{\"a\":"), or a bare number
		 * that is only complete at end of input: feed the end. */
		v = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	mq_arena_defer(a, put_json, v);
	if (jerr != json_tokener_success) {
		switch (jerr) {
		case json_tokener_error_depth:
			*err = N_("The JSON body is nested too deeply.");
			break;
		case json_tokener_error_parse_utf8_string:
			*err = N_("The JSON body is not valid UTF-8.");
			break;
		default:
			*err = N_("The body is not valid JSON.");
			break;
		}
		return -1;
	}
	if (members(v) != names) {
		*err = N_("The JSON body has a duplicate key.");
		return -1;
	}
	*out = v;
	return 0;
}

struct json_object *mq_json_object(struct mq_arena *a)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		abort();
	mq_arena_defer(a, put_json, o);
	return o;
}

struct json_object *mq_json_array(struct mq_arena *a)
{
	struct json_object *o = json_object_new_array();

	if (o == NULL)
		abort();
	mq_arena_defer(a, put_json, o);
	return o;
}

const char *mq_json_render(struct json_object *o, size_t *len)
{
	const char *s = json_object_to_json_string_length(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);

	if (s == NULL)
		abort();
	return s;
}

void mq_json_add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

void mq_json_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/*
 * form.c: field checks that collect their errors.
 */
#include "http/form.h"

#include <ctype.h>
#include <stdarg.h>

#include "core/json.h"
#include "core/utf8.h"
#include "http/http.h"

bool mq_form_listed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

void mq_form_begin(struct mq_form *f, struct mq_req *r, struct json_object *body,
		   const char *const *allowed, const char *const *read_only)
{
	f->r = r;
	f->body = body;
	f->errors = mq_json_object(r->arena);
	json_object_object_foreach(body, key, val) {
		(void)val;
		if (mq_form_listed(read_only, key))
			mq_form_error(f, key, "This field cannot be changed.");
		else if (!mq_form_listed(allowed, key))
			mq_form_error(f, key, "Unknown field.");
	}
}

mq_reply mq_form_read(struct mq_form *f, struct mq_req *r, const char *const *allowed,
		      const char *const *read_only)
{
	struct json_object *body;
	mq_reply rc = mq_req_json(r, &body);

	if (!mq_done(rc))
		mq_form_begin(f, r, body, allowed, read_only);
	return rc;
}

void mq_form_error(struct mq_form *f, const char *field, const char *fmt, ...)
{
	struct json_object *list;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = mq_arena_vprintf(f->r->arena, mq_tr(f->r->lang.ui, fmt), ap);
	va_end(ap);
	if (!json_object_object_get_ex(f->errors, field, &list)) {
		list = json_object_new_array();
		json_object_object_add(f->errors, field, list);
	}
	json_object_array_add(list, json_object_new_string(msg));
}

bool mq_form_has(const struct mq_form *f, const char *name)
{
	return json_object_object_get_ex(f->body, name, NULL);
}

static struct json_object *get(struct mq_form *f, const char *name, bool required)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(f->body, name, &v)) {
		if (required)
			mq_form_error(f, name, "This field is required.");
		return NULL;
	}
	if (v == NULL)
		mq_form_error(f, name, "This field may not be null.");
	return v;
}

static const char *check_string(struct mq_form *f, const char *name, struct json_object *v,
				int min, int max)
{
	const char *s;
	size_t len;

	if (!json_object_is_type(v, json_type_string)) {
		mq_form_error(f, name, "Must be a string.");
		return NULL;
	}
	s = json_object_get_string(v);
	/* A "\u0000" escape would cut the C string short: "secret\u0000x"
	 * would be taken, and stored, as "secret". */
	if ((size_t)json_object_get_string_len(v) != strlen(s)) {
		mq_form_error(f, name, "Must not contain a NUL character (\\u0000).");
		return NULL;
	}
	len = mq_utf8_length(s);
	if (len < (size_t)min) {
		mq_form_error(f, name, min == 1 ? N_("This field may not be blank.")
						: N_("Must be at least %d characters."), min);
		return NULL;
	}
	if (len > (size_t)max) {
		mq_form_error(f, name, "Must be at most %d characters.", max);
		return NULL;
	}
	return s;
}

const char *mq_form_string(struct mq_form *f, const char *name, bool required, int min, int max)
{
	struct json_object *v = get(f, name, required);

	return v ? check_string(f, name, v, min, max) : NULL;
}

const char *mq_form_string_or_null(struct mq_form *f, const char *name, int min, int max,
				   bool *is_null)
{
	struct json_object *v = NULL;

	*is_null = false;
	if (!json_object_object_get_ex(f->body, name, &v))
		return NULL;
	if (v == NULL) {
		*is_null = true;
		return NULL;
	}
	return check_string(f, name, v, min, max);
}

/* json-c reads an integer beyond int64 as the nearest limit, silently
 * (99999999999999999999999 as INT64_MAX): a value at a limit whose JSON
 * text is not the limit's was beyond it.  (A negative one beyond is
 * printed as INT64_MIN, indistinguishable; no field allows INT64_MIN.) */
static bool saturated(struct json_object *v, int64_t n)
{
	char limit[24];

	if (n != INT64_MAX && n != INT64_MIN)
		return false;
	snprintf(limit, sizeof(limit), "%lld", (long long)n);
	return strcmp(json_object_get_string(v), limit) != 0;
}

bool mq_form_int(struct mq_form *f, const char *name, bool required, int64_t min, int64_t max,
		 int64_t *out)
{
	struct json_object *v = get(f, name, required);
	int64_t n;

	if (v == NULL)
		return false;
	if (!json_object_is_type(v, json_type_int)) {
		mq_form_error(f, name, "Must be a whole number.");
		return false;
	}
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < min || n > max || saturated(v, n)) {
		mq_form_error(f, name, "Must be from %lld to %lld.", (long long)min, (long long)max);
		return false;
	}
	*out = n;
	return true;
}

bool mq_form_bool(struct mq_form *f, const char *name, bool required, bool *out)
{
	struct json_object *v = get(f, name, required);

	if (v == NULL)
		return false;
	if (!json_object_is_type(v, json_type_boolean)) {
		mq_form_error(f, name, "Must be true or false.");
		return false;
	}
	*out = json_object_get_boolean(v);
	return true;
}

bool mq_form_ok(const struct mq_form *f)
{
	return json_object_object_length(f->errors) == 0;
}

mq_reply mq_form_end(struct mq_form *f)
{
	return mq_form_ok(f) ? MQ_NEXT : mq_problem_fields(f->r, f->errors);
}

bool mq_form_number(struct mq_form *f, const char *name, bool required, double min, double max,
		    double *out)
{
	struct json_object *v = get(f, name, required);
	double d;

	if (v == NULL)
		return false;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) {
		mq_form_error(f, name, "Must be a number.");
		return false;
	}
	d = json_object_get_double(v);
	if (!(d >= min && d <= max)) {
		mq_form_error(f, name, "Must be from %g to %g.", min, max);
		return false;
	}
	*out = d;
	return true;
}

const char *mq_form_enum(struct mq_form *f, const char *name, bool required,
			 const char *const *values)
{
	struct json_object *v = get(f, name, required);
	const char *s;
	char *all;

	if (v == NULL)
		return NULL;
	s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	if (s && mq_form_listed(values, s))
		return s;
	all = mq_arena_strdup(f->r->arena, "");
	for (const char *const *p = values; *p; p++)
		all = mq_arena_printf(f->r->arena, "%s%s%s", all, p == values ? "" : ", ", *p);
	mq_form_error(f, name, "Must be one of %s.", all);
	return NULL;
}

bool mq_valid_date(const char *s)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    s[4] != '-' || s[7] != '-' || strspn(s, "0123456789-") != 10)
		return false;
	if (y < 1870 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* Digits and separators at the places pattern has 9 and other characters. */
static bool shaped(const char *s, const char *pattern)
{
	for (; *pattern; s++, pattern++)
		if (*pattern == '9' ? !isdigit((unsigned char)*s) : *s != *pattern)
			return false;
	return *s == '\0';
}

/* Two digits as a number (shaped() checked they are digits). */
static int two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

bool mq_valid_timestamp(const char *s)
{
	char head[20], date[11];
	const char *zone = s + 19;
	size_t digits;

	if (strlen(s) < 20)
		return false;
	snprintf(head, sizeof(head), "%.19s", s);
	snprintf(date, sizeof(date), "%.10s", s);
	if (!shaped(head, "9999-99-99T99:99:99") || !mq_valid_date(date) || two(s + 11) > 23 ||
	    two(s + 14) > 59 || two(s + 17) > 59)
		return false;
	if (*zone == '.') {	/* fractional seconds: PostgreSQL keeps microseconds */
		digits = strspn(zone + 1, "0123456789");
		if (digits < 1 || digits > 9)
			return false;
		zone += 1 + digits;
	}
	return strcmp(zone, "Z") == 0 ||
	       ((zone[0] == '+' || zone[0] == '-') && shaped(zone + 1, "99:99") &&
		two(zone + 1) <= 23 && two(zone + 4) <= 59);
}

void mq_form_check_query(struct mq_form *f, const char *const *allowed)
{
	const struct mq_query *q = &f->r->query;

	for (int i = 0; i < q->count; i++) {
		const char *k = q->params[i].key;

		if (!mq_form_listed(allowed, k))
			mq_form_error(f, k, "Unknown parameter.");
		else if (mq_query_count(q, k) > 1 && mq_query_get(q, k) == q->params[i].value)
			mq_form_error(f, k, "Give it once; lists are comma-separated.");
	}
}

mq_reply mq_query_check(struct mq_req *r, const char *const *allowed)
{
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };

	mq_form_check_query(&f, allowed);
	return mq_form_end(&f);
}

/*
 * form.h: checking a JSON request body, field by field.
 *
 *     struct mq_form f;
 *     static const char *const fields[] = { "username", "email", "password", NULL };
 *     if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
 *             return rc;       // the body itself was refused (415, 413, 400)
 *     const char *name = mq_form_string(&f, "username", MQ_REQUIRED, 3, 30);
 *     ...
 *     if (mq_done(rc = mq_form_end(&f)))
 *             return rc;       // 400 with {"errors": {field: [messages]}} was answered
 *
 * Every problem with every field is collected before answering, so a
 * client fixes its request once.  Fields the endpoint does not take are
 * errors, as are the read-only ones it names (role, id, ...): nothing a
 * client sends is silently dropped.
 */
#ifndef MQ_FORM_H
#define MQ_FORM_H

#include <json-c/json.h>

#include "core/common.h"
#include "http/http.h"


#define MQ_REQUIRED true
#define MQ_OPTIONAL false

struct mq_form {
	struct mq_req *r;
	struct json_object *body;
	struct json_object *errors;
};

/* Reads the request's JSON body (mq_req_json) and begins checking it, or
 * answers when the body itself is refused. */
mq_reply mq_form_read(struct mq_form *f, struct mq_req *r, const char *const *allowed,
		      const char *const *read_only);

/* allowed: the fields this endpoint takes; read_only: fields it shows but
 * never takes (an error naming them as such).  Both NULL-terminated. */
void mq_form_begin(struct mq_form *f, struct mq_req *r, struct json_object *body,
		   const char *const *allowed, const char *const *read_only);

void mq_form_error(struct mq_form *f, const char *field, const char *fmt, ...) MQ_PRINTF(3, 4)
	MQ_NONNULL(1, 2, 3);

/* True when the body has the field (null included). */
bool mq_form_has(const struct mq_form *f, const char *name);

/* A string of min..max characters (code points).  Returns NULL when absent
 * (an error if required) or invalid (an error). */
const char *mq_form_string(struct mq_form *f, const char *name, bool required, int min, int max);

/* A string or null: *is_null tells which.  Same checks as mq_form_string. */
const char *mq_form_string_or_null(struct mq_form *f, const char *name, int min, int max,
				   bool *is_null);

/* An integer in [min, max]; returns false when absent or invalid. */
bool mq_form_int(struct mq_form *f, const char *name, bool required, int64_t min, int64_t max,
		 int64_t *out);

/* A boolean; returns false when absent or invalid. */
bool mq_form_bool(struct mq_form *f, const char *name, bool required, bool *out);

/* A number (whole or not) in [min, max]; returns false when absent or
 * invalid. */
bool mq_form_number(struct mq_form *f, const char *name, bool required, double min, double max,
		    double *out);

/* One of values (NULL-terminated); NULL when absent or not one of them. */
const char *mq_form_enum(struct mq_form *f, const char *name, bool required,
			 const char *const *values);

/* A real calendar date written YYYY-MM-DD, in the years 1870 to 2100. */
bool mq_valid_date(const char *s);

/* True when name is one of list (NULL-terminated). */
bool mq_form_listed(const char *const *list, const char *name);

/* An RFC 3339 date-time, in whole seconds or with 1 to 9 digits of
 * fraction (.5), in UTC (Z) or with an offset (+01:00), in the years 1870
 * to 2100. */
bool mq_valid_timestamp(const char *s);

/* Records an error for each query parameter not in allowed (NULL-
 * terminated) and each given more than once: a typo must not silently
 * change what a list shows. */
void mq_form_check_query(struct mq_form *f, const char *const *allowed);

/* The same, answering 400 when there is a problem. */
mq_reply mq_query_check(struct mq_req *r, const char *const *allowed);

/* True when no error was recorded. */
bool mq_form_ok(const struct mq_form *f);

/* Answers 400 with the errors, or returns MQ_NEXT when there were none. */
mq_reply mq_form_end(struct mq_form *f);

#endif

/*
 * json.h: strict JSON parsing with limits, and rendering, on json-c.
 *
 * Parsed and built objects are registered with the request arena, so a
 * handler never calls json_object_put() itself.
 */
#ifndef MQ_JSON_H
#define MQ_JSON_H

#include <json-c/json.h>

#include "core/arena.h"

/* Parses buf[0..len) as one JSON value: strict RFC 8259 syntax, valid
 * UTF-8, nesting at most max_depth, no name twice in an object, nothing
 * after the value.  Returns 0 with the value in *out (owned by the arena;
 * NULL is the JSON null, which json-c represents so: check the type, not
 * the pointer), or -1 with *err set to a short reason. */
int mq_json_parse(struct mq_arena *a, const char *buf, size_t len, int max_depth,
		  struct json_object **out, const char **err) __attribute__((nonnull(1, 2, 5, 6)));

/* New empty object or array, owned by the arena (put the root only: adding
 * a child to a parent transfers the child's reference). */
struct json_object *mq_json_object(struct mq_arena *a);
struct json_object *mq_json_array(struct mq_arena *a);

/* Renders compactly; the string lives as long as the object. */
const char *mq_json_render(struct json_object *o, size_t *len);

/* Adds key: a string, or null when s is NULL. */
void mq_json_add_str(struct json_object *o, const char *key, const char *s);
void mq_json_add_int(struct json_object *o, const char *key, int64_t v);

#endif

/*
 * multipart.h: a file sent by a browser's form (multipart/form-data, RFC
 * 7578): the part of a given name, out of the body as it came.
 */
#ifndef MQ_MULTIPART_H
#define MQ_MULTIPART_H

#include "core/common.h"

/* True when content_type is multipart/form-data. */
bool mq_multipart_is(const char *content_type);

/* The content of the part named name of body[0..len), a
 * multipart/form-data body whose Content-Type (with its boundary) is
 * content_type, into *data and *n (pointing into body).  0 when found,
 * 1 when no part has that name, -1 when the body or the boundary is
 * malformed (no boundary of 1 to 70 characters, a part without its
 * headers' end, no closing delimiter). */
int mq_multipart_part(const char *content_type, const char *body, size_t len, const char *name,
		      const char **data, size_t *n);

#endif

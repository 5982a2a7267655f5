/*
 * multipart.h: one field of a multipart/form-data body (RFC 7578), as
 * Plex posts its webhooks: the JSON "payload" part beside a thumbnail.
 */
#ifndef MQ_MULTIPART_H
#define MQ_MULTIPART_H

#include "core/arena.h"

/* The content of the part named name (its Content-Disposition's
 * form-data name) of body (len bytes), whose Content-Type header is type,
 * into *part and *part_len (pointing into body).  Returns 0, or -1 when
 * type has no usable boundary (1 to 70 characters), the body is not
 * multipart with it, or no part has that name. */
int mq_multipart_part(struct mq_arena *a, const char *type, const char *body, size_t len,
		      const char *name, const char **part, size_t *part_len);

#endif

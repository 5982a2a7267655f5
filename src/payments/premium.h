/*
 * premium.h: premium extras, the premium feature enforced here: files of
 * a movie (trailers, featurettes) that only users entitled to a feature
 * ("premium_media") may fetch.
 *
 * A file is under [media] dir/protected/, which nginx serves only
 * internally (/protected-media/, X-Accel-Redirect).  Listing a movie's
 * extras checks the caller's entitlement (payments/subscriptions.h: the
 * subscription's state, in one place) and gives each extra a URL signed
 * for MQ_EXTRA_URL_TTL seconds (core/mac.h); fetching one checks the
 * signature and the expiry, and hands the file to nginx.  A user who is
 * not entitled gets a 403 that names the plan unlocking the feature.
 */
#ifndef MQ_PAYMENTS_PREMIUM_H
#define MQ_PAYMENTS_PREMIUM_H

#include <json-c/json.h>

#include "core/ctx.h"

#define MQ_EXTRA_URL_TTL 300

struct mq_extra_input {
	int64_t movie;
	const char *title;
	const char *file;		/* relative to [media] dir/protected/ */
	const char *content_type;
	const char *feature;		/* NULL: premium_media */
};

/* Adds an extra; *out {id, movie, title, content_type, feature}.
 * MQ_INVALID (field file) for a path that is not a regular file under
 * the protected directory, (field movie) for no such movie. */
enum mq_status mq_extras_add(struct mq_ctx *c, const struct mq_extra_input *in,
			     struct json_object **out);

/* Removes an extra (not its file); MQ_NOT_FOUND. */
enum mq_status mq_extras_remove(struct mq_ctx *c, int64_t id);

/* A movie's extras for user, each with a signed url ({url, expires_at}),
 * into *out.  MQ_FORBIDDEN when the user is not entitled to them, with
 * *plan the cheapest plan on offer that is ({id, name}, or NULL);
 * MQ_NOT_FOUND for no such movie. */
enum mq_status mq_extras_list(struct mq_ctx *c, int64_t user, int64_t movie,
			      struct json_object **out, struct json_object **plan);

/* Checks a signed URL of extra id (expires and sig as given); into
 * *path the file to hand nginx ("/protected-media/..."), *type its
 * Content-Type.  MQ_FORBIDDEN for a bad or expired signature,
 * MQ_NOT_FOUND for an extra gone. */
enum mq_status mq_extras_open(struct mq_ctx *c, int64_t id, const char *expires, const char *sig,
			      const char **path, const char **type);

#endif

/*
 * upload.c: an uploaded image as the request's body.
 */
#include "http/upload.h"

#include <strings.h>

#include "storage/media.h"

/* Content-Type equals type, parameters (";...") aside. */
static bool type_is(const char *header, const char *type)
{
	size_t n = strlen(type);

	return header && strncasecmp(header, type, n) == 0 &&
	       (header[n] == '\0' || header[n] == ';' || header[n] == ' ');
}

mq_reply mq_req_image(struct mq_req *r, size_t max, struct mq_image *img)
{
	mq_reply rc;

	if (r->content_length > 0 && (size_t)r->content_length > max)
		return mq_problem(r, 413, "An image may be at most %zu bytes here.", max);
	if (mq_done(rc = mq_req_body(r, &img->data, &img->len)))
		return rc;
	if (img->len > max)
		return mq_problem(r, 413, "An image may be at most %zu bytes here.", max);
	if ((img->kind = mq_media_sniff(img->data, img->len)) == NULL)
		return mq_problem(r, 415, "The body is not a PNG, JPEG or WebP image.");
	if (!type_is(r->content_type, mq_media_type(img->kind)))
		return mq_problem(r, 415, "The body is %s, but Content-Type says %s.",
				  mq_media_type(img->kind), r->content_type ? r->content_type : "nothing");
	return MQ_NEXT;
}


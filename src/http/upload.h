/*
 * upload.h: an uploaded image as the request's body.
 */
#ifndef MQ_UPLOAD_H
#define MQ_UPLOAD_H

#include "http/http.h"

struct mq_image {
	const char *data;	/* the body, in the arena */
	size_t len;
	const char *kind;	/* "png", "jpeg" or "webp" */
};

/* The request's body as an image of at most max bytes: PNG, JPEG or WebP
 * told by its first bytes, and Content-Type must agree; or 413 or 415
 * answered. */
mq_reply mq_req_image(struct mq_req *r, size_t max, struct mq_image *img);

#endif

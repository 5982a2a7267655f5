/*
 * fuzz_image.c: an uploaded image (http/upload.c: mq_req_image, which
 * sniffs with storage/media.c), as the avatar and poster uploads read it.
 *
 * Input: the Content-Type header, a newline, then the body.  What must
 * hold: an image is taken only when its first bytes are a PNG, JPEG or
 * WebP signature and Content-Type names that type; anything else is one
 * well-formed 413 or 415.
 */
#include "harness.h"

#include <strings.h>

#include "http/upload.h"
#include "storage/media.h"

#define MAX 4096	/* a small upload_max, so that 413 is reached too */

/* The kind the signatures say, written from their specifications. */
static const char *kind_of(const unsigned char *b, size_t n)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a };

	if (n >= sizeof(png) && memcmp(b, png, sizeof(png)) == 0)
		return "png";
	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)	/* SOI, then a marker */
		return "jpeg";
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "webp";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	const uint8_t *nl = memchr(data, '\n', size);
	size_t tlen = nl ? (size_t)(nl - data) : 0, blen = nl ? size - tlen - 1 : size;
	const char *type = fz_cstr(a, data, tlen), *body = (const char *)(nl ? nl + 1 : data), *why;
	const char *want = kind_of((const unsigned char *)body, blen), *kind;
	char *env[] = {
		"REQUEST_METHOD=PUT", "DOCUMENT_URI=/api/users/me/avatar/",
		mq_arena_printf(a, "CONTENT_TYPE=%s", type),
		mq_arena_printf(a, "CONTENT_LENGTH=%zu", blen), NULL,
	};
	struct mq_image img;
	struct mq_req r;

	kind = mq_media_sniff(body, blen);
	FZ_CHECK(kind == want || (kind && want && strcmp(kind, want) == 0));
	FZ_CHECK(fz_request(&r, a, env, mq_arena_strndup(a, body, blen), blen, &why) == 0);
	if (mq_done(mq_req_image(&r, MAX, &img))) {
		int st = fz_check_response(a);

		FZ_CHECK(st == 413 || st == 415);
		FZ_CHECK(st == 413 ? blen > MAX : (want == NULL || strncasecmp(type, "image/", 6) != 0 ||
						    strcasecmp(type + 6, want) != 0));
	} else {
		FZ_CHECK(!r.responded && img.len == blen && blen <= MAX);
		FZ_CHECK(want && strcmp(img.kind, want) == 0 && memcmp(img.data, body, blen) == 0);
		FZ_CHECK(strncasecmp(type, "image/", 6) == 0 &&
			 strncasecmp(type + 6, want, strlen(want)) == 0 &&
			 strchr("; ", type[6 + strlen(want)]));
	}
	fz_request_end();
	mq_arena_destroy(a);
	return 0;
}

/*
 * page.h: DRF-style pagination: page and page_size in, and the envelope
 * {"count", "next", "previous", "results"} out.
 */
#ifndef MQ_PAGE_H
#define MQ_PAGE_H

#include "core/common.h"
#include "http/http.h"

#define MQ_PAGE_SIZE_DEFAULT 20
#define MQ_PAGE_SIZE_MAX 100

struct mq_page {
	int64_t page;		/* 1-based */
	int64_t size;
	int64_t offset;
	const char *limit_s;	/* as SQL parameters */
	const char *offset_s;
};

/* Reads page and page_size (page_size above the maximum is clamped), or
 * answers 400 for a malformed value. */
mq_reply mq_page_parse(struct mq_req *r, struct mq_page *p);

/* True when the page starts past the last item (DRF answers 404). */
bool mq_page_past_end(const struct mq_page *p, int64_t count);

/* Wraps results (whose reference is taken) in the envelope. */
struct json_object *mq_page_envelope(struct mq_req *r, const struct mq_page *p, int64_t count,
				     struct json_object *results);

/* The same, for lists that know whether a next page exists (they fetch
 * one row more than the page) and whether count is exact or estimated;
 * adds "count_exact". */
struct json_object *mq_page_envelope_known(struct mq_req *r, const struct mq_page *p, int64_t count,
					   bool count_exact, bool has_next,
					   struct json_object *results);

/* Answers 200 with results (an array, as mq_page_envelope) in the envelope,
 * not to be cached by others (Cache-Control: private, no-store), or the
 * 404 of a page past the end. */
mq_reply mq_page_respond(struct mq_req *r, const struct mq_page *p, int64_t count,
			 struct json_object *results);

/* The same with the links given (NULL: none): lists that go on by
 * cursor past a depth (api/movies.c). */
struct json_object *mq_page_envelope_links(struct mq_req *r, int64_t count, bool count_exact,
					   const char *next, const char *previous,
					   struct json_object *results);

/* This request's URL with page set to page (left out for 1), or with
 * after set to cursor; page and after are never both there.  In the
 * arena. */
const char *mq_page_url(struct mq_req *r, int64_t page);
const char *mq_page_url_after(struct mq_req *r, const char *cursor);

/* Answers the 404 for a page past the end. */
mq_reply mq_page_not_found(struct mq_req *r, const struct mq_page *p);

#endif

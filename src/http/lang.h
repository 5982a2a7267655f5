/*
 * lang.h: the language of a request's response: from ?language= where a
 * route takes it, else the Accept-Language header's most preferred tag,
 * else en-US (core/lang.h).  The header's choice is made for every
 * request (r->lang, by mq_req_init), so that every answer, its problems
 * too, is in it; every response carries Content-Language and Vary:
 * Accept-Language (http.c).
 */
#ifndef MQ_LANG_H
#define MQ_LANG_H

#include "core/common.h"
#include "core/lang.h"
#include "http/http.h"

/* The language of this request's response.  param: the query parameter
 * that may choose it (NULL when the route gives that name another
 * meaning); when it is given, it overrides Accept-Language for the rest
 * of the request (r->lang, and the language of its messages).  Answers
 * 400 for a malformed value. */
mq_reply mq_lang_choose(struct mq_req *r, const char *param, struct mq_lang *out);

#endif

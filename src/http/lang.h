/*
 * lang.h: the language of a request's response: from ?language= where a
 * route takes it, else the Accept-Language header's most preferred tag,
 * else en-US (core/lang.h).
 */
#ifndef MQ_LANG_H
#define MQ_LANG_H

#include "core/common.h"
#include "core/lang.h"
#include "http/http.h"

/* The language of this request's response.  param: the query parameter
 * that may choose it (NULL when the route gives that name another
 * meaning).  Answers 400 for a malformed value.  Adds Vary:
 * Accept-Language to the response. */
mq_reply mq_lang_choose(struct mq_req *r, const char *param, struct mq_lang *out);

#endif

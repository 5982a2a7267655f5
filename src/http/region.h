/*
 * region.h: the region a request's release dates are shown for
 * (catalog/releases.h): ?region=, else the signed-in caller's saved
 * region, else none.
 */
#ifndef MQ_HTTP_REGION_H
#define MQ_HTTP_REGION_H

#include "core/common.h"
#include "http/http.h"

/* The region into *region (arena; NULL for none): given (the value of
 * ?region=, any case; NULL when absent), else the caller's profile
 * region.  Answers 400 (field region) for a value that is no ISO 3166-1
 * alpha-2 code, or the database's failure; else MQ_NEXT. */
mq_reply mq_region_choose(struct mq_req *r, const char *given, const char **region);

/* What a cached response depends on besides its URL: the language tag,
 * and the region chosen when there is one (a saved region is not in the
 * URL).  Without a region, the tag alone: the keys of before regions. */
const char *mq_region_variant(struct mq_req *r, const char *tag, const char *region);

#endif

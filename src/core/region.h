/*
 * region.h: ISO 3166-1 alpha-2 country codes, the regions of TMDb's watch
 * providers and release dates.
 */
#ifndef MQ_REGION_H
#define MQ_REGION_H

#include "core/common.h"

/* The officially assigned code s names, upper-cased, in out (3 bytes);
 * false for anything else ("us" is US; "XX", "USA" and "" are not). */
bool mq_region_parse(const char *s, char out[3]);

#endif

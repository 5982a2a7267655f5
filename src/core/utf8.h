/*
 * utf8.h: UTF-8, the only text encoding Marquee accepts.
 */
#ifndef MQ_UTF8_H
#define MQ_UTF8_H

#include "core/common.h"

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool mq_utf8_valid(const char *s, size_t n);

/* Code points in a valid UTF-8 string. */
size_t mq_utf8_length(const char *s);

#endif

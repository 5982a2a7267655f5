/*
 * mac.h: MACs of short texts under keys derived from [auth] jwt_key_file,
 * one key per use (a context string), so that what one use signs no
 * other accepts: unsubscribe links, premium media URLs.
 */
#ifndef MQ_MAC_H
#define MQ_MAC_H

#include "core/common.h"

struct mq_config;

#define MQ_MAC_TEXT_LEN 43	/* 32 bytes of HMAC-SHA-256, base64url */

/* The MAC of text under context's key, base64url without padding, into
 * out; false when there is no key. */
bool mq_mac(const struct mq_config *cfg, const char *context, const char *text,
	    char out[MQ_MAC_TEXT_LEN + 1]);

/* True when mac (as given by a client) is text's MAC under context's
 * key, compared in constant time. */
bool mq_mac_ok(const struct mq_config *cfg, const char *context, const char *text,
	       const char *mac);

#endif

/*
 * tokens.h: opaque random tokens (refresh tokens, email links), stored
 * only as their SHA-256.
 */
#ifndef MQ_TOKENS_H
#define MQ_TOKENS_H

#include "core/common.h"

struct mq_arena;

#define MQ_TOKEN_LEN 43	/* 32 random bytes, base64url without padding */

/* A new token and the hash to store for it, both in the arena. */
void mq_token_new(struct mq_arena *a, const char **token, const char **hash);

/* The stored hash of a token a client presents, or NULL when it cannot be
 * one of ours (wrong length or characters). */
const char *mq_token_hash(struct mq_arena *a, const char *token);

#endif

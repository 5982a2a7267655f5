/*
 * tokens.c: random tokens and their hashes.
 */
#include "accounts/tokens.h"

#include <ctype.h>
#include <sodium.h>

#include "core/arena.h"

static const char *hash_of(struct mq_arena *a, const char *token)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *hex = mq_arena_alloc(a, sizeof(h) * 2 + 1);

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
	return hex;
}

void mq_token_new(struct mq_arena *a, const char **token, const char **hash)
{
	unsigned char raw[32];
	char *t = mq_arena_alloc(a, MQ_TOKEN_LEN + 1);

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(t, MQ_TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*token = t;
	*hash = hash_of(a, t);
}

const char *mq_token_hash(struct mq_arena *a, const char *token)
{
	size_t n = 0;

	for (; token[n]; n++)
		if (!isalnum((unsigned char)token[n]) && token[n] != '-' && token[n] != '_')
			return NULL;
	return n == MQ_TOKEN_LEN ? hash_of(a, token) : NULL;
}

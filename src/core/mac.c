/*
 * mac.c: MACs under derived keys (see mac.h).
 */
#include "core/mac.h"

#include <sodium.h>

#include "core/config.h"

bool mq_mac(const struct mq_config *cfg, const char *context, const char *text,
	    char out[MQ_MAC_TEXT_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char key[crypto_auth_hmacsha256_BYTES], tag[crypto_auth_hmacsha256_BYTES];

	if (cfg->jwt_key.value == NULL || cfg->jwt_key.len == 0)
		return false;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)cfg->jwt_key.value, cfg->jwt_key.len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)context, strlen(context));
	crypto_auth_hmacsha256_final(&st, key);
	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)text, strlen(text));
	crypto_auth_hmacsha256_final(&st, tag);
	sodium_memzero(key, sizeof(key));
	sodium_bin2base64(out, MQ_MAC_TEXT_LEN + 1, tag, sizeof(tag),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return true;
}

bool mq_mac_ok(const struct mq_config *cfg, const char *context, const char *text,
	       const char *mac)
{
	char want[MQ_MAC_TEXT_LEN + 1];

	return mq_mac(cfg, context, text, want) && strlen(mac) == MQ_MAC_TEXT_LEN &&
	       sodium_memcmp(want, mac, MQ_MAC_TEXT_LEN) == 0;
}

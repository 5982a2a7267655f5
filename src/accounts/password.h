/*
 * password.h: argon2id password hashing (libsodium) and the password
 * policy: 8 characters at least, 128 bytes at most, not a common one.
 */
#ifndef MQ_PASSWORD_H
#define MQ_PASSWORD_H

#include "core/common.h"

struct mq_config;

#define MQ_PASSWORD_MAX_BYTES 128
#define MQ_PASSWORD_HASH_MAX 128	/* >= crypto_pwhash_STRBYTES */

/* Prepares a worker to check passwords: loads [auth] common_passwords and
 * makes the hash unknown accounts are checked against (so that no first
 * check takes longer than the next).  Returns 0, or -1 (logged) when the
 * list is named but cannot be read: the worker must not serve then, or
 * every common password would pass.  Without it, the list is loaded on
 * first use. */
int mq_password_init(const struct mq_config *cfg);

/* NULL when pw is acceptable, else the reason (a message for the client).
 * Length is checked first, so an over-long password is never hashed. */
const char *mq_password_problem(const struct mq_config *cfg, const char *pw);

/* Hashes pw with the configured argon2id cost.  Returns 0, or -1 when the
 * memory could not be had. */
int mq_password_hash(const struct mq_config *cfg, const char *pw, char out[MQ_PASSWORD_HASH_MAX]);

/* Checks pw against hash.  With hash NULL (no such account, or one that
 * cannot log in) it checks against a hash of a random password made with
 * the same cost, so the answer takes as long either way. */
bool mq_password_verify(const struct mq_config *cfg, const char *hash, const char *pw);

/* True when the hash was made with another cost than the configured one. */
bool mq_password_needs_rehash(const struct mq_config *cfg, const char *hash);

/* Frees the common-password list and the dummy hash (worker exit). */
void mq_password_cleanup(void);

#endif

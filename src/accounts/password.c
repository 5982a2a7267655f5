/*
 * password.c: argon2id, the policy, and the common-password set.
 */
#include "accounts/password.h"

#include <ctype.h>
#include <sodium.h>

#include "core/config.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/utf8.h"

/* The common-password list, loaded at worker start (or on first use, in
 * the admin tool): an open-addressing set of lower-cased entries. */
static struct {
	bool loaded;
	bool missing;		/* named, but could not be read */
	char **slot;
	size_t size;		/* a power of two */
	char *text;		/* the file, whose lines the slots point into */
} common;

static char dummy_hash[MQ_PASSWORD_HASH_MAX];

static void set_add(char *word)
{
	size_t i = mq_fnv1a(MQ_FNV1A_BASIS, word) & (common.size - 1);

	while (common.slot[i] != NULL) {
		if (strcmp(common.slot[i], word) == 0)
			return;
		i = (i + 1) & (common.size - 1);
	}
	common.slot[i] = word;
}

static bool set_has(const char *word)
{
	size_t i;

	if (common.size == 0)
		return false;
	for (i = mq_fnv1a(MQ_FNV1A_BASIS, word) & (common.size - 1); common.slot[i];
	     i = (i + 1) & (common.size - 1))
		if (strcmp(common.slot[i], word) == 0)
			return true;
	return false;
}

/* Indexes the lines of common.text (len bytes). */
static void index_common(size_t len)
{
	size_t lines = 0;

	for (size_t i = 0; i < len; i++)
		lines += common.text[i] == '\n';
	for (common.size = 1024; common.size < 2 * (lines + 1); common.size *= 2)
		;
	common.slot = mq_xcalloc(common.size, sizeof(*common.slot));
	for (char *p = common.text; p && p < common.text + len;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		for (char *c = p; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (*p)
			set_add(p);
		p = nl ? nl + 1 : common.text + len;
	}
}

/* Loads the list once.  Returns 0, or -1 (logged) when it is named but
 * cannot be read. */
static int load_common(const struct mq_config *cfg)
{
	size_t cap = 0, len = 0;
	FILE *f;

	if (common.loaded)
		return common.missing ? -1 : 0;
	common.loaded = true;
	if (*cfg->common_passwords == '\0')
		return 0;
	f = fopen(cfg->common_passwords, "r");
	if (f == NULL) {
		mq_log_error("[auth] common_passwords: cannot read %s: %s (set it empty to go "
			     "without a list)", cfg->common_passwords, strerror(errno));
		common.missing = true;
		return -1;
	}
	if (getdelim(&common.text, &cap, '\0', f) >= 0)
		len = strlen(common.text);
	else if (ferror(f))
		common.missing = true;
	fclose(f);
	if (common.missing) {
		mq_log_error("[auth] common_passwords: reading %s failed", cfg->common_passwords);
		return -1;
	}
	index_common(len);
	return 0;
}

const char *mq_password_problem(const struct mq_config *cfg, const char *pw)
{
	size_t bytes = strlen(pw);
	char lower[MQ_PASSWORD_MAX_BYTES + 1];

	if (bytes > MQ_PASSWORD_MAX_BYTES)
		return N_("Must be at most 128 bytes.");
	if (mq_utf8_length(pw) < 8)
		return N_("Must be at least 8 characters.");
	/* Without the list it names, no password can be called acceptable. */
	if (load_common(cfg) < 0)
		return N_("Passwords cannot be checked right now; try again later.");
	for (size_t i = 0; i <= bytes; i++)
		lower[i] = (char)tolower((unsigned char)pw[i]);
	if (set_has(lower))
		return N_("This password is too common.");
	return NULL;
}

int mq_password_hash(const struct mq_config *cfg, const char *pw, char out[MQ_PASSWORD_HASH_MAX])
{
	return crypto_pwhash_str_alg(out, pw, strlen(pw), (unsigned long long)cfg->password_iterations,
				     cfg->password_memory, crypto_pwhash_ALG_ARGON2ID13);
}

/* The hash unknown accounts are checked against: of a random password,
 * at the configured cost.  Returns 0 or -1 (out of memory). */
static int make_dummy(const struct mq_config *cfg)
{
	unsigned char random[24];
	char secret[49];

	if (dummy_hash[0] != '\0')
		return 0;
	randombytes_buf(random, sizeof(random));
	sodium_bin2hex(secret, sizeof(secret), random, sizeof(random));
	return mq_password_hash(cfg, secret, dummy_hash);
}

int mq_password_init(const struct mq_config *cfg)
{
	if (load_common(cfg) < 0)
		return -1;
	/* Made now, not by the first unknown login, which would take twice
	 * as long as a wrong password and tell the two apart. */
	if (make_dummy(cfg) < 0)
		mq_log_warn("no memory for the dummy password hash yet; the first login for "
			    "an unknown account will make it");
	return 0;
}

bool mq_password_verify(const struct mq_config *cfg, const char *hash, const char *pw)
{
	if (hash == NULL || strncmp(hash, "$argon2id$", 10) != 0) {
		if (make_dummy(cfg) < 0)
			return false;
		/* only the time it takes matters; libsodium's warn_unused_result
		 * refuses a (void) cast, so the result is read and dropped */
		int unused = crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw));

		(void)unused;
		return false;
	}
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

bool mq_password_needs_rehash(const struct mq_config *cfg, const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, (unsigned long long)cfg->password_iterations,
					      cfg->password_memory) != 0;
}

void mq_password_cleanup(void)
{
	free(common.slot);
	free(common.text);
	memset(&common, 0, sizeof(common));
	sodium_memzero(dummy_hash, sizeof(dummy_hash));
}

/*
 * user.c: `marquee user create` and `marquee user create-admin`: accounts
 * made from the command line (the first administrator, demo accounts).
 *
 *   marquee user create-admin --username NAME --email ADDR [--password-file FILE]
 *
 * Without --password-file a random password is made and printed once.
 * The account's address counts as confirmed.
 */
#include "core/common.h"

#include <getopt.h>
#include <sodium.h>

#include "accounts/account.h"
#include "accounts/password.h"
#include "cli/cli.h"
#include "core/config.h"
#include "db/db.h"

static struct mq_stmt insert = MQ_STMT(
	"INSERT INTO users (username, email, password_hash, role, email_verified_at) "
	"VALUES ($1, $2, $3, $4, now()) RETURNING id");

static char *read_password(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return NULL;
	n = getline(&line, &cap, f);
	if (f != stdin)
		fclose(f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static char *random_password(void)
{
	unsigned char raw[15];
	char *pw = mq_xmalloc(21);

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(pw, 21, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return pw;
}

static int create(struct mq_config *cfg, const char *role, const char *username,
		  const char *email, char *password, bool generated)
{
	char hash[MQ_PASSWORD_HASH_MAX];
	struct mq_db *db;
	PGresult *res;
	const char *why;
	int rc = 1;

	if ((why = mq_username_problem(username)) || (why = mq_email_problem(email)) ||
	    (!generated && (why = mq_password_problem(cfg, password)))) {
		mq_cli_error("user", "%s", why);
		return 1;
	}
	if (mq_password_hash(cfg, password, hash) < 0) {
		mq_cli_error("user", "out of memory hashing the password");
		return 1;
	}
	db = mq_db_new(cfg, "marquee-user");
	const char *params[] = { username, email, hash, role };
	res = mq_db_exec(db, &insert, 4, params);
	if (res == NULL) {
		mq_cli_error("user", "%s", strcmp(mq_db_sqlstate(db), "23505") == 0
						   ? "that username or email is taken"
						   : mq_db_error(db));
	} else {
		printf("created %s %s (id %s)\n", role, username, PQgetvalue(res, 0, 0));
		if (generated)
			printf("password: %s\n", password);
		PQclear(res);
		rc = 0;
	}
	mq_db_free(db);
	return rc;
}

int mq_cli_user(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "email", required_argument, NULL, 'e' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "admin", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *username = NULL, *email = NULL, *pwfile = NULL, *role = "user";
	char *password;
	int c, rc;

	if (argc < 2 || (strcmp(argv[1], "create") != 0 && strcmp(argv[1], "create-admin") != 0))
		goto usage;
	if (strcmp(argv[1], "create-admin") == 0)
		role = "admin";
	optind = 2;
	while ((c = getopt_long(argc, argv, "u:e:p:a", opts, NULL)) != -1) {
		switch (c) {
		case 'u': username = optarg; break;
		case 'e': email = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'a': role = "admin"; break;
		default: goto usage;
		}
	}
	if (username == NULL || email == NULL || optind != argc)
		goto usage;
	password = pwfile ? read_password(pwfile) : random_password();
	if (password == NULL) {
		mq_cli_error("user", "cannot read %s", pwfile);
		return 1;
	}
	rc = create(cfg, role, username, email, password, pwfile == NULL);
	sodium_memzero(password, strlen(password));
	free(password);
	mq_password_cleanup();
	return rc;
usage:
	fprintf(stderr, "usage: marquee user create|create-admin --username NAME --email ADDR "
			"[--admin] [--password-file FILE|-]\n");
	return 2;
}

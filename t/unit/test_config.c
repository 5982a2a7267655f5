/*
 * test_config.c: marquee.conf parsing, environment overrides, secrets, and
 * etc/marquee.conf documenting every key.
 */
#include "core/common.h"

#include <ftw.h>
#include <ini.h>
#include <unistd.h>

#include "core/config.h"
#include "unit.h"

static char dir[] = "/tmp/mq-test-config-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct mq_config *load_text(const char *text, char *err, size_t errlen)
{
	return mq_config_load(write_file("marquee.conf", text), err, errlen);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	unsetenv("CREDENTIALS_DIRECTORY");
	unsetenv("MARQUEE_SERVER_WORKERS");
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Each test made its own directory of files; /tmp is not ours to fill. */
static void teardown(void)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

START_TEST(defaults)
{
	char err[256];
	struct mq_config *c = mq_config_load(NULL, err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_ge(c->workers, 2);
	ck_assert(c->workers_auto);
	ck_assert_int_eq(c->heavy_requests, sysconf(_SC_NPROCESSORS_ONLN) < 128
			 ? sysconf(_SC_NPROCESSORS_ONLN) : 128);	/* auto: the CPUs */
	ck_assert_uint_eq(c->listen_mode, 0660);
	ck_assert_uint_eq(c->body_max, 64 * 1024);
	ck_assert_int_eq(c->json_max_depth, 32);
	ck_assert_int_eq(c->request_timeout_ms, 30000);
	ck_assert_ptr_null(c->db_password.value);
	mq_config_free(c);
}
END_TEST

/* Regression: an empty file left getdelim's buffer without a NUL, which
 * the line-length check then read past (ASan: heap-buffer-overflow). */
START_TEST(an_empty_file_is_the_defaults)
{
	char err[256];
	struct mq_config *c = load_text("", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->body_max, 64 * 1024);
	mq_config_free(c);
}
END_TEST

START_TEST(file_values_and_units)
{
	char err[256];
	struct mq_config *c = load_text(
		"; a comment\n# another\n[server]\nworkers = 3\nrequest_timeout = 1500ms\n"
		"heavy_requests = 5\n"
		"listen = 127.0.0.1:9000\nlisten_mode = 0600\n"
		"[limits]\nbody_max = 1m\n[log]\naccess_log = off\nlevel = warn\n",
		err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->workers, 3);
	ck_assert(!c->workers_auto);
	ck_assert_int_eq(c->heavy_requests, 5);
	ck_assert_int_eq(c->request_timeout_ms, 1500);
	ck_assert_str_eq(c->listen, "127.0.0.1:9000");
	ck_assert_uint_eq(c->listen_mode, 0600);
	ck_assert_uint_eq(c->body_max, 1024 * 1024);
	ck_assert(!c->access_log);
	ck_assert_int_eq(c->log_level, 2);
	mq_config_free(c);
}
END_TEST

START_TEST(environment_overrides_the_file)
{
	char err[256];
	struct mq_config *c;

	setenv("MARQUEE_SERVER_WORKERS", "5", 1);
	c = load_text("[server]\nworkers = 3\n", err, sizeof(err));
	unsetenv("MARQUEE_SERVER_WORKERS");
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->workers, 5);
	mq_config_free(c);
}
END_TEST

START_TEST(bad_values_are_explained)
{
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{ "[server]\nworkers = lots\n", "workers = lots: expected auto or a number" },
		{ "[server]\nworkers = 0\n", "workers = 0: expected auto or a number from 1" },
		{ "[server]\nheavy_requests = 0\n",
		  "heavy_requests = 0: expected auto or a number from 1" },
		{ "[server]\nheavy_requests = many\n", "heavy_requests = many: expected auto" },
		{ "[server]\nrequest_timeout = soon\n", "expected a duration" },
		{ "[limits]\nbody_max = 12q\n", "expected a size" },
		{ "[log]\nlevel = loud\n", "expected debug, info, warn or error" },
		{ "[log]\naccess_log = maybe\n", "expected on or off" },
		{ "[server]\nlisten_mode = 999\n", "expected an octal mode" },
		{ "[server]\nwrokers = 2\n", "unknown key [server] wrokers" },
		{ "[nope]\nx = 1\n", "unknown key [nope] x" },
		{ "[server\n", "syntax error" },
		{ "[cache]\nprefix = a b\n", "no spaces or control characters" },
		{ "[database]\nconninfo = host=x dbname=marquee user=a password=b sslmode=require "
		  "application_name=x keepalives=1 keepalives_idle=30 keepalives_interval=10 "
		  "keepalives_count=3 target_session_attrs=read-write options=-csearch_path=x\n",
		  "longer than 199 characters" },
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(cases); i++) {
		char err[256] = "";
		struct mq_config *c = load_text(cases[i].text, err, sizeof(err));

		ck_assert_msg(c == NULL, "accepted %s", cases[i].text);
		ck_assert_msg(strstr(err, cases[i].expect) != NULL, "%s: got \"%s\"", cases[i].text, err);
	}
}
END_TEST

START_TEST(secrets_come_from_files)
{
	char err[512], text[512];
	struct mq_config *c;

	write_file("db_password", "s3cret\n");
	c = load_text("[database]\npassword_file = db_password\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->db_password.value, "s3cret");
	ck_assert_uint_eq(c->db_password.len, 6);
	mq_config_free(c);

	/* systemd's LoadCredential= directory wins for relative names */
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	write_file("pw2", "other");
	c = load_text("[database]\npassword_file = pw2\n", err, sizeof(err));
	unsetenv("CREDENTIALS_DIRECTORY");
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->db_password.value, "other");
	mq_config_free(c);

	snprintf(text, sizeof(text), "[database]\npassword_file = %s/missing\n", dir);
	c = load_text(text, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err, "cannot read"));
}
END_TEST

START_TEST(dump_never_shows_secrets)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	struct mq_config *c;
	FILE *out = open_memstream(&buf, &len);

	write_file("db_password", "hunter2-very-secret");
	c = load_text("[database]\npassword_file = db_password\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	mq_config_dump(c, out);
	fclose(out);
	ck_assert_ptr_null(strstr(buf, "hunter2"));
	ck_assert_ptr_nonnull(strstr(buf, "password_file = (secret: 19 bytes"));
	free(buf);
	mq_config_free(c);
}
END_TEST

/* A list of common passwords that is named but unreadable would let every
 * common password through: the pool refuses it; an empty value is "no
 * list" on purpose. */
START_TEST(pool_needs_a_readable_common_password_list)
{
	static const char *const bad[] = { "missing.txt", "." };
	char err[512], text[512];
	struct mq_config *c;

	write_file("jwt.key", "0123456789abcdef0123456789abcdef0123456789");
	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++) {
		snprintf(text, sizeof(text), "[auth]\njwt_key_file = jwt.key\ncommon_passwords = %s/%s\n",
			 dir, bad[i]);
		c = load_text(text, err, sizeof(err));
		ck_assert_msg(c != NULL, "%s", err);
		ck_assert_int_eq(mq_config_check_pool(c, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "common_passwords: cannot read") != NULL, "%s", err);
		mq_config_free(c);
	}
	write_file("common.txt", "password\n123456789\n");
	snprintf(text, sizeof(text), "[auth]\njwt_key_file = jwt.key\ncommon_passwords = %s/common.txt\n",
		 dir);
	c = load_text(text, err, sizeof(err));
	ck_assert_msg(c != NULL && mq_config_check_pool(c, err, sizeof(err)) == 0, "%s", err);
	mq_config_free(c);
	c = load_text("[auth]\njwt_key_file = jwt.key\ncommon_passwords =\n", err, sizeof(err));
	ck_assert_msg(c != NULL && mq_config_check_pool(c, err, sizeof(err)) == 0, "%s", err);
	mq_config_free(c);
}
END_TEST

/* A request's calls to TMDb share [tmdb] timeout: one as long as
 * request_timeout would have the master kill the worker mid-request. */
START_TEST(pool_needs_tmdb_timeout_below_request_timeout)
{
	static const char *const base = "[auth]\njwt_key_file = jwt.key\ncommon_passwords =\n"
					 "[server]\nrequest_timeout = 10s\n[tmdb]\n";
	char err[512], text[512];
	struct mq_config *c;

	write_file("jwt.key", "0123456789abcdef0123456789abcdef0123456789");
	write_file("tmdb.key", "0123456789");
	snprintf(text, sizeof(text), "%sapi_key_file = tmdb.key\ntimeout = 10s\n", base);
	c = load_text(text, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(mq_config_check_pool(c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "[tmdb] timeout") != NULL, "%s", err);
	mq_config_free(c);
	snprintf(text, sizeof(text), "%sapi_key_file = tmdb.key\ntimeout = 9s\n", base);
	c = load_text(text, err, sizeof(err));
	ck_assert_msg(c != NULL && mq_config_check_pool(c, err, sizeof(err)) == 0, "%s", err);
	mq_config_free(c);
	/* without a key, nothing calls TMDb */
	snprintf(text, sizeof(text), "%stimeout = 10s\n", base);
	c = load_text(text, err, sizeof(err));
	ck_assert_msg(c != NULL && mq_config_check_pool(c, err, sizeof(err)) == 0, "%s", err);
	mq_config_free(c);
}
END_TEST

/* [oauth.NAME]: providers read from their sections, checked. */
START_TEST(oauth_providers)
{
	char err[256];
	struct mq_config *c;
	const struct mq_oauth_provider *p;

	write_file("g.secret", "s3cret\n");
	c = load_text("[oauth.google]\nclient_id = id-1\nclient_secret_file = g.secret\n"
		      "issuer = https://accounts.google.com\n\n[oauth.github]\nkind = github\n"
		      "client_id = id-2\nclient_secret_file = g.secret\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->oauth_provider_count, 2);
	p = mq_config_oauth(c, "google");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->kind, MQ_OAUTH_OIDC);
	ck_assert_str_eq(p->client_secret.value, "s3cret");
	ck_assert_str_eq(p->issuer, "https://accounts.google.com");
	ck_assert_str_eq(p->display_name, "Google");	/* the name capitalised */
	ck_assert_int_eq(mq_config_oauth(c, "github")->kind, MQ_OAUTH_GITHUB);
	ck_assert_str_eq(mq_config_oauth(c, "github")->display_name, "GitHub");
	ck_assert_ptr_null(mq_config_oauth(c, "gitlab"));
	mq_config_free(c);
	c = load_text("[oauth.corp-sso]\nclient_id = id-1\nclient_secret_file = g.secret\n"
		      "issuer = https://sso.example\ndisplay_name = Example Corp\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(mq_config_oauth(c, "corp-sso")->display_name, "Example Corp");
	mq_config_free(c);
	static const char *const bad[] = {
		"[oauth.google]\nclient_id = x\nissuer = https://a.test\n",	/* no secret */
		"[oauth.google]\nclient_secret_file = g.secret\nissuer = https://a.test\n",
		"[oauth.google]\nclient_id = x\nclient_secret_file = g.secret\n",	/* no issuer */
		"[oauth.x]\nkind = saml\nclient_id = x\nclient_secret_file = g.secret\n",
		"[oauth.x]\nclient_id = x\nclient_secret_file = g.secret\nissuer = https://a\nfoo = 1\n",
		"[oauth.Google]\nclient_id = x\n",
		"[oauth.a/b]\nclient_id = x\n",
		"[oauth.]\nclient_id = x\n",
	};
	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++) {
		c = load_text(bad[i], err, sizeof(err));
		ck_assert_msg(c == NULL, "accepted: %s", bad[i]);
	}
}
END_TEST

/* The keys of a deployment on several hosts: memcached servers, a
 * replica for catalog reads, a shared media store. */
START_TEST(cluster_keys)
{
	char err[256];
	struct mq_config *c = load_text(
		"[database]\n"
		"conninfo = host=pg1,pg2 dbname=marquee target_session_attrs=read-write\n"
		"replica_conninfo = host=pg2,pg1 dbname=marquee target_session_attrs=prefer-standby\n"
		"primary_after_write = 3s\n"
		"prepare = off\n"
		"[cache]\n"
		"servers = 10.0.0.1:11211, 10.0.0.2, [fd00::3]:11212 /run/mc.sock\n"
		"[media]\n"
		"store = http://10.0.0.9:8081/media/\n"
		"store_timeout = 2s\n", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->db_replica_conninfo,
			 "host=pg2,pg1 dbname=marquee target_session_attrs=prefer-standby");
	ck_assert_int_eq(c->db_primary_after_write_ms, 3000);
	ck_assert(!c->db_prepare);
	ck_assert_str_eq(c->media_store, "http://10.0.0.9:8081/media/");
	ck_assert_int_eq(c->media_store_timeout_ms, 2000);
	mq_config_free(c);

	c = mq_config_load(NULL, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->db_replica_conninfo, "");
	ck_assert_int_eq(c->db_primary_after_write_ms, 5000);
	ck_assert(c->db_prepare);
	ck_assert_str_eq(c->media_store, "");
	mq_config_free(c);
}
END_TEST

START_TEST(cache_server_entries)
{
	static const struct {
		const char *spec, *host;
		int port;
	} good[] = {
		{ "10.0.0.1:11212", "10.0.0.1", 11212 },
		{ "cache-2.internal", "cache-2.internal", 11211 },
		{ "[fd00::3]:11213", "fd00::3", 11213 },
		{ "[::1]", "::1", 11211 },
		{ "/run/memcached/memcached.sock", "/run/memcached/memcached.sock", 0 },
	};
	static const char *const bad[] = {
		"fd00::3", "host:0", "host:65536", "host:", ":11211", "[::1", "[::1]x",
		"host:11211x", "ho st", "host;rm", "",
	};
	char host[256];
	int port;

	for (size_t i = 0; i < MQ_ARRAY_LEN(good); i++) {
		ck_assert_msg(mq_config_cache_server(good[i].spec, host, sizeof(host), &port) == 0,
			      "refused %s", good[i].spec);
		ck_assert_str_eq(host, good[i].host);
		ck_assert_int_eq(port, good[i].port);
	}
	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++)
		ck_assert_msg(mq_config_cache_server(bad[i], host, sizeof(host), &port) < 0,
			      "took \"%s\"", bad[i]);
	/* a host longer than the buffer */
	ck_assert_int_lt(mq_config_cache_server("abcdefgh:1", host, 4, &port), 0);
}
END_TEST

START_TEST(bad_cluster_keys)
{
	static const char *const bad[] = {
		"[cache]\nservers = 10.0.0.1:11211, fd00::3\n",
		"[cache]\nservers = ,\n",
		"[cache]\nservers = 10.0.0.1:99999\n",
		"[media]\nstore = ftp://10.0.0.9/media/\n",
		"[media]\nstore = http://10.0.0.9/media\n",
		"[media]\nstore = http://10.0.0.9/media/?x=1/\n",
		"[media]\nstore = /srv/media/\n",
		"[media]\nstore_timeout = 50ms\n",
		"[database]\nprimary_after_write = 2h\n",
		"[database]\nprepare = sometimes\n",
	};
	char err[256];

	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++) {
		struct mq_config *c = load_text(bad[i], err, sizeof(err));

		ck_assert_msg(c == NULL, "accepted: %s", bad[i]);
	}
	/* 33 servers: one more than a handle judges apart */
	char text[1024] = "[cache]\nservers =";
	for (int i = 0; i < 33; i++) {
		char one[24];

		snprintf(one, sizeof(one), " /s%d", i);
		mq_strlcpy(text + strlen(text), one, sizeof(text) - strlen(text));
	}
	mq_strlcpy(text + strlen(text), "\n", sizeof(text) - strlen(text));
	ck_assert_ptr_null(load_text(text, err, sizeof(err)));
	ck_assert_msg(strstr(err, "at most 32") != NULL, "%s", err);
}
END_TEST

/* etc/marquee.conf names every key (set, or commented out as ";key ="). */
struct seen {
	bool found[256];
};

START_TEST(sample_config_documents_every_key)
{
	char path[1024], line[1024], section[64] = "", err[256];
	FILE *f;
	struct seen seen = { { false } };
	struct mq_config *c;

	snprintf(path, sizeof(path), "%s/etc/marquee.conf", MQ_TOP_SRCDIR);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, key[64];

		if (sscanf(p, "[%63[^]]]", section) == 1)
			continue;
		if (*p == ';')
			p++;
		if (sscanf(p, "%63[a-z_] =", key) != 1 || strchr(p, '=') == NULL)
			continue;
		for (size_t i = 0; i < mq_config_key_count(); i++) {
			const char *s, *k;

			mq_config_key(i, &s, &k);
			if (strcmp(s, section) == 0 && strcmp(k, key) == 0)
				seen.found[i] = true;
		}
	}
	fclose(f);
	for (size_t i = 0; i < mq_config_key_count(); i++) {
		const char *s, *k;

		mq_config_key(i, &s, &k);
		ck_assert_msg(seen.found[i], "etc/marquee.conf does not document [%s] %s", s, k);
	}
	c = mq_config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "etc/marquee.conf does not load: %s", err);
	mq_config_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, oauth_providers);
	tcase_add_test(tc, an_empty_file_is_the_defaults);
	tcase_add_test(tc, file_values_and_units);
	tcase_add_test(tc, environment_overrides_the_file);
	tcase_add_test(tc, bad_values_are_explained);
	tcase_add_test(tc, secrets_come_from_files);
	tcase_add_test(tc, dump_never_shows_secrets);
	tcase_add_test(tc, pool_needs_a_readable_common_password_list);
	tcase_add_test(tc, pool_needs_tmdb_timeout_below_request_timeout);
	tcase_add_test(tc, cluster_keys);
	tcase_add_test(tc, cache_server_entries);
	tcase_add_test(tc, bad_cluster_keys);
	tcase_add_test(tc, sample_config_documents_every_key);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

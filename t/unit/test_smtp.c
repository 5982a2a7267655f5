/*
 * test_smtp.c: the "plain SMTP only to this host" guard and the message
 * composer.  Includes smtp.c to reach its static helpers (h2o's habit).
 */
#include "../../src/integrations/smtp.c"

#include "unit.h"

static struct mq_config *cfg;

static void setup(void)
{
	char err[256];

	cfg = mq_config_load(NULL, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void teardown(void)
{
	mq_config_free(cfg);
	curl_global_cleanup();
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = mq_xstrdup(value);
}

START_TEST(loopback_hosts)
{
	static const char *const yes[] = {
		"smtp://127.0.0.1", "smtp://127.0.0.1:2525", "smtp://127.10.20.30:25",
		"smtp://localhost", "smtp://LocalHost:25", "smtp://[::1]:25", "smtp://[::1]",
		"smtp://user:pw@127.0.0.1:25",
	};
	static const char *const no[] = {
		"smtp://localhost.evil.example", "smtp://localhost.evil.example:25",
		"smtp://127.0.0.1.nip.io", "smtp://127.0.0.1.nip.io:25",
		"smtp://localhost@mail.example.com", "smtp://127.0.0.1@mail.example.com:25",
		"smtp://[::1]@mail.example.com", "smtp://mail.example.com", "smtp://128.0.0.1",
		"smtp://[::2]", "smtp://[::ffff:10.0.0.1]", "smtp://", "not a url", "",
	};

	for (size_t i = 0; i < MQ_ARRAY_LEN(yes); i++)
		ck_assert_msg(mq_loopback_url(yes[i]), "%s refused", yes[i]);
	for (size_t i = 0; i < MQ_ARRAY_LEN(no); i++)
		ck_assert_msg(!mq_loopback_url(no[i]), "%s taken for this host", no[i]);
}
END_TEST

START_TEST(plain_smtp_only_to_this_host)
{
	char err[512];
	struct mq_smtp *s;

	cfg->smtp_require_tls = false;
	set(&cfg->smtp_url, "smtp://localhost.evil.example:25");
	ck_assert_ptr_null(mq_smtp_new(cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "require_tls = off is only allowed"));
	set(&cfg->smtp_url, "smtp://127.0.0.1:2525");
	s = mq_smtp_new(cfg, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	mq_smtp_free(s);
	cfg->smtp_require_tls = true;
	set(&cfg->smtp_url, "smtp://mail.example.com:587");
	s = mq_smtp_new(cfg, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	mq_smtp_free(s);
}
END_TEST

/* A From of any length (MARQUEE_MAIL_FROM is not limited to a line of
 * the file) is written whole, inside the buffer. */
START_TEST(compose_long_from)
{
	char err[512], *from = mq_xmalloc(1100), *msg;
	struct mq_smtp *s;
	size_t len;

	memset(from, 'N', 1000);
	snprintf(from + 1000, 100, " <a@example.com>");
	set(&cfg->mail_from, from);
	s = mq_smtp_new(cfg, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	msg = compose(s, "to@example.com", "Hi", "line one\nline two\n", "<x@y>", NULL, &len);
	ck_assert_uint_eq(len, strlen(msg));
	ck_assert_ptr_nonnull(strstr(msg, from));
	ck_assert_ptr_nonnull(strstr(msg, "\r\n\r\nline one\r\nline two\r\n"));
	free(msg);
	mq_smtp_free(s);
	free(from);
}
END_TEST

/* List-Unsubscribe and the like go in the header, before its blank line;
 * one with a line break is refused before anything is sent. */
START_TEST(extra_headers)
{
	static const char *const extra[] = { "List-Unsubscribe: <https://x.test/u?t=1>",
					     "List-Unsubscribe-Post: List-Unsubscribe=One-Click", NULL };
	static const char *const broken[] = { "X-A: b\r\nBcc: victim@example.com", NULL };
	char err[512], *msg;
	struct mq_smtp *s = mq_smtp_new(cfg, err, sizeof(err));
	size_t len;
	bool permanent;

	ck_assert_msg(s != NULL, "%s", err);
	msg = compose(s, "to@example.com", "Hi", "body\n", "<x@y>", extra, &len);
	ck_assert_uint_eq(len, strlen(msg));
	ck_assert_ptr_nonnull(strstr(msg, "\r\nMessage-ID: <x@y>\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "\r\nList-Unsubscribe: <https://x.test/u?t=1>\r\n"
				     "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nbody\r\n"));
	ck_assert_ptr_null(strstr(msg, "\r\n\r\nList-"));
	free(msg);
	ck_assert_int_eq(mq_smtp_send_headers(s, "to@example.com", "Hi", "body", "<x@y>", broken, err,
					      sizeof(err), &permanent), -1);
	ck_assert(permanent);
	ck_assert_ptr_nonnull(strstr(err, "line break"));
	mq_smtp_free(s);
}
END_TEST

START_TEST(from_address_too_long)
{
	char err[512], from[400];

	memset(from, 'a', 300);
	snprintf(from + 300, 100, "@example.com");
	set(&cfg->mail_from, from);
	ck_assert_ptr_null(mq_smtp_new(cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "longer than 254"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc = tcase_create("smtp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, loopback_hosts);
	tcase_add_test(tc, plain_smtp_only_to_this_host);
	tcase_add_test(tc, compose_long_from);
	tcase_add_test(tc, extra_headers);
	tcase_add_test(tc, from_address_too_long);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

/*
 * test_pay_signature.c: Stripe-Signature headers: the pure parser
 * (mq_pay_sig_parse, the fuzzers' target) and verification, against a
 * signature computed apart (Perl's Digest::SHA).
 */
#include "../../src/integrations/pay_signature.c"

#include "unit.h"

#define SECRET "whsec_test_secret"
#define BODY "{\"id\":\"evt_1\"}"
#define T 1492774577
#define SIG "799c4ba7bb339f3c8601adfd112f0e477c930a268be1243d341abb8286501c2f"
#define OTHER "0000000000000000000000000000000000000000000000000000000000000000"

static enum mq_pay_sig_result parse(const char *h, struct mq_pay_sig *sig)
{
	return mq_pay_sig_parse(h, strlen(h), sig);
}

static enum mq_pay_sig_result verify(const char *h, const char *body, int64_t now)
{
	return mq_pay_sig_verify(h, body, strlen(body), SECRET, strlen(SECRET), now, 300);
}

START_TEST(parses)
{
	struct mq_pay_sig sig;

	ck_assert_int_eq(parse("t=1492774577,v1=" SIG, &sig), MQ_PAY_SIG_OK);
	ck_assert_int_eq(sig.t, T);
	ck_assert_int_eq(sig.n, 1);
	ck_assert_int_eq(sig.v1[0][0], 0x79);
	ck_assert_int_eq(sig.v1[0][31], 0x2f);
	ck_assert_int_eq(parse("v1=" OTHER ", t=12, v0=abc,v1=" SIG ",x=y", &sig), MQ_PAY_SIG_OK);
	ck_assert_int_eq(sig.t, 12);
	ck_assert_int_eq(sig.n, 2);
	/* a v1 that is not 64 hex digits is ignored, like an unknown scheme */
	ck_assert_int_eq(parse("t=1,v1=abc,v1=" SIG, &sig), MQ_PAY_SIG_OK);
	ck_assert_int_eq(sig.n, 1);
	ck_assert_int_eq(parse("t=1,v1=" SIG "00", &sig), MQ_PAY_SIG_NO_V1);
	ck_assert_int_eq(parse("t=1,v0=" SIG, &sig), MQ_PAY_SIG_NO_V1);
	ck_assert_int_eq(parse("t=1", &sig), MQ_PAY_SIG_NO_V1);
}
END_TEST

static void add_v1(char *buf, size_t size)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, ",v1=%s", OTHER);
}

START_TEST(refuses_malformed)
{
	static const char *const bad[] = {
		"", "garbage", "v1=" SIG, "t=,v1=" SIG, "t=12a,v1=" SIG, "t=-1,v1=" SIG,
		"t=1234567890123,v1=" SIG, "t=1,t=1,v1=" SIG, "t=1,,v1=" SIG, "t=1,v1=" SIG ",",
		"t=1,v1" SIG, " ", ",", "=",
	};
	struct mq_pay_sig sig;
	char many[1024] = "t=1";

	for (size_t i = 0; i < MQ_ARRAY_LEN(bad); i++)
		ck_assert_msg(parse(bad[i], &sig) == MQ_PAY_SIG_MALFORMED, "took \"%s\"", bad[i]);
	ck_assert_int_eq(mq_pay_sig_parse(NULL, 0, &sig), MQ_PAY_SIG_MALFORMED);
	for (int i = 0; i < MQ_PAY_SIG_MAX; i++)
		add_v1(many, sizeof(many));
	ck_assert_int_eq(parse(many, &sig), MQ_PAY_SIG_OK);
	add_v1(many, sizeof(many));
	ck_assert_int_eq(parse(many, &sig), MQ_PAY_SIG_MALFORMED);
	/* not NUL-terminated: only len bytes are read */
	ck_assert_int_eq(mq_pay_sig_parse("t=1,v1=" SIG "XYZ", 7 + 64, &sig), MQ_PAY_SIG_OK);
}
END_TEST

START_TEST(verifies)
{
	char hex[65];

	ck_assert_int_eq(verify("t=1492774577,v1=" SIG, BODY, T), MQ_PAY_SIG_OK);
	ck_assert_int_eq(verify("t=1492774577,v1=" OTHER ",v1=" SIG, BODY, T + 299), MQ_PAY_SIG_OK);
	ck_assert_int_eq(verify("t=1492774577,v1=" SIG, BODY, T + 301), MQ_PAY_SIG_STALE);
	ck_assert_int_eq(verify("t=1492774577,v1=" SIG, BODY, T - 301), MQ_PAY_SIG_STALE);
	ck_assert_int_eq(verify("t=1492774577,v1=" OTHER, BODY, T), MQ_PAY_SIG_MISMATCH);
	ck_assert_int_eq(verify("t=1492774578,v1=" SIG, BODY, T), MQ_PAY_SIG_MISMATCH);
	ck_assert_int_eq(verify("t=1492774577,v1=" SIG, "{\"id\":\"evt_2\"}", T), MQ_PAY_SIG_MISMATCH);
	ck_assert_int_eq(verify(NULL, BODY, T), MQ_PAY_SIG_MALFORMED);
	mq_pay_sig_sign(SECRET, strlen(SECRET), T, BODY, strlen(BODY), hex);
	ck_assert_str_eq(hex, SIG);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pay_signature");
	TCase *tc = tcase_create("pay_signature");

	tcase_add_test(tc, parses);
	tcase_add_test(tc, refuses_malformed);
	tcase_add_test(tc, verifies);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

/*
 * fuzz_webhook.c: the payment gateway's webhook signatures
 * (integrations/pay_signature.c), the one thing that authenticates
 * POST /api/payments/webhook/.
 *
 * Input: a Stripe-Signature header, a newline, the raw body.
 *
 * What must hold: a header parses to at most MQ_PAY_SIG_MAX signatures
 * and writes it back in its canonical form ("t=..,v1=..") that parses to
 * the same; verification agrees with parsing (a header that does not
 * parse never verifies); a fuzzed header verifies only with the HMAC the
 * secret makes of its timestamp and the body, and the header the secret
 * makes for that body always does.
 */
#include "harness.h"

#include <inttypes.h>
#include <stdio.h>

#include "integrations/pay_signature.h"

#define SECRET "whsec_fuzz0123456789abcdef"

static void hex(const unsigned char *b, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The canonical header of a parse, parsed again, is the same parse. */
static void check_round_trip(const struct mq_pay_sig *sig)
{
	char text[MQ_PAY_SIG_HEADER_MAX], h[65];
	struct mq_pay_sig again;
	int n = snprintf(text, sizeof(text), "t=%" PRId64, sig->t);

	for (size_t i = 0; i < sig->n; i++) {
		hex(sig->v1[i], h);
		n += snprintf(text + n, sizeof(text) - (size_t)n, ",v1=%s", h);
	}
	FZ_CHECK(mq_pay_sig_parse(text, (size_t)n, &again) == MQ_PAY_SIG_OK);
	FZ_CHECK(again.t == sig->t && again.n == sig->n);
	FZ_CHECK(memcmp(again.v1, sig->v1, sig->n * sizeof(sig->v1[0])) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	char *header, *body, good[65], made[96];
	struct mq_pay_sig sig;
	enum mq_pay_sig_result parsed, verified;
	size_t blen;
	bool has_good = false;

	fz_split(a, data, size, '\n', &header, &body);
	blen = strlen(body);
	parsed = mq_pay_sig_parse(header, strlen(header), &sig);
	FZ_CHECK(parsed == MQ_PAY_SIG_OK || parsed == MQ_PAY_SIG_MALFORMED ||
		 parsed == MQ_PAY_SIG_NO_V1);
	if (parsed == MQ_PAY_SIG_OK) {
		FZ_CHECK(sig.n >= 1 && sig.n <= MQ_PAY_SIG_MAX && sig.t >= 0);
		check_round_trip(&sig);
		mq_pay_sig_sign(SECRET, strlen(SECRET), sig.t, body, blen, good);
		for (size_t i = 0; i < sig.n; i++) {
			char h[65];

			hex(sig.v1[i], h);
			has_good |= strcmp(h, good) == 0;
		}
	}

	verified = mq_pay_sig_verify(header, body, blen, SECRET, strlen(SECRET),
				     parsed == MQ_PAY_SIG_OK ? sig.t : 0, 300);
	if (parsed != MQ_PAY_SIG_OK)
		FZ_CHECK(verified == parsed);
	else
		FZ_CHECK((verified == MQ_PAY_SIG_OK) == has_good);

	/* what the secret signs, now, always verifies */
	mq_pay_sig_sign(SECRET, strlen(SECRET), 1700000000, body, blen, good);
	snprintf(made, sizeof(made), "t=1700000000,v1=%s", good);
	FZ_CHECK(mq_pay_sig_verify(made, body, blen, SECRET, strlen(SECRET), 1700000000, 300) ==
		 MQ_PAY_SIG_OK);
	mq_arena_destroy(a);
	return 0;
}

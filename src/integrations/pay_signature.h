/*
 * pay_signature.h: the gateway's webhook signatures (Stripe's scheme).
 *
 * A delivery carries "Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>...]"
 * (other schemes, such as v0, are ignored): each v1 is an HMAC-SHA256,
 * keyed by the endpoint's secret, of "<t>.<the raw body>".  Several v1
 * appear while a secret is being rolled.  A delivery is genuine when one
 * of them matches, compared in constant time, and t is within the
 * tolerance of now (a replayed delivery is refused once it is older).
 */
#ifndef MQ_PAY_SIGNATURE_H
#define MQ_PAY_SIGNATURE_H

#include "core/common.h"

#define MQ_PAY_SIG_MAX 8		/* v1 signatures taken from one header */
#define MQ_PAY_SIG_HEADER_MAX 4096

struct mq_pay_sig {
	int64_t t;			/* the signed timestamp */
	size_t n;			/* how many v1 signatures */
	unsigned char v1[MQ_PAY_SIG_MAX][32];
};

enum mq_pay_sig_result {
	MQ_PAY_SIG_OK,
	MQ_PAY_SIG_MALFORMED,	/* no header, no t, a bad t, too long, too many v1 */
	MQ_PAY_SIG_NO_V1,	/* no well-formed v1 signature */
	MQ_PAY_SIG_STALE,	/* t is further from now than the tolerance */
	MQ_PAY_SIG_MISMATCH,	/* no v1 matches the body */
};

/* Parses a Stripe-Signature header of len bytes (not NUL-terminated)
 * into out: elements "key=value" separated by commas (spaces after a
 * comma allowed); t once, a decimal number of at most 12 digits; each v1
 * 64 hex digits (another length is ignored, as a scheme we do not know
 * would be); other keys ignored.  A pure function: no allocation, no
 * clock, no global state.  Returns MQ_PAY_SIG_OK, MQ_PAY_SIG_MALFORMED or
 * MQ_PAY_SIG_NO_V1. */
enum mq_pay_sig_result mq_pay_sig_parse(const char *header, size_t len, struct mq_pay_sig *out);

/* Verifies a delivery: header (NUL-terminated, or NULL when absent), the
 * raw body of len bytes, the secret, now and the tolerance in seconds. */
enum mq_pay_sig_result mq_pay_sig_verify(const char *header, const char *body, size_t len,
					 const char *secret, size_t secret_len, int64_t now,
					 int64_t tolerance_s);

/* The v1 signature of body at t, as 64 hex digits and a NUL into hex
 * (for tests and the fake's peers). */
void mq_pay_sig_sign(const char *secret, size_t secret_len, int64_t t, const char *body,
		     size_t len, char hex[65]);

/* Words for a result, for logs and problems. */
const char *mq_pay_sig_why(enum mq_pay_sig_result r);

#endif

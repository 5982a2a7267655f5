/*
 * pay_signature.c: parsing and checking Stripe-Signature headers (see
 * pay_signature.h).  mq_pay_sig_parse is pure, for the fuzzers.
 */
#include "integrations/pay_signature.h"

#include <sodium.h>

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* 64 hex digits into 32 bytes; false for anything else. */
static bool unhex32(const char *s, size_t n, unsigned char out[32])
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/* A timestamp: 1 to 12 decimal digits. */
static bool timestamp(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 12)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* One element, s[0..n): "key=value". */
static enum mq_pay_sig_result element(const char *s, size_t n, struct mq_pay_sig *out, bool *have_t)
{
	const char *eq = memchr(s, '=', n);
	size_t klen, vlen;

	if (eq == NULL)
		return MQ_PAY_SIG_MALFORMED;
	klen = (size_t)(eq - s);
	vlen = n - klen - 1;
	if (klen == 1 && s[0] == 't') {
		if (*have_t || !timestamp(eq + 1, vlen, &out->t))
			return MQ_PAY_SIG_MALFORMED;
		*have_t = true;
	} else if (klen == 2 && s[0] == 'v' && s[1] == '1') {
		if (out->n == MQ_PAY_SIG_MAX)
			return MQ_PAY_SIG_MALFORMED;
		if (unhex32(eq + 1, vlen, out->v1[out->n]))
			out->n++;
	}
	return MQ_PAY_SIG_OK;
}

enum mq_pay_sig_result mq_pay_sig_parse(const char *header, size_t len, struct mq_pay_sig *out)
{
	size_t i = 0, start;
	bool have_t = false;
	enum mq_pay_sig_result r;

	out->t = 0;
	out->n = 0;
	if (header == NULL || len == 0 || len > MQ_PAY_SIG_HEADER_MAX)
		return MQ_PAY_SIG_MALFORMED;
	while (i <= len) {
		while (i < len && header[i] == ' ')
			i++;
		start = i;
		while (i < len && header[i] != ',')
			i++;
		if ((r = element(header + start, i - start, out, &have_t)) != MQ_PAY_SIG_OK)
			return r;
		i++;	/* past the comma, or past the end */
	}
	if (!have_t)
		return MQ_PAY_SIG_MALFORMED;
	return out->n ? MQ_PAY_SIG_OK : MQ_PAY_SIG_NO_V1;
}

static void mac(const char *secret, size_t secret_len, int64_t t, const char *body, size_t len,
		unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;
	char ts[24];
	int n = snprintf(ts, sizeof(ts), "%lld.", (long long)t);

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

enum mq_pay_sig_result mq_pay_sig_verify(const char *header, const char *body, size_t len,
					 const char *secret, size_t secret_len, int64_t now,
					 int64_t tolerance_s)
{
	struct mq_pay_sig sig;
	enum mq_pay_sig_result r;
	unsigned char want[32];
	bool match = false;

	r = mq_pay_sig_parse(header, header ? strlen(header) : 0, &sig);
	if (r != MQ_PAY_SIG_OK)
		return r;
	if (sig.t < now - tolerance_s || sig.t > now + tolerance_s)
		return MQ_PAY_SIG_STALE;
	mac(secret, secret_len, sig.t, body, len, want);
	/* every signature compared, each in constant time */
	for (size_t i = 0; i < sig.n; i++)
		match |= sodium_memcmp(want, sig.v1[i], sizeof(want)) == 0;
	sodium_memzero(want, sizeof(want));
	return match ? MQ_PAY_SIG_OK : MQ_PAY_SIG_MISMATCH;
}

void mq_pay_sig_sign(const char *secret, size_t secret_len, int64_t t, const char *body,
		     size_t len, char hex[65])
{
	unsigned char m[32];

	mac(secret, secret_len, t, body, len, m);
	sodium_bin2hex(hex, 65, m, sizeof(m));
}

const char *mq_pay_sig_why(enum mq_pay_sig_result r)
{
	switch (r) {
	case MQ_PAY_SIG_OK:
		return "valid";
	case MQ_PAY_SIG_MALFORMED:
		return "the Stripe-Signature header is missing or malformed";
	case MQ_PAY_SIG_NO_V1:
		return "the Stripe-Signature header has no v1 signature";
	case MQ_PAY_SIG_STALE:
		return "the signature's timestamp is outside the tolerance";
	case MQ_PAY_SIG_MISMATCH:
		return "no signature matches the body";
	}
	return "?";
}

/*
 * fuzz_query.c: query strings (http/query.c): mq_query_parse and
 * mq_percent_decode, against a decoder written here.
 *
 * Input: the raw query string (what follows '?'), as QUERY_STRING.
 */
#include "harness.h"

#include "core/config.h"
#include "http/query.h"

static int hex(int c)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	const char *p = c ? strchr(digits, c) : NULL;

	return p == NULL ? -1 : p - digits < 16 ? (int)(p - digits) : (int)(p - digits) - 6;
}

/* What s[0..n) decodes to, or NULL: the specification, slowly. */
static char *reference(struct mq_arena *a, const char *s, size_t n, bool plus)
{
	char *out = mq_arena_alloc(a, n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0')
			return NULL;
		if (s[i] != '%') {
			out[o++] = plus && s[i] == '+' ? ' ' : s[i];
			continue;
		}
		if (i + 2 >= n)
			return NULL;
		if (hex((unsigned char)s[i + 1]) < 0 || hex((unsigned char)s[i + 2]) < 0)
			return NULL;
		out[o] = (char)(hex((unsigned char)s[i + 1]) * 16 + hex((unsigned char)s[i + 2]));
		if (out[o++] == '\0')
			return NULL;
		i += 2;
	}
	out[o] = '\0';
	return fz_utf8_ok(out, o) ? out : NULL;
}

/* Decodes with both and checks they agree. */
static const char *decode(struct mq_arena *a, const char *s, size_t n, bool plus)
{
	const char *got = mq_percent_decode(a, s, n, plus);
	const char *want = reference(a, s, n, plus);

	FZ_CHECK((got == NULL) == (want == NULL));
	FZ_CHECK(got == NULL || strcmp(got, want) == 0);
	return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mq_config *cfg = fz_config();
	struct mq_arena *a = mq_arena_new(0);
	struct mq_query_limits lim = { cfg->query_max_params, cfg->query_max_length };
	const char *qs = fz_cstr(a, data, size), *err = NULL;
	size_t len = strlen(qs);
	struct mq_query q;

	decode(a, (const char *)data, size, true);
	decode(a, (const char *)data, size, false);
	if (mq_query_parse(a, qs, &lim, &q, &err) == 0) {
		FZ_CHECK(q.count <= lim.max_params && len <= (size_t)lim.max_length);
		for (int i = 0; i < q.count; i++) {
			const struct mq_param *p = &q.params[i];

			FZ_CHECK(fz_utf8_ok(p->key, strlen(p->key)));
			FZ_CHECK(fz_utf8_ok(p->value, strlen(p->value)));
			FZ_CHECK(strlen(p->key) + strlen(p->value) <= len);
			FZ_CHECK(mq_query_count(&q, p->key) >= 1);
			FZ_CHECK(mq_query_get(&q, p->key) != NULL);
		}
		/* each piece between '&' decodes on its own as it did here */
		int i = 0;
		for (const char *p = qs; *p;) {
			size_t n = strcspn(p, "&");
			const char *eq = memchr(p, '=', n);

			if (n > 0) {
				FZ_CHECK(i < q.count);
				FZ_CHECK(strcmp(q.params[i].key,
						decode(a, p, eq ? (size_t)(eq - p) : n, true)) == 0);
				i++;
			}
			p += n + (p[n] == '&');
		}
		FZ_CHECK(i == q.count);
	} else {
		FZ_CHECK(err != NULL && *err != '\0');
	}
	mq_arena_destroy(a);
	return 0;
}

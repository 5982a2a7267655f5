/*
 * fuzz_lang.c: language tags and Accept-Language (core/lang.c), and the
 * choice a request makes between ?language= and the header (http/lang.c).
 *
 * Input: the Accept-Language header; after a NUL, a ?language= value.
 */
#include "harness.h"

#include <ctype.h>

#include "core/lang.h"
#include "http/lang.h"

/* ll, lll, ll-CC or lll-CC in the case lang.h promises. */
static bool normal(const struct mq_lang *l)
{
	size_t n = strnlen(l->tag, sizeof(l->tag)), p = strnlen(l->primary, sizeof(l->primary));

	FZ_CHECK(n < sizeof(l->tag) && p < sizeof(l->primary));
	if (p < 2 || p > 3 || strncmp(l->tag, l->primary, p) != 0)
		return false;
	for (size_t i = 0; i < p; i++)
		if (!islower((unsigned char)l->primary[i]))
			return false;
	return n == p || (n == p + 3 && l->tag[p] == '-' && isupper((unsigned char)l->tag[p + 1]) &&
			  isupper((unsigned char)l->tag[p + 2]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	char *header, *param;
	struct mq_lang l, again;
	struct mq_req r;
	const char *why;

	fz_split(a, data, size, '\0', &header, &param);
	mq_lang_from_header(header, &l);
	FZ_CHECK(normal(&l));
	/* our messages' language is one there is a catalog for, and English
	 * unless the header names one (its language at least) */
	FZ_CHECK((unsigned)l.ui < MQ_UI_COUNT);
	FZ_CHECK(l.ui == MQ_UI_EN || strcasestr(header, mq_ui_tag(l.ui)) ||
		 strcasestr(header, l.ui == MQ_UI_PT_BR ? "pt" : mq_ui_tag(l.ui)));
	/* what was chosen is itself a tag that reads the same */
	FZ_CHECK(mq_lang_parse(l.tag, strlen(l.tag), &again) == 0);
	FZ_CHECK(strcmp(l.tag, again.tag) == 0 && strcmp(l.primary, again.primary) == 0);
	if (mq_lang_parse(header, strlen(header), &l) == 0)
		FZ_CHECK(normal(&l) && strlen(l.tag) == strlen(header));
	{
		char *env[] = {
			"REQUEST_METHOD=GET", "DOCUMENT_URI=/api/movies/",
			mq_arena_printf(a, "HTTP_ACCEPT_LANGUAGE=%s", header),
			mq_arena_printf(a, "QUERY_STRING=language=%s", param), NULL,
		};
		int st = fz_request(&r, a, env, "", 0, &why);

		if (st == 0 && mq_done(mq_lang_choose(&r, "language", &l)))
			FZ_CHECK(fz_check_response(a) == 400);
		else if (st == 0)
			FZ_CHECK(normal(&l) && !r.responded);
	}
	fz_request_end();
	mq_arena_destroy(a);
	return 0;
}

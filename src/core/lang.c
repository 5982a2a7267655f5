/*
 * lang.c: language tags, and the one an Accept-Language header prefers.
 */
#include "core/lang.h"

#include <ctype.h>
#include <strings.h>

int mq_lang_parse(const char *s, size_t n, struct mq_lang *out)
{
	size_t lang = 0;
	int ui;

	while (lang < n && isalpha((unsigned char)s[lang]))
		lang++;
	if (lang < 2 || lang > 3)
		return -1;
	if (lang != n && (n != lang + 3 || s[lang] != '-' || !isalpha((unsigned char)s[lang + 1]) ||
			  !isalpha((unsigned char)s[lang + 2])))
		return -1;
	for (size_t i = 0; i < lang; i++)
		out->primary[i] = (char)tolower((unsigned char)s[i]);
	out->primary[lang] = '\0';
	memcpy(out->tag, out->primary, lang + 1);
	if (lang != n)
		snprintf(out->tag + lang, sizeof(out->tag) - lang, "-%c%c",
			 toupper((unsigned char)s[lang + 1]), toupper((unsigned char)s[lang + 2]));
	ui = mq_ui_find(out->tag);
	out->ui = ui < 0 ? MQ_UI_EN : (enum mq_ui)ui;
	return 0;
}

/* The q-value of one Accept-Language entry's parameters (";q=0.8"); 1 when
 * absent, -1 when malformed. */
static double q_value(const char *params, size_t n)
{
	char buf[16];
	char *end;
	double q;

	while (n > 0 && (*params == ' ' || *params == ';')) {
		params++;
		n--;
	}
	if (n == 0)
		return 1.0;
	if (n < 3 || n >= sizeof(buf) || strncasecmp(params, "q=", 2) != 0)
		return -1;
	memcpy(buf, params + 2, n - 2);
	buf[n - 2] = '\0';
	q = strtod(buf, &end);
	return *end == '\0' && q >= 0 && q <= 1 ? q : -1;
}

void mq_lang_from_header(const char *header, struct mq_lang *out)
{
	double best = 0, best_ui = 0;
	enum mq_ui ui = MQ_UI_EN;

	mq_lang_parse(MQ_LANG_DEFAULT, strlen(MQ_LANG_DEFAULT), out);
	for (const char *p = header; p && *p;) {
		size_t len = strcspn(p, ","), tag = strcspn(p, ";,");
		const char *t = p;
		struct mq_lang cand;
		double q;

		while (tag > 0 && *t == ' ') {
			t++;
			tag--;
		}
		while (tag > 0 && t[tag - 1] == ' ')
			tag--;
		q = q_value(p + strcspn(p, ";,"), len - strcspn(p, ";,"));
		if (q > 0 && mq_lang_parse(t, tag, &cand) == 0) {
			if (q > best) {
				best = q;
				*out = cand;
			}
			if (q > best_ui && mq_ui_find(cand.tag) >= 0) {
				best_ui = q;
				ui = cand.ui;
			}
		}
		p += len + (p[len] == ',');
	}
	out->ui = ui;
}

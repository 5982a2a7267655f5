/*
 * lang.h: which language a response is written in.
 *
 * A tag is kept as language[-REGION] ("fr", "pt-BR"); translations are
 * looked up by the whole tag first, then by the language alone, then the
 * original text is shown.
 */
#ifndef MQ_CORE_LANG_H
#define MQ_CORE_LANG_H

#include "core/common.h"
#include "core/i18n.h"

struct mq_lang {
	char tag[8];		/* "fr-FR": translated titles, overviews, genre names */
	char primary[4];	/* "fr" */
	enum mq_ui ui;		/* the language of our own messages (core/i18n.h) */
};

#define MQ_LANG_DEFAULT "en-US"

/* Normalises a tag ("FR-fr" → "fr-FR"); ui is its catalog's language
 * (mq_ui_find), English when there is none.  Returns 0, or -1 when it is
 * not a two- or three-letter language with an optional two-letter region. */
int mq_lang_parse(const char *s, size_t n, struct mq_lang *out);

/* The most preferred usable tag of an Accept-Language value (q-values
 * honoured, "*", q=0 and malformed entries skipped), or the default.
 * out->ui is the most preferred language there is a catalog for, the same
 * language of another region counting ("pt-PT" → pt-BR): "pt-PT, de;q=0.5"
 * is pt-BR, "it, de;q=0.5" de, "it" English. */
void mq_lang_from_header(const char *header, struct mq_lang *out);

#endif

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

struct mq_lang {
	char tag[8];		/* "fr-FR" */
	char primary[4];	/* "fr" */
};

#define MQ_LANG_DEFAULT "en-US"

/* Normalises a tag ("FR-fr" → "fr-FR").  Returns 0, or -1 when it is not
 * a two- or three-letter language with an optional two-letter region. */
int mq_lang_parse(const char *s, size_t n, struct mq_lang *out);

/* The most preferred usable tag of an Accept-Language value (q-values
 * honoured, "*" and malformed entries skipped), or the default. */
void mq_lang_from_header(const char *header, struct mq_lang *out);

#endif

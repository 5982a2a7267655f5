/*
 * i18n.h: the languages Marquee writes its own messages in, and the
 * translation of one message (GNU gettext catalogs, po/).
 *
 * A message is written in English in the code and marked for xgettext:
 * a literal given to the functions that take a message (mq_problem,
 * mq_fail_with, mq_form_error, ... : po/Makevars lists them) is found by
 * itself; a literal kept for later is marked N_("..."), and one formatted
 * before it reaches them is passed through mq_tr(lang, "...").  The
 * functions that take a message translate it into the language of the
 * unit of work (struct mq_ctx's lang); a text that is no msgid (already
 * translated, or what a client sent) comes back as it is.
 */
#ifndef MQ_I18N_H
#define MQ_I18N_H

#include "core/common.h"

/* The languages there are catalogs for; MQ_UI_EN is the code's own. */
enum mq_ui {
	MQ_UI_EN,
	MQ_UI_FR,
	MQ_UI_DE,
	MQ_UI_ES,
	MQ_UI_PT_BR,
	MQ_UI_COUNT
};

/* A message kept to be translated where it is shown. */
#define N_(s) (s)

/* The language's tag ("pt-BR"). */
const char *mq_ui_tag(enum mq_ui ui);

/* The language a tag is best answered in: the same tag, else the same
 * language in another region ("pt-PT" → pt-BR, "fr-CA" → fr); -1 when
 * there is no catalog for the language. */
int mq_ui_find(const char *tag);

/* Opens the catalogs of localedir (<localedir>/<ll>/LC_MESSAGES/
 * marquee.mo) for this process: once in each worker and in the admin
 * tool.  A language whose catalog or locale is missing is answered in
 * English (logged once).  Returns the number of languages found besides
 * English. */
int mq_i18n_init(const char *localedir);

/* msgid in language ui, or msgid itself (English, a language not
 * loaded, or a text that is no msgid).  The result is static (the
 * catalog's) or msgid. */
const char *mq_tr(enum mq_ui ui, const char *msgid) __attribute__((format_arg(2)));

/* The form of singular/plural for n in language ui (dngettext). */
const char *mq_trn(enum mq_ui ui, const char *singular, const char *plural, unsigned long n)
	__attribute__((format_arg(2))) __attribute__((format_arg(3)));

#endif

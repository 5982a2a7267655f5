/*
 * i18n.c: the catalogs of po/ and the translation of one message.
 *
 * How the language of a message is chosen per request without touching
 * the process's locale: every language has a locale_t of its own, made
 * once per process with newlocale() (LC_MESSAGES and LC_CTYPE of that
 * language's UTF-8 locale, every other category "C"), and mq_tr() makes
 * it the thread's locale with uselocale() only around the one dgettext()
 * call, then puts the previous one back.  Numbers are formatted (json-c,
 * printf) only outside that window, in the "C" locale the worker always
 * runs in, so a French answer keeps 7.5, never 7,5.  setlocale() is never
 * called: it is process-wide and would change how every number is
 * written.  glibc finds a catalog by the LC_MESSAGES locale's name
 * ("fr_FR.UTF-8" → <localedir>/fr/LC_MESSAGES/marquee.mo), so those
 * locales must exist (Debian: locales-all, or locale-gen of the five).
 */
#include "core/i18n.h"

#include <libintl.h>
#include <locale.h>
#include <strings.h>

#include "core/log.h"

#define DOMAIN "marquee"

static const struct {
	const char *tag;
	const char *locale;
} langs[MQ_UI_COUNT] = {
	[MQ_UI_EN] = { "en", NULL },
	[MQ_UI_FR] = { "fr", "fr_FR.UTF-8" },
	[MQ_UI_DE] = { "de", "de_DE.UTF-8" },
	[MQ_UI_ES] = { "es", "es_ES.UTF-8" },
	[MQ_UI_PT_BR] = { "pt-BR", "pt_BR.UTF-8" },
};

static locale_t loaded[MQ_UI_COUNT];

const char *mq_ui_tag(enum mq_ui ui)
{
	return (unsigned)ui < MQ_UI_COUNT ? langs[ui].tag : langs[MQ_UI_EN].tag;
}

int mq_ui_find(const char *tag)
{
	size_t primary = strcspn(tag, "-_");
	int same_language = -1;

	for (int i = 0; i < MQ_UI_COUNT; i++) {
		if (strcasecmp(langs[i].tag, tag) == 0)
			return i;
		if (same_language < 0 && strncasecmp(langs[i].tag, tag, primary) == 0 &&
		    strcspn(langs[i].tag, "-") == primary)
			same_language = i;
	}
	return same_language;
}

int mq_i18n_init(const char *localedir)
{
	int found = 0;

	/* LANGUAGE would outrank the locale we pick for every message */
	unsetenv("LANGUAGE");
	if (bindtextdomain(DOMAIN, localedir) == NULL ||
	    bind_textdomain_codeset(DOMAIN, "UTF-8") == NULL) {
		mq_log_error("gettext: cannot bind %s to %s", DOMAIN, localedir);
		return 0;
	}
	for (int i = 0; i < MQ_UI_COUNT; i++) {
		if (langs[i].locale == NULL || loaded[i])
			continue;
		loaded[i] = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, langs[i].locale, (locale_t)0);
		if (loaded[i] == (locale_t)0)
			mq_log_warn("locale %s is not installed: %s is answered in English",
				    langs[i].locale, langs[i].tag);
		else
			found++;
	}
	return found;
}

const char *mq_tr(enum mq_ui ui, const char *msgid)
{
	locale_t previous;
	const char *s;

	if ((unsigned)ui >= MQ_UI_COUNT || !loaded[ui] || msgid == NULL || *msgid == '\0')
		return msgid;
	previous = uselocale(loaded[ui]);
	s = dgettext(DOMAIN, msgid);
	uselocale(previous);
	return s;
}

const char *mq_trn(enum mq_ui ui, const char *singular, const char *plural, unsigned long n)
{
	locale_t previous;
	const char *s;

	if ((unsigned)ui >= MQ_UI_COUNT || !loaded[ui])
		return n == 1 ? singular : plural;
	previous = uselocale(loaded[ui]);
	s = dngettext(DOMAIN, singular, plural, n);
	uselocale(previous);
	return s;
}

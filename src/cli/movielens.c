/*
 * movielens.c: MovieLens titles, genres and ids (see movielens.h).
 */
#include "cli/movielens.h"

#include <ctype.h>

/* Articles MovieLens moves to the end: "Matrix, The" is "The Matrix". */
static const char *const articles[] = {
	"The", "A", "An", "L'", "La", "Le", "Les", "Il", "El", "Lo", "Los", "Las", "Die",
	"Der", "Das", "Un", "Une", "I", "Gli", "Det", "Den", "De", "Het", "Ein", "Eine",
};

static const struct { const char *movielens, *slug; } genres[] = {
	{ "Action", "action" }, { "Adventure", "adventure" }, { "Animation", "animation" },
	{ "Children", "family" }, { "Comedy", "comedy" }, { "Crime", "crime" },
	{ "Documentary", "documentary" }, { "Drama", "drama" }, { "Fantasy", "fantasy" },
	{ "Film-Noir", "crime" }, { "Horror", "horror" }, { "Musical", "music" },
	{ "Mystery", "mystery" }, { "Romance", "romance" }, { "Sci-Fi", "science-fiction" },
	{ "Thriller", "thriller" }, { "War", "war" }, { "Western", "western" },
};

const char *mq_ml_genre(const char *name)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(genres); i++)
		if (strcmp(genres[i].movielens, name) == 0)
			return genres[i].slug;
	return NULL;
}

static void trim(char *s)
{
	size_t n = strlen(s), lead = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[lead]))
		lead++;
	memmove(s, s + lead, n - lead + 1);
}

/* "Matrix, The" → "The Matrix"; "Atalante, L'" → "L'Atalante". */
static void front_article(char *s, size_t size)
{
	char *comma = strrchr(s, ',');
	char moved[1024];

	if (comma == NULL || comma[1] != ' ')
		return;
	for (size_t i = 0; i < MQ_ARRAY_LEN(articles); i++) {
		const char *a = articles[i];

		if (strcmp(comma + 2, a) != 0)
			continue;
		*comma = '\0';
		snprintf(moved, sizeof(moved), "%s%s%s", a, a[strlen(a) - 1] == '\'' ? "" : " ", s);
		mq_strlcpy(s, moved, size);
		return;
	}
}

/* The parenthesised group that ends s ("... (x)"), cut off s and copied to
 * out; false when s does not end with one. */
static bool cut_last_group(char *s, char *out, size_t size)
{
	size_t n = strlen(s);
	int depth = 0;

	if (n == 0 || s[n - 1] != ')')
		return false;
	for (size_t i = n; i-- > 0;) {
		if (s[i] == ')')
			depth++;
		else if (s[i] == '(' && --depth == 0) {
			if (i == 0)
				return false;	/* the whole title is in parentheses */
			snprintf(out, size, "%.*s", (int)(n - i - 2), s + i + 1);
			s[i] = '\0';
			trim(s);
			return true;
		}
	}
	return false;
}

/* "1995", "2007-", "1975-1979": the first year; -1 when g is no year. */
static int parse_year(const char *g)
{
	int y = 0;

	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)g[i]))
			return -1;
		y = y * 10 + (g[i] - '0');
	}
	if (g[4] != '\0' && (g[4] != '-' || strspn(g + 5, "0123456789") != strlen(g + 5)))
		return -1;
	return y;
}

/* Cuts s to max characters, never inside one. */
static void cut_chars(char *s, size_t max)
{
	size_t chars = 0;

	for (char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && chars++ == max) {
			*p = '\0';
			return;
		}
}

int mq_ml_title(const char *raw, struct mq_ml_title *out)
{
	char group[1024];

	memset(out, 0, sizeof(*out));
	mq_strlcpy(out->title, raw, sizeof(out->title));
	trim(out->title);
	if (cut_last_group(out->title, group, sizeof(group))) {
		int year = parse_year(group);

		if (year < 0)	/* not a year: put it back */
			snprintf(out->title + strlen(out->title), sizeof(out->title) - strlen(out->title),
				 " (%s)", group);
		else if (year >= 1870 && year <= 2100)
			out->year = year;	/* else a year no film has: dropped */
	}
	/* what is left in parentheses: asides, then the alternative title */
	while (cut_last_group(out->title, group, sizeof(group))) {
		if (strncmp(group, "a.k.a. ", 7) == 0)
			continue;
		if (out->original_title[0] == '\0')
			mq_strlcpy(out->original_title, group, sizeof(out->original_title));
	}
	front_article(out->title, sizeof(out->title));
	if (out->original_title[0] == '\0')
		mq_strlcpy(out->original_title, out->title, sizeof(out->original_title));
	else
		front_article(out->original_title, sizeof(out->original_title));
	cut_chars(out->title, MQ_ML_TITLE_MAX);
	cut_chars(out->original_title, MQ_ML_TITLE_MAX);
	return out->title[0] ? 0 : -1;
}

int mq_ml_imdb_id(const char *digits, char *out, size_t size)
{
	size_t n = strlen(digits);

	if (n == 0 || n > 10 || strspn(digits, "0123456789") != n)
		return -1;
	if (n >= 7)
		snprintf(out, size, "tt%s", digits);
	else
		snprintf(out, size, "tt%.*s%s", (int)(7 - n), "0000000", digits);
	return 0;
}

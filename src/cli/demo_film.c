/*
 * demo_film.c: the generated films of `marquee demo-data` (see demo_film.h).
 *
 * Titles and overviews are put together from word lists with a few
 * sentence patterns; genres, languages, years and popularity follow rough
 * real-world proportions (more drama than westerns, more films in recent
 * decades, a long tail of obscure ones), so filters and orderings meet the
 * selectivities a real catalog has.  Some words carry accents on purpose:
 * searches must fold them.
 */
#include "cli/demo_film.h"

#include <math.h>

#define N(a) MQ_ARRAY_LEN(a)

static const char *const adjectives[] = {
	"Silent", "Broken", "Golden", "Hidden", "Last", "Crimson", "Endless", "Quiet", "Burning",
	"Forgotten", "Frozen", "Lonely", "Savage", "Distant", "Electric", "Bitter", "Wild",
	"Secret", "Hollow", "Midnight", "Restless", "Scarlet", "Shattered", "Velvet", "Wandering",
	"Silver", "Dark", "Bright", "Fallen", "Stolen", "Paper", "Glass", "Iron", "Summer",
	"Winter", "Northern", "Desert", "Invisible", "Perfect", "Little", "Strange", "Sweet",
	"Dangerous", "Final", "Lost", "Sacred", "Infinite", "Blue", "Red", "White",
};

static const char *const nouns[] = {
	"Road", "River", "Garden", "Kingdom", "Promise", "Harbor", "Shadow", "Letter", "Machine",
	"Orchard", "Frontier", "Horizon", "Lighthouse", "Station", "Mirror", "Storm", "Empire",
	"Island", "Summer", "Witness", "Stranger", "Circus", "Dream", "Covenant", "Signal",
	"Bridge", "Forest", "Hotel", "Voyage", "Crown", "Echo", "Engine", "Tide", "Canyon",
	"Orbit", "Symphony", "Labyrinth", "Carnival", "Paradise", "Heist", "Inheritance",
	"Exile", "Requiem", "Ballad", "Frequency", "Compass", "Avalanche", "Monsoon", "Citadel",
	"Masquerade", "Café", "Rendezvous", "Odyssey", "Fortune", "Outpost", "Prophecy",
};

static const char *const names[] = {
	"Anna", "Marcus", "Elena", "Tomás", "Chloé", "Yuki", "Omar", "Ingrid", "Rafael", "Zoë",
	"Hugo", "Amara", "Kenji", "Lucía", "Søren", "Priya", "Mateo", "Noor", "Björn", "Ada",
	"Felix", "Renée", "Dmitri", "Inès", "Jonah", "Mira", "Léa", "Tariq", "Nadia", "Oskar",
	"Camille", "Eli", "Freya", "Gustavo", "Hana", "Iker", "Jasmine", "Kofi", "Lena", "Malik",
	"Nina", "Otto", "Paloma", "Quentin", "Rosa", "Samuel", "Teresa", "Ulrich", "Vera",
	"Walter", "Ximena", "Yusuf", "Zara", "José", "Ève", "Łukasz", "Maëlle", "Agnès",
};

static const char *const places[] = {
	"Lisbon", "Montréal", "Zürich", "Kraków", "Malmö", "Bogotá", "São Paulo", "Marrakesh",
	"Reykjavík", "Kyoto", "Naples", "Havana", "Tangier", "Odessa", "Valparaíso", "Oaxaca",
	"Sevilla", "Trieste", "Hanoi", "Nairobi", "Istanbul", "Saigon", "Dublin", "Glasgow",
	"Chicago", "New Orleans", "Alaska", "Patagonia", "Tokyo", "Berlin", "Paris", "Cairo",
	"Bombay", "Shanghai", "Vienna", "Prague", "Budapest", "Athens", "Sicily", "Texas",
	"Montana", "Yukon", "Mars", "the Moon", "Atlantis", "Coney Island", "Brooklyn", "Nice",
	"Genève", "Córdoba", "Curaçao", "Tromsø",
};

static const char *const professions[] = {
	"detective", "schoolteacher", "pilot", "nurse", "boxer", "journalist", "chef", "priest",
	"violinist", "astronaut", "smuggler", "lawyer", "farmer", "architect", "thief", "soldier",
	"widow", "surgeon", "painter", "mechanic", "diplomat", "photographer", "spy", "dancer",
	"taxi driver", "fisherman", "novelist", "botanist", "bartender", "lighthouse keeper",
	"con artist", "pianist", "cartographer", "bodyguard", "magician", "archaeologist",
};

static const char *const character[] = {
	"reluctant", "retired", "ambitious", "disgraced", "young", "aging", "stubborn", "gifted",
	"penniless", "grieving", "fearless", "lonely", "idealistic", "cynical", "runaway",
	"newly married", "half-blind", "restless", "self-taught", "exiled",
};

static const char *const turns[] = {
	"is forced to confront the past", "sets out to clear a brother's name",
	"agrees to one last job", "falls in love with a stranger",
	"must protect a child who has seen too much", "starts to question everything",
	"goes looking for a missing sister", "inherits a crumbling hotel",
	"becomes the unlikely leader of a rebellion", "makes a bargain that cannot be undone",
	"crosses the country on foot", "finds a map hidden in an old piano",
	"is mistaken for someone far more important", "tries to win back an estranged family",
	"joins a travelling circus", "receives letters from a person long dead",
	"races against time to stop a catastrophe", "uncovers a conspiracy reaching the very top",
};

static const char *const events[] = {
	"a stranger arrives in town", "a war breaks out", "the floodwaters rise",
	"an old friend returns with a secret", "a famous painting is stolen",
	"the factory closes for good", "a comet lights up the sky",
	"a letter arrives with no return address", "the power fails across the city",
	"a body washes up on the shore", "the last train leaves the station",
	"an election turns violent", "a signal is picked up from deep space",
	"the family farm is about to be sold", "a wedding goes terribly wrong",
};

static const char *const themes[] = {
	"love", "loss", "loyalty", "greed", "courage", "family", "betrayal", "memory",
	"ambition", "redemption", "friendship", "revenge", "survival", "faith", "freedom",
	"grief", "obsession", "forgiveness", "identity", "hope",
};

static const char *const decades[] = {
	"the 1920s", "the Depression years", "the 1950s", "the swinging sixties", "the 1970s",
	"the 1980s", "the last days of the century", "the near future", "a world without oil",
	"the years after the war",
};

static const char *const taglines[] = {
	"Some secrets never stay buried.", "Every journey has a price.", "Nobody gets out clean.",
	"The truth is stranger than you think.", "One night can change everything.",
	"Home is where the danger is.", "Love is the oldest con.", "The past is never over.",
	"Run.", "It was supposed to be simple.", "Trust no one. Not even yourself.",
	"Some doors should stay closed.", "A story you will never forget.",
	"The world is about to find out.", "Hope is a dangerous thing.",
	"Every family has its legend.", "Nothing is what it seems.", "Don't look back.",
};

static const char *const sequels[] = { " II", " III", " 2", ": Part Two", ": The Return" };

struct weighted {
	const char *name;
	int weight;
};

/* Genre slugs with weights roughly as in TMDb's catalog. */
static const struct weighted genre_weights[] = {
	{ "drama", 30 }, { "comedy", 18 }, { "thriller", 10 }, { "romance", 8 }, { "action", 8 },
	{ "horror", 7 }, { "documentary", 6 }, { "crime", 6 }, { "adventure", 5 },
	{ "science-fiction", 4 }, { "family", 4 }, { "mystery", 4 }, { "fantasy", 3 },
	{ "animation", 3 }, { "music", 3 }, { "history", 2 }, { "war", 2 }, { "tv-movie", 2 },
	{ "western", 1 },
};

static const struct weighted language_weights[] = {
	{ "en", 55 }, { "fr", 8 }, { "es", 6 }, { "ja", 5 }, { "de", 4 }, { "it", 4 },
	{ "ko", 3 }, { "hi", 3 }, { "zh", 3 }, { "ru", 2 }, { "pt", 2 }, { "sv", 1 },
	{ "da", 1 }, { "pl", 1 }, { "tr", 1 }, { "fa", 1 },
};

/* Original titles for some non-English films: "%s" is a name or a place. */
static const struct { const char *code; const char *pattern; bool place; } native_titles[] = {
	{ "fr", "Le secret de %s", false }, { "fr", "Un été à %s", true },
	{ "fr", "La nuit de %s", true }, { "es", "El secreto de %s", false },
	{ "es", "Un verano en %s", true }, { "es", "Los días de %s", false },
	{ "de", "Das Geheimnis von %s", false }, { "de", "Ein Sommer in %s", true },
	{ "it", "Il segreto di %s", false }, { "it", "Un'estate a %s", true },
	{ "ja", "%sの夏", false }, { "ja", "%sの夜", true }, { "ko", "%s의 여름", false },
	{ "zh", "%s之夜", true }, { "hi", "%s की कहानी", false }, { "ru", "Лето в %s", true },
	{ "pt", "O segredo de %s", false }, { "sv", "En sommar i %s", true },
};

/* Keywords: ones any film may have, and ones that go with a genre. */
static const char *const common_keywords[] = {
	"based on novel", "small town", "friendship", "revenge", "family secret", "road trip",
	"coming of age", "new york city", "paris", "london", "independent film", "flashback",
	"betrayal", "female protagonist", "father son relationship", "mother daughter relationship",
	"loss of loved one", "based on true story", "island", "winter", "summer", "train",
	"letter", "hotel", "nightclub", "inheritance", "amnesia", "twins", "wedding", "funeral",
	"escape", "journey", "rivalry", "redemption", "obsession", "nostalgia", "biography",
	"satire", "dystopia", "ensemble cast",
};

static const struct { const char *slug; const char *const *words; size_t n; } genre_keywords[] = {
#define G(slug, ...) { slug, (const char *const[]){ __VA_ARGS__ }, \
		       sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *) }
	G("action", "car chase", "martial arts", "explosion", "mercenary", "hostage", "shootout"),
	G("adventure", "treasure hunt", "jungle", "expedition", "pirate", "lost civilization"),
	G("animation", "talking animals", "hand-drawn animation", "stop motion", "anthropomorphism"),
	G("comedy", "slapstick", "mistaken identity", "buddy comedy", "parody", "screwball"),
	G("crime", "heist", "gangster", "police detective", "murder", "mafia", "drug cartel"),
	G("documentary", "interview", "archive footage", "nature", "music documentary"),
	G("drama", "melodrama", "grief", "illness", "class differences", "marriage crisis"),
	G("family", "christmas", "dog", "holiday", "children's adventure"),
	G("fantasy", "magic", "dragon", "fairy tale", "wizard", "sword and sorcery"),
	G("history", "world war ii", "ancient rome", "medieval", "revolution", "royalty"),
	G("horror", "haunted house", "vampire", "zombie", "slasher", "possession", "ghost"),
	G("music", "musician", "rock band", "jazz", "opera", "concert"),
	G("mystery", "whodunit", "investigation", "disappearance", "secret society"),
	G("romance", "love triangle", "first love", "forbidden love", "long-distance relationship"),
	G("science-fiction", "time travel", "space travel", "artificial intelligence", "alien",
	  "robot", "cyberpunk"),
	G("tv-movie", "holiday romance", "small business"),
	G("thriller", "conspiracy", "kidnapping", "espionage", "serial killer", "stalker"),
	G("war", "battlefield", "prisoner of war", "resistance", "trench warfare"),
	G("western", "cowboy", "gunslinger", "frontier town", "outlaw", "cattle drive"),
#undef G
};

static const char *const statuses_upcoming[] = { "Post Production", "In Production", "Planned" };

/* splitmix64: small, fast, and well-distributed from any seed. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
	return (double)(next(s) >> 11) / (double)(1ull << 53);
}

static size_t below(uint64_t *s, size_t n)
{
	return (size_t)(uniform(s) * (double)n);
}

#define PICK(s, a) ((a)[below((s), N(a))])

static const char *weighted(uint64_t *s, const struct weighted *w, size_t n)
{
	int total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += w[i].weight;
	x = (int)below(s, (size_t)total);
	for (size_t i = 0; i < n; i++)
		if ((x -= w[i].weight) < 0)
			return w[i].name;
	return w[0].name;
}

static void make_title(uint64_t *s, char *out, size_t size)
{
	const char *a = PICK(s, adjectives), *n = PICK(s, nouns), *n2 = PICK(s, nouns);
	const char *who = PICK(s, names), *where = PICK(s, places);
	int len;

	switch (below(s, 12)) {
	case 0: len = snprintf(out, size, "The %s %s", a, n); break;
	case 1: len = snprintf(out, size, "%s of %s", n, where); break;
	case 2: len = snprintf(out, size, "The %s of %s", n, who); break;
	case 3: len = snprintf(out, size, "%s's %s", who, n); break;
	case 4: len = snprintf(out, size, "%s %s", a, n); break;
	case 5: len = snprintf(out, size, "Return to %s", where); break;
	case 6: len = snprintf(out, size, "A %s in %s", n, where); break;
	case 7: len = snprintf(out, size, "The Last %s of %s", n, where); break;
	case 8: len = snprintf(out, size, "A %s for %s", n, who); break;
	case 9: len = snprintf(out, size, "Beyond the %s", n); break;
	case 10: len = snprintf(out, size, "%s and the %s", n, n2); break;
	default: len = snprintf(out, size, "%s and %s", who, PICK(s, names)); break;
	}
	if (len > 0 && (size_t)len < size && below(s, 20) == 0)
		snprintf(out + len, size - (size_t)len, "%s", PICK(s, sequels));
}

static void make_original_title(uint64_t *s, const char *lang, const char *title, char *out,
				size_t size)
{
	size_t candidates[N(native_titles)], n = 0;

	for (size_t i = 0; i < N(native_titles); i++)
		if (strcmp(native_titles[i].code, lang) == 0)
			candidates[n++] = i;
	if (n == 0 || below(s, 3) == 0) {	/* many keep their English title abroad */
		snprintf(out, size, "%s", title);
		return;
	}
	size_t i = candidates[below(s, n)];
	const char *arg = native_titles[i].place ? PICK(s, places) : PICK(s, names);
	/* the patterns are constants from the table above */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(out, size, native_titles[i].pattern, arg);
#pragma GCC diagnostic pop
}

static void make_overview(uint64_t *s, char *out, size_t size)
{
	const char *who = PICK(s, names), *other = PICK(s, names), *trait = PICK(s, character);
	int len = snprintf(out, size, "%s, %s %s %s from %s, %s when %s.", who,
			   strchr("aeiou", trait[0]) ? "an" : "a", trait, PICK(s, professions),
			   PICK(s, places), PICK(s, turns), PICK(s, events));

	if (len < 0 || (size_t)len >= size)
		return;
	switch (below(s, 4)) {
	case 0:
		snprintf(out + len, size - (size_t)len, " Set in %s, it is a story of %s and %s.",
			 PICK(s, decades), PICK(s, themes), PICK(s, themes));
		break;
	case 1:
		snprintf(out + len, size - (size_t)len, " Only %s knows what really happened in %s.",
			 other, PICK(s, places));
		break;
	case 2:
		snprintf(out + len, size - (size_t)len,
			 " What begins as a question of %s becomes a matter of %s.", PICK(s, themes),
			 PICK(s, themes));
		break;
	default:
		break;
	}
}

static void make_date(uint64_t *s, struct mq_demo_film *f)
{
	/* more films every decade: the density grows linearly to 2026 */
	int year = 1920 + (int)(107.0 * sqrt(uniform(s)));
	int month = 1 + (int)below(s, 12), day = 1 + (int)below(s, 28);

	if (year > 2026)
		year = 2026;
	snprintf(f->release_date, sizeof(f->release_date), "%04u-%02u-%02u", (unsigned)year % 10000u,
		 (unsigned)month % 100u, (unsigned)day % 100u);
	/* after today's date in the catalog's frame: not out yet */
	f->status = (year == 2026 && month >= 11) ? PICK(s, statuses_upcoming) : "Released";
}

static bool has(const char *const *list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static void add_keyword(struct mq_demo_film *f, const char *k)
{
	if (f->nkeywords < MQ_DEMO_MAX_KEYWORDS && !has(f->keywords, f->nkeywords, k))
		f->keywords[f->nkeywords++] = k;
}

static void make_genres_and_keywords(uint64_t *s, struct mq_demo_film *f)
{
	int want = 1 + (int)below(s, MQ_DEMO_MAX_GENRES);

	f->ngenres = 0;
	while (f->ngenres < want) {
		const char *g = weighted(s, genre_weights, N(genre_weights));

		if (has(f->genres, f->ngenres, g))
			break;	/* fewer genres, not a long search for distinct ones */
		f->genres[f->ngenres++] = g;
	}
	f->nkeywords = 0;
	for (int i = 0; i < f->ngenres; i++)
		for (size_t j = 0; j < N(genre_keywords); j++)
			if (strcmp(genre_keywords[j].slug, f->genres[i]) == 0)
				add_keyword(f, genre_keywords[j].words[below(s, genre_keywords[j].n)]);
	for (int i = (int)below(s, 4); i > 0; i--)
		add_keyword(f, PICK(s, common_keywords));
}

static void make_numbers(uint64_t *s, struct mq_demo_film *f)
{
	double u = uniform(s), avg;

	/* runtimes near 100 minutes (a sum of uniforms is near-normal), some shorts */
	f->runtime = below(s, 30) == 0 ? 5 + (int)below(s, 40)
				     : 60 + (int)((uniform(s) + uniform(s) + uniform(s)) * 26.0);
	/* popularity and attention: a long tail */
	f->popularity = round(pow(u, 6.0) * 200000.0) / 1000.0;
	f->ratings_count = below(s, 3) == 0 ? 0 : (int)(pow(uniform(s), 3.0) * 5000.0);
	avg = 3.3 + (uniform(s) + uniform(s) - 1.0) * 1.5;
	avg = avg < 0.5 ? 0.5 : avg > 5.0 ? 5.0 : avg;
	f->ratings_sum2 = (int)lround(avg * 2.0 * f->ratings_count);
}

void mq_demo_film(uint64_t seed, uint64_t k, struct mq_demo_film *f)
{
	uint64_t s = seed ^ (k * 0xd1342543de82ef95ull);

	next(&s);
	make_title(&s, f->title, sizeof(f->title));
	f->language = weighted(&s, language_weights, N(language_weights));
	make_original_title(&s, f->language, f->title, f->original_title, sizeof(f->original_title));
	make_overview(&s, f->overview, sizeof(f->overview));
	f->tagline = below(&s, 5) < 2 ? "" : PICK(&s, taglines);
	make_date(&s, f);
	make_genres_and_keywords(&s, f);
	make_numbers(&s, f);
}

size_t mq_demo_keywords(const char *const **out)
{
	static const char *all[N(common_keywords) + 128];
	static size_t n;

	if (n == 0) {
		for (size_t i = 0; i < N(common_keywords); i++)
			all[n++] = common_keywords[i];
		for (size_t j = 0; j < N(genre_keywords); j++)
			for (size_t i = 0; i < genre_keywords[j].n && n < N(all); i++)
				all[n++] = genre_keywords[j].words[i];
	}
	*out = all;
	return n;
}

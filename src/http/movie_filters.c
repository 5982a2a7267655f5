/*
 * movie_filters.c: checking the movie list's query (see movie_filters.h).
 */
#include "http/movie_filters.h"

#include <ctype.h>
#include <math.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "http/form.h"
#include "http/http.h"
#include "http/movie_cursor.h"
#include "core/region.h"
#include "watch/providers.h"
#include "watch/services.h"

#define MAX_LIST 20		/* years or genres in one comma list */
#define TEXT_MAX 200		/* characters of title= and q= */
#define SUBSTRING_MIN 3		/* shorter title= values match as prefixes */


static const char *const order_names[MQ_ORDER_COUNT] = {
	"title", "-title", "release_date", "-release_date", "popularity", "-popularity",
	"rating", "-rating", "created_at", "-created_at", "id", "-id", "relevance",
};

/* title=: a substring, or with one or two characters a prefix (no index
 * finds shorter substrings than a trigram).  The SQL folds and escapes it. */
static void parse_title(struct mq_form *f, const char *v, struct mq_movie_filters *mf)
{
	size_t chars = mq_utf8_length(v);

	if (chars == 0 || chars > TEXT_MAX)
		mq_form_error(f, "title", "Must be 1 to %d characters.", TEXT_MAX);
	else
		mf->param[chars >= SUBSTRING_MIN ? MQ_MF_TITLE : MQ_MF_TITLE_PREFIX] = v;
}

/* A comma list without empty items. */
static bool well_formed_list(const char *v)
{
	return *v && *v != ',' && v[strlen(v) - 1] != ',' && strstr(v, ",,") == NULL;
}

/* A comma list of at most MAX_LIST whole numbers from min to max as an
 * int[] literal, or NULL. */
static const char *int_list(struct mq_arena *a, const char *v, int64_t min, int64_t max)
{
	char *copy = mq_arena_strdup(a, v), *save = NULL;
	struct mq_buf b;
	int64_t x;
	int n = 0;

	if (!well_formed_list(v))
		return NULL;
	mq_buf_init(&b, a, strlen(v) + 3);
	mq_buf_puts(&b, "{");
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save), n++) {
		if (n == MAX_LIST || mq_parse_int64(t, min, max, &x) < 0)
			return NULL;
		mq_buf_printf(&b, "%s%lld", n ? "," : "", (long long)x);
	}
	mq_buf_puts(&b, "}");
	return n ? b.data : NULL;
}

/* year=1999, year=2022,2023 or year=1990-1999. */
static void parse_year(struct mq_form *f, const char *v, struct mq_movie_filters *mf)
{
	const char *dash = strchr(v, '-');
	struct mq_arena *a = f->r->arena;
	int64_t y, to;

	if (dash) {
		char *from = mq_arena_strndup(a, v, (size_t)(dash - v));

		if (mq_parse_int64(from, 1870, 2100, &y) < 0 ||
		    mq_parse_int64(dash + 1, 1870, 2100, &to) < 0 || to < y) {
			mq_form_error(f, "year", "A range must be two years from 1870 to 2100, "
				      "the first not after the second (1990-1999).");
			return;
		}
		mf->param[MQ_MF_YEAR_FROM] = mq_arena_int(f->r->arena, y);
		mf->param[MQ_MF_YEAR_TO] = mq_arena_int(f->r->arena, to);
		return;
	}
	if ((mf->param[MQ_MF_YEARS] = int_list(a, v, 1870, 2100)) == NULL)
		mq_form_error(f, "year", "Must be a year (1999), a comma list of at most %d "
			      "years (2022,2023) or a range (1990-1999), from 1870 to 2100.", MAX_LIST);
}

static bool is_slug(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* genre=18 or genre=drama,comedy: ids and slugs, any of them. */
void mq_movie_filters_genre(struct mq_form *f, const char *v, struct mq_movie_filters *mf)
{
	struct mq_arena *a = f->r->arena;
	struct mq_buf ids, slugs;
	char *copy = mq_arena_strdup(a, v), *save = NULL;
	int n = 0, nids = 0, nslugs = 0;
	bool ok = well_formed_list(v);
	int64_t id;

	mq_buf_init(&ids, a, 64);
	mq_buf_init(&slugs, a, 64);
	for (char *t = strtok_r(copy, ",", &save); ok && t; t = strtok_r(NULL, ",", &save)) {
		if (++n > MAX_LIST)
			ok = false;
		else if (mq_parse_int64(t, 1, INT32_MAX, &id) == 0)
			mq_buf_printf(&ids, "%s%lld", nids++ ? "," : "", (long long)id);
		else if (is_slug(t))
			mq_buf_printf(&slugs, "%s%s", nslugs++ ? "," : "", t);
		else
			ok = false;
	}
	if (!ok) {
		mq_form_error(f, "genre", "Must be a genre id or slug, or a comma list of at most "
			      "%d of them (any of them matches).", MAX_LIST);
		return;
	}
	mf->genre_ids = mq_arena_printf(a, "{%s}", ids.data);
	mf->genre_slugs = mq_arena_printf(a, "{%s}", slugs.data);
}

static void parse_int(struct mq_form *f, const char *name, const char *v, int64_t min,
		      int64_t max, const char **out)
{
	int64_t n;

	if (mq_parse_int64(v, min, max, &n) < 0)
		mq_form_error(f, name, "Must be a whole number from %lld to %lld.", (long long)min,
			      (long long)max);
	else
		*out = mq_arena_int(f->r->arena, n);
}

static void parse_rating(struct mq_form *f, const char *name, const char *v, const char **out)
{
	char *end;
	double d = strtod(v, &end);

	if (*v == '\0' || *end != '\0' || !isfinite(d) || d < 0 || d > 5 || isspace((unsigned char)*v))
		mq_form_error(f, name, "Must be a number from 0 to 5.");
	else
		*out = mq_arena_printf(f->r->arena, "%.2f", d);
}

static void parse_text(struct mq_form *f, const char *name, const char *v, const char **out)
{
	size_t chars = mq_utf8_length(v);
	bool has_word = false;

	for (const char *p = v; *p && !has_word; p++)
		has_word = isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80;
	if (chars == 0 || chars > TEXT_MAX || !has_word)
		mq_form_error(f, name, "Must be 1 to %d characters with at least one letter or digit.",
			      TEXT_MAX);
	else
		*out = v;
}

static void parse_order(struct mq_form *f, const char *v, struct mq_movie_filters *mf)
{
	for (int i = 0; i < MQ_ORDER_COUNT; i++)
		if (strcmp(v, order_names[i]) == 0 && (i != MQ_ORDER_RANK || mf->param[MQ_MF_Q])) {
			mf->order = (enum mq_movie_order)i;
			return;
		}
	mq_form_error(f, "ordering", "Must be one of title, release_date, popularity, rating, "
		      "created_at or id, optionally with a leading - for descending; or relevance "
		      "with q.");
}

/* available_on=mine or available_on=8,337: provider ids, any of them. */
static void parse_available(struct mq_form *f, const char *v, struct mq_movie_filters *mf)
{
	if (strcmp(v, "mine") == 0)
		mf->available_mine = true;
	else if ((mf->param[MQ_MF_PROVIDERS] = int_list(f->r->arena, v, 1, INT32_MAX)) == NULL)
		mq_form_error(f, "available_on", "Must be mine (your services) or a comma list of at "
			      "most %d watch provider ids (any of them).", MAX_LIST);
}

/* after=: a cursor of this ordering, from a next link; not with page=. */
static void parse_after(struct mq_form *f, const char *v, struct mq_movie_filters *mf)
{
	struct mq_movie_cursor c;

	if (mq_query_get(&f->r->query, "page")) {
		mq_form_error(f, "after", "Give page or after, not both.");
		return;
	}
	if (!mq_movie_cursor_orderable(mf->order)) {
		mq_form_error(f, "after", "Lists ordered by relevance go by page only.");
		return;
	}
	if (!mq_movie_cursor_read(f->r->arena, v, mf->order, &c)) {
		mq_form_error(f, "after", "Must be the after of a next link of this list, "
			      "in the same ordering.");
		return;
	}
	mf->after_id = c.id;
	mf->after_key = c.key;
}

/* region=: where release dates are shown for (catalog/releases.h), and
 * with available_on= where those providers stream. */
static void parse_region(struct mq_form *f, const char *v, struct mq_movie_filters *mf)
{
	char code[3];

	if (!mq_region_parse(v, code))
		mq_form_error(f, "region", "Must be an ISO 3166-1 alpha-2 country code such "
			      "as US or FR.");
	else
		mf->region = mq_arena_strdup(f->r->arena, code);
}

/* The query parameters a list takes. */
static const char *const *names_of(enum mq_movie_filter_set set)
{
	static const char *const all[] = {
		"page", "page_size", "title", "tmdb_id", "imdb_id", "year", "genre", "language",
		"rating_min", "rating_max", "runtime_min", "runtime_max", "q", "ordering", "after",
		"available_on", "region", NULL,
	};
	static const char *const but_genre[] = {
		"page", "page_size", "title", "tmdb_id", "imdb_id", "year", "language",
		"rating_min", "rating_max", "runtime_min", "runtime_max", "q", "ordering", "region",
		NULL,
	};
	static const char *const none[] = { "page", "page_size", "region", NULL };
	static const char *const recommended[] = {
		"page", "page_size", "genre", "year", "language", "runtime_max", "available_on",
		"region", NULL,
	};

	return set == MQ_FILTERS_ALL ? all : set == MQ_FILTERS_BUT_GENRE ? but_genre
		: set == MQ_FILTERS_RECOMMENDED ? recommended : none;
}

bool mq_movie_filters_parse(struct mq_req *r, enum mq_movie_filter_set set,
			    struct mq_movie_filters *mf, struct json_object *errors)
{
	struct mq_form f = { .r = r, .errors = errors };
	const struct mq_query *q = &r->query;
	const char *v, *order;

	memset(mf, 0, sizeof(*mf));
	mf->order = MQ_ORDER_POPULARITY_DESC;
	mq_form_check_query(&f, names_of(set));
	if ((v = mq_query_get(q, "region")))
		parse_region(&f, v, mf);
	if (set == MQ_FILTERS_NONE)
		return mq_form_ok(&f);
	if ((v = mq_query_get(q, "title")))
		parse_title(&f, v, mf);
	if ((v = mq_query_get(q, "tmdb_id")))
		parse_int(&f, "tmdb_id", v, 1, INT32_MAX, &mf->param[MQ_MF_TMDB_ID]);
	if ((v = mq_query_get(q, "imdb_id"))) {
		if (strncmp(v, "tt", 2) != 0 || strlen(v) < 9 || strlen(v) > 12 ||
		    strspn(v + 2, "0123456789") != strlen(v) - 2)
			mq_form_error(&f, "imdb_id", "Must be an IMDb id: tt and 7 to 10 digits.");
		else
			mf->param[MQ_MF_IMDB_ID] = v;
	}
	if ((v = mq_query_get(q, "year")))
		parse_year(&f, v, mf);
	if ((set == MQ_FILTERS_ALL || set == MQ_FILTERS_RECOMMENDED) && (v = mq_query_get(q, "genre")))
		mq_movie_filters_genre(&f, v, mf);
	if ((v = mq_query_get(q, "language"))) {
		if (strlen(v) != 2 || !islower((unsigned char)v[0]) || !islower((unsigned char)v[1]))
			mq_form_error(&f, "language", "Must be an ISO 639-1 code such as en or fr (the "
				      "original language; Accept-Language chooses translations).");
		else
			mf->param[MQ_MF_LANGUAGE] = v;
	}
	if ((v = mq_query_get(q, "rating_min")))
		parse_rating(&f, "rating_min", v, &mf->param[MQ_MF_RATING_MIN]);
	if ((v = mq_query_get(q, "rating_max")))
		parse_rating(&f, "rating_max", v, &mf->param[MQ_MF_RATING_MAX]);
	if ((v = mq_query_get(q, "runtime_min")))
		parse_int(&f, "runtime_min", v, 0, 1000, &mf->param[MQ_MF_RUNTIME_MIN]);
	if ((v = mq_query_get(q, "runtime_max")))
		parse_int(&f, "runtime_max", v, 0, 1000, &mf->param[MQ_MF_RUNTIME_MAX]);
	if ((v = mq_query_get(q, "q")))
		parse_text(&f, "q", v, &mf->param[MQ_MF_Q]);
	if (mf->param[MQ_MF_RATING_MIN] && mf->param[MQ_MF_RATING_MAX] &&
	    strtod(mf->param[MQ_MF_RATING_MIN], NULL) > strtod(mf->param[MQ_MF_RATING_MAX], NULL))
		mq_form_error(&f, "rating_min", "Must not be above rating_max.");
	if (mf->param[MQ_MF_RUNTIME_MIN] && mf->param[MQ_MF_RUNTIME_MAX] &&
	    strtol(mf->param[MQ_MF_RUNTIME_MIN], NULL, 10) > strtol(mf->param[MQ_MF_RUNTIME_MAX], NULL, 10))
		mq_form_error(&f, "runtime_min", "Must not be above runtime_max.");
	if ((v = mq_query_get(q, "available_on")))
		parse_available(&f, v, mf);
	if (mf->param[MQ_MF_Q])
		mf->order = MQ_ORDER_RANK;
	if ((order = mq_query_get(q, "ordering")))
		parse_order(&f, order, mf);
	if ((v = mq_query_get(q, "after")))
		parse_after(&f, v, mf);
	return mq_form_ok(&f);
}

mq_reply mq_movie_filters_available(struct mq_req *r, struct mq_movie_filters *f)
{
	enum mq_status st;

	if (!f->available_mine && !f->param[MQ_MF_PROVIDERS])
		return MQ_NEXT;
	if (f->available_mine && r->user_id == 0)
		return mq_problem_field(r, "available_on", "mine means your services: sign in, or "
					"give provider ids.");
	if ((f->available_mine &&
	     (st = mq_services_ids(&r->ctx, r->user_id, &f->param[MQ_MF_PROVIDERS])) != MQ_OK) ||
	    (st = mq_watch_region(&r->ctx, r->user_id, f->region, &f->param[MQ_MF_REGION])) != MQ_OK)
		return mq_fail(r, st);
	return MQ_NEXT;
}

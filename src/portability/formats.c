/*
 * formats.c: the export files people have, read into rows (see
 * formats.h).
 */
#include "portability/formats.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "accounts/account.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/i18n.h"
#include "core/json.h"
#include "core/utf8.h"
#include "notify/settings.h"
#include "portability/archive.h"

const char *const mq_item_kind_names[] = {
	[MQ_ITEM_RATING] = "rating",	   [MQ_ITEM_REVIEW] = "review",
	[MQ_ITEM_FAVORITE] = "favorite",   [MQ_ITEM_WATCHLIST] = "watchlist",
	[MQ_ITEM_WATCH] = "watch",	   [MQ_ITEM_WATCHED] = "watched",
	[MQ_ITEM_LIST_ITEM] = "list_item", [MQ_ITEM_COMMENT] = "comment",
	[MQ_ITEM_FOLLOW] = "follow",	   [MQ_ITEM_PROFILE] = "profile",
	[MQ_ITEM_SETTING] = "setting",
};

/* ---- rows: checked, then kept or reported ---- */

static void invalid(struct mq_import *im, const char *source, const char *reason)
{
	struct json_object *o;

	if (im->invalid_count++ >= MQ_IMPORT_INVALID_SHOWN)
		return;
	o = json_object_new_object();
	mq_json_add_str(o, "source", source);
	mq_json_add_str(o, "reason", reason);
	json_object_array_add(im->invalid, o);
}

static bool text_ok(const char *s, size_t max_chars)
{
	return s == NULL || (mq_utf8_valid(s, strlen(s)) && mq_utf8_length(s) <= max_chars);
}

/* Why item cannot be imported, or NULL when it can. */
static const char *item_problem(const struct mq_import_item *it)
{
	if (it->kind == MQ_ITEM_FOLLOW || it->kind == MQ_ITEM_PROFILE || it->kind == MQ_ITEM_SETTING)
		return NULL;	/* checked as they were read */
	if (it->kind == MQ_ITEM_COMMENT && (it->body == NULL || it->body[0] == '\0' ||
					    !text_ok(it->body, 5000)))
		return N_("a comment's text is empty, not UTF-8 or longer than 5,000 characters");
	if (it->tmdb_id == 0 && it->imdb_id == NULL && it->title == NULL)
		return "names no movie (no TMDb id, IMDb id or title)";
	if (it->imdb_id) {
		size_t n = strlen(it->imdb_id);

		if (n < 9 || n > 12 || strncmp(it->imdb_id, "tt", 2) != 0 ||
		    strspn(it->imdb_id + 2, "0123456789") != n - 2)
			return "the IMDb id is not tt and 7 to 10 digits";
	}
	if (!text_ok(it->title, 300))
		return "the title is not UTF-8 of at most 300 characters";
	if (it->year != 0 && (it->year < 1870 || it->year > 2100))
		return "the year is not between 1870 and 2100";
	if (it->half_stars < 0 || it->half_stars > 10)
		return "the rating is out of range";
	if (it->kind == MQ_ITEM_RATING && it->half_stars == 0)
		return "a rating without a value";
	if (it->kind == MQ_ITEM_REVIEW && (it->body == NULL || it->body[0] == '\0'))
		return "a review without text";
	if (!text_ok(it->body, it->kind == MQ_ITEM_REVIEW ? 10000 : it->kind == MQ_ITEM_LIST_ITEM ? 500 : 1000))
		return "the text is not UTF-8, or too long";
	if (!text_ok(it->heading, 200))
		return "the review's title is not UTF-8 of at most 200 characters";
	if (it->kind == MQ_ITEM_LIST_ITEM && (it->list == NULL || it->list[0] == '\0' ||
					      !text_ok(it->list, 100) || !text_ok(it->list_description, 2000)))
		return "the list's name (1 to 100 characters) or description (2,000) is not valid";
	return NULL;
}

/* Adds *it (checked) to im; MQ_TOO_LARGE past rows_max. */
static enum mq_status add(struct mq_ctx *c, struct mq_import *im, const struct mq_import_item *it)
{
	const char *why = item_problem(it);

	if (why) {
		invalid(im, it->source, why);
		return MQ_OK;
	}
	if (im->n == im->rows_max)
		return mq_fail_with(c, MQ_TOO_LARGE, NULL, "The file has more than %d rows to import.",
				    im->rows_max);
	if (im->n == im->cap) {
		int cap = im->cap ? im->cap * 2 : 256;
		struct mq_import_item *more = mq_arena_calloc(c->arena, (size_t)cap, sizeof(*more));

		if (im->n)
			memcpy(more, im->items, (size_t)im->n * sizeof(*more));
		im->items = more;
		im->cap = cap;
	}
	im->items[im->n++] = *it;
	return MQ_OK;
}

/* ---- values ---- */

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int two(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "YYYY-MM-DD", optionally followed by a time ("T" or " ", HH:MM[:SS[.f]],
 * then "Z", "+HH:MM" or "-HH:MM", or nothing: UTC) into RFC 3339 UTC in
 * the arena; NULL when it is no such thing or after now (a day's
 * leeway for time zones). */
static const char *parse_when(struct mq_ctx *c, const struct mq_import *im, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0;
	struct tm tm = { 0 };
	const char *p = s + 10;
	char out[32];
	time_t t;

	if (strlen(s) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return NULL;
	y = two(s) * 100 + two(s + 2);
	mo = two(s + 5);
	d = two(s + 8);
	if (y < 1870 || y > 2100 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return NULL;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2))
			return NULL;
		h = two(p);
		mi = two(p + 3);
		p += 5;
		if (*p == ':') {
			if (!digits(p + 1, 2))
				return NULL;
			se = two(p + 1);
			p += 3;
			if (*p == '.') {
				p++;
				if (!isdigit((unsigned char)*p))
					return NULL;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return NULL;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			if (!digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2) || two(p + 1) > 23 ||
			    two(p + 4) > 59)
				return NULL;
			off = (two(p + 1) * 60 + two(p + 4)) * (*p == '-' ? -1 : 1);
			p += 6;
		}
	}
	if (*p != '\0')
		return NULL;
	tm = (struct tm){ .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			  .tm_min = mi, .tm_sec = se > 59 ? 59 : se };
	t = timegm(&tm) - (time_t)off * 60;
	if (t > im->now + 86400)
		return NULL;
	gmtime_r(&t, &tm);
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return mq_arena_strdup(c->arena, out);
}

/* Letterboxd's stars: "0.5" to "5" in halves ("4", "4.0", "4.5"); 0
 * for an empty field, -1 for anything else. */
static int parse_stars(const char *s)
{
	int whole, half = 0;

	if (s[0] == '\0')
		return 0;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	whole = s[0] - '0';
	if (s[1] == '.') {
		if (s[2] == '5')
			half = 1;
		else if (s[2] != '0')
			return -1;
		if (s[3] != '\0')
			return -1;
	} else if (s[1] != '\0') {
		return -1;
	}
	if (whole > 5 || (whole == 5 && half) || (whole == 0 && !half))
		return -1;
	return whole * 2 + half;
}

/* A 1-10 whole number (IMDb, Trakt, Letterboxd's Rating10) as half
 * stars (itself); 0 for empty, -1 for anything else. */
static int parse_ten(const char *s)
{
	int64_t v;

	if (s[0] == '\0')
		return 0;
	return mq_parse_int64(s, 1, 10, &v) == 0 ? (int)v : -1;
}

/* ---- CSV ---- */

enum csv_kind { LB_WATCHED, LB_RATINGS, LB_DIARY, LB_WATCHLIST, LB_REVIEWS, LB_LIKES, LB_LIST,
		LB_IMPORT, IMDB };

struct cols {
	int tmdb, imdb, title, year, rating, rating10, date, watched, review, position, type,
		description;
};

static int col(const struct mq_csv *csv, const char *const *names)
{
	for (int i = 0; i < csv->nfields; i++)
		for (const char *const *n = names; *n; n++)
			if (strcasecmp(csv->fields[i], *n) == 0)
				return i;
	return -1;
}

#define COL(...) col(csv, (const char *const[]){ __VA_ARGS__, NULL })

static void header(const struct mq_csv *csv, struct cols *k)
{
	k->tmdb = COL("tmdbID", "tmdb_id", "TMDb ID");
	k->imdb = COL("imdbID", "imdb_id", "Const");
	k->title = COL("Title", "Name");
	k->year = COL("Year");
	k->rating = COL("Rating");
	k->rating10 = COL("Rating10", "Your Rating");
	k->date = COL("Date", "Date Rated");
	k->watched = COL("Watched Date", "WatchedDate");
	k->review = COL("Review");
	k->position = COL("Position");
	k->type = COL("Title Type");
	k->description = COL("Description");
}

/* Field i ("" when there is none), without the ' our export puts
 * before a cell that starts like a formula (export.h). */
static const char *field(const struct mq_csv *csv, int i)
{
	const char *s = i >= 0 && i < csv->nfields ? csv->fields[i] : "";

	return s[0] == '\'' && mq_csv_formula(s + 1) ? s + 1 : s;
}

static const char *opt(struct mq_ctx *c, const struct mq_csv *csv, int i)
{
	const char *s = field(csv, i);

	return s[0] ? mq_arena_strdup(c->arena, s) : NULL;
}

/* IMDb's kinds of title that are films. */
static bool imdb_film(const char *type)
{
	static const char *const films[] = { "", "movie", "tvMovie", "video", "TV Movie", "Video",
					     "Film", NULL };

	for (const char *const *f = films; *f; f++)
		if (strcasecmp(type, *f) == 0)
			return true;
	return false;
}

/* The movie a row names, and its source. */
static bool row_movie(struct mq_ctx *c, const struct mq_csv *csv, const struct cols *k,
		      const char *file, struct mq_import_item *it, const char **why)
{
	const char *s;
	int64_t v;

	*it = (struct mq_import_item){ .source = mq_arena_printf(c->arena, "%s:%llu", file,
								  (unsigned long long)csv->line),
				       .list_public = -1 };
	if ((s = field(csv, k->tmdb))[0] && mq_parse_int64(s, 1, INT32_MAX, &it->tmdb_id) < 0) {
		*why = "the TMDb id is not a positive number";
		return false;
	}
	it->imdb_id = opt(c, csv, k->imdb);
	it->title = opt(c, csv, k->title);
	if ((s = field(csv, k->year))[0]) {
		if (mq_parse_int64(s, 1, 9999, &v) < 0) {
			*why = "the year is not a number";
			return false;
		}
		it->year = (int)v;
	}
	return true;
}

/* The date of a column, NULL when empty; *bad when it is no date. */
static const char *row_when(struct mq_ctx *c, const struct mq_import *im, const struct mq_csv *csv,
			    int i, bool *bad)
{
	const char *s = field(csv, i), *w;

	if (s[0] == '\0')
		return NULL;
	if ((w = parse_when(c, im, s)) == NULL)
		*bad = true;
	return w;
}

/* The items of one row of a file of kind k. */
static enum mq_status csv_row(struct mq_ctx *c, struct mq_import *im, enum csv_kind kind,
			      const struct mq_csv *csv, const struct cols *k, const char *file,
			      const char *list, const char *list_desc)
{
	struct mq_import_item it;
	const char *why = NULL, *date, *watched;
	bool bad = false;
	int stars = 0;
	enum mq_status st;

	if (!row_movie(c, csv, k, file, &it, &why)) {
		invalid(im, it.source, why);
		return MQ_OK;
	}
	if (kind == IMDB && !imdb_film(field(csv, k->type))) {
		im->skipped_count++;
		return MQ_OK;
	}
	date = row_when(c, im, csv, k->date, &bad);
	watched = row_when(c, im, csv, k->watched, &bad);
	if (k->rating >= 0 && kind != IMDB)
		stars = parse_stars(field(csv, k->rating));
	if (stars == 0 && k->rating10 >= 0)
		stars = parse_ten(field(csv, k->rating10));
	if (bad || stars < 0) {
		invalid(im, it.source, bad ? "a date is not YYYY-MM-DD, or is in the future"
					       : kind == IMDB ? "the rating is not a whole number from 1 to 10"
					       : "the rating is not 0.5 to 5 in halves");
		return MQ_OK;
	}
	it.at = date;
	switch (kind) {
	case LB_WATCHED:
		it.kind = MQ_ITEM_WATCHED;
		return add(c, im, &it);
	case LB_RATINGS:
	case IMDB:
		it.kind = MQ_ITEM_RATING;
		it.half_stars = stars;
		return add(c, im, &it);
	case LB_DIARY:
		it.kind = MQ_ITEM_WATCH;
		it.at = watched ? watched : date;
		return add(c, im, &it);
	case LB_WATCHLIST:
		it.kind = MQ_ITEM_WATCHLIST;
		return add(c, im, &it);
	case LB_LIKES:
		it.kind = MQ_ITEM_FAVORITE;
		return add(c, im, &it);
	case LB_REVIEWS:
		it.kind = MQ_ITEM_REVIEW;
		it.half_stars = stars;
		it.body = opt(c, csv, k->review);
		return add(c, im, &it);
	case LB_LIST: {
		int64_t pos = 0;

		if (field(csv, k->position)[0] && mq_parse_int64(field(csv, k->position), 1, 1000000,
								 &pos) < 0) {
			invalid(im, it.source, "the position is not a positive number");
			return MQ_OK;
		}
		it.kind = MQ_ITEM_LIST_ITEM;
		it.position = (int)pos;
		it.list = list;
		it.list_description = list_desc;
		it.body = opt(c, csv, k->description);
		it.at = NULL;
		return add(c, im, &it);
	}
	case LB_IMPORT:
		break;
	}
	/* Letterboxd's import format: what the row says, else "seen" */
	bool said = false;
	if (stars > 0) {
		struct mq_import_item r = it;

		r.kind = MQ_ITEM_RATING;
		r.half_stars = stars;
		if ((st = add(c, im, &r)) != MQ_OK)
			return st;
		said = true;
	}
	if (watched) {
		struct mq_import_item w = it;

		w.kind = MQ_ITEM_WATCH;
		w.at = watched;
		if ((st = add(c, im, &w)) != MQ_OK)
			return st;
		said = true;
	}
	if (field(csv, k->review)[0]) {
		struct mq_import_item r = it;

		r.kind = MQ_ITEM_REVIEW;
		r.half_stars = stars;
		r.body = opt(c, csv, k->review);
		r.at = watched ? watched : date;
		if ((st = add(c, im, &r)) != MQ_OK)
			return st;
		said = true;
	}
	if (said)
		return MQ_OK;
	it.kind = MQ_ITEM_WATCHED;
	return add(c, im, &it);
}

/* A list file's head ("Letterboxd list export v7", then the list's
 * header and row, then a blank line): its name and description. */
static int list_head(struct mq_ctx *c, struct mq_csv *csv, const char **name, const char **desc)
{
	struct cols k;
	int rc;

	if ((rc = mq_csv_next(csv)) <= 0)
		return rc;
	header(csv, &k);
	if ((rc = mq_csv_next(csv)) <= 0)
		return rc;
	*name = opt(c, csv, k.title);
	*desc = opt(c, csv, k.description);
	while ((rc = mq_csv_next(csv)) > 0 && csv->nfields == 1 && csv->fields[0][0] == '\0')
		;
	return rc;
}

/* Reads one CSV file of kind (LB_IMPORT and IMDB: found from its header
 * when kind is -1). */
static enum mq_status csv_file(struct mq_ctx *c, struct mq_import *im, const char *file,
			       const char *data, size_t len, int kind)
{
	const char *list = NULL, *desc = NULL;
	enum mq_status st = MQ_OK;
	struct mq_csv csv;
	struct cols k;
	FILE *in;
	int rc;

	/* a byte-order mark, as spreadsheets save UTF-8 */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (len == 0)
		return MQ_OK;
	if ((in = fmemopen((void *)data, len, "r")) == NULL)
		return mq_fail_with(c, MQ_INTERNAL, NULL, "Out of memory.");
	mq_csv_open(&csv, in);
	rc = mq_csv_next(&csv);
	if (rc > 0 && strncmp(csv.fields[0], "Letterboxd list export", 22) == 0) {
		kind = LB_LIST;
		rc = list_head(c, &csv, &list, &desc);
		if (list == NULL)
			list = mq_arena_strdup(c->arena, file);
	}
	if (rc > 0) {
		header(&csv, &k);
		if (kind < 0)
			kind = k.type >= 0 && k.rating10 >= 0 && k.imdb >= 0 ? IMDB
			       : k.tmdb >= 0 || k.imdb >= 0 || k.title >= 0 ? LB_IMPORT : -1;
		if (kind < 0) {
			st = mq_fail_with(c, MQ_UNSUPPORTED, NULL, "This CSV file is not one of "
					  "Letterboxd's, IMDb's or ours: its header names no movie.");
			goto out;
		}
		if (kind == IMDB && !im->format)
			im->format = "imdb";
		while (st == MQ_OK && (rc = mq_csv_next(&csv)) > 0)
			if (!(csv.nfields == 1 && csv.fields[0][0] == '\0'))
				st = csv_row(c, im, (enum csv_kind)kind, &csv, &k, file, list, desc);
	}
	if (st == MQ_OK && rc < 0)
		invalid(im, mq_arena_printf(c->arena, "%s:%llu", file, (unsigned long long)csv.line),
			"a malformed CSV record (an unclosed quote, too many fields); the rest of the "
			"file was not read");
out:
	mq_csv_close(&csv);
	fclose(in);
	return st;
}

/* ---- JSON: Trakt's, ours ---- */

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer member: 0 when absent or null, -1 when of another type. */
static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
}

/* The movie an object ({title, year, ids: {tmdb, imdb}} as Trakt and we
 * write it) names; false (why) when a member has the wrong type. */
static bool json_movie(struct json_object *m, struct mq_import_item *it, const char **why)
{
	struct json_object *ids = NULL;
	int64_t v, year;

	if (!json_object_is_type(m, json_type_object)) {
		*why = "the movie is not an object";
		return false;
	}
	if (!json_object_object_get_ex(m, "ids", &ids) || !json_object_is_type(ids, json_type_object))
		ids = m;
	it->title = jstr(m, "title");
	it->imdb_id = jstr(ids, "imdb");
	if (it->imdb_id == NULL)
		it->imdb_id = jstr(ids, "imdb_id");
	if ((v = jint(ids, "tmdb")) == 0)
		v = jint(ids, "tmdb_id");
	year = jint(m, "year");
	if (v < 0 || v > INT32_MAX || year < 0 || year > 9999) {
		*why = "an id or the year is not a number";
		return false;
	}
	it->tmdb_id = v;
	it->year = (int)year;
	return true;
}

/* A member that is a date-time; NULL when absent; *bad when not one. */
static const char *jwhen(struct mq_ctx *c, const struct mq_import *im, struct json_object *o,
			 const char *key, bool *bad)
{
	struct json_object *v;
	const char *w;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string) ||
	    (w = parse_when(c, im, json_object_get_string(v))) == NULL) {
		*bad = true;
		return NULL;
	}
	return w;
}

/* What the items of one of the files of Trakt's export are, from its
 * name (NULL: by what each item holds, as the API's answers are read). */
struct trakt_as {
	enum mq_item_kind kind;		/* MQ_ITEM_FAVORITE or MQ_ITEM_LIST_ITEM */
	const char *list, *list_description;
	int list_public;
};

/* One of Trakt's items (a rating, a history entry, a watchlist entry, a
 * watched movie; an entry of favorites or of a list when as says so). */
static enum mq_status trakt_item(struct mq_ctx *c, struct mq_import *im, struct json_object *o,
				 const char *source, const struct trakt_as *as)
{
	struct mq_import_item it = { .source = source, .list_public = -1 };
	struct json_object *m;
	const char *type, *why = "not understood";
	bool bad = false;
	int64_t r;

	if (!json_object_is_type(o, json_type_object)) {
		invalid(im, source, "not an object");
		return MQ_OK;
	}
	type = jstr(o, "type");
	if ((type && strcmp(type, "movie") != 0) || !json_object_object_get_ex(o, "movie", &m)) {
		im->skipped_count++;
		return MQ_OK;
	}
	if (!json_movie(m, &it, &why)) {
		invalid(im, source, why);
		return MQ_OK;
	}
	if (as) {
		it.kind = as->kind;
		it.at = jwhen(c, im, o, "listed_at", &bad);
		if (as->kind == MQ_ITEM_LIST_ITEM) {
			it.at = NULL;
			it.list = as->list;
			it.list_description = as->list_description;
			it.list_public = as->list_public;
			it.body = jstr(o, "notes");
			if ((r = jint(o, "rank")) < 0 || r > 1000000) {
				invalid(im, source, "the position is not a positive number");
				return MQ_OK;
			}
			it.position = (int)r;
		}
	} else if (json_object_object_get_ex(o, "rating", NULL)) {
		it.kind = MQ_ITEM_RATING;
		r = jint(o, "rating");
		if (r < 1 || r > 10) {
			invalid(im, source, "the rating is not a whole number from 1 to 10");
			return MQ_OK;
		}
		it.half_stars = (int)r;
		it.at = jwhen(c, im, o, "rated_at", &bad);
	} else if (json_object_object_get_ex(o, "watched_at", NULL)) {
		it.kind = MQ_ITEM_WATCH;
		it.at = jwhen(c, im, o, "watched_at", &bad);
		bad = bad || it.at == NULL;
	} else if (json_object_object_get_ex(o, "listed_at", NULL)) {
		it.kind = MQ_ITEM_WATCHLIST;
		it.at = jwhen(c, im, o, "listed_at", &bad);
		it.body = jstr(o, "notes");
	} else if (json_object_object_get_ex(o, "last_watched_at", NULL) ||
		   json_object_object_get_ex(o, "plays", NULL)) {
		it.kind = MQ_ITEM_WATCHED;
		it.at = jwhen(c, im, o, "last_watched_at", &bad);
	} else {
		invalid(im, source, "neither a rating, a viewing, a watchlist entry nor a watched movie");
		return MQ_OK;
	}
	if (bad) {
		invalid(im, source, "a date is not an ISO 8601 date-time, or is in the future");
		return MQ_OK;
	}
	return add(c, im, &it);
}

static enum mq_status trakt_array(struct mq_ctx *c, struct mq_import *im, const char *file,
				  struct json_object *a, const struct trakt_as *as)
{
	enum mq_status st = MQ_OK;
	size_t n = json_object_array_length(a);

	if (!im->format)
		im->format = "trakt";
	for (size_t i = 0; i < n && st == MQ_OK; i++)
		st = trakt_item(c, im, json_object_array_get_idx(a, i),
				mq_arena_printf(c->arena, "%s[%zu]", file, i), as);
	return st;
}

/* Our rating: 0.5 to 5.0 in halves, as half stars; -1 else. */
static int our_stars(struct json_object *v)
{
	double d;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return -1;
	d = json_object_get_double(v);
	if (!(d >= 0.5 && d <= 5.0) || d * 2 != (double)(int)(d * 2))
		return -1;
	return (int)(d * 2);
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* One entry of a section of our export. */
static enum mq_status ours_item(struct mq_ctx *c, struct mq_import *im, enum mq_item_kind kind,
				struct json_object *o, const char *source, const char *time_key)
{
	struct mq_import_item it = { .kind = kind, .source = source, .list_public = -1 };
	const char *why = "not an object";
	bool bad = false;

	if (!json_object_is_type(o, json_type_object) || !json_movie(member(o, "movie"), &it, &why)) {
		invalid(im, source, why);
		return MQ_OK;
	}
	it.at = time_key ? jwhen(c, im, o, time_key, &bad) : NULL;
	it.half_stars = our_stars(member(o, "rating"));
	it.body = jstr(o, kind == MQ_ITEM_REVIEW ? "body" : "note");
	it.heading = kind == MQ_ITEM_REVIEW ? jstr(o, "title") : NULL;
	it.priority = kind == MQ_ITEM_WATCHLIST ? jstr(o, "priority") : NULL;
	if (it.priority && strcmp(it.priority, "low") != 0 && strcmp(it.priority, "medium") != 0 &&
	    strcmp(it.priority, "high") != 0)
		bad = true;
	if (bad || it.half_stars < 0) {
		invalid(im, source, "a date, rating or priority is not valid");
		return MQ_OK;
	}
	return add(c, im, &it);
}

static enum mq_status ours_section(struct mq_ctx *c, struct mq_import *im, struct json_object *root,
				   const char *key, enum mq_item_kind kind, const char *time_key)
{
	struct json_object *a = member(root, key);
	enum mq_status st = MQ_OK;

	if (a == NULL)
		return MQ_OK;
	if (!json_object_is_type(a, json_type_array)) {
		invalid(im, key, "not an array");
		return MQ_OK;
	}
	for (size_t i = 0; i < json_object_array_length(a) && st == MQ_OK; i++)
		st = ours_item(c, im, kind, json_object_array_get_idx(a, i),
			       mq_arena_printf(c->arena, "marquee.json %s[%zu]", key, i), time_key);
	return st;
}

static enum mq_status ours_lists(struct mq_ctx *c, struct mq_import *im, struct json_object *root)
{
	struct json_object *lists = member(root, "lists"), *l, *items, *pub;
	enum mq_status st = MQ_OK;

	if (lists == NULL || !json_object_is_type(lists, json_type_array))
		return MQ_OK;
	for (size_t i = 0; i < json_object_array_length(lists) && st == MQ_OK; i++) {
		l = json_object_array_get_idx(lists, i);
		items = json_object_is_type(l, json_type_object) ? member(l, "items") : NULL;
		if (items == NULL || !json_object_is_type(items, json_type_array)) {
			invalid(im, mq_arena_printf(c->arena, "marquee.json lists[%zu]", i),
				"a list without an array of items");
			continue;
		}
		pub = member(l, "is_public");
		for (size_t j = 0; j < json_object_array_length(items) && st == MQ_OK; j++) {
			struct json_object *o = json_object_array_get_idx(items, j);
			const char *source = mq_arena_printf(c->arena, "marquee.json lists[%zu].items[%zu]",
							     i, j);
			struct mq_import_item it = { .kind = MQ_ITEM_LIST_ITEM, .source = source };
			const char *why = "not an object";
			int64_t pos;

			if (!json_object_is_type(o, json_type_object) ||
			    !json_movie(member(o, "movie"), &it, &why)) {
				invalid(im, source, why);
				continue;
			}
			if ((pos = jint(o, "position")) < 0 || pos > 1000000) {
				invalid(im, source, "the position is not a positive number");
				continue;
			}
			it.position = (int)pos;
			it.body = jstr(o, "note");
			it.list = jstr(l, "name");
			it.list_description = jstr(l, "description");
			it.list_public = json_object_is_type(pub, json_type_boolean)
						 ? json_object_get_boolean(pub) : -1;
			st = add(c, im, &it);
		}
	}
	return st;
}

/* A string member that is absent, null or a string of at most max
 * characters of UTF-8 (*ok false otherwise); NULL when absent or null. */
static const char *ours_text(struct json_object *o, const char *key, size_t max, bool *ok)
{
	struct json_object *v = member(o, key);

	if (v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string) || !text_ok(json_object_get_string(v), max)) {
		*ok = false;
		return NULL;
	}
	return json_object_get_string(v);
}

/* The array a (a member of our export, where), or NULL when it is absent
 * or, reported, no array. */
static struct json_object *ours_array(struct mq_import *im, struct json_object *a, const char *where)
{
	if (a != NULL && !json_object_is_type(a, json_type_array)) {
		invalid(im, where, N_("not an array"));
		return NULL;
	}
	return a;
}

static enum mq_status ours_comments(struct mq_ctx *c, struct mq_import *im, struct json_object *root)
{
	struct json_object *a = ours_array(im, member(root, "comments"), "marquee.json comments");
	enum mq_status st = MQ_OK;

	for (size_t i = 0; a && i < json_object_array_length(a) && st == MQ_OK; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		const char *source = mq_arena_printf(c->arena, "marquee.json comments[%zu]", i);
		struct mq_import_item it = { .kind = MQ_ITEM_COMMENT, .source = source, .list_public = -1 };
		const char *why = "not an object";
		bool bad = false;

		if (!json_object_is_type(o, json_type_object) || !json_movie(member(o, "movie"), &it, &why)) {
			invalid(im, source, why);
			continue;
		}
		it.ref = jint(o, "id");
		it.parent_ref = jint(o, "parent");
		it.at = jwhen(c, im, o, "created_at", &bad);
		it.body = jstr(o, "body");
		if (bad || it.at == NULL || it.ref <= 0 || it.parent_ref < 0) {
			invalid(im, source, N_("a comment's id, parent or date is not valid"));
			continue;
		}
		st = add(c, im, &it);
	}
	return st;
}

/* Whom the user follows (not who follows them: that is the followers' to
 * bring). */
static enum mq_status ours_follows(struct mq_ctx *c, struct mq_import *im, struct json_object *root)
{
	struct json_object *f = ours_array(im, member(member(root, "follows"), "following"),
					   "marquee.json follows.following");
	enum mq_status st = MQ_OK;

	for (size_t i = 0; f && i < json_object_array_length(f) && st == MQ_OK; i++) {
		struct json_object *u = json_object_array_get_idx(f, i);
		const char *source = mq_arena_printf(c->arena, "marquee.json follows.following[%zu]", i);
		struct mq_import_item it = { .kind = MQ_ITEM_FOLLOW, .source = source, .list_public = -1 };
		const char *name = json_object_is_type(u, json_type_string) ? json_object_get_string(u) : "";
		size_t n = strlen(name);

		/* a username as users.username allows it */
		if (n < 3 || n > 30 || !isalnum((unsigned char)name[0]) ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != n) {
			invalid(im, source, N_("not a username"));
			continue;
		}
		it.data = mq_json_object(c->arena);
		mq_json_add_str(it.data, "username", name);
		st = add(c, im, &it);
	}
	return st;
}

/* The profile's fields a user writes (not its username nor its email:
 * an import is always into the account of the one who runs it). */
static enum mq_status ours_profile(struct mq_ctx *c, struct mq_import *im, struct json_object *root)
{
	struct json_object *p = member(root, "profile");
	struct mq_import_item it = { .kind = MQ_ITEM_PROFILE, .source = "marquee.json profile",
				     .list_public = -1 };
	const char *name, *bio, *locale, *region;
	bool ok = true;

	if (p == NULL)
		return MQ_OK;
	if (!json_object_is_type(p, json_type_object)) {
		invalid(im, it.source, N_("not an object"));
		return MQ_OK;
	}
	name = ours_text(p, "display_name", 100, &ok);
	bio = ours_text(p, "bio", 2000, &ok);
	locale = ours_text(p, "locale", 6, &ok);
	region = ours_text(p, "region", 2, &ok);
	if (!ok || (locale && !mq_locale_ok(locale)) || (region && !mq_region_ok(region))) {
		invalid(im, it.source, N_("a profile field is not valid (display name, bio, locale "
					  "or region)"));
		return MQ_OK;
	}
	it.data = mq_json_object(c->arena);
	mq_json_add_str(it.data, "display_name", name);
	mq_json_add_str(it.data, "bio", bio);
	mq_json_add_str(it.data, "locale", locale);
	mq_json_add_str(it.data, "region", region);
	return add(c, im, &it);
}

static enum mq_status ours_settings(struct mq_ctx *c, struct mq_import *im, struct json_object *root)
{
	static const char *const channels[] = { "in_app", "email", "push" };
	struct json_object *a = ours_array(im, member(root, "notification_settings"),
					   "marquee.json notification_settings");
	enum mq_status st = MQ_OK;

	for (size_t i = 0; a && i < json_object_array_length(a) && st == MQ_OK; i++) {
		struct json_object *o = json_object_array_get_idx(a, i), *v;
		const char *source = mq_arena_printf(c->arena, "marquee.json notification_settings[%zu]", i);
		struct mq_import_item it = { .kind = MQ_ITEM_SETTING, .source = source, .list_public = -1 };
		const char *kind = json_object_is_type(o, json_type_object) ? jstr(o, "kind") : NULL;
		bool ok = kind && mq_notify_kind_switchable(kind);

		for (size_t k = 0; ok && k < MQ_ARRAY_LEN(channels); k++)
			ok = (v = member(o, channels[k])) == NULL || json_object_is_type(v, json_type_boolean);
		if (!ok) {
			invalid(im, source, N_("not a notification setting (a kind that can be switched "
					       "off, channels true, false or null)"));
			continue;
		}
		it.data = mq_json_object(c->arena);
		mq_json_add_str(it.data, "kind", kind);
		for (size_t k = 0; k < MQ_ARRAY_LEN(channels); k++)
			json_object_object_add(it.data, channels[k], json_object_get(member(o, channels[k])));
		st = add(c, im, &it);
	}
	return st;
}

static enum mq_status ours(struct mq_ctx *c, struct mq_import *im, struct json_object *root)
{
	enum mq_status st;

	im->format = "marquee";
	if ((st = ours_section(c, im, root, "ratings", MQ_ITEM_RATING, "created_at")) != MQ_OK ||
	    (st = ours_section(c, im, root, "reviews", MQ_ITEM_REVIEW, "created_at")) != MQ_OK ||
	    (st = ours_section(c, im, root, "favorites", MQ_ITEM_FAVORITE, "created_at")) != MQ_OK ||
	    (st = ours_section(c, im, root, "watchlist", MQ_ITEM_WATCHLIST, "created_at")) != MQ_OK ||
	    (st = ours_section(c, im, root, "history", MQ_ITEM_WATCH, "watched_at")) != MQ_OK)
		return st;
	if ((st = ours_lists(c, im, root)) != MQ_OK || (st = ours_comments(c, im, root)) != MQ_OK ||
	    (st = ours_follows(c, im, root)) != MQ_OK || (st = ours_profile(c, im, root)) != MQ_OK)
		return st;
	return ours_settings(c, im, root);
}

static enum mq_status json_file(struct mq_ctx *c, struct mq_import *im, const char *file,
				const char *data, size_t len)
{
	struct json_object *root;
	const char *err, *fmt;

	if (mq_json_parse(c->arena, data, len, 16, &root, &err) < 0)
		return mq_fail_with(c, MQ_INVALID, NULL, "%s is not valid JSON: %s.", file, err);
	if (json_object_is_type(root, json_type_array))
		return trakt_array(c, im, file, root, NULL);
	if (json_object_is_type(root, json_type_object) && (fmt = jstr(root, "format")) &&
	    strcmp(fmt, "marquee-export") == 0)
		return ours(c, im, root);
	return mq_fail_with(c, MQ_UNSUPPORTED, NULL, "%s is neither Trakt's export (an array of "
			    "items) nor ours (format marquee-export).", file);
}

/* ---- archives ---- */

static const struct {
	const char *name;
	enum csv_kind kind;
} letterboxd_files[] = {
	/* diary first: its dated viewings stand before watched.csv's "seen" */
	{ "diary.csv", LB_DIARY },	 { "watched.csv", LB_WATCHED }, { "ratings.csv", LB_RATINGS },
	{ "watchlist.csv", LB_WATCHLIST }, { "reviews.csv", LB_REVIEWS }, { "likes/films.csv", LB_LIKES },
};

/* The entry named prefix + name. */
static const struct mq_zip_entry *entry(const struct mq_zip_entry *e, int n, const char *prefix,
					const char *name)
{
	size_t p = strlen(prefix);

	for (int i = 0; i < n; i++)
		if (strncmp(e[i].name, prefix, p) == 0 && strcmp(e[i].name + p, name) == 0)
			return &e[i];
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

/* Whether name is stem.json or stem-N.json (Trakt splits a long file
 * into pages that way). */
static bool trakt_named(const char *name, const char *stem)
{
	size_t n = strlen(stem);

	if (strncmp(name, stem, n) != 0)
		return false;
	name += n;
	if (*name == '-' && isdigit((unsigned char)name[1]))
		for (name++; isdigit((unsigned char)*name); name++)
			;
	return strcmp(name, ".json") == 0;
}

/* A list's file of Trakt's export, lists-list-<id>-<slug>.json: its id
 * and slug (in the arena); false for any other name. */
static bool trakt_list_file(struct mq_ctx *c, const char *name, int64_t *id, const char **slug)
{
	const char *p = name + 11, *dash;

	if (strncmp(name, "lists-list-", 11) != 0 || !ends_with(name, ".json") ||
	    (dash = strchr(p, '-')) == NULL || dash == p || strspn(p, "0123456789") != (size_t)(dash - p))
		return false;
	*id = strtoll(p, NULL, 10);
	*slug = mq_arena_strndup(c->arena, dash + 1, strlen(dash + 1) - 5);
	return **slug != '\0';
}

static struct json_object *json_entry(struct mq_ctx *c, const struct mq_zip_entry *e,
				      enum mq_status *st)
{
	struct json_object *root;
	const char *err;

	if (mq_json_parse(c->arena, e->data, e->len, 16, &root, &err) < 0) {
		*st = mq_fail_with(c, MQ_INVALID, NULL, "%s is not valid JSON: %s.", e->name, err);
		return NULL;
	}
	return root;
}

/* Trakt's export (a zip of JSON files named for what they hold; see
 * t/api/portability.t for the sources): the movies of its history,
 * ratings, watchlist, favorites and lists; what else it holds (shows,
 * comments, collections, the profile) is not read.  *found: whether
 * any file had one of those names. */
static enum mq_status trakt_zip(struct mq_ctx *c, struct mq_import *im, const struct mq_zip_entry *e,
				int n, bool *found)
{
	static const char *const plain[] = { "watched-history", "ratings-movies", "lists-watchlist",
					     "watched-movies" };
	struct json_object *meta = NULL, *root;
	enum mq_status st = MQ_OK;
	const char *slug;
	int64_t id;

	*found = false;
	for (int i = 0; i < n && st == MQ_OK; i++)
		if (trakt_named(base_name(e[i].name), "lists-lists") &&
		    (meta = json_entry(c, &e[i], &st)) != NULL && !json_object_is_type(meta, json_type_array))
			meta = NULL;
	for (int i = 0; i < n && st == MQ_OK; i++) {
		const char *name = base_name(e[i].name);
		struct trakt_as as = { .list_public = -1 }, *how = NULL;
		bool known = false;

		for (size_t k = 0; k < MQ_ARRAY_LEN(plain); k++)
			known = known || trakt_named(name, plain[k]);
		if (trakt_named(name, "lists-favorites")) {
			as.kind = MQ_ITEM_FAVORITE;
			how = &as;
		} else if (trakt_list_file(c, name, &id, &slug)) {
			as.kind = MQ_ITEM_LIST_ITEM;
			as.list = slug;
			/* its name, description and privacy from lists-lists.json */
			for (size_t j = 0; meta && j < json_object_array_length(meta); j++) {
				struct json_object *l = json_object_array_get_idx(meta, j);
				struct json_object *ids = member(l, "ids");
				const char *privacy = jstr(l, "privacy");

				if (ids == NULL || jint(ids, "trakt") != id)
					continue;
				if (jstr(l, "name"))
					as.list = jstr(l, "name");
				as.list_description = jstr(l, "description");
				if (privacy)
					as.list_public = strcmp(privacy, "public") == 0;
			}
			how = &as;
		} else if (!known) {
			continue;
		}
		*found = true;
		if ((root = json_entry(c, &e[i], &st)) == NULL)
			break;
		if (json_object_is_type(root, json_type_array))
			st = trakt_array(c, im, e[i].name, root, how);
	}
	if (*found && st == MQ_OK && !im->format)
		im->format = "trakt";
	return st;
}

/* The archive's entries under prefix ("" or one folder all are in, as
 * when an export was unpacked and packed again). */
static enum mq_status zip_entries(struct mq_ctx *c, struct mq_import *im, const struct mq_zip_entry *e,
				  int n, const char *prefix, bool *found)
{
	const struct mq_zip_entry *one;
	enum mq_status st = MQ_OK;
	size_t p = strlen(prefix);
	bool letterboxd = false;

	*found = true;
	if ((one = entry(e, n, prefix, "marquee.json")) != NULL)
		return json_file(c, im, one->name, one->data, one->len);
	for (size_t i = 0; i < MQ_ARRAY_LEN(letterboxd_files) && st == MQ_OK; i++)
		if ((one = entry(e, n, prefix, letterboxd_files[i].name)) != NULL) {
			letterboxd = true;
			st = csv_file(c, im, one->name, one->data, one->len, (int)letterboxd_files[i].kind);
		}
	/* lists/, not deleted/lists/ nor orphaned/ (what was removed) */
	for (int i = 0; i < n && st == MQ_OK; i++)
		if (strncmp(e[i].name, prefix, p) == 0 && strncmp(e[i].name + p, "lists/", 6) == 0 &&
		    ends_with(e[i].name, ".csv")) {
			letterboxd = true;
			st = csv_file(c, im, e[i].name, e[i].data, e[i].len, LB_LIST);
		}
	if (letterboxd) {
		im->format = "letterboxd";
		return st;
	}
	if (p > 0) {	/* Trakt's files are found by their names, wherever they are */
		*found = false;
		return MQ_OK;
	}
	if ((st = trakt_zip(c, im, e, n, found)) != MQ_OK || *found)
		return st;
	/* JSON arrays of Trakt's API's items, whatever their names */
	for (int i = 0; i < n && st == MQ_OK; i++)
		if (ends_with(e[i].name, ".json")) {
			struct json_object *root = json_entry(c, &e[i], &st);

			if (root && json_object_is_type(root, json_type_array))
				st = trakt_array(c, im, e[i].name, root, NULL);
		}
	*found = im->format != NULL;
	return st;
}

static enum mq_status zip_file(struct mq_ctx *c, struct mq_import *im, const void *buf, size_t len)
{
	struct mq_zip_limits lim = { c->cfg->port_entries_max, c->cfg->port_unpacked_max };
	const struct mq_zip_entry *e;
	enum mq_status st;
	const char *slash;
	bool found = false;
	int n;

	if ((st = mq_zip_read(c, buf, len, &lim, (struct mq_zip_entry **)&e, &n)) != MQ_OK)
		return st;
	if ((st = zip_entries(c, im, e, n, "", &found)) != MQ_OK)
		return st;
	if (!found && n > 0 && (slash = strchr(e[0].name, '/')) != NULL) {
		const char *prefix = mq_arena_strndup(c->arena, e[0].name, (size_t)(slash - e[0].name) + 1);
		bool all = true;

		for (int i = 1; i < n && all; i++)
			all = strncmp(e[i].name, prefix, strlen(prefix)) == 0;
		if (all && (st = zip_entries(c, im, e, n, prefix, &found)) != MQ_OK)
			return st;
	}
	if (!found)
		return mq_fail_with(c, MQ_UNSUPPORTED, NULL, "This archive is none of Letterboxd's, "
				    "Trakt's or ours export.");
	return MQ_OK;
}

enum mq_status mq_import_parse(struct mq_ctx *c, const void *buf, size_t len, struct mq_import *im)
{
	const char *s = buf;
	size_t i = 0;
	enum mq_status st;

	*im = (struct mq_import){ .rows_max = c->cfg->port_rows_max, .now = time(NULL),
				  .invalid = mq_json_array(c->arena) };
	if (mq_zip_looks_like(buf, len))
		return zip_file(c, im, buf, len);
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (i < len && (s[i] == '[' || s[i] == '{'))
		return json_file(c, im, "the file", s + i, len - i);
	if (memchr(s, '\0', len) != NULL)
		return mq_fail_with(c, MQ_UNSUPPORTED, NULL, "This is neither a zip archive, JSON nor "
				    "CSV text.");
	if ((st = csv_file(c, im, "the file", s, len, -1)) == MQ_OK && im->format == NULL)
		im->format = "letterboxd-csv";
	return st;
}

/*
 * formats.h: reading the export files people have into rows to import:
 * Letterboxd's export zip (watched.csv, ratings.csv, diary.csv,
 * watchlist.csv, reviews.csv, likes/films.csv, the CSV files under lists/) and a CSV in
 * Letterboxd's import format (tmdbID, imdbID, Title, Year, Rating,
 * Rating10, WatchedDate, Review), Trakt's JSON (its API's shapes: rated,
 * watched, listed items and history, alone; or its export, a zip of
 * files named for what they hold), IMDb's ratings.csv, and our own
 * export (marquee.json, alone or in its zip: beside the movies' rows,
 * its comments, follows, profile and notification settings).
 *
 * Every row is checked (its movie named by a TMDb id, an IMDb id or a
 * title; years, dates, ratings, lengths, UTF-8); a bad one is counted and
 * reported with its file and line and the others go on.  Ratings become
 * half stars exactly: Letterboxd's 0.5-5 as they are, IMDb's and Trakt's
 * 1-10 halved (7 is 3.5 stars).
 */
#ifndef MQ_PORTABILITY_FORMATS_H
#define MQ_PORTABILITY_FORMATS_H

#include <json-c/json.h>
#include <time.h>

#include "core/ctx.h"

enum mq_item_kind {
	MQ_ITEM_RATING,
	MQ_ITEM_REVIEW,
	MQ_ITEM_FAVORITE,
	MQ_ITEM_WATCHLIST,
	MQ_ITEM_WATCH,		/* a viewing on a date */
	MQ_ITEM_WATCHED,	/* seen, when unknown: a viewing unless one is there */
	MQ_ITEM_LIST_ITEM,
	/* of our export only: rows that are the user's, not a movie's */
	MQ_ITEM_COMMENT,	/* a comment on a movie (ref, parent_ref) */
	MQ_ITEM_FOLLOW,		/* a user followed (data: {"username"}) */
	MQ_ITEM_PROFILE,	/* data: {display_name, bio, locale, region} */
	MQ_ITEM_SETTING,	/* data: {kind, in_app, email, push} */
};

/* The kinds' names, as import_items.kind spells them. */
extern const char *const mq_item_kind_names[];

struct mq_import_item {
	enum mq_item_kind kind;
	const char *source;		/* "diary.csv:12" */
	int64_t tmdb_id;		/* 0: none */
	const char *imdb_id;		/* NULL: none */
	const char *title;
	int year;			/* 0: none */
	int half_stars;			/* 1 (0.5) to 10 (5.0); 0: none */
	const char *at;			/* RFC 3339, UTC; NULL: none */
	const char *body;		/* review text, or a note */
	const char *heading;		/* a review's title */
	const char *priority;		/* a watchlist entry's */
	const char *list;
	const char *list_description;
	int list_public;		/* -1: not said */
	int position;			/* 0: none */
	int64_t ref, parent_ref;	/* a comment's id in the export, its parent's; 0: none */
	struct json_object *data;	/* a follow's, profile's or setting's fields */
};

#define MQ_IMPORT_INVALID_SHOWN 100

struct mq_import {
	const char *format;		/* letterboxd, letterboxd-csv, trakt, imdb, marquee */
	struct mq_import_item *items;
	int n, cap;
	int rows_max;
	int invalid_count;
	int skipped_count;		/* rows of what is not a movie (shows, episodes) */
	struct json_object *invalid;	/* [{source, reason}], the first MQ_IMPORT_INVALID_SHOWN */
	time_t now;
};

/* Reads the upload buf[0..len) into *im (items in c's arena; rows_max
 * and the zip limits from c->cfg).  MQ_UNSUPPORTED for a file of none of
 * the formats, MQ_INVALID for one that cannot be read at all (a broken
 * zip or JSON, an unsafe entry name), MQ_TOO_LARGE past a bound; the
 * detail says what. */
enum mq_status mq_import_parse(struct mq_ctx *c, const void *buf, size_t len, struct mq_import *im);

#endif

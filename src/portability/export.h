/*
 * export.h: everything a user has, as the files of their export:
 * marquee.json (profile, ratings, reviews, comments, favorites,
 * watchlist, history, lists, follows, notification settings: what
 * `POST /api/users/me/import/` reads back) and, under letterboxd/, CSV
 * files in the columns Letterboxd's importer reads (tmdbID, imdbID,
 * Title, Year, Rating, WatchedDate, Review).
 *
 * A CSV cell that a spreadsheet would take for a formula (starting with
 * =, +, -, @, a tab or a carriage return), or one defused so already, is
 * written with a ' before it; our importer takes that ' away again
 * (core/csv.h: mq_csv_formula).
 */
#ifndef MQ_PORTABILITY_EXPORT_H
#define MQ_PORTABILITY_EXPORT_H

#include "core/ctx.h"
#include "core/buf.h"
#include "portability/archive.h"

/* The files of user's export into *e, *n of them (arena). */
enum mq_status mq_export_build(struct mq_ctx *c, int64_t user, struct mq_zip_entry **e, int *n);

/* Appends s to b as one CSV cell: quoted when it holds a comma, a quote
 * or a line break, defused when it starts like a formula. */
void mq_csv_cell(struct mq_buf *b, const char *s);

#endif

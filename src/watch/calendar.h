/*
 * calendar.h: a user's watchlist as an iCalendar feed (RFC 5545): one
 * all-day event per release of each movie on it, theatrical and digital
 * in the user's region (movie_release_dates, which `marquee watch refresh`
 * fills from TMDb), or the catalog's release date when the region's are
 * not known.
 */
#ifndef MQ_WATCH_CALENDAR_H
#define MQ_WATCH_CALENDAR_H

#include "core/ctx.h"

#define MQ_CALENDAR_EVENTS_MAX 2000	/* the earliest this many releases */

/* The feed of user (called username) in region, its links under c->origin,
 * into *body and *len (arena): CRLF lines folded at 75 octets, texts
 * escaped, each event's UID made of the movie, the kind of release and
 * the region (the same in every rendering), its DTSTAMP the time of the
 * last change to what it says, so that the same data give the same
 * bytes.  The database's failure. */
enum mq_status mq_calendar_render(struct mq_ctx *c, int64_t user, const char *username,
				  const char *region, const char **body, size_t *len);

/* Appends one content line to b: name (with its parameters) and value,
 * escaped as TEXT when text is true, folded at 75 octets.  For tests. */
struct mq_buf;
void mq_calendar_line(struct mq_buf *b, const char *name, const char *value, bool text);

#endif

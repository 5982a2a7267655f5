/*
 * calendar.c: the watchlist's iCalendar feed (see calendar.h).
 */
#include "watch/calendar.h"

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "db/rows.h"

#define FOLD 75		/* octets of a content line, CRLF excluded (RFC 5545 3.1) */

/* $1 user, $2 region, $3 how many.  kind: theatrical, digital, or
 * release (the catalog's date, when the region's are unknown). */
static struct mq_stmt releases = MQ_STMT_READ(
	"SELECT m.id, m.title, m.year, d.kind, to_char(d.day, 'YYYYMMDD') AS day, "
	"       to_char(d.day + 1, 'YYYYMMDD') AS next_day, "
	"       to_char(greatest(w.created_at, m.updated_at, f.release_dates_at) AT TIME ZONE 'UTC', "
	"               'YYYYMMDD\"T\"HH24MISS\"Z\"') AS stamp "
	"FROM watchlist w JOIN movies m ON m.id = w.movie_id "
	"LEFT JOIN movie_watch_fetched f ON f.movie_id = m.id "
	"CROSS JOIN LATERAL ("
	"  SELECT r.kind, r.release_date AS day FROM movie_release_dates r "
	"  WHERE r.movie_id = m.id AND r.region = $2 AND r.kind IN ('theatrical', 'digital') "
	"  UNION ALL "
	"  SELECT 'release', m.release_date WHERE m.release_date IS NOT NULL AND NOT EXISTS ("
	"    SELECT 1 FROM movie_release_dates r WHERE r.movie_id = m.id AND r.region = $2 "
	"    AND r.kind IN ('theatrical', 'digital'))) d "
	"WHERE w.user_id = $1 ORDER BY d.day, m.id, d.kind LIMIT $3");

/* Appends s escaped as an RFC 5545 TEXT value (3.3.11); control
 * characters other than newlines are left out. */
static void escape(struct mq_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\\' || ch == ';' || ch == ',')
			mq_buf_printf(b, "\\%c", ch);
		else if (ch == '\n')
			mq_buf_puts(b, "\\n");
		else if (ch >= 0x20 && ch != 0x7f)
			mq_buf_append(b, s, 1);
	}
}

/* Appends line folded: a CRLF and a space before the octet that would
 * make a line longer than FOLD, never inside a UTF-8 sequence. */
static void fold(struct mq_buf *b, const char *line, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n;) {
		size_t k = 1;

		while (i + k < n && ((unsigned char)line[i + k] & 0xC0) == 0x80)
			k++;
		if (used + k > FOLD) {
			mq_buf_puts(b, "\r\n ");
			used = 1;
		}
		mq_buf_append(b, line + i, k);
		used += k;
		i += k;
	}
	mq_buf_puts(b, "\r\n");
}

void mq_calendar_line(struct mq_buf *b, const char *name, const char *value, bool text)
{
	struct mq_buf line;

	mq_buf_init(&line, b->arena, strlen(name) + strlen(value) + 16);
	mq_buf_printf(&line, "%s:", name);
	if (text)
		escape(&line, value);
	else
		mq_buf_puts(&line, value);
	fold(b, line.data, line.len);
}

static const char *what(const char *kind)
{
	return strcmp(kind, "theatrical") == 0 ? "in theaters"
	       : strcmp(kind, "digital") == 0 ? "digital release" : "release";
}

/* The host of c->origin ("https://host[:port]"), for UIDs. */
static const char *host_of(struct mq_ctx *c)
{
	const char *o = c->origin ? c->origin : "", *h = strstr(o, "://");

	return h && h[3] ? h + 3 : "marquee.invalid";
}

static void event(struct mq_ctx *c, struct mq_buf *b, PGresult *res, int i, const char *region)
{
	const char *id = PQgetvalue(res, i, 0), *title = PQgetvalue(res, i, 1);
	const char *kind = PQgetvalue(res, i, 3);
	struct mq_arena *a = c->arena;
	const char *name = PQgetisnull(res, i, 2) ? title
			   : mq_arena_printf(a, "%s (%s)", title, PQgetvalue(res, i, 2));

	mq_buf_puts(b, "BEGIN:VEVENT\r\n");
	mq_calendar_line(b, "UID", mq_arena_printf(a, "movie-%s-%s-%s@%s", id, kind,
						   strcmp(kind, "release") ? region : "any",
						   host_of(c)), false);
	mq_calendar_line(b, "DTSTAMP", PQgetvalue(res, i, 6), false);
	mq_calendar_line(b, "DTSTART;VALUE=DATE", PQgetvalue(res, i, 4), false);
	mq_calendar_line(b, "DTEND;VALUE=DATE", PQgetvalue(res, i, 5), false);
	mq_calendar_line(b, "SUMMARY", mq_arena_printf(a, "%s: %s", title, what(kind)), true);
	mq_calendar_line(b, "DESCRIPTION", strcmp(kind, "release") == 0
			 ? mq_arena_printf(a, "%s, on your watchlist, is released.", name)
			 : mq_arena_printf(a, "%s, on your watchlist: %s in %s.", name, what(kind),
					   region), true);
	mq_calendar_line(b, "URL", mq_arena_printf(a, "%s/api/movies/%s/", c->origin ? c->origin : "",
						   id), false);
	mq_buf_puts(b, "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n");
}

enum mq_status mq_calendar_render(struct mq_ctx *c, int64_t user, const char *username,
				  const char *region, const char **body, size_t *len)
{
	const char *params[] = { mq_arena_int(c->arena, user), region,
				 MQ_STRINGIFY(MQ_CALENDAR_EVENTS_MAX) };
	PGresult *res = mq_db_q(c, &releases, 3, params);
	struct mq_buf b;

	if (res == NULL)
		return mq_db_failure(c);
	mq_buf_init(&b, c->arena, 1024 + 512 * (size_t)PQntuples(res));
	mq_buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "PRODID:-//Marquee//Watchlist releases//EN\r\n"
		    "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
	mq_calendar_line(&b, "X-WR-CALNAME", mq_arena_printf(c->arena, "Marquee: %s's watchlist",
							    username), true);
	mq_buf_puts(&b, "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\nX-PUBLISHED-TTL:PT12H\r\n");
	for (int i = 0; i < PQntuples(res); i++)
		event(c, &b, res, i, region);
	mq_buf_puts(&b, "END:VCALENDAR\r\n");
	*body = b.data;
	*len = b.len;
	return MQ_OK;
}

/*
 * digest.h: the weekly digest of recommendations (`marquee notify
 * digest`, run weekly by marquee-notify-digest.timer).
 *
 * For each active user without one for the ISO week, a notification of
 * kind recommendations naming the movies picked for them (which the
 * app shows, and the outbox mails when the user's setting says so).  One
 * per user and week, whatever runs: a unique index says so
 * (notifications_digest), each user's is written in a statement of its
 * own, so a run that was killed leaves those it made and the next run
 * makes the rest, and a run twice over makes none.
 *
 * The picks: what the people a user follows rated well, reviewed or
 * favorited this week, then the week's most active movies, then the
 * most popular; never a movie the user rated, favorited, has on their
 * watchlist, watched or marked not interested, nor a provisional one.
 * (A recommendation model, when one is there, is the better source:
 * digest_picks in digest.c is the one statement to change.)
 */
#ifndef MQ_NOTIFY_DIGEST_H
#define MQ_NOTIFY_DIGEST_H

#include "core/ctx.h"

struct mq_digest_run {
	char week[16];		/* "2026-W49"; empty: this week (UTC), filled in */
	int64_t made;		/* digests written by this run */
	int64_t users;		/* users looked at */
};

/* Writes the week's digests (see above), in batches (c's arena is reset
 * after each); run->made and run->users say how far it got, also on
 * failure.  MQ_OK or the database's failure. */
enum mq_status mq_digest(struct mq_ctx *c, struct mq_digest_run *run);

#endif

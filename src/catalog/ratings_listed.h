/*
 * ratings_listed.h: the average rating the movie lists filter and order
 * on (movies.rating, indexed), derived from the exact counters of
 * movie_stats by a job (sql/0035_ratings_listed_by_job.sql).
 *
 * A vote keeps movie_stats exact in its own transaction, and every answer
 * shows the live average from it; the lists' order and their rating_min
 * and rating_max filters follow when `marquee ratings refresh` (systemd
 * timer, every minute) has run.
 */
#ifndef MQ_RATINGS_LISTED_H
#define MQ_RATINGS_LISTED_H

#include "core/ctx.h"

/* Brings movies.rating up to date for every movie whose average moved
 * since it was last listed, a batch of at most batch movies a transaction
 * (rows a vote holds are left to the next run); *listed counts them.
 * When any was, every cached list is made stale (their order changed).
 * Returns MQ_OK or the database's failure. */
enum mq_status mq_ratings_list(struct mq_ctx *c, int batch, int64_t *listed);

#endif

/*
 * signals.h: what users did, as the strength of their interest in a movie.
 *
 * The ranking models and the request-time scoring see one number per
 * (user, movie): how strongly the user showed interest (positive), or
 * that they asked not to see it (negative).  All of a user's signals on
 * one movie are combined here, in one place, for training and for
 * serving alike:
 *
 *   rating 4 to 5          1.0   liked
 *   rating below 4         0.3   watched it, at least
 *   favorite               1.0
 *   watched (history)      0.5
 *   on the watchlist       0.5   wants to see it
 *   not interested        -1.0   overrides the rest
 *
 * The strongest positive signal counts (a favorite that was also rated 5
 * is not twice as strong).  MovieLens's imported ratings are ratings like
 * any other.  The weights are those that measured best in `marquee recs
 * eval` for ratings (4 and up against lower, docs/recommendations.md);
 * the others are placed between them by what they say.
 */
#ifndef MQ_RECS_SIGNALS_H
#define MQ_RECS_SIGNALS_H

#include "recs/data.h"

#define MQ_RECS_W_LIKED 1.0f
#define MQ_RECS_W_RATED 0.3f
#define MQ_RECS_W_FAVORITE 1.0f
#define MQ_RECS_W_WATCHED 0.5f
#define MQ_RECS_W_WATCHLIST 0.5f
#define MQ_RECS_W_NOT_INTERESTED (-1.0f)
#define MQ_RECS_LIKED_MIN 4.0f

/* One user's signals on one movie. */
struct mq_recs_pair {
	float rating;		/* 0 when not rated */
	bool favorite, watched, watchlist, not_interested;
};

/* The combined strength of p (0: no signal). */
float mq_recs_pair_weight(const struct mq_recs_pair *p);

/* The strength of each event of a set of ratings (malloc'd, s->n). */
float *mq_recs_rating_weights(const struct mq_recs_set *s);

#endif

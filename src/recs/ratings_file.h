/*
 * ratings_file.h: rating files as MovieLens publishes them, for `marquee
 * recs eval`.
 *
 * The format is told from the content of the first line:
 *   - commas: MovieLens CSV (ml-latest, ml-latest-small, ml-20m, ml-25m),
 *     "userId,movieId,rating,timestamp", the header line skipped;
 *   - "::": ml-1m and ml-10m's ratings.dat, "user::item::rating::timestamp";
 *   - tabs or spaces: ml-100k's u.data, u1.base, ua.test ...,
 *     "user item rating timestamp".
 * The timestamp (seconds since 1970) may be missing; the day is then 0.
 */
#ifndef MQ_RECS_RATINGS_FILE_H
#define MQ_RECS_RATINGS_FILE_H

#include "recs/data.h"

/* Adds the ratings of the file at path to d (ids already in d keep their
 * indices, so a test file shares them with its training file).  Returns
 * the number read, or -1 with the reason (file and line) in err. */
ssize_t mq_recs_ratings_read(struct mq_recs_data *d, const char *path, char *err, size_t errlen);

/* The same from an open stream (name for messages). */
ssize_t mq_recs_ratings_read_stream(struct mq_recs_data *d, FILE *in, const char *name, char *err,
				    size_t errlen);

#endif

/*
 * ratings_listed.c: the lists' average brought up to date (ratings_listed.h).
 */
#include "catalog/ratings_listed.h"

#include "catalog/changes.h"
#include "db/db.h"
#include "db/rows.h"

/* $1 the batch's size; returns how many movies it found. */
static struct mq_stmt list_batch = MQ_STMT("SELECT movie_ratings_list($1::integer)");

enum mq_status mq_ratings_list(struct mq_ctx *c, int batch, int64_t *listed)
{
	const char *param = mq_arena_int(c->arena, batch);
	int64_t n;

	*listed = 0;
	do {
		PGresult *res = mq_db_q(c, &list_batch, 1, &param);

		if (res == NULL) {
			enum mq_status st = mq_db_failure(c);

			if (*listed > 0)	/* the batches committed before */
				mq_catalog_changed(c);
			return st;
		}
		n = mq_row_int(res, 0, 0);
		*listed += n;
	} while (n >= batch);
	if (*listed > 0)
		mq_catalog_changed(c);
	return MQ_OK;
}

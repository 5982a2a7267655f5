/*
 * provisional.c: an administrator's approval of a provisional movie.
 */
#include "catalog/provisional.h"

#include "catalog/changes.h"
#include "db/db.h"

/* The maker comes back for the log; the row lock makes a concurrent
 * approval (or TMDb's confirmation) wait, then find nothing to do. */
static struct mq_stmt approve = MQ_STMT(
	"UPDATE movies m SET provisional_by = NULL, updated_at = now() "
	"FROM (SELECT id, provisional_by AS maker FROM movies WHERE id = $1 FOR UPDATE) o "
	"WHERE m.id = o.id AND m.provisional_by IS NOT NULL RETURNING o.maker");

enum mq_status mq_movie_approve(struct mq_ctx *c, const char *id, int64_t admin, bool *approved)
{
	PGresult *res = mq_db_q(c, &approve, 1, &id);

	if (res == NULL)
		return mq_db_failure(c);
	*approved = PQntuples(res) == 1;
	if (!*approved)
		return MQ_OK;
	mq_event(c, MQ_LOG_INFO, "movie_approved", admin, "movie", id, "maker",
		 PQgetvalue(res, 0, 0), NULL);
	mq_movies_changed(c, id);	/* in the lists now */
	return MQ_OK;
}

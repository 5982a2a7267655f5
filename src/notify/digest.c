/*
 * digest.c: the weekly digest (see digest.h).
 */
#include "notify/digest.h"

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "db/rows.h"

#define BATCH 200
/* movies the week's most active are taken from */
#define ACTIVE_MAX 500

static struct mq_stmt this_week = MQ_STMT_READ(
	"SELECT to_char(now() AT TIME ZONE 'UTC', 'IYYY-\"W\"IW')");

/* The week's most active movies, the most first (one statement for the
 * whole run, not per user). */
static struct mq_stmt week_active = MQ_STMT_READ(
	"SELECT coalesce(array_agg(movie_id ORDER BY score DESC, movie_id), '{}') FROM ("
	"  SELECT a.movie_id, count(*) AS score FROM activity a "
	"  WHERE a.created_at > now() - interval '7 days' "
	"  AND a.verb IN ('favorite_added', 'rated', 'watchlist_added', 'watched') "
	"  GROUP BY a.movie_id ORDER BY score DESC LIMIT " MQ_STRINGIFY(ACTIVE_MAX) ") w");

/* $1 the week, $2 after this user id: the next users without its digest. */
static struct mq_stmt next_users = MQ_STMT_READ(
	"SELECT u.id FROM users u WHERE u.id > $2 AND u.is_active AND u.deleted_at IS NULL "
	"AND NOT u.imported AND NOT EXISTS (SELECT 1 FROM notifications n "
	"  WHERE n.user_id = u.id AND n.kind = 'recommendations' AND n.data->>'week' = $1) "
	"ORDER BY u.id LIMIT " MQ_STRINGIFY(BATCH));

/* $1 user, $2 the week, $3 how many movies, $4 the week's most active:
 * the user's digest written (notify() honours their settings); no row
 * when there was nothing to pick or every channel is off.  A digest
 * written meanwhile by another run is a unique violation. */
static struct mq_stmt digest_picks = MQ_STMT(
	"WITH seen AS (SELECT movie_id FROM ratings WHERE user_id = $1 "
	"  UNION SELECT movie_id FROM favorites WHERE user_id = $1 "
	"  UNION SELECT movie_id FROM watchlist WHERE user_id = $1 "
	"  UNION SELECT movie_id FROM watch_history WHERE user_id = $1 "
	"  UNION SELECT movie_id FROM not_interested WHERE user_id = $1), "
	"friends AS (SELECT e.movie_id, 1000 + count(*) AS score FROM follows f "
	"  JOIN feed_events e ON e.actor_id = f.followee_id "
	"  WHERE f.follower_id = $1 AND e.created_at > now() - interval '7 days' "
	"  AND e.verb IN ('rated', 'reviewed', 'favorited') AND (e.rating IS NULL OR e.rating >= 3.5) "
	"  GROUP BY e.movie_id), "
	"active AS (SELECT id AS movie_id, 600 - n AS score "
	"  FROM unnest($4::bigint[]) WITH ORDINALITY a(id, n)), "
	"popular AS (SELECT id AS movie_id, 0 AS score FROM movies WHERE provisional_by IS NULL "
	"  ORDER BY popularity DESC NULLS LAST, id DESC LIMIT 200), "
	"picks AS (SELECT m.id, m.title, m.year, max(c.score) AS score "
	"  FROM (SELECT * FROM friends UNION ALL SELECT * FROM active UNION ALL SELECT * FROM popular) c "
	"  JOIN movies m ON m.id = c.movie_id AND m.provisional_by IS NULL "
	"  WHERE c.movie_id NOT IN (SELECT movie_id FROM seen) "
	"  GROUP BY m.id, m.title, m.year ORDER BY score DESC, m.id LIMIT $3) "
	"SELECT notify($1, 'recommendations', NULL, NULL, NULL, NULL, NULL, "
	"  jsonb_build_object('week', $2::text, 'movies', (SELECT jsonb_agg(jsonb_build_object("
	"    'id', id, 'title', title, 'year', year) ORDER BY score DESC, id) FROM picks))) "
	"WHERE EXISTS (SELECT 1 FROM picks)");

/* The users after *after without the week's digest: each one's written.
 * *more: there may be more. */
static enum mq_status batch(struct mq_ctx *c, struct mq_digest_run *run, const char *active,
			    int64_t *after, bool *more)
{
	const char *p[] = { run->week, mq_arena_int(c->arena, *after) };
	const char *size = mq_arena_int(c->arena, c->cfg->notify_digest_size);
	PGresult *res, *made;

	if ((res = mq_db_q(c, &next_users, 2, p)) == NULL)
		return mq_db_failure(c);
	*more = PQntuples(res) > 0;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *q[] = { PQgetvalue(res, i, 0), run->week, size, active };

		run->users++;
		*after = mq_row_int(res, i, 0);
		if ((made = mq_db_q(c, &digest_picks, 4, q)) == NULL) {
			if (strcmp(mq_db_sqlstate(c->db), "23505") == 0)	/* made meanwhile */
				continue;
			return mq_db_failure(c);
		}
		if (PQntuples(made) > 0 && !PQgetisnull(made, 0, 0))
			run->made++;
	}
	return MQ_OK;
}

enum mq_status mq_digest(struct mq_ctx *c, struct mq_digest_run *run)
{
	enum mq_status st = MQ_OK;
	PGresult *res;
	char *active;
	int64_t after = 0;
	bool more = true;

	if (run->week[0] == '\0') {
		if ((res = mq_db_q(c, &this_week, 0, NULL)) == NULL)
			return mq_db_failure(c);
		mq_strlcpy(run->week, PQgetvalue(res, 0, 0), sizeof(run->week));
	}
	if ((res = mq_db_q(c, &week_active, 0, NULL)) == NULL)
		return mq_db_failure(c);
	active = mq_xstrdup(PQgetvalue(res, 0, 0));
	while (more && st == MQ_OK) {
		mq_arena_reset(c->arena);
		st = batch(c, run, active, &after, &more);
	}
	free(active);
	return st;
}

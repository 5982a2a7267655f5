/*
 * watch.c: `marquee watch refresh [--limit N]`: asks TMDb again where
 * movies can be watched and when they are released, for the movies whose
 * answers are older than [watch] refresh_after or were never asked,
 * watchlisted ones first (the calendar feeds), then the most popular; at
 * most [watch] refresh_batch (or N) a run.  Also brings the list of
 * providers up to date, and prunes the media servers' events older than
 * 90 days (what tells a retried webhook apart).  Run nightly by
 * marquee-watch-refresh.timer; stops when TMDb is unavailable (its
 * breaker open, or rate limiting), the rest left for the next run.
 * --rate R: at most R movies (2R calls to TMDb) a second (0: no limit).
 */
#include "core/common.h"

#include <curl/curl.h>
#include <getopt.h>
#include <stdint.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/tmdb.h"
#include "watch/providers.h"

#define CMD "watch"

/* $1 refresh_after in ms, $2 how many. */
static struct mq_stmt due = MQ_STMT_READ(
	"SELECT m.id, m.tmdb_id FROM movies m LEFT JOIN movie_watch_fetched f ON f.movie_id = m.id "
	"WHERE m.tmdb_id IS NOT NULL AND m.provisional_by IS NULL "
	"AND (f.providers_at IS NULL OR f.release_dates_at IS NULL "
	"     OR least(f.providers_at, f.release_dates_at) < now() - $1::bigint * interval '1 ms') "
	"ORDER BY EXISTS (SELECT 1 FROM watchlist w WHERE w.movie_id = m.id) DESC, "
	"         m.popularity DESC, m.id LIMIT $2");

static struct mq_stmt prune = MQ_STMT(
	"DELETE FROM scrobble_events WHERE received_at < now() - interval '90 days'");

static int usage(void)
{
	fprintf(stderr, "usage: marquee watch refresh [--limit N] [--rate R]\n");
	return 2;
}

struct counts {
	unsigned refreshed, offers, missing, failed;
	uint64_t interval_ns, last_ns;	/* --rate */
};

/* Refreshes the movies of res; returns 0, or 1 when the run stopped
 * (TMDb unavailable, the database gone). */
static int refresh_all(struct mq_ctx *c, PGresult *res, struct counts *n)
{
	for (int i = 0; i < PQntuples(res); i++) {
		const char *movie = PQgetvalue(res, i, 0), *tmdb_id = PQgetvalue(res, i, 1);
		enum mq_status st;
		int offers;

		if (n->interval_ns)
			mq_cli_throttle(&n->last_ns, n->interval_ns);
		st = mq_watch_refresh_movie(c, movie, tmdb_id, &offers);
		mq_arena_reset(c->arena);
		if (st == MQ_OK) {
			n->refreshed++;
			n->offers += (unsigned)offers;
			continue;
		}
		if (st == MQ_NOT_FOUND) {
			n->missing++;
			continue;
		}
		n->failed++;
		mq_cli_fail(CMD, c, st);
		if (st == MQ_UNAVAILABLE || mq_db_state(c->db) == MQ_DB_DOWN)
			return 1;
	}
	return 0;
}

static int refresh(struct mq_ctx *c, int64_t limit, int64_t rate)
{
	const char *params[] = { mq_arena_printf(c->arena, "%lld", (long long)c->cfg->watch_refresh_after_ms),
				 mq_arena_printf(c->arena, "%lld", (long long)limit) };
	struct counts n = { .interval_ns = rate ? 1000000000u / (uint64_t)rate : 0 };
	enum mq_status st;
	PGresult *res;
	int rc;

	if ((st = mq_watch_provider_list(c)) != MQ_OK)
		return mq_cli_fail(CMD, c, st);
	/* not the arena's: each movie's work resets it */
	if ((res = mq_db_exec(c->db, &due, 2, params)) == NULL)
		return mq_cli_fail(CMD, c, mq_db_failure(c));
	rc = refresh_all(c, res, &n);
	PQclear(res);
	if ((res = mq_db_q(c, &prune, 0, NULL)) == NULL)
		return mq_cli_fail(CMD, c, mq_db_failure(c));
	printf("refreshed %u movies (%u offers), not on TMDb %u, failed %u; pruned %s media server "
	       "events\n", n.refreshed, n.offers, n.missing, n.failed, PQcmdTuples(res));
	return rc || n.failed ? 1 : 0;
}

int mq_cli_watch(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "limit", required_argument, NULL, 'l' },
					      { "rate", required_argument, NULL, 'r' }, { 0 } };
	int64_t limit = cfg->watch_refresh_batch, rate = 0;
	struct mq_ctx *c;
	int opt, rc;

	if (argc < 2 || strcmp(argv[1], "refresh") != 0)
		return usage();
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if ((opt != 'l' || mq_parse_int64(optarg, 1, 10000000, &limit) < 0) &&
		    (opt != 'r' || mq_parse_int64(optarg, 0, 1000, &rate) < 0))
			return usage();
	if (optind != argc)
		return usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = mq_cli_ctx_new(cfg, "marquee watch refresh", true);
	if (c->tmdb == NULL) {
		mq_cli_error(CMD, "libcurl failed to initialise");
		rc = 1;
	} else if (!mq_tmdb_configured(c->tmdb)) {
		mq_cli_error(CMD, "[tmdb] has no api_key_file or read_token_file");
		rc = 1;
	} else {
		rc = refresh(c, limit, rate);
	}
	mq_cli_ctx_free(c);
	curl_global_cleanup();
	return rc;
}

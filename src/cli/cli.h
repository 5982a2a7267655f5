/*
 * cli.h: the `marquee` admin tool's subcommands.
 *
 * Each takes the loaded configuration and its own arguments (argv[0] is
 * the subcommand's name) and returns the process exit status.
 */
#ifndef MQ_CLI_H
#define MQ_CLI_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/ctx.h"

struct mq_config;

int mq_cli_migrate(struct mq_config *cfg, int argc, char **argv);
int mq_cli_status(struct mq_config *cfg, int argc, char **argv);
int mq_cli_routes(struct mq_config *cfg, int argc, char **argv);
int mq_cli_user(struct mq_config *cfg, int argc, char **argv);
int mq_cli_outbox(struct mq_config *cfg, int argc, char **argv);
int mq_cli_notify(struct mq_config *cfg, int argc, char **argv);
int mq_cli_payments(struct mq_config *cfg, int argc, char **argv);
int mq_cli_analytics(struct mq_config *cfg, int argc, char **argv);
int mq_cli_demo_data(struct mq_config *cfg, int argc, char **argv);
int mq_cli_import(struct mq_config *cfg, int argc, char **argv);
int mq_cli_import_movielens(struct mq_config *cfg, int argc, char **argv);
int mq_cli_import_tmdb(struct mq_config *cfg, int argc, char **argv);
int mq_cli_recs(struct mq_config *cfg, int argc, char **argv);
int mq_cli_watch(struct mq_config *cfg, int argc, char **argv);
int mq_cli_ratings(struct mq_config *cfg, int argc, char **argv);
int mq_cli_portability(struct mq_config *cfg, int argc, char **argv);
int mq_cli_import_user(struct mq_config *cfg, int argc, char **argv);

/* Prints "marquee <cmd>: <message>" to stderr. */
void mq_cli_error(const char *cmd, const char *fmt, ...) MQ_PRINTF(2, 3) MQ_NONNULL(1, 2);

/* Runs constant SQL (no parameters); reports a failure as cmd's error. */
bool mq_cli_exec(const char *cmd, PGconn *c, const char *sql);

/* The services of a subcommand (named app in pg_stat_activity), with TMDb
 * when asked: the struct mq_ctx handlers get, so that jobs call the domain
 * (catalog/, accounts/, ...) rather than copies of its SQL.  Never NULL;
 * nothing connects until used. */
struct mq_ctx *mq_cli_ctx_new(const struct mq_config *cfg, const char *app, bool tmdb);
void mq_cli_ctx_free(struct mq_ctx *c);

/* For a long-running job: ignores SIGHUP (there is nothing to reload) and
 * turns SIGTERM and SIGINT into reads of the descriptor returned (poll
 * it beside the job's work), or -1 with errno. */
int mq_cli_signalfd(void);

/* Keeps a job to a rate: waits until *last_ns (a monotonic time, 0 at
 * first) is interval_ns old, then sets it to now. */
void mq_cli_throttle(uint64_t *last_ns, uint64_t interval_ns);
/* For a long-running job woken by NOTIFY: LISTEN channel (a constant)
 * on c's connection, again after each reconnect (*listening: the
 * connection's generation it was done on, 0 at first). */
void mq_cli_listen(struct mq_ctx *c, const char *channel, uint64_t *listening);

/* Sleeps until a NOTIFY on c's connection, a signal on sigfd (from
 * mq_cli_signalfd: sets *stop), or timeout_ms. */
void mq_cli_wait(struct mq_ctx *c, int sigfd, int timeout_ms, bool *stop);

/* Prints a domain failure (c->err) as cmd's error; returns 1. */
int mq_cli_fail(const char *cmd, const struct mq_ctx *c, enum mq_status st);

/* After a bulk load of the catalog: VACUUM ANALYZE its tables (so the
 * planner uses the fresh indexes) and make every cached list stale. */
void mq_cli_catalog_changed(struct mq_config *cfg, PGconn *c, const char *cmd);

#endif

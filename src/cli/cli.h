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

struct mq_config;

int mq_cli_migrate(struct mq_config *cfg, int argc, char **argv);
int mq_cli_status(struct mq_config *cfg, int argc, char **argv);
int mq_cli_routes(struct mq_config *cfg, int argc, char **argv);
int mq_cli_user(struct mq_config *cfg, int argc, char **argv);
int mq_cli_outbox(struct mq_config *cfg, int argc, char **argv);
int mq_cli_demo_data(struct mq_config *cfg, int argc, char **argv);
int mq_cli_import(struct mq_config *cfg, int argc, char **argv);
int mq_cli_import_movielens(struct mq_config *cfg, int argc, char **argv);
int mq_cli_import_tmdb(struct mq_config *cfg, int argc, char **argv);

/* Prints "marquee <cmd>: <message>" to stderr. */
void mq_cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs constant SQL (no parameters); reports a failure as cmd's error. */
bool mq_cli_exec(const char *cmd, PGconn *c, const char *sql);

/* After a bulk load of the catalog: VACUUM ANALYZE its tables (so the
 * planner uses the fresh indexes) and orphan every cached movie response. */
void mq_cli_catalog_changed(struct mq_config *cfg, PGconn *c, const char *cmd);

#endif

/*
 * cli.h: the `marquee` admin tool's subcommands.
 *
 * Each takes the loaded configuration and its own arguments (argv[0] is
 * the subcommand's name) and returns the process exit status.
 */
#ifndef MQ_CLI_H
#define MQ_CLI_H

struct mq_config;

int mq_cli_migrate(struct mq_config *cfg, int argc, char **argv);
int mq_cli_status(struct mq_config *cfg, int argc, char **argv);
int mq_cli_routes(struct mq_config *cfg, int argc, char **argv);
int mq_cli_user(struct mq_config *cfg, int argc, char **argv);
int mq_cli_outbox(struct mq_config *cfg, int argc, char **argv);

/* Prints "marquee <cmd>: <message>" to stderr. */
void mq_cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

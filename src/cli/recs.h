/*
 * recs.h: the parts of `marquee recs` (recs.c, recs_train.c).
 */
#ifndef MQ_CLI_RECS_H
#define MQ_CLI_RECS_H

struct mq_config;

/* Prints the usage of `marquee recs` to stderr; returns 2. */
int mq_cli_recs_usage(void);

/* `marquee recs train [--threads N] [--quiet]`: argv[0] is "train". */
int mq_cli_recs_train(struct mq_config *cfg, int argc, char **argv);

#endif

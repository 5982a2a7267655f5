/*
 * log.h: logfmt lines on stderr, which journald (or the dev stack) keeps.
 *
 * Every line is written with a single write(2) so that lines from several
 * workers sharing stderr never interleave.
 */
#ifndef MQ_LOG_H
#define MQ_LOG_H

#include "core/common.h"

#include <stdarg.h>

enum mq_log_level { MQ_LOG_DEBUG, MQ_LOG_INFO, MQ_LOG_WARN, MQ_LOG_ERROR };

#define MQ_LOGLINE_MAX 2048

/* A line under construction: ts and level first, then key=value pairs. */
struct mq_logline {
	size_t len;
	bool truncated;
	char buf[MQ_LOGLINE_MAX];
};

/* Sets the minimum level written and who is speaking (e.g. "worker", 3;
 * slot -1 for none). */
void mq_log_setup(enum mq_log_level level, const char *role, int slot);
enum mq_log_level mq_log_level(void);

/* Parses "debug", "info", "warn" or "error"; returns -1 otherwise. */
int mq_log_level_parse(const char *name);

/* Starts a line with ts, level, role and pid.  Returns false when the level
 * is filtered out (the line must then not be emitted). */
bool mq_logline_start(struct mq_logline *l, enum mq_log_level level);
void mq_logline_str(struct mq_logline *l, const char *key, const char *val);
void mq_logline_strn(struct mq_logline *l, const char *key, const char *val, size_t n);
void mq_logline_int(struct mq_logline *l, const char *key, long long val);
void mq_logline_fmt(struct mq_logline *l, const char *key, const char *fmt, ...) MQ_PRINTF(3, 4)
	MQ_NONNULL(1, 2, 3);
void mq_logline_emit(struct mq_logline *l);

/* One-shot: level, msg and nothing else. */
void mq_log(enum mq_log_level level, const char *fmt, ...) MQ_PRINTF(2, 3) MQ_NONNULL(2);

#define mq_log_debug(...) mq_log(MQ_LOG_DEBUG, __VA_ARGS__)
#define mq_log_info(...) mq_log(MQ_LOG_INFO, __VA_ARGS__)
#define mq_log_warn(...) mq_log(MQ_LOG_WARN, __VA_ARGS__)
#define mq_log_error(...) mq_log(MQ_LOG_ERROR, __VA_ARGS__)

#endif

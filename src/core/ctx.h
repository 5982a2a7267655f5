/*
 * ctx.h: what domain code works with: the process's connections, the
 * memory of the unit of work (a request, a step of a job), and the
 * details of its last failure.
 *
 * A worker fills one per request (http/http.h: r->ctx), the admin tool one
 * per run.  Domain functions take a struct mq_ctx and return an enum
 * mq_status (core/status.h); none of them sees a request.
 */
#ifndef MQ_CTX_H
#define MQ_CTX_H

#include "core/common.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/status.h"

struct mq_arena;
struct mq_cache;
struct mq_config;
struct mq_db;
struct mq_tmdb;

struct mq_ctx {
	const struct mq_config *cfg;
	struct mq_db *db;
	struct mq_cache *cache;		/* every call may miss; never an error */
	struct mq_tmdb *tmdb;		/* NULL where TMDb is not used */
	struct mq_arena *arena;
	const char *origin;		/* "https://host" of absolute links */
	const char *request_id;		/* for logs: the request's id, or "-" */
	const char *client;		/* for logs: the client's address, or "-" */
	enum mq_ui lang;		/* the language of err's texts (MQ_UI_EN: 0) */
	struct mq_error err;
};

/* Records a failure in c->err and returns status.  field may be NULL;
 * detail is printf-style, translated into c->lang (core/i18n.h) and
 * formatted into the arena. */
enum mq_status mq_fail_with(struct mq_ctx *c, enum mq_status status, const char *field,
			    const char *fmt, ...) MQ_PRINTF(4, 5) MQ_NONNULL(1, 4);

/* The same with a message for the field apart from the detail (both
 * translated: mark literals N_()). */
enum mq_status mq_fail_field(struct mq_ctx *c, enum mq_status status, const char *field,
			     const char *field_msg, const char *detail);

/* MQ_UNAVAILABLE with a Retry-After of seconds. */
enum mq_status mq_fail_retry(struct mq_ctx *c, int seconds, const char *detail) MQ_NONNULL(1, 3);

/* Logs a security event (ASVS 7.2.1): one logfmt line "msg=security
 * event=EVENT id=<request id> addr=<client> user=<user_id, or - for 0>"
 * followed by the key/value string pairs given, ending with NULL (a NULL
 * value is written as -).  Never pass a password, a token or a mail's
 * text. */
void mq_event(const struct mq_ctx *c, enum mq_log_level level, const char *event,
	      int64_t user_id, ...) __attribute__((sentinel)) MQ_NONNULL(1, 3);

#endif

/*
 * ctx.c: recording a failure's details.
 */
#include "core/ctx.h"

#include "core/arena.h"
#include "core/log.h"

enum mq_status mq_fail_with(struct mq_ctx *c, enum mq_status status, const char *field,
			    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c->err = (struct mq_error){
		.status = status,
		.detail = mq_arena_vprintf(c->arena, mq_tr(c->lang, fmt), ap),
		.field = field,
	};
	va_end(ap);
	return status;
}

enum mq_status mq_fail_field(struct mq_ctx *c, enum mq_status status, const char *field,
			     const char *field_msg, const char *detail)
{
	c->err = (struct mq_error){
		.status = status, .detail = mq_tr(c->lang, detail), .field = field,
		.field_msg = mq_tr(c->lang, field_msg),
	};
	return status;
}

enum mq_status mq_fail_retry(struct mq_ctx *c, int seconds, const char *detail)
{
	c->err = (struct mq_error){
		.status = MQ_UNAVAILABLE, .detail = mq_tr(c->lang, detail), .retry_after = seconds,
	};
	return MQ_UNAVAILABLE;
}

void mq_event(const struct mq_ctx *c, enum mq_log_level level, const char *event,
	      int64_t user_id, ...)
{
	struct mq_logline l;
	const char *key;
	va_list ap;

	if (!mq_logline_start(&l, level))
		return;
	mq_logline_str(&l, "msg", "security");
	mq_logline_str(&l, "event", event);
	mq_logline_str(&l, "id", c->request_id ? c->request_id : "-");
	mq_logline_str(&l, "addr", c->client ? c->client : "-");
	if (user_id)
		mq_logline_int(&l, "user", (long long)user_id);
	else
		mq_logline_str(&l, "user", "-");
	va_start(ap, user_id);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *val = va_arg(ap, const char *);

		mq_logline_str(&l, key, val ? val : "-");
	}
	va_end(ap);
	mq_logline_emit(&l);
}

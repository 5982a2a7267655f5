/*
 * status.h: what a function of the domain and data layers says happened.
 *
 * Those layers never answer HTTP: they return one of these, with the
 * details for people in ctx->err (core/ctx.h), and the HTTP layer maps
 * them to responses in one place (http/fail.c); the admin tool maps them
 * to a message and an exit code.  A function that fails inside its
 * caller's transaction has rolled it back, as db/db.h's mq_db_failure
 * does.  The model is nginx's NGX_OK, NGX_ERROR,
 * NGX_DECLINED: a small set, one meaning each.
 */
#ifndef MQ_STATUS_H
#define MQ_STATUS_H

enum mq_status {
	MQ_OK = 0,
	MQ_NOT_FOUND,		/* what was named is not there */
	MQ_INVALID,		/* a value is unacceptable (err.field names it) */
	MQ_CONFLICT,		/* it collides with what exists */
	MQ_FORBIDDEN,		/* the caller may not do this */
	MQ_TOO_LARGE,		/* more than a limit allows */
	MQ_UNSUPPORTED,		/* a kind of content that is not taken */
	MQ_UNAVAILABLE,		/* a passing failure: try again (err.retry_after) */
	MQ_TIMEOUT,		/* an outside service did not answer in time */
	MQ_BAD_GATEWAY,		/* an outside service answered unusably */
	MQ_INTERNAL,		/* a bug or an unexpected failure, logged where it happened */
};

/* The details of the last failure, for people.  Strings live in the
 * arena of the unit of work. */
struct mq_error {
	enum mq_status status;
	const char *detail;	/* the primary message; NULL: the status's own */
	const char *field;	/* the field at fault, or NULL */
	const char *field_msg;	/* its message; NULL: detail */
	int retry_after;	/* MQ_UNAVAILABLE: seconds to wait, 0 for none */
};

#endif

/*
 * events.c: the gateway's webhooks, recorded and processed (see events.h).
 */
#include "payments/events.h"

#include <time.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/pay_signature.h"
#include "integrations/payments.h"
#include "payments/refunds.h"
#include "payments/sync.h"

#define MAX_DEPTH 32
#define BATCH_MAX 100

/* One row per event id; a replay counts a delivery and notifies nobody
 * (there is nothing new to process). */
static struct mq_stmt record = MQ_STMT(
	"WITH e AS (INSERT INTO payment_events AS e (id, type, object_type, object_id, subscription, "
	"             created) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::bigint)) "
	"           ON CONFLICT (id) DO UPDATE SET deliveries = e.deliveries + 1 "
	"           RETURNING e.deliveries > 1 AS duplicate) "
	"SELECT duplicate, CASE WHEN NOT duplicate THEN pg_notify('marquee_payments', $1) END "
	"FROM e");

static struct mq_stmt claim = MQ_STMT(
	"SELECT id, object_type, object_id, subscription FROM payment_events "
	"WHERE processed_at IS NULL AND next_attempt_at <= now() "
	"ORDER BY next_attempt_at, received_at LIMIT $1 FOR UPDATE SKIP LOCKED");

static struct mq_stmt mark_done = MQ_STMT(
	"UPDATE payment_events SET processed_at = now(), attempts = attempts + 1, last_error = $2 "
	"WHERE id = $1");

/* Back-off: 2^attempts seconds, at most an hour. */
static struct mq_stmt mark_retry = MQ_STMT(
	"UPDATE payment_events SET attempts = attempts + 1, last_error = $2, "
	"  next_attempt_at = now() + least(3600, 2 ^ least(attempts, 12)) * interval '1 second' "
	"WHERE id = $1");

static struct mq_stmt next_due = MQ_STMT_READ(
	"SELECT greatest(0, extract(epoch FROM min(next_attempt_at) - now()) * 1000)::bigint "
	"FROM payment_events WHERE processed_at IS NULL");

static enum mq_status not_an_event(struct mq_ctx *c, const char *why)
{
	mq_event(c, MQ_LOG_WARN, "payment_webhook_refused", 0, "why", why, NULL);
	return mq_fail_with(c, MQ_INVALID, NULL, "The body is not an event of the payment gateway.");
}

enum mq_status mq_events_receive(struct mq_ctx *c, const char *header, const char *body,
				 size_t len, bool *duplicate)
{
	const struct mq_config *cfg = c->cfg;
	struct json_object *ev, *data, *obj;
	enum mq_pay_sig_result v;
	const char *err, *id, *type, *otype, *sub;
	int64_t created;
	PGresult *res;

	if (cfg->pay_webhook_secret.len == 0)
		return mq_fail_retry(c, 3600, "Payment webhooks are not configured on this server.");
	v = mq_pay_sig_verify(header, body, len, cfg->pay_webhook_secret.value,
			      cfg->pay_webhook_secret.len, (int64_t)time(NULL),
			      cfg->pay_webhook_tolerance_ms / 1000);
	if (v != MQ_PAY_SIG_OK) {
		mq_event(c, MQ_LOG_WARN, "payment_webhook_refused", 0, "why", mq_pay_sig_why(v), NULL);
		return mq_fail_with(c, MQ_INVALID, NULL, "The webhook is not genuine: %s.",
				    mq_pay_sig_why(v));
	}
	if (mq_json_parse(c->arena, body, len, MAX_DEPTH, &ev, &err) < 0 || ev == NULL ||
	    !json_object_is_type(ev, json_type_object))
		return not_an_event(c, "the body is not a JSON object");
	id = mq_pay_str(ev, "id");
	type = mq_pay_str(ev, "type");
	if (!mq_pay_id_ok(id) || type == NULL || strlen(type) > 255 ||
	    !mq_pay_int(ev, "created", &created) ||
	    !json_object_object_get_ex(ev, "data", &data) ||
	    !json_object_object_get_ex(data, "object", &obj) ||
	    !json_object_is_type(obj, json_type_object))
		return not_an_event(c, "no id, type, created or data.object");
	otype = mq_pay_str(obj, "object");
	sub = otype && strcmp(otype, "subscription") == 0 ? mq_pay_str(obj, "id")
							 : mq_pay_str(obj, "subscription");
	const char *oid = mq_pay_str(obj, "id");
	const char *p[] = { id, type, otype, mq_pay_id_ok(oid) ? oid : NULL,
			    mq_pay_id_ok(sub) ? sub : NULL, mq_arena_int(c->arena, created) };
	if ((res = mq_db_q(c, &record, 6, p)) == NULL)
		return mq_db_failure(c);
	*duplicate = PQgetvalue(res, 0, 0)[0] == 't';
	return MQ_OK;
}

/* Processes one claimed event (row i of res); subscriptions already
 * synced in this batch (done, *ndone) are not read again. */
static enum mq_status process_one(struct mq_ctx *c, struct mq_pay *g, PGresult *res, int i,
				  const char **done, int *ndone)
{
	const char *otype = PQgetisnull(res, i, 1) ? "" : PQgetvalue(res, i, 1);
	const char *oid = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
	const char *sub = PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3);
	enum mq_status st;

	if (strcmp(otype, "checkout.session") == 0 && oid)
		return mq_sync_checkout(c, g, oid);
	if (strcmp(otype, "charge") == 0 && oid)	/* charge.refunded, among others */
		return mq_sync_charge(c, g, oid);
	if (sub == NULL)
		return MQ_OK;	/* about nothing we keep */
	for (int k = 0; k < *ndone; k++)
		if (strcmp(done[k], sub) == 0)
			return MQ_OK;
	if ((st = mq_sync_subscription(c, g, sub)) == MQ_OK)
		done[(*ndone)++] = sub;
	return st;
}

enum mq_status mq_events_process(struct mq_ctx *c, struct mq_pay *g, int limit, int64_t *n)
{
	const char *done[BATCH_MAX];
	int ndone = 0;
	PGresult *res;

	*n = 0;
	if (limit > BATCH_MAX)
		limit = BATCH_MAX;
	if (mq_db_begin(c->db) < 0)
		return mq_db_failure(c);
	const char *p[] = { mq_arena_int(c->arena, limit) };
	if ((res = mq_db_q(c, &claim, 1, p)) == NULL)
		return mq_db_failure(c);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *id = PQgetvalue(res, i, 0);
		enum mq_status st = process_one(c, g, res, i, done, &ndone);
		bool retry = st != MQ_OK && st != MQ_NOT_FOUND && st != MQ_INVALID;

		if (!mq_db_in_transaction(c->db))
			return st;	/* the database failed, and rolled back */
		const char *q[] = { id, st == MQ_OK ? NULL : c->err.detail ? c->err.detail : "failed" };
		if (mq_db_q(c, retry ? &mark_retry : &mark_done, 2, q) == NULL)
			return mq_db_failure(c);
		if (st != MQ_OK)
			mq_log_warn("payments: event %s: %s%s", id, q[1], retry ? " (will retry)" : "");
		c->err = (struct mq_error){ 0 };
	}
	*n = PQntuples(res);
	if (mq_db_commit(c->db) < 0)
		return mq_db_failure(c);
	return MQ_OK;
}

int64_t mq_events_next_ms(struct mq_ctx *c)
{
	PGresult *res = mq_db_q(c, &next_due, 0, NULL);

	if (res == NULL)
		return -2;
	return PQgetisnull(res, 0, 0) ? -1 : mq_row_int(res, 0, 0);
}

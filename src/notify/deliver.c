/*
 * deliver.c: sending deliveries (see deliver.h).
 */
#include "notify/deliver.h"

#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "db/db.h"
#include "db/rows.h"
#include "integrations/smtp.h"
#include "integrations/webpush.h"
#include "notify/notifications.h"
#include "notify/outbox.h"
#include "notify/settings.h"
#include "notify/unsubscribe.h"

/* $1 the lease in ms, $2 how many. */
static struct mq_stmt claim = MQ_STMT(
	"WITH lease AS MATERIALIZED (SELECT nextval('delivery_leases') AS id) "
	"UPDATE deliveries d SET lease = (SELECT id FROM lease), attempts = d.attempts + 1, "
	"  next_attempt_at = now() + $1::float8 * interval '1 millisecond' "
	"FROM (SELECT id FROM deliveries WHERE finished_at IS NULL AND next_attempt_at <= now() "
	"      ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) due "
	"WHERE d.id = due.id RETURNING d.id, d.lease");

/* $1 delivery, $2 our lease, $3 the lease in ms: no row when the
 * delivery is no longer ours to send. */
static struct mq_stmt renew = MQ_STMT(
	"UPDATE deliveries SET next_attempt_at = now() + $3::float8 * interval '1 millisecond' "
	"WHERE id = $1 AND lease = $2 AND finished_at IS NULL RETURNING 1");

enum {
	D_CHANNEL, D_EMAIL, D_LOCALE, D_VERIFIED, D_LIVE, D_EMAIL_ON, D_PUSH_ON, D_ENDPOINT,
	D_P256DH, D_AUTH, D_USER, D_SUBSCRIPTION, D_NOTICE
};

/* What sending delivery $1 takes: the channel, the recipient and their
 * settings now, the subscription, and the notification (MQ_NOTICE_COLUMNS). */
static struct mq_stmt details = MQ_STMT_READ(
	"SELECT d.channel, u.email, u.locale, u.email_verified_at IS NOT NULL, "
	"  u.is_active AND u.deleted_at IS NULL, p.email, p.push, s.endpoint, s.p256dh, s.auth, "
	"  n.user_id, d.subscription_id, " MQ_NOTICE_COLUMNS " "
	"FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
	"JOIN users u ON u.id = n.user_id "
	"JOIN LATERAL notification_prefs(n.user_id) p ON p.kind = notification_setting(n.kind) "
	"LEFT JOIN push_subscriptions s ON s.id = d.subscription_id " MQ_NOTICE_JOINS
	"WHERE d.id = $1");

static struct mq_stmt mark_sent = MQ_STMT(
	"WITH d AS (UPDATE deliveries SET sent_at = now(), finished_at = now(), outcome = 'sent', "
	"             last_error = NULL WHERE id = $1 AND lease = $2 RETURNING subscription_id) "
	"UPDATE push_subscriptions SET last_success_at = now() "
	"WHERE id = (SELECT subscription_id FROM d)");

/* $3 outcome (skipped, refused), $4 why. */
static struct mq_stmt mark_finished = MQ_STMT(
	"UPDATE deliveries SET finished_at = now(), outcome = $3, last_error = $4 "
	"WHERE id = $1 AND lease = $2");

/* $3 why, $4 Retry-After (s), $5 retry_base (ms), $6 max attempts: the
 * next attempt backs off from retry_base, doubling, up to an hour (or
 * after Retry-After, when later); past max attempts, given up. */
static struct mq_stmt mark_retry = MQ_STMT(
	"UPDATE deliveries SET last_error = $3, "
	"  next_attempt_at = now() + greatest($4::bigint * 1000, "
	"    least(3600000, $5::bigint * 2 ^ least(attempts - 1, 20))) * interval '1 millisecond', "
	"  finished_at = CASE WHEN attempts >= $6 THEN now() END, "
	"  outcome = CASE WHEN attempts >= $6 THEN 'gave up' END "
	"WHERE id = $1 AND lease = $2 RETURNING finished_at IS NOT NULL");

/* A push service said the subscription is gone: it goes, and its
 * deliveries waiting with it. */
static struct mq_stmt subscription_gone = MQ_STMT(
	"DELETE FROM push_subscriptions WHERE id = $1");

static struct mq_stmt next_due = MQ_STMT_READ(
	"SELECT greatest(0, extract(epoch FROM min(next_attempt_at) - now()) * 1000)::bigint "
	"FROM deliveries WHERE finished_at IS NULL");

static struct mq_stmt prune_deliveries = MQ_STMT(
	"WITH d AS (DELETE FROM deliveries WHERE finished_at < now() - interval '7 days' RETURNING 1), "
	"n AS (DELETE FROM notifications WHERE read_at < now() - interval '90 days' RETURNING 1) "
	"SELECT (SELECT count(*) FROM d) + (SELECT count(*) FROM n)");

enum result { SENT, SKIPPED, RETRY, REFUSED, GONE };

struct job {
	struct mq_deliverer *d;
	const char *id, *lease;
	PGresult *row;		/* details */
	char err[512];
	int retry_after;	/* s */
};

static const char *col(const struct job *j, int c)
{
	return PQgetisnull(j->row, 0, c) ? NULL : PQgetvalue(j->row, 0, c);
}

static bool yes(const struct job *j, int c)
{
	return !PQgetisnull(j->row, 0, c) && PQgetvalue(j->row, 0, c)[0] == 't';
}

static enum result skip(struct job *j, const char *why)
{
	snprintf(j->err, sizeof(j->err), "%s", why);
	return SKIPPED;
}

/* The mail of notice n. */
static enum result send_mail(struct job *j, const struct mq_notice *n)
{
	struct mq_ctx *c = j->d->c;
	const char *kind = n->kind, *to = col(j, D_EMAIL), *token = NULL;
	const char *headers[3] = { NULL };
	struct mq_message m;
	bool permanent;

	if (strcmp(kind, "email_changed") == 0) {
		/* told to the address it was changed from */
		struct json_object *old = NULL;

		if (n->data && json_object_object_get_ex(n->data, "old_email", &old) && old)
			to = mq_arena_strdup(c->arena, json_object_get_string(old));
	} else if (!yes(j, D_VERIFIED)) {
		return skip(j, "the address is not confirmed");
	}
	const char *setting = mq_notify_kind_switchable(kind) ? kind : NULL;
	if (setting) {
		if ((token = mq_unsubscribe_token(c, mq_row_int(j->row, 0, D_USER), setting)) == NULL)
			return skip(j, "no key to sign unsubscribe links with ([auth] jwt_key_file)");
		/* the API's own origin, which takes the one-click POST */
		const char *api = *c->cfg->public_url ? c->cfg->public_url : mq_outbox_base(c);
		size_t len = strlen(api);

		while (len > 0 && api[len - 1] == '/')
			len--;
		headers[0] = mq_arena_printf(c->arena, "List-Unsubscribe: <%.*s/api/notifications/"
					     "unsubscribe/?token=%s>", (int)len, api, token);
		headers[1] = "List-Unsubscribe-Post: List-Unsubscribe=One-Click";
	}
	mq_notice_render(c, n, col(j, D_LOCALE),
			 token ? mq_arena_printf(c->arena, "%s/unsubscribe?token=%s",
						 mq_outbox_base(c), token) : NULL, &m);
	const char *message_id = mq_arena_printf(c->arena, "<delivery-%s@%s>", j->id, j->d->domain);
	if (mq_smtp_send_headers(j->d->smtp, to, m.subject, m.body, message_id, headers, j->err,
				 sizeof(j->err), &permanent) == 0)
		return SENT;
	return permanent ? REFUSED : RETRY;
}

/* The push of notice n: what the service worker shows. */
static enum result send_push(struct job *j, const struct mq_notice *n)
{
	struct mq_ctx *c = j->d->c;
	struct json_object *payload = mq_json_object(c->arena);
	struct mq_push_message pm = { 0 };
	struct mq_message m;
	size_t len;

	if (j->d->push == NULL)
		return skip(j, "push is off ([push] vapid_key_file)");
	mq_notice_render(c, n, col(j, D_LOCALE), NULL, &m);
	mq_json_add_int(payload, "id", n->id);
	mq_json_add_str(payload, "kind", n->kind);
	mq_json_add_str(payload, "title", "Marquee");
	mq_json_add_str(payload, "body", m.text);
	mq_json_add_str(payload, "url", mq_notice_link(c, m.path));
	mq_json_add_str(payload, "tag", mq_arena_printf(c->arena, "notification-%lld",
							(long long)n->id));
	pm.endpoint = col(j, D_ENDPOINT);
	pm.p256dh = col(j, D_P256DH);
	pm.auth = col(j, D_AUTH);
	pm.payload = mq_json_render(payload, &len);
	pm.len = len;
	pm.urgency = mq_notify_kind_switchable(n->kind) ? "normal" : "high";
	switch (mq_webpush_send(j->d->push, &pm, j->err, sizeof(j->err), &j->retry_after)) {
	case MQ_PUSH_SENT: return SENT;
	case MQ_PUSH_GONE: return GONE;
	case MQ_PUSH_RETRY: return RETRY;
	default: return REFUSED;
	}
}

/* Sends the delivery j names, if it is still to be sent as it is. */
static enum result send(struct job *j)
{
	struct mq_notice n;

	if (!yes(j, D_LIVE))
		return skip(j, "the user is gone");
	mq_notice_read(j->d->c, j->row, 0, D_NOTICE, &n);
	if (strcmp(col(j, D_CHANNEL), "email") == 0)
		return yes(j, D_EMAIL_ON) ? send_mail(j, &n) : skip(j, "mail is switched off");
	return yes(j, D_PUSH_ON) ? send_push(j, &n) : skip(j, "push is switched off");
}

static void log_result(const struct job *j, const char *what, bool warn)
{
	struct mq_logline l;

	if (!mq_logline_start(&l, warn ? MQ_LOG_WARN : MQ_LOG_INFO))
		return;
	mq_logline_str(&l, "msg", what);
	mq_logline_str(&l, "delivery_id", j->id);
	if (j->row) {
		mq_logline_str(&l, "channel", col(j, D_CHANNEL));
		mq_logline_str(&l, "notification_id", PQgetvalue(j->row, 0, D_NOTICE));
	}
	if (*j->err)
		mq_logline_str(&l, "error", j->err);
	mq_logline_emit(&l);
}

/* Records what came of j.  false when the database failed. */
static bool mark(struct job *j, enum result r)
{
	struct mq_ctx *c = j->d->c;
	const struct mq_config *cfg = c->cfg;
	PGresult *res;

	switch (r) {
	case SENT: {
		const char *p[] = { j->id, j->lease };

		log_result(j, "delivered", false);
		return mq_db_q(c, &mark_sent, 2, p) != NULL;
	}
	case GONE: {
		const char *sub = col(j, D_SUBSCRIPTION);

		log_result(j, "push subscription gone", false);
		return sub == NULL || mq_db_q(c, &subscription_gone, 1, &sub) != NULL;
	}
	case RETRY: {
		const char *p[] = { j->id, j->lease, j->err, mq_arena_int(c->arena, j->retry_after),
				    mq_arena_int(c->arena, cfg->mail_retry_base_ms),
				    mq_arena_int(c->arena, cfg->mail_max_attempts) };

		if ((res = mq_db_q(c, &mark_retry, 6, p)) == NULL)
			return false;
		log_result(j, PQntuples(res) && PQgetvalue(res, 0, 0)[0] == 't' ? "gave up" : "will retry",
			   true);
		return true;
	}
	default: {
		const char *p[] = { j->id, j->lease, r == SKIPPED ? "skipped" : "refused", j->err };

		log_result(j, r == SKIPPED ? "skipped" : "refused", r == REFUSED);
		return mq_db_q(c, &mark_finished, 4, p) != NULL;
	}
	}
}

/* Renews, sends and marks the claimed delivery id.  false when the
 * database failed. */
static bool deliver_one(struct mq_deliverer *d, const char *id, const char *lease)
{
	struct mq_ctx *c = d->c;
	struct job j = { .d = d, .id = id, .lease = lease };
	const char *ms = mq_arena_int(c->arena, c->cfg->notify_lease_ms);
	const char *p[] = { id, lease, ms };
	PGresult *res;

	if ((res = mq_db_q(c, &renew, 3, p)) == NULL)
		return false;
	if (PQntuples(res) == 0)	/* another sender's now, or finished */
		return true;
	if ((j.row = mq_db_q(c, &details, 1, &id)) == NULL)
		return false;
	if (PQntuples(j.row) == 0) {	/* its notification went meanwhile */
		j.row = NULL;
		return true;
	}
	return mark(&j, send(&j));
}

enum mq_deliver_outcome mq_deliver_batch(struct mq_deliverer *d)
{
	struct mq_ctx *c = d->c;
	const char *p[] = { mq_arena_int(c->arena, c->cfg->notify_lease_ms),
			    mq_arena_int(c->arena, c->cfg->notify_batch) };
	enum mq_deliver_outcome out = MQ_DELIVER_DONE;
	PGresult *res = mq_db_q(c, &claim, 2, p);

	if (res == NULL) {
		mq_arena_reset(c->arena);
		return MQ_DELIVER_DOWN;
	}
	if (PQntuples(res) == 0)
		out = MQ_DELIVER_IDLE;
	for (int i = 0; i < PQntuples(res); i++) {
		if (!deliver_one(d, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1))) {
			out = MQ_DELIVER_DOWN;
			break;
		}
	}
	mq_arena_reset(c->arena);
	return out;
}

int64_t mq_deliver_next_ms(struct mq_ctx *c)
{
	PGresult *res = mq_db_q(c, &next_due, 0, NULL);
	int64_t ms;

	if (res == NULL)
		return -2;
	ms = PQgetisnull(res, 0, 0) ? -1 : mq_row_int(res, 0, 0);
	mq_arena_reset(c->arena);
	return ms;
}

int64_t mq_deliver_prune(struct mq_ctx *c)
{
	PGresult *res = mq_db_q(c, &prune_deliveries, 0, NULL);
	int64_t n;

	if (res == NULL)
		return -1;
	n = mq_row_int(res, 0, 0);
	mq_arena_reset(c->arena);
	return n;
}

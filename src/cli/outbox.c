/*
 * outbox.c: `marquee outbox`: sends the email requests queued, and keeps
 * sending (a long-running job under systemd; --once sends what is due and
 * exits).
 *
 * Each message is sent inside a transaction that holds its row lock
 * (FOR UPDATE SKIP LOCKED, so several senders can run) and marks it sent
 * before committing.  If the job dies before the commit the row stays
 * due and is sent again; the only window for a duplicate is between the
 * server's "250 OK" and the commit (RFC 1047's), and the stable Message-ID
 * lets a receiving system drop it.  Nothing is lost: a row leaves the
 * queue only once the server accepted it, or refused it for good, or after
 * [mail] max_attempts.  A finished message keeps no body (it may carry a
 * one-time link), and is deleted after a week.
 *
 * Password-reset requests are queued apart, whatever their address, and
 * turned into mail here (see resolve_resets), so that the API does the
 * same work for an address with an account as for one without.
 *
 * Notifications' deliveries, email and Web Push, are sent here too
 * (notify/deliver.h: claimed in batches with a lease, marked by the claim
 * that sent them), after the mail of each turn.
 *
 * The job sleeps until the next message is due or a request commits one
 * (LISTEN marquee_outbox; the INSERT sends NOTIFY).
 */
#include "core/common.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/coverage.h"
#include "core/log.h"
#include "db/db.h"
#include "integrations/smtp.h"
#include "integrations/webpush.h"
#include "notify/deliver.h"

#define IDLE_WAIT_MS 30000
#define DOWN_WAIT_MS 1000

static struct mq_stmt next_due = MQ_STMT(
	"SELECT id, recipient, subject, body, attempts FROM outbox "
	"WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now() "
	"ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED");

/* A message that has left keeps its recipient and subject as a record,
 * never its body: that carried a one-time link. */
static struct mq_stmt mark_sent = MQ_STMT(
	"UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL, body = '' "
	"WHERE id = $1");

/* $3: give up now (a permanent refusal); $4: retry_base in ms; $5: max
 * attempts.  Given up, the body goes as in mark_sent. */
static struct mq_stmt mark_failed = MQ_STMT(
	"UPDATE outbox SET attempts = attempts + 1, last_error = $2, "
	"  next_attempt_at = now() + least(3600000, $4::bigint * 2 ^ least(attempts, 20)) "
	"                            * interval '1 millisecond', "
	"  failed_at = CASE WHEN $3::bool OR attempts + 1 >= $5 THEN now() END, "
	"  body = CASE WHEN $3::bool OR attempts + 1 >= $5 THEN '' ELSE body END "
	"WHERE id = $1 RETURNING failed_at IS NOT NULL");

/* Finished messages are kept as a record for a week. */
#define KEEP_DAYS "7"
#define PRUNE_EVERY_NS (3600ULL * 1000000000)

static struct mq_stmt prune_outbox = MQ_STMT(
	"DELETE FROM outbox "
	"WHERE coalesce(sent_at, failed_at) < now() - interval '" KEEP_DAYS " days'");

/* Refresh tokens and mailed links past their expiry, kept KEEP_DAYS more
 * (a spent refresh token replayed in that time still revokes its family,
 * and an expired link still answers "expired").  Without this every
 * rotation adds a row for ever, and a refresh's family check reads them.
 * Social logins' states and one-time codes go as soon as they expire
 * (sign-ins abandoned at the provider leave them; each new one deletes
 * the expired ones too). */
static struct mq_stmt prune_tokens = MQ_STMT(
	"WITH refresh AS (DELETE FROM refresh_tokens "
	"                 WHERE expires_at < now() - interval '" KEEP_DAYS " days' RETURNING 1), "
	"links AS (DELETE FROM user_tokens "
	"          WHERE expires_at < now() - interval '" KEEP_DAYS " days' RETURNING 1), "
	"states AS (DELETE FROM oauth_states WHERE expires_at < now() RETURNING 1), "
	"codes AS (DELETE FROM oauth_codes WHERE expires_at < now() RETURNING 1) "
	"SELECT (SELECT count(*) FROM refresh) + (SELECT count(*) FROM links) "
	"     + (SELECT count(*) FROM states) + (SELECT count(*) FROM codes)");

/* The password-reset requests the API queued (passwords.c), every one
 * deleted.  For an active account with the address, when the mail may
 * go and the link has not expired meanwhile, the account's unused reset
 * links are voided (a link mailed before must not stay usable), the new
 * one recorded and its mail queued; of several requests for one account,
 * the newest wins.  A row per mail queued. */
static struct mq_stmt resolve_resets = MQ_STMT(
	"WITH req AS (DELETE FROM password_reset_requests RETURNING *), "
	"target AS (SELECT DISTINCT ON (u.id) u.id, u.email, req.token_hash, req.subject, "
	"                  req.body, req.expires_at "
	"           FROM req JOIN users u ON lower(u.email) = lower(req.email) "
	"           WHERE req.may_mail AND req.expires_at > now() "
	"           AND u.is_active AND u.deleted_at IS NULL "
	"           ORDER BY u.id, req.requested_at DESC, req.id DESC), "
	"voided AS (UPDATE user_tokens t SET used_at = now() FROM target "
	"           WHERE t.user_id = target.id AND t.purpose = 'reset_password' "
	"           AND t.used_at IS NULL), "
	"token AS (INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) "
	"          SELECT id, 'reset_password', token_hash, expires_at FROM target), "
	"mail AS (INSERT INTO outbox (recipient, subject, body) "
	"         SELECT email, subject, body FROM target) "
	"SELECT id FROM target");

static struct mq_stmt wait_ms = MQ_STMT_READ(
	"SELECT greatest(0, extract(epoch FROM min(next_attempt_at) - now()) * 1000)::bigint "
	"FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL");

enum outcome { NOTHING, DONE, DB_DOWN };

struct job {
	struct mq_config *cfg;
	struct mq_ctx *ctx;	/* the deliveries' (its db is the job's) */
	struct mq_db *db;
	struct mq_smtp *smtp;
	struct mq_deliverer deliver;
	char domain[200];
	uint64_t listening_gen;
	uint64_t pruned_ns;	/* when prune last succeeded (0: never) */
	int sigfd;
	bool stop;
};

static void log_result(const char *id, const char *to, const char *result, const char *err)
{
	struct mq_logline l;

	if (!mq_logline_start(&l, err ? MQ_LOG_WARN : MQ_LOG_INFO))
		return;
	mq_logline_str(&l, "msg", result);
	mq_logline_str(&l, "outbox_id", id);
	mq_logline_str(&l, "to", to);
	if (err)
		mq_logline_str(&l, "error", err);
	mq_logline_emit(&l);
}

/* Sends the next due message, if any. */
static enum outcome send_one(struct job *j)
{
	char err[512], message_id[256], base[24], max[16];
	bool permanent;
	PGresult *res, *marked;
	const char *id, *to;
	int rc;

	if (mq_db_begin(j->db) < 0)
		return DB_DOWN;
	res = mq_db_exec(j->db, &next_due, 0, NULL);
	if (res == NULL) {
		mq_db_rollback(j->db);
		return DB_DOWN;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		mq_db_commit(j->db);
		return NOTHING;
	}
	id = PQgetvalue(res, 0, 0);
	to = PQgetvalue(res, 0, 1);
	snprintf(message_id, sizeof(message_id), "<outbox-%s@%s>", id, j->domain);
	rc = mq_smtp_send(j->smtp, to, PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3), message_id,
			  err, sizeof(err), &permanent);
	if (rc == 0) {
		const char *p[] = { id };

		marked = mq_db_exec(j->db, &mark_sent, 1, p);
		log_result(id, to, "sent", NULL);
	} else {
		snprintf(base, sizeof(base), "%d", j->cfg->mail_retry_base_ms);
		snprintf(max, sizeof(max), "%d", j->cfg->mail_max_attempts);
		const char *p[] = { id, err, permanent ? "true" : "false", base, max };
		marked = mq_db_exec(j->db, &mark_failed, 5, p);
		log_result(id, to, marked && PQgetvalue(marked, 0, 0)[0] == 't' ? "gave up" : "will retry",
			   err);
	}
	PQclear(res);
	if (marked == NULL || mq_db_commit(j->db) < 0) {
		PQclear(marked);
		mq_db_rollback(j->db);
		return DB_DOWN;
	}
	PQclear(marked);
	return DONE;
}

/* Deletes the messages finished, and the tokens expired, more than
 * KEEP_DAYS ago (see prune_tokens), at start and then hourly.  A failure is retried at the next turn of the loop. */
static void prune(struct job *j)
{
	uint64_t now = mq_now_mono_ns();
	PGresult *res;

	if (j->pruned_ns && now - j->pruned_ns < PRUNE_EVERY_NS)
		return;
	res = mq_db_exec(j->db, &prune_outbox, 0, NULL);
	if (res == NULL)
		return;
	int64_t pruned = mq_deliver_prune(j->ctx);
	if (pruned > 0)
		mq_log_info("deleted %lld finished deliveries and read notifications",
			    (long long)pruned);
	if (strcmp(PQcmdTuples(res), "0") != 0)
		mq_log_info("deleted %s sent or failed messages older than " KEEP_DAYS " days",
			    PQcmdTuples(res));
	PQclear(res);
	if ((res = mq_db_exec(j->db, &prune_tokens, 0, NULL)) == NULL)
		return;
	j->pruned_ns = now;
	if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
		mq_log_info("deleted %s tokens expired more than " KEEP_DAYS " days ago",
			    PQgetvalue(res, 0, 0));
	PQclear(res);
}

/* Turns queued password-reset requests into mail (resolve_resets); a
 * failure leaves them for the next turn. */
static void resolve(struct job *j)
{
	PGresult *res = mq_db_exec(j->db, &resolve_resets, 0, NULL);
	struct mq_logline l;

	for (int i = 0; res && i < PQntuples(res); i++) {
		if (!mq_logline_start(&l, MQ_LOG_INFO))
			break;
		mq_logline_str(&l, "msg", "password reset link queued");
		mq_logline_str(&l, "user", PQgetvalue(res, i, 0));
		mq_logline_emit(&l);
	}
	PQclear(res);
}

/* LISTEN on each new connection (a reconnect loses it). */
static void listen_for_work(struct job *j)
{
	PGconn *conn = mq_db_conn(j->db);

	if (conn == NULL || j->listening_gen == mq_db_generation(j->db))
		return;
	PQclear(PQexec(conn, "LISTEN marquee_outbox"));
	j->listening_gen = mq_db_generation(j->db);
}

/* Sleeps until a message is due, a NOTIFY arrives, or a signal. */
static void wait_for_work(struct job *j, int timeout_ms)
{
	PGconn *conn = mq_db_conn(j->db);
	struct pollfd p[2] = { { .fd = j->sigfd, .events = POLLIN },
			       { .fd = conn ? PQsocket(conn) : -1, .events = POLLIN } };
	struct signalfd_siginfo si;
	PGnotify *n;

	if (poll(p, conn ? 2 : 1, timeout_ms) > 0) {
		if (p[0].revents & POLLIN) {
			while (read(j->sigfd, &si, sizeof(si)) == sizeof(si))
				j->stop = true;
		}
		if (conn && (p[1].revents & POLLIN)) {
			PQconsumeInput(conn);
			while ((n = PQnotifies(conn)) != NULL)
				PQfreemem(n);
		}
	}
}

static int next_wait(struct job *j)
{
	PGresult *res = mq_db_exec(j->db, &wait_ms, 0, NULL);
	long long ms = IDLE_WAIT_MS;
	int64_t deliveries;

	if (res == NULL || (deliveries = mq_deliver_next_ms(j->ctx)) == -2) {
		PQclear(res);
		return DOWN_WAIT_MS;
	}
	if (!PQgetisnull(res, 0, 0))
		ms = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (deliveries >= 0 && deliveries < ms)
		ms = deliveries;
	return ms < IDLE_WAIT_MS ? (int)ms + 1 : IDLE_WAIT_MS;
}

/* Sends the deliveries due, a batch at a time. */
static enum outcome deliver(struct job *j)
{
	enum mq_deliver_outcome o;

	while (!j->stop && (o = mq_deliver_batch(&j->deliver)) == MQ_DELIVER_DONE)
		wait_for_work(j, 0);
	return !j->stop && o == MQ_DELIVER_DOWN ? DB_DOWN : NOTHING;
}

static int run(struct job *j, bool once)
{
	while (!j->stop) {
		enum outcome o = NOTHING;

		listen_for_work(j);
		prune(j);
		resolve(j);
		while (!j->stop && (o = send_one(j)) == DONE)
			wait_for_work(j, 0);
		if (o != DB_DOWN)
			o = deliver(j);
		if (once)
			return o == DB_DOWN ? 1 : 0;
		if (o == DB_DOWN) {
			mq_log_warn("database unavailable: %s", mq_db_error(j->db));
			wait_for_work(j, DOWN_WAIT_MS);
			continue;
		}
		mq_coverage_flush();	/* a job killed while it waits loses nothing */
		wait_for_work(j, next_wait(j));
	}
	mq_log_info("stopping");
	return 0;
}

/* What deliveries need: a key for unsubscribe links, a lease longer than
 * any send may take, and the VAPID key when push is on (*push; NULL
 * when it is off).  false with the reason in err. */
static bool ready_to_deliver(const struct mq_config *cfg, struct mq_webpush **push, char *err,
			     size_t errlen)
{
	int slowest = cfg->smtp_timeout_ms > cfg->push_timeout_ms ? cfg->smtp_timeout_ms
								  : cfg->push_timeout_ms;

	*push = NULL;
	if (cfg->jwt_key.value == NULL) {
		snprintf(err, errlen, "[auth] jwt_key_file is needed: it signs the unsubscribe links "
			 "of notification mail");
		return false;
	}
	if (cfg->notify_lease_ms <= slowest) {
		snprintf(err, errlen, "[notify] lease (%d ms) must be longer than [mail] timeout and "
			 "[push] timeout (%d ms)", cfg->notify_lease_ms, slowest);
		return false;
	}
	return !mq_webpush_configured(cfg) || (*push = mq_webpush_new(cfg, err, errlen)) != NULL;
}

int mq_cli_outbox(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "once", no_argument, NULL, 'o' },
					      { NULL, 0, NULL, 0 } };
	struct job j = { .cfg = cfg };
	char err[512], from[256];
	bool once = false;
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o", opts, NULL)) != -1) {
		if (c != 'o') {
			fprintf(stderr, "usage: marquee outbox [--once]\n");
			return 2;
		}
		once = true;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	j.smtp = mq_smtp_new(cfg, err, sizeof(err));
	j.sigfd = mq_cli_signalfd();
	if (j.smtp == NULL || j.sigfd < 0) {
		mq_cli_error("outbox", "%s", j.smtp ? strerror(errno) : err);
		goto out;
	}
	if (!ready_to_deliver(cfg, &j.deliver.push, err, sizeof(err))) {
		mq_cli_error("outbox", "%s", err);
		goto out;
	}
	const char *at = strchr(mq_smtp_address(cfg->mail_from, from, sizeof(from)), '@');
	snprintf(j.domain, sizeof(j.domain), "%s", at ? at + 1 : "marquee.invalid");
	j.ctx = mq_cli_ctx_new(cfg, "marquee-outbox", false);
	j.db = j.ctx->db;
	j.deliver.c = j.ctx;
	j.deliver.smtp = j.smtp;
	j.deliver.domain = j.domain;
	mq_log_info("sending mail through %s%s", cfg->smtp_url,
		    j.deliver.push ? ", and Web Push" : " (Web Push is off)");
	rc = run(&j, once);
out:
	mq_cli_ctx_free(j.ctx);
	mq_webpush_free(j.deliver.push);
	mq_smtp_free(j.smtp);
	if (j.sigfd >= 0)
		close(j.sigfd);
	curl_global_cleanup();
	return rc;
}

/*
 * portability.c: `marquee portability work [--once]` runs users' imports
 * and exports as they are asked for, and keeps doing so (a long-running
 * job: marquee-portability.service), deleting the files of expired
 * exports on the way; `marquee import user USER FILE` imports FILE (any
 * format POST /api/users/me/import/ takes) into USER's account now and
 * prints the report.
 *
 * The work job sleeps until a request queues a job (LISTEN
 * marquee_portability; the INSERT sends NOTIFY) or a minute has passed.
 */
#include "core/common.h"

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "db/db.h"
#include "portability/jobs.h"
#include "social/follows.h"

#define CMD "portability"
#define IDLE_WAIT_MS 60000
#define DOWN_WAIT_MS 1000

static int usage(void)
{
	fprintf(stderr, "usage: marquee portability work [--once]\n");
	return 2;
}

/* Runs what is due; false when the database (or the disk) failed. */
static bool drain(struct mq_ctx *c, bool *stop)
{
	enum mq_status st;
	int64_t ran, swept;

	do {
		mq_arena_reset(c->arena);
		c->err = (struct mq_error){ 0 };
		st = mq_port_work_one(c, 0, &ran);
		if (ran)
			mq_log_info("portability: job %lld %s", (long long)ran,
				    st == MQ_OK ? "run" : "failed, to be retried");
	} while (st == MQ_OK && ran && !*stop);
	if (st != MQ_OK) {
		mq_log_warn("portability: %s", c->err.detail ? c->err.detail : "the database failed");
		return false;
	}
	mq_arena_reset(c->arena);
	if ((st = mq_port_sweep(c, &swept)) == MQ_OK && swept > 0)
		mq_log_info("portability: %lld expired exports deleted", (long long)swept);
	return st == MQ_OK;
}

static int work(struct mq_ctx *c, bool once)
{
	uint64_t listening = 0;
	bool stop = false, ok;
	int sigfd = mq_cli_signalfd();

	if (sigfd < 0) {
		mq_cli_error(CMD, "signals: %s", strerror(errno));
		return 1;
	}
	mq_log_info("running imports and exports");
	while (!stop) {

		mq_cli_listen(c, "marquee_portability", &listening);
		ok = drain(c, &stop);
		if (once) {
			close(sigfd);
			return ok ? 0 : 1;
		}
		mq_cli_wait(c, sigfd, ok ? IDLE_WAIT_MS : DOWN_WAIT_MS, &stop);
	}
	close(sigfd);
	mq_log_info("stopping");
	return 0;
}

int mq_cli_portability(struct mq_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = { { "once", no_argument, NULL, 'o' },
					      { NULL, 0, NULL, 0 } };
	struct mq_ctx *c;
	bool once = false;
	int opt, rc;

	if (argc < 2 || strcmp(argv[1], "work") != 0)
		return usage();
	optind = 2;
	while ((opt = getopt_long(argc, argv, "o", opts, NULL)) != -1) {
		if (opt != 'o')
			return usage();
		once = true;
	}
	if (optind != argc)
		return usage();
	c = mq_cli_ctx_new(cfg, "marquee-portability", false);
	rc = work(c, once);
	mq_cli_ctx_free(c);
	return rc;
}

/* FILE's bytes, at most [limits] upload_max, into the arena. */
static char *slurp(struct mq_ctx *c, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *buf;

	if (f == NULL || fstat(fileno(f), &sb) < 0) {
		mq_cli_error("import user", "%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return NULL;
	}
	if ((size_t)sb.st_size > c->cfg->upload_max) {
		mq_cli_error("import user", "%s: larger than [limits] upload_max (%zu bytes)", path,
			     c->cfg->upload_max);
		fclose(f);
		return NULL;
	}
	buf = mq_arena_alloc(c->arena, (size_t)sb.st_size + 1);
	*len = fread(buf, 1, (size_t)sb.st_size, f);
	fclose(f);
	return buf;
}

int mq_cli_import_user(struct mq_config *cfg, int argc, char **argv)
{
	struct json_object *job;
	enum mq_status st;
	struct mq_ctx *c;
	int64_t user, id, ran;
	size_t len = 0;
	char *body;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: marquee import user USERNAME FILE\n");
		return 2;
	}
	c = mq_cli_ctx_new(cfg, "marquee-import-user", false);
	if ((body = slurp(c, argv[2], &len)) == NULL)
		goto out;
	if ((st = mq_social_user(c, argv[1], &user)) != MQ_OK ||
	    (st = mq_import_queue(c, user, body, len, &job)) != MQ_OK) {
		rc = mq_cli_fail("import user", c, st);
		goto out;
	}
	id = json_object_get_int64(json_object_object_get(job, "id"));
	if ((st = mq_port_work_one(c, id, &ran)) != MQ_OK ||
	    (st = mq_port_job_get(c, user, id, "import", &job)) != MQ_OK) {
		rc = mq_cli_fail("import user", c, st);
		goto out;
	}
	puts(json_object_to_json_string_ext(job, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = strcmp(json_object_get_string(json_object_object_get(job, "state")), "done") == 0 ? 0 : 1;
out:
	mq_cli_ctx_free(c);
	return rc;
}

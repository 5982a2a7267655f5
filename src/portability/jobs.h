/*
 * jobs.h: a user's imports and exports, each a row of portability_jobs
 * written by the request and done by `marquee portability work` (claimed
 * with FOR UPDATE SKIP LOCKED and a lease: a job whose runner died is
 * taken up again once the lease has run out).
 *
 * An import parses the upload (portability/formats.h), writes its rows to
 * import_items, matches each to a movie (TMDb id, then IMDb id, then
 * title and year), and adds what is missing in one transaction: running
 * the same file twice adds nothing.  What the user has already is kept.
 * An export writes a zip (portability/export.h) and mails a signed link.
 */
#ifndef MQ_PORTABILITY_JOBS_H
#define MQ_PORTABILITY_JOBS_H

#include <json-c/json.h>

#include "core/ctx.h"

/* Queues an import of body[0..len) for user; *out the job (as
 * mq_port_job_get gives it).  MQ_CONFLICT when one of the user's imports
 * is queued or running. */
enum mq_status mq_import_queue(struct mq_ctx *c, int64_t user, const void *body, size_t len,
			       struct json_object **out);

/* Queues an export of everything user has; *out the job.  MQ_CONFLICT
 * when one is queued or running. */
enum mq_status mq_export_queue(struct mq_ctx *c, int64_t user, struct json_object **out);

/* The user's job id of kind ("import", "export"): {id, kind, state,
 * format, rows, report, error, created_at, started_at, finished_at} and
 * for a finished export {size, expires_at, url} (a link signed until the
 * file expires).  MQ_NOT_FOUND for another user's, or none. */
enum mq_status mq_port_job_get(struct mq_ctx *c, int64_t user, int64_t id, const char *kind,
			       struct json_object **out);

/* Runs one due job (job only, unless 0), if any (*ran: its id, 0 when
 * none was due).
 * MQ_OK also when the job failed for its own reasons (a bad file): that
 * is its state, with its error.  A failure is the database's or the
 * disk's, and the job is retried. */
enum mq_status mq_port_work_one(struct mq_ctx *c, int64_t only, int64_t *ran);

/* Deletes the files of exports past their expiry; *n how many. */
enum mq_status mq_port_sweep(struct mq_ctx *c, int64_t *n);

/* Checks a signed link to export id (expires and sig as given); into
 * *path the file to hand nginx ("/protected-media/exports/..."), *name
 * the name to save it as.  MQ_FORBIDDEN for a bad or expired signature,
 * MQ_NOT_FOUND for an export no longer there. */
enum mq_status mq_export_open(struct mq_ctx *c, int64_t id, const char *expires, const char *sig,
			      const char **path, const char **name);

#endif

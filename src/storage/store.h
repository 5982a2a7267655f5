/*
 * store.h: the shared media store, a WebDAV collection on a media host.
 *
 * With [media] store set (an http:// or https:// URL ending with /),
 * uploaded images are PUT under it and DELETEd from it, instead of being
 * written under [media] dir, so that every app host serves what any of
 * them stored: the media host is nginx with its WebDAV module
 * (nginx/media-host.conf, docs/deployment.md), and the app hosts' nginx
 * passes /media/ to it.  Each process keeps one libcurl handle, so its
 * connection to the media host is reused.
 */
#ifndef MQ_STORE_H
#define MQ_STORE_H

#include "core/common.h"
#include "core/status.h"

struct mq_ctx;

/* Seconds a client is told to wait (Retry-After) when the store is down. */
#define MQ_MEDIA_STORE_RETRY_S 10

/* True when [media] store is set. */
bool mq_media_store_on(const struct mq_ctx *c);

/* PUTs data as relpath under the store (the media host writes it to a
 * temporary file and renames it, so no reader sees half of it, and makes
 * the directories on the way).  Returns MQ_OK, or (logged, details in
 * c->err) MQ_UNAVAILABLE with a Retry-After when the store cannot be
 * reached, times out ([media] store_timeout), answers 5xx, or is full
 * (507); MQ_INTERNAL when it refuses (4xx: a misconfiguration). */
enum mq_status mq_media_store_put(struct mq_ctx *c, const char *relpath, const void *data,
				  size_t len);

/* DELETEs relpath from the store: a file, or a directory and all in it
 * when relpath ends with /.  Missing is fine; a failure is logged (the
 * file is then left behind, as a failed unlink leaves one on disk). */
void mq_media_store_delete(struct mq_ctx *c, const char *relpath);

/* Frees the process's handle (at a worker's exit).  Safe to call when
 * nothing was ever stored. */
void mq_media_store_close(void);

#endif

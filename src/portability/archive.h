/*
 * archive.h: zip archives, read from an upload with every bound checked
 * and written for an export (libzip).
 *
 * Reading trusts nothing of the archive: an entry's name must be a
 * relative path of safe segments (no "..", no leading "/", no
 * backslash, no control character), the entries are at most
 * entries_max, and their bytes, counted as they are unpacked (never
 * from the sizes the archive declares), at most unpacked_max in all; an
 * entry's CRC is checked by libzip as it is read.
 */
#ifndef MQ_PORTABILITY_ARCHIVE_H
#define MQ_PORTABILITY_ARCHIVE_H

#include "core/ctx.h"

struct mq_zip_entry {
	const char *name;
	const char *data;	/* NUL-terminated too (data[len] == 0) */
	size_t len;
};

struct mq_zip_limits {
	int entries_max;
	size_t unpacked_max;
};

/* True when buf starts like a zip archive (a local file header). */
bool mq_zip_looks_like(const void *buf, size_t len);

/* Unpacks the files of the zip in buf[0..len) (directories skipped)
 * into *out, *n of them, all in c's arena.  MQ_INVALID for what is not a
 * readable zip, a damaged entry or an unsafe name; MQ_TOO_LARGE past a
 * limit; the detail says which. */
enum mq_status mq_zip_read(struct mq_ctx *c, const void *buf, size_t len,
			   const struct mq_zip_limits *lim, struct mq_zip_entry **out, int *n);

/* Writes the n entries to path (a new file, mode 0644, made under
 * path.tmp and renamed into place).  0, or -1 with *err set. */
int mq_zip_write(const char *path, const struct mq_zip_entry *e, int n, const char **err);

#endif

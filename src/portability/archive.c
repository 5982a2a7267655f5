/*
 * archive.c: zip archives through libzip (see archive.h).
 */
#include "portability/archive.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/arena.h"

bool mq_zip_looks_like(const void *buf, size_t len)
{
	return len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0;
}

/* A relative path of segments that are neither empty, "." nor "..", of
 * printable characters without a backslash: nothing that could name a
 * place outside the archive's own tree if it were ever unpacked. */
static bool name_safe(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 255 || name[0] == '/')
		return false;
	for (const char *s = name; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\' || *s == ':')
			return false;
	for (const char *seg = name; *seg;) {
		size_t len = strcspn(seg, "/");

		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (len == 0 && seg[len] == '/')
			return false;
		seg += len;
		if (*seg == '/')
			seg++;
	}
	return true;
}

/* Reads entry i of z, at most *budget bytes, into e. */
static enum mq_status read_entry(struct mq_ctx *c, zip_t *z, zip_uint64_t i, const char *name,
				 size_t *budget, struct mq_zip_entry *e)
{
	size_t cap = 4096, len = 0;
	char *data = mq_arena_alloc(c->arena, cap + 1);
	zip_file_t *f = zip_fopen_index(z, i, 0);
	zip_int64_t got;

	if (f == NULL)
		return mq_fail_with(c, MQ_INVALID, NULL, "The archive's entry %s cannot be read "
				    "(encrypted, or packed by an unknown method).", name);
	for (;;) {
		if (len == cap) {
			char *more;

			if (len >= *budget)
				break;
			cap *= 2;
			more = mq_arena_alloc(c->arena, cap + 1);
			memcpy(more, data, len);
			data = more;
		}
		size_t want = cap - len;
		if (want > *budget - len + 1)
			want = *budget - len + 1;
		if ((got = zip_fread(f, data + len, want)) < 0) {
			zip_fclose(f);
			return mq_fail_with(c, MQ_INVALID, NULL, "The archive's entry %s is damaged.", name);
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > *budget)
			break;
	}
	zip_fclose(f);
	if (len > *budget)
		return MQ_TOO_LARGE;	/* the caller says so */
	*budget -= len;
	data[len] = '\0';
	*e = (struct mq_zip_entry){ .name = mq_arena_strdup(c->arena, name), .data = data, .len = len };
	return MQ_OK;
}

static enum mq_status read_all(struct mq_ctx *c, zip_t *z, const struct mq_zip_limits *lim,
			       struct mq_zip_entry **out, int *n)
{
	zip_int64_t count = zip_get_num_entries(z, 0);
	size_t budget = lim->unpacked_max;
	enum mq_status st;
	zip_stat_t zs;

	if (count < 0)
		return mq_fail_with(c, MQ_INVALID, NULL, "The archive cannot be read.");
	if (count > lim->entries_max)
		return mq_fail_with(c, MQ_TOO_LARGE, NULL, "The archive holds %lld entries; at most %d "
				    "are read.", (long long)count, lim->entries_max);
	*out = mq_arena_calloc(c->arena, (size_t)count + 1, sizeof(**out));
	*n = 0;
	for (zip_uint64_t i = 0; i < (zip_uint64_t)count; i++) {
		const char *name = zip_get_name(z, i, 0);

		if (name == NULL || !name_safe(name))
			return mq_fail_with(c, MQ_INVALID, NULL, "The archive has an entry whose name is "
					    "not a safe relative path.");
		if (name[strlen(name) - 1] == '/')
			continue;
		/* what the archive declares, to refuse a bomb before unpacking */
		if (zip_stat_index(z, i, 0, &zs) == 0 && (zs.valid & ZIP_STAT_SIZE) && zs.size > budget)
			return mq_fail_with(c, MQ_TOO_LARGE, NULL, "The archive unpacks to more than %zu "
					    "bytes.", lim->unpacked_max);
		if ((st = read_entry(c, z, i, name, &budget, &(*out)[*n])) != MQ_OK) {
			if (st == MQ_TOO_LARGE)
				return mq_fail_with(c, MQ_TOO_LARGE, NULL, "The archive unpacks to more "
						    "than %zu bytes.", lim->unpacked_max);
			return st;
		}
		(*n)++;
	}
	return MQ_OK;
}

enum mq_status mq_zip_read(struct mq_ctx *c, const void *buf, size_t len,
			   const struct mq_zip_limits *lim, struct mq_zip_entry **out, int *n)
{
	zip_error_t err;
	zip_source_t *src;
	zip_t *z;
	enum mq_status st;

	zip_error_init(&err);
	if ((src = zip_source_buffer_create(buf, len, 0, &err)) == NULL) {
		zip_error_fini(&err);
		return mq_fail_with(c, MQ_INTERNAL, NULL, "The archive cannot be opened.");
	}
	if ((z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err)) == NULL) {
		zip_source_free(src);
		zip_error_fini(&err);
		return mq_fail_with(c, MQ_INVALID, NULL, "This is not a zip archive that can be read.");
	}
	zip_error_fini(&err);
	st = read_all(c, z, lim, out, n);
	zip_discard(z);
	return st;
}

int mq_zip_write(const char *path, const struct mq_zip_entry *e, int n, const char **err)
{
	char tmp[4096];
	zip_source_t *src;
	zip_t *z;
	int code;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		*err = "path too long";
		return -1;
	}
	if ((z = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &code)) == NULL) {
		*err = "cannot create the file";
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if ((src = zip_source_buffer(z, e[i].data, e[i].len, 0)) == NULL) {
			*err = "out of memory";
			goto fail;
		}
		if (zip_file_add(z, e[i].name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
			zip_source_free(src);
			*err = "cannot add an entry";
			goto fail;
		}
	}
	if (zip_close(z) < 0) {
		*err = "cannot write the file";
		goto fail;
	}
	if (chmod(tmp, 0644) < 0 || rename(tmp, path) < 0) {
		*err = strerror(errno);
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	zip_discard(z);
	unlink(tmp);
	return -1;
}

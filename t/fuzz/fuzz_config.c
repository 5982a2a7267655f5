/*
 * fuzz_config.c: marquee.conf (core/config.c on libinih), the checks run
 * on it before the pool starts, and the memcached servers it names
 * (cache/cache.c).
 *
 * Input: the file.  Secret files it names are looked up next to it, in a
 * directory of this process where "key" holds a marker.  What must hold:
 * a file either loads with every number inside its directive's range, or
 * is refused with a message; the marker (a secret) is never in the dump.
 */
#include "harness.h"

#include <unistd.h>

/* The directive table is static: this target is compiled with it. */
#include "core/config.c"
#include "cache/cache.h"
#include "integrations/tmdb.h"

#define MARKER "secret-marker-4c1d"

static char tmpdir[64];

static void remove_dir(void)
{
	char f[96];

	snprintf(f, sizeof(f), "%s/key", tmpdir);
	unlink(f);
	snprintf(f, sizeof(f), "%s/marquee.conf", tmpdir);
	unlink(f);
	rmdir(tmpdir);
}

static const char *dir(void)
{
	if (tmpdir[0] == '\0') {
		char key[96];
		FILE *f;

		snprintf(tmpdir, sizeof(tmpdir), "/tmp/fuzz-config.XXXXXX");
		if (mkdtemp(tmpdir) == NULL)
			fz_fail(__FILE__, __LINE__, "mkdtemp");
		snprintf(key, sizeof(key), "%s/key", tmpdir);
		f = fopen(key, "w");
		FZ_CHECK(f && fputs(MARKER "-0123456789abcdef0123456789\n", f) >= 0 && fclose(f) == 0);
		atexit(remove_dir);
	}
	return tmpdir;
}

static void check_ranges(const struct mq_config *cfg)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(directives); i++) {
		const struct directive *d = &directives[i];
		void *f = field((struct mq_config *)cfg, d);
		long long v;

		switch (d->type) {
		case T_INT: case T_MS: case T_WORKERS: v = *(int *)f; break;
		case T_SIZE: v = (long long)*(size_t *)f; break;
		case T_MS64: v = *(int64_t *)f; break;
		case T_MODE: v = *(unsigned *)f; break;
		default: continue;
		}
		FZ_CHECK(v >= d->min && v <= d->max);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "", path[128], *dump = NULL;
	struct mq_config *cfg;
	size_t dump_len = 0;
	FILE *f;

	fz_config();	/* logs off, sodium ready */
	/* nothing that names a device or a process: reading /dev/stdin or a
	 * FIFO would wait for ever, which is not the parser's doing */
	if (memmem(data, size, "dev", 3) || memmem(data, size, "proc", 4) ||
	    memmem(data, size, "sys", 3) || memmem(data, size, "fd", 2))
		return 0;
	snprintf(path, sizeof(path), "%s/marquee.conf", dir());
	f = fopen(path, "w");
	FZ_CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
	cfg = mq_config_load(path, err, sizeof(err));
	if (cfg == NULL) {
		FZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	check_ranges(cfg);
	FZ_CHECK(cfg->workers >= 1 && cfg->workers <= MQ_MAX_WORKERS);
	mq_config_check_pool(cfg, err, sizeof(err));
	mq_tmdb_check_config(cfg, err, sizeof(err));
	/* [cache] servers: host, host:port, [v6]:port, /socket; nothing is
	 * connected to until a call */
	mq_cache_free(mq_cache_new(cfg));
	f = open_memstream(&dump, &dump_len);
	FZ_CHECK(f != NULL);
	mq_config_dump(cfg, f);
	fclose(f);
	/* (unless the file itself has it, as any value may) */
	FZ_CHECK(strstr(dump, MARKER) == NULL || memmem(data, size, MARKER, strlen(MARKER)));
	free(dump);
	mq_config_free(cfg);
	return 0;
}

/*
 * test_media.c: uploaded files on disk (storage/media.c): what is sniffed,
 * where an image's files are written, that a removal never leaves the
 * media directory, and the URLs a client is given.  (./dev coverage found
 * WebP, a removal with "..", a [media] url on another host and the
 * failures of writing untested.)
 */
#include "core/common.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/ctx.h"
#include "storage/media.h"
#include "unit.h"

static struct mq_config cfg;
static struct mq_ctx c;
static char root[64];

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/test_media.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	cfg = (struct mq_config){ .media_dir = root, .media_url = "/media/" };
	c = (struct mq_ctx){ .cfg = &cfg, .arena = mq_arena_new(0), .origin = "https://x.example" };
}

static void teardown(void)
{
	char cmd[128];

	mq_arena_destroy(c.arena);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

static bool exists(const char *rel)
{
	struct stat st;

	return stat(mq_arena_printf(c.arena, "%s/%s", root, rel), &st) == 0;
}

START_TEST(sniffing)
{
	ck_assert_str_eq(mq_media_sniff("\x89PNG\r\n\x1a\n", 8), "png");
	ck_assert_str_eq(mq_media_sniff("\xff\xd8\xff\xe0", 4), "jpeg");
	ck_assert_str_eq(mq_media_sniff("RIFF\x24\0\0\0WEBPVP8 ", 16), "webp");
	ck_assert_str_eq(mq_media_type("webp"), "image/webp");
	ck_assert_str_eq(mq_media_type("jpeg"), "image/jpeg");
	ck_assert_str_eq(mq_media_ext("jpeg"), "jpg");
	ck_assert_str_eq(mq_media_ext("webp"), "webp");
	ck_assert_ptr_null(mq_media_sniff("\x89PNG\r\n\x1a", 7));	/* cut short */
	ck_assert_ptr_null(mq_media_sniff("RIFF\x24\0\0\0WAVE", 12));
	ck_assert_ptr_null(mq_media_sniff("GIF89a", 6));
	ck_assert_ptr_null(mq_media_sniff("", 0));
}
END_TEST

START_TEST(written_then_removed)
{
	const char *dir = NULL, *orig;

	ck_assert_int_eq(mq_media_dir_new(&c, "avatars", "7", &dir), MQ_OK);
	ck_assert(strncmp(dir, "avatars/7-", 10) == 0);
	ck_assert_int_eq(mq_media_write(&c, dir, "original.png", "\x89PNG\r\n\x1a\nrest", 12), MQ_OK);
	ck_assert_int_eq(mq_media_write(&c, dir, "small.png", "x", 1), MQ_OK);
	orig = mq_arena_printf(c.arena, "%s/original.png", dir);
	ck_assert(exists(orig));
	ck_assert(!exists(mq_arena_printf(c.arena, "%s.tmp", orig)));
	mq_media_remove(&c, orig);	/* an image with sizes: its directory */
	ck_assert(!exists(dir));
	mq_media_remove(&c, orig);	/* gone already: fine */
	mq_media_remove(&c, NULL);
	mq_media_remove(&c, "");
	/* a single file, stored before there were sizes */
	ck_assert_int_eq(mq_media_write(&c, "avatars", "1-ab.png", "x", 1), MQ_OK);
	mq_media_remove(&c, "avatars/1-ab.png");
	ck_assert(!exists("avatars/1-ab.png"));
}
END_TEST

/* A stored path comes from the database: one with "..", or absolute, must
 * not reach outside the media directory. */
START_TEST(removal_stays_inside)
{
	char outside[96];
	const char *name;
	FILE *f;

	snprintf(outside, sizeof(outside), "%s.outside", root);
	f = fopen(outside, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	name = strrchr(outside, '/') + 1;
	mq_media_remove(&c, mq_arena_printf(c.arena, "../%s", name));
	mq_media_remove(&c, outside);
	mq_media_remove_dir(&c, "..");
	mq_media_remove_dir(&c, mq_arena_printf(c.arena, "x/../../%s", name));
	ck_assert_int_eq(access(outside, F_OK), 0);
	ck_assert_int_eq(access(root, F_OK), 0);
	unlink(outside);
}
END_TEST

START_TEST(storing_fails_cleanly)
{
	/* the subdirectory's place is taken by a file */
	FILE *f = fopen(mq_arena_printf(c.arena, "%s/posters", root), "w");
	const char *dir = NULL;

	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(mq_media_dir_new(&c, "posters", "1", &dir), MQ_INTERNAL);
	ck_assert_int_eq(mq_media_write(&c, "nowhere", "original.jpg", "\xff\xd8\xff", 3),
			 MQ_INTERNAL);
	cfg.media_dir = "/nonexistent/media";
	ck_assert_int_eq(mq_media_dir_new(&c, "avatars", "1", &dir), MQ_INTERNAL);
}
END_TEST

START_TEST(urls)
{
	ck_assert_ptr_null(mq_media_url(&c, NULL));
	ck_assert_str_eq(mq_media_url(&c, "avatars/1-ab.png"), "https://x.example/media/avatars/1-ab.png");
	ck_assert_str_eq(mq_media_size_url(&c, "avatars/1-ab/original.png", "medium"),
			 "https://x.example/media/avatars/1-ab/medium.png");
	ck_assert_str_eq(mq_media_size_url(&c, "avatars/1-ab/original.png", "original"),
			 "https://x.example/media/avatars/1-ab/original.png");
	/* stored before there were sizes: the one file is every size */
	ck_assert_str_eq(mq_media_size_url(&c, "avatars/1-ab.png", "medium"),
			 "https://x.example/media/avatars/1-ab.png");
	c.origin = "https://x.example/prefix";	/* public_url with a path of its own */
	ck_assert_str_eq(mq_media_url(&c, "a.png"), "https://x.example/media/a.png");
	cfg.media_url = "https://cdn.example/m";
	ck_assert_str_eq(mq_media_url(&c, "a.png"), "https://cdn.example/m/a.png");
	cfg.media_url = "http://cdn.example/m/";
	ck_assert_str_eq(mq_media_url(&c, "a.png"), "http://cdn.example/m/a.png");
	cfg.media_url = "/static";
	ck_assert_str_eq(mq_media_url(&c, "a.png"), "https://x.example/static/a.png");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("media");
	TCase *tc = tcase_create("media");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sniffing);
	tcase_add_test(tc, written_then_removed);
	tcase_add_test(tc, removal_stays_inside);
	tcase_add_test(tc, storing_fails_cleanly);
	tcase_add_test(tc, urls);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

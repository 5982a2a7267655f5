/*
 * import.c: `marquee import SOURCE ...`, loading catalogs from elsewhere.
 */
#include "core/common.h"

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*run)(struct mq_config *cfg, int argc, char **argv);
	const char *usage;
} sources[] = {
	{ "movielens", mq_cli_import_movielens, "movielens DIR   (movies.csv and links.csv)" },
	{ "tmdb", mq_cli_import_tmdb,
	  "tmdb (--ids FILE | --popular N | --trending | --stale DAYS [--limit N]) [--rate R]" },
	{ "user", mq_cli_import_user, "user USERNAME FILE   (Letterboxd's, Trakt's, IMDb's or our export)" },
};

int mq_cli_import(struct mq_config *cfg, int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < MQ_ARRAY_LEN(sources); i++)
		if (strcmp(argv[1], sources[i].name) == 0)
			return sources[i].run(cfg, argc - 1, argv + 1);
	fprintf(stderr, "usage:\n");
	for (size_t i = 0; i < MQ_ARRAY_LEN(sources); i++)
		fprintf(stderr, "  marquee import %s\n", sources[i].usage);
	return 2;
}

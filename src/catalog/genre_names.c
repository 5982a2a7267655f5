/*
 * genre_names.c: the worker's copy of the genres (see genre_names.h).
 *
 * Each load reads every genre and translation into one malloc'd table
 * sized by what the database holds (a few kilobytes: no limit to outgrow)
 * and replaces the previous table only once it is complete.
 */
#include "catalog/genre_names.h"

#include "catalog/keyword_names.h"
#include "core/arena.h"
#include "db/db.h"

#define RELOAD_NS (60ull * 1000 * 1000 * 1000)

struct name {
	int genre;
	char *language;		/* "" for the original name */
	char *text;
	char *slug;		/* on the original name's row; NULL on translations */
};

struct table {
	struct name *names;
	int count;
	char *strings;		/* every string of names, in one block */
};

static struct table current;
static uint64_t loaded_ns;
static int64_t names_generation;	/* catalog_names.generation at the load */
static char names_version[48];		/* the same, and the cluster's identifier */

static struct mq_stmt all_names = MQ_STMT_READ(
	"SELECT g.id, g.slug, '' AS language, g.name FROM genres g "
	"UNION ALL SELECT t.genre_id, NULL, t.language, t.name FROM genre_translations t "
	"ORDER BY 1, 3");

static char *keep(char **at, const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = memcpy(*at, s, n);

	*at += n;
	return copy;
}

/* The rows of res as a table of their own. */
static struct table build(PGresult *res)
{
	int rows = PQntuples(res);
	size_t bytes = 0;
	struct table t = { .count = rows };
	char *at;

	for (int i = 0; i < rows; i++)
		for (int col = 1; col <= 3; col++)
			bytes += (size_t)PQgetlength(res, i, col) + 1;
	t.names = mq_xcalloc((size_t)(rows ? rows : 1), sizeof(*t.names));
	at = t.strings = mq_xmalloc(bytes ? bytes : 1);
	for (int i = 0; i < rows; i++) {
		struct name *n = &t.names[i];

		n->genre = (int)strtol(PQgetvalue(res, i, 0), NULL, 10);
		n->slug = PQgetisnull(res, i, 1) ? NULL : keep(&at, PQgetvalue(res, i, 1));
		n->language = keep(&at, PQgetvalue(res, i, 2));
		n->text = keep(&at, PQgetvalue(res, i, 3));
	}
	return t;
}

/* The cluster's identifier (made by initdb, shared by its streaming
 * replicas) tells a database restored elsewhere from its source: the
 * movies' row versions (xmin) start again there, and a kept document's
 * version could name a new row's. */
static struct mq_stmt generation = MQ_STMT_READ(
	"SELECT generation, cluster_identifier() FROM catalog_names");

/* The generation is read before the names: a change between the two
 * labels new names with the old generation, which the next load
 * corrects, never old names with the new one. */
static enum mq_status load(struct mq_ctx *c)
{
	PGresult *res = mq_db_q(c, &generation, 0, NULL);
	char version[sizeof(names_version)];
	int64_t gen;

	if (res == NULL || PQntuples(res) != 1)
		return mq_db_failure(c);
	gen = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(version, sizeof(version), "%lld/%s", (long long)gen, PQgetvalue(res, 0, 1));
	if ((res = mq_db_q(c, &all_names, 0, NULL)) == NULL)
		return mq_db_failure(c);	/* the old names keep their old version */
	if (names_generation && gen != names_generation)
		mq_keyword_names_reset();	/* a keyword renamed or removed */
	names_generation = gen;
	memcpy(names_version, version, sizeof(version));
	free(current.names);
	free(current.strings);
	current = build(res);
	loaded_ns = mq_now_mono_ns();
	return MQ_OK;
}

/* A copy past its minute still serves when the reload fails. */
static enum mq_status fresh(struct mq_ctx *c)
{
	enum mq_status st;

	if (loaded_ns && mq_now_mono_ns() - loaded_ns <= RELOAD_NS)
		return MQ_OK;
	st = load(c);
	return st == MQ_OK || loaded_ns == 0 ? st : MQ_OK;
}

static const char *name_of(int genre, const char *primary)
{
	const char *original = NULL;

	for (int i = 0; i < current.count; i++) {
		const struct name *n = &current.names[i];

		if (n->genre != genre)
			continue;
		if (n->language[0] == '\0')
			original = n->text;
		else if (strcmp(n->language, primary) == 0)
			return n->text;
	}
	return original;
}

enum mq_status mq_catalog_names(struct mq_ctx *c, const char *primary, const char **language,
				const char **version)
{
	enum mq_status st = fresh(c);

	if (st != MQ_OK)
		return st;
	*language = "";
	for (int i = 0; i < current.count; i++)
		if (strcmp(current.names[i].language, primary) == 0) {
			*language = primary;	/* the table may be reloaded */
			break;
		}
	*version = mq_arena_strdup(c->arena, names_version);
	return MQ_OK;
}

static const char *slug_of(int genre)
{
	for (int i = 0; i < current.count; i++)
		if (current.names[i].genre == genre && current.names[i].slug)
			return current.names[i].slug;
	return NULL;
}

enum mq_status mq_genre_names(struct mq_ctx *c, const char *ids, const char *primary,
			      struct json_object **out)
{
	enum mq_status st = fresh(c);
	int *list, n;

	if (st != MQ_OK)
		return st;
	*out = json_object_new_array();
	list = mq_db_int_array(c->arena, ids ? ids : "", &n);
	for (int i = 0; i < n; i++) {
		const char *slug = slug_of(list[i]);
		struct json_object *o;

		if (slug == NULL)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(list[i]));
		json_object_object_add(o, "name", json_object_new_string(name_of(list[i], primary)));
		json_object_object_add(o, "slug", json_object_new_string(slug));
		json_object_array_add(*out, o);
	}
	return MQ_OK;
}

static enum mq_status fill_one(struct mq_ctx *c, struct json_object *movie, const char *primary)
{
	struct json_object *ids, *genres;
	enum mq_status st;

	if (!json_object_object_get_ex(movie, "genre_ids", &ids))
		return MQ_OK;
	if ((st = mq_genre_names(c, json_object_get_string(ids), primary, &genres)) != MQ_OK)
		return st;
	json_object_object_del(movie, "genre_ids");
	json_object_object_add(movie, "genres", genres);
	return MQ_OK;
}

enum mq_status mq_genre_names_fill(struct mq_ctx *c, struct json_object *movies,
				   const char *primary)
{
	enum mq_status st = MQ_OK;

	if (!json_object_is_type(movies, json_type_array))
		return fill_one(c, movies, primary);
	for (size_t i = 0; i < json_object_array_length(movies) && st == MQ_OK; i++)
		st = fill_one(c, json_object_array_get_idx(movies, i), primary);
	return st;
}

/*
 * genre_names.c: the worker's copy of the genres (see genre_names.h), in
 * static storage: a few kilobytes, nothing to free.
 */
#include "catalog/genre_names.h"

#include "db/db.h"
#include "http/http.h"
#include "core/json.h"
#include "pool/worker.h"

#define MAX_GENRES 64
#define MAX_NAMES 512
#define RELOAD_NS (60ull * 1000 * 1000 * 1000)

struct name {
	int genre;
	char language[8];	/* "" for the original name */
	char text[260];		/* 64 characters of up to 4 bytes */
};

static struct {
	struct name names[MAX_NAMES];
	int count;
	char slugs[MAX_GENRES][80];
	int ids[MAX_GENRES];
	int ngenres;
	uint64_t loaded_ns;
} cache;

static struct mq_stmt all_names = MQ_STMT_READ(
	"SELECT g.id, g.slug, '' AS language, g.name FROM genres g "
	"UNION ALL SELECT t.genre_id, NULL, t.language, t.name FROM genre_translations t "
	"ORDER BY 1, 3");

static int load(struct mq_req *r)
{
	PGresult *res = mq_q(r, &all_names, 0, NULL);
	int rows;

	if (res == NULL)
		return -1;
	cache.count = cache.ngenres = 0;
	rows = PQntuples(res);
	for (int i = 0; i < rows && cache.count < MAX_NAMES; i++) {
		struct name *n = &cache.names[cache.count++];

		n->genre = (int)strtol(PQgetvalue(res, i, 0), NULL, 10);
		mq_strlcpy(n->language, PQgetvalue(res, i, 2), sizeof(n->language));
		mq_strlcpy(n->text, PQgetvalue(res, i, 3), sizeof(n->text));
		if (!PQgetisnull(res, i, 1) && cache.ngenres < MAX_GENRES) {
			cache.ids[cache.ngenres] = n->genre;
			mq_strlcpy(cache.slugs[cache.ngenres++], PQgetvalue(res, i, 1),
				   sizeof(cache.slugs[0]));
		}
	}
	cache.loaded_ns = mq_now_mono_ns();
	return 0;
}

static const char *name_of(int genre, const char *primary)
{
	const char *original = NULL;

	for (int i = 0; i < cache.count; i++) {
		const struct name *n = &cache.names[i];

		if (n->genre != genre)
			continue;
		if (n->language[0] == '\0')
			original = n->text;
		else if (strcmp(n->language, primary) == 0)
			return n->text;
	}
	return original;
}

struct json_object *mq_genre_names(struct mq_req *r, const char *ids, const char *primary)
{
	struct json_object *out;
	int *list, n;

	/* a copy past its minute still serves when the reload fails */
	if ((cache.loaded_ns == 0 || mq_now_mono_ns() - cache.loaded_ns > RELOAD_NS) && load(r) < 0 &&
	    cache.loaded_ns == 0)
		return NULL;
	out = json_object_new_array();
	list = mq_db_int_array(r->arena, ids ? ids : "", &n);
	for (int i = 0; i < n; i++) {
		for (int g = 0; g < cache.ngenres; g++) {
			if (cache.ids[g] != list[i])
				continue;
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_int64(list[i]));
			json_object_object_add(o, "name", json_object_new_string(name_of(list[i], primary)));
			json_object_object_add(o, "slug", json_object_new_string(cache.slugs[g]));
			json_object_array_add(out, o);
		}
	}
	return out;
}

static int fill_one(struct mq_req *r, struct json_object *movie, const char *primary)
{
	struct json_object *ids, *genres;

	if (!json_object_object_get_ex(movie, "genre_ids", &ids))
		return 0;
	genres = mq_genre_names(r, json_object_get_string(ids), primary);
	if (genres == NULL)
		return -1;
	json_object_object_del(movie, "genre_ids");
	json_object_object_add(movie, "genres", genres);
	return 0;
}

int mq_genre_names_fill(struct mq_req *r, struct json_object *movies, const char *primary)
{
	if (!json_object_is_type(movies, json_type_array))
		return fill_one(r, movies, primary);
	for (size_t i = 0; i < json_object_array_length(movies); i++)
		if (fill_one(r, json_object_array_get_idx(movies, i), primary) < 0)
			return -1;
	return 0;
}

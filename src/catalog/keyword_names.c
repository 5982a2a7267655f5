/*
 * keyword_names.c: the worker's memory of keyword names (see
 * keyword_names.h): an open-addressed table of id -> name.  When it is
 * three quarters full it is emptied and fills again: a bounded memory
 * whatever the size of the catalog's vocabulary.
 */
#include "catalog/keyword_names.h"

#include "core/buf.h"
#include "db/db.h"

#define SLOTS 16384		/* a power of two */
#define MAX_USED (SLOTS / 4 * 3)

struct slot {
	int id;			/* 0: empty */
	char *name;
};

static struct slot slots[SLOTS];
static int used;

static struct mq_stmt names_of = MQ_STMT_READ(
	"SELECT id, name FROM keywords WHERE id = ANY ($1::int[])");

static struct slot *slot_of(int id)
{
	unsigned h = (unsigned)id * 2654435761u;

	for (unsigned i = h & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1))
		if (slots[i].id == id || slots[i].id == 0)
			return &slots[i];
}

void mq_keyword_names_reset(void)
{
	for (int i = 0; i < SLOTS; i++) {
		free(slots[i].name);
		slots[i] = (struct slot){ 0 };
	}
	used = 0;
}

static void remember(int id, const char *name)
{
	struct slot *s = slot_of(id);
	char *copy;

	if (s->id == id || used >= MAX_USED || (copy = strdup(name)) == NULL)
		return;
	*s = (struct slot){ .id = id, .name = copy };
	used++;
}

static int count_missing(const int *ids, int n)
{
	int missing = 0;

	for (int i = 0; i < n; i++)
		missing += slot_of(ids[i])->id != ids[i];
	return missing;
}

/* Reads the names of the ids not yet known, in one statement; empties the
 * table first when they would not fit (never during a fetch, so that every
 * name of this movie is there once it is done). */
static enum mq_status fetch_missing(struct mq_ctx *c, const int *ids, int n)
{
	struct mq_buf missing;
	PGresult *res;
	const char *param;
	int count = count_missing(ids, n);

	if (count == 0)
		return MQ_OK;
	if (used + count > MAX_USED)
		mq_keyword_names_reset();
	mq_buf_init(&missing, c->arena, 64);
	for (int i = 0; i < n; i++)
		if (slot_of(ids[i])->id != ids[i])
			mq_buf_printf(&missing, "%s%d", missing.len ? "," : "{", ids[i]);
	mq_buf_puts(&missing, "}");
	param = missing.data;
	if ((res = mq_db_q(c, &names_of, 1, &param)) == NULL)
		return mq_db_failure(c);
	for (int i = 0; i < PQntuples(res); i++)
		remember((int)strtol(PQgetvalue(res, i, 0), NULL, 10), PQgetvalue(res, i, 1));
	return MQ_OK;
}

static int by_name(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

enum mq_status mq_keyword_names_fill(struct mq_ctx *c, struct json_object *movie)
{
	struct json_object *text, *out;
	struct slot *found;
	int n, *ids, nfound = 0;
	enum mq_status st;

	if (!json_object_object_get_ex(movie, "keyword_ids", &text))
		return MQ_OK;
	ids = mq_db_int_array(c->arena, json_object_get_string(text), &n);
	if ((st = fetch_missing(c, ids, n)) != MQ_OK)
		return st;
	found = mq_arena_alloc(c->arena, (size_t)(n ? n : 1) * sizeof(*found));
	for (int i = 0; i < n; i++) {
		struct slot *s = slot_of(ids[i]);

		if (s->id == ids[i])
			found[nfound++] = *s;
	}
	qsort(found, (size_t)nfound, sizeof(*found), by_name);
	out = json_object_new_array_ext(nfound);
	for (int i = 0; i < nfound; i++) {
		struct json_object *k = json_object_new_object();

		json_object_object_add(k, "id", json_object_new_int(found[i].id));
		json_object_object_add(k, "name", json_object_new_string(found[i].name));
		json_object_array_add(out, k);
	}
	json_object_object_del(movie, "keyword_ids");
	json_object_object_add(movie, "keywords", out);
	return MQ_OK;
}

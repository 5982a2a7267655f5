/*
 * rows.c: column type OIDs to JSON types.
 */
#include "db/rows.h"

#include <math.h>

#include "core/json.h"

/* From PostgreSQL's catalog (pg_type.dat): stable across versions. */
enum {
	OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_JSON = 114,
	OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700, OID_JSONB = 3802,
};

static void put_json(void *p)
{
	json_object_put(p);
}

static struct json_object *value(PGresult *res, int row, int col)
{
	const char *v = PQgetvalue(res, row, col);

	if (PQgetisnull(res, row, col))
		return NULL;
	switch (PQftype(res, col)) {
	case OID_BOOL:
		return json_object_new_boolean(v[0] == 't');
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		return json_object_new_int64(strtoll(v, NULL, 10));
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC: {
		/* PostgreSQL's own text is the shortest exact one ("7.05"); json-c
		 * would print 17 digits.  NaN and infinities are not JSON. */
		double d = strtod(v, NULL);

		return isfinite(d) ? json_object_new_double_s(d, v) : NULL;
	}
	case OID_JSON:
	case OID_JSONB:
		return json_tokener_parse(v);
	default:
		return json_object_new_string_len(v, PQgetlength(res, row, col));
	}
}

struct json_object *mq_row_columns(PGresult *res, int row, int from, int to)
{
	struct json_object *o = json_object_new_object();

	for (int c = from; c < to; c++)
		json_object_object_add(o, PQfname(res, c), value(res, row, c));
	return o;
}

struct json_object *mq_row_object(PGresult *res, int row)
{
	return mq_row_columns(res, row, 0, PQnfields(res));
}

struct json_object *mq_rows_array(struct mq_arena *a, PGresult *res)
{
	struct json_object *arr = mq_json_array(a);

	for (int r = 0; r < PQntuples(res); r++)
		json_object_array_add(arr, mq_row_object(res, r));
	return arr;
}

struct json_object *mq_row_owned(struct mq_arena *a, PGresult *res)
{
	return mq_row_owned_from(a, res, 0);
}

struct json_object *mq_row_owned_from(struct mq_arena *a, PGresult *res, int from)
{
	struct json_object *o;

	if (PQntuples(res) == 0)
		return NULL;
	o = mq_row_columns(res, 0, from, PQnfields(res));
	mq_arena_defer(a, put_json, o);
	return o;
}

int64_t mq_row_int(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

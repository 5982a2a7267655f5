/*
 * movie_cursor.c: after= cursors (see movie_cursor.h).  The text inside
 * the base64 is "<ordering>:<id>:" then "-" for a NULL key or "=" and the
 * key: a title, a real (popularity, rating), a count of days since
 * 1970-01-01 (release_date) or of microseconds since the epoch
 * (created_at).  Integers and reals are as the statements print them;
 * reals round-trip exactly (PostgreSQL prints the shortest exact form).
 */
#include "http/movie_cursor.h"

#include <math.h>
#include <sodium.h>

#include "core/utf8.h"

#define CURSOR_MAX 2048		/* base64 characters: a 300-character title fits */

bool mq_movie_cursor_orderable(enum mq_movie_order order)
{
	return order != MQ_ORDER_RANK && order < MQ_ORDER_COUNT;
}

const char *mq_movie_cursor_make(struct mq_arena *a, enum mq_movie_order order, int64_t id,
				 const char *key)
{
	const char *raw = mq_arena_printf(a, "%d:%lld:%s%s", (int)order, (long long)id,
					  key ? "=" : "-", key ? key : "");
	size_t len = strlen(raw);
	size_t out = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *b64 = mq_arena_alloc(a, out);

	return sodium_bin2base64(b64, out, (const unsigned char *)raw, len,
				 sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Whether key is a well-formed key of order's type. */
static bool key_ok(enum mq_movie_order order, const char *key)
{
	int64_t n;
	char *end;
	double d;

	switch (order) {
	case MQ_ORDER_TITLE:
	case MQ_ORDER_TITLE_DESC:
		return mq_utf8_valid(key, strlen(key)) && *key;
	case MQ_ORDER_POPULARITY:
	case MQ_ORDER_POPULARITY_DESC:
	case MQ_ORDER_RATING:
	case MQ_ORDER_RATING_DESC:
		d = strtod(key, &end);
		return *key && *end == '\0' && isfinite(d) && strspn(key, "0123456789.-+e") ==
			strlen(key);
	case MQ_ORDER_RELEASE_DATE:
	case MQ_ORDER_RELEASE_DATE_DESC:
		return mq_parse_int64(key, -1000000, 1000000, &n) == 0;
	case MQ_ORDER_CREATED_AT:
	case MQ_ORDER_CREATED_AT_DESC:
		return mq_parse_int64(key, -(INT64_C(1) << 52), INT64_C(1) << 52, &n) == 0;
	default:
		return false;	/* id: no key; relevance: no cursor */
	}
}

bool mq_movie_cursor_read(struct mq_arena *a, const char *text, enum mq_movie_order order,
			  struct mq_movie_cursor *out)
{
	size_t tlen = strlen(text), len = 0;
	unsigned char *raw;
	char *s, *colon, *key;
	int64_t ord, id;

	if (tlen == 0 || tlen > CURSOR_MAX || !mq_movie_cursor_orderable(order))
		return false;
	raw = mq_arena_alloc(a, tlen + 1);
	if (sodium_base642bin(raw, tlen, text, tlen, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || memchr(raw, 0, len))
		return false;
	s = mq_arena_strndup(a, (const char *)raw, len);
	if ((colon = strchr(s, ':')) == NULL)
		return false;
	*colon = '\0';
	if (mq_parse_int64(s, 0, MQ_ORDER_COUNT - 1, &ord) < 0 || ord != (int64_t)order)
		return false;
	s = colon + 1;
	if ((colon = strchr(s, ':')) == NULL)
		return false;
	*colon = '\0';
	if (mq_parse_int64(s, 1, INT64_MAX, &id) < 0)
		return false;
	key = colon + 1;
	out->id = mq_arena_int(a, id);
	if (order == MQ_ORDER_ID || order == MQ_ORDER_ID_DESC) {
		out->key = NULL;
		return strcmp(key, "-") == 0;
	}
	if (strcmp(key, "-") == 0) {
		out->key = NULL;
		/* only the nullable keys are ever NULL */
		return order == MQ_ORDER_RELEASE_DATE || order == MQ_ORDER_RELEASE_DATE_DESC ||
		       order == MQ_ORDER_RATING || order == MQ_ORDER_RATING_DESC;
	}
	if (*key != '=' || !key_ok(order, key + 1))
		return false;
	out->key = key + 1;
	return true;
}

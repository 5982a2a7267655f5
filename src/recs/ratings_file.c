/*
 * ratings_file.c: MovieLens rating files (CSV, ::, tab-separated).
 */
#include "recs/ratings_file.h"

#include <ctype.h>
#include <math.h>

enum format { CSV, COLONS, BLANKS };

static enum format detect(const char *line)
{
	if (strstr(line, "::"))
		return COLONS;
	if (strchr(line, ','))
		return CSV;
	return BLANKS;
}

/* The next field of *p, cut at its separator; NULL at the end. */
static char *field(char **p, enum format f)
{
	char *s = *p, *end;

	if (s == NULL)
		return NULL;
	if (f == BLANKS)
		while (*s == ' ' || *s == '\t')
			s++;
	if (*s == '\0')
		return *p = NULL;
	switch (f) {
	case CSV:
		end = strchr(s, ',');
		break;
	case COLONS:
		end = strstr(s, "::");
		break;
	default:
		end = s + strcspn(s, " \t");
		if (*end == '\0')
			end = NULL;
		break;
	}
	if (end) {
		*end = '\0';
		*p = end + (f == COLONS ? 2 : 1);
	} else {
		*p = NULL;
	}
	return s;
}

static bool parse_line(char *line, enum format f, int64_t *user, int64_t *item, float *value,
		       int32_t *day)
{
	char *p = line, *a = field(&p, f), *b = field(&p, f), *c = field(&p, f), *t = field(&p, f);
	char *end;
	double v;
	int64_t ts = 0;

	if (a == NULL || b == NULL || c == NULL || mq_parse_int64(a, 0, INT64_MAX, user) < 0 ||
	    mq_parse_int64(b, 0, INT64_MAX, item) < 0)
		return false;
	errno = 0;
	v = strtod(c, &end);
	if (errno || end == c || *end != '\0' || !isfinite(v) || v < -1e6 || v > 1e6)
		return false;
	if (t && mq_parse_int64(t, INT64_MIN / 2, INT64_MAX / 2, &ts) < 0)
		return false;
	*value = (float)v;
	*day = (int32_t)(ts / 86400);
	return true;
}

ssize_t mq_recs_ratings_read_stream(struct mq_recs_data *d, FILE *in, const char *name, char *err,
				    size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len, n = 0;
	uint64_t lineno = 0;
	enum format f = CSV;

	while ((len = getline(&line, &cap, in)) >= 0) {
		int64_t user, item;
		float value;
		int32_t day;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (lineno == 1) {
			f = detect(line);
			/* a header: "userId,movieId,rating,timestamp" */
			if (!isdigit((unsigned char)line[0]))
				continue;
		}
		if (!parse_line(line, f, &user, &item, &value, &day)) {
			snprintf(err, errlen, "%s:%llu: expected user, item, rating and timestamp",
				 name, (unsigned long long)lineno);
			free(line);
			return -1;
		}
		mq_recs_data_add(d, user, item, value, day);
		n++;
	}
	free(line);
	if (ferror(in)) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	return n;
}

ssize_t mq_recs_ratings_read(struct mq_recs_data *d, const char *path, char *err, size_t errlen)
{
	FILE *in = fopen(path, "r");
	ssize_t n;

	if (in == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = mq_recs_ratings_read_stream(d, in, path, err, errlen);
	fclose(in);
	return n;
}

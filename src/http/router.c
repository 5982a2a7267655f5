/*
 * router.c: compiled route patterns and matching.
 *
 * Routes with the same pattern form a group; matching walks the groups
 * (a few dozen), keeps the most specific one that matches, then picks the
 * route for the method inside it.
 */
#include "http/router.h"

#define MAX_SEGMENTS 12

struct segment {
	const char *literal;	/* NULL for a parameter */
	const char *name;	/* parameter name */
	enum mq_ptype type;
};

struct group {
	const char *source;	/* the pattern as written in the table */
	char *text;		/* owned copy, cut up into the segments */
	int nseg;
	struct segment seg[MAX_SEGMENTS];
	unsigned methods;
	int route_for[8];	/* by method bit: route index, or -1 */
};

struct mq_router {
	size_t ngroups;
	struct group *groups;
	const struct mq_route *routes;
};

static const struct {
	unsigned bit;
	const char *name;
} methods[] = {
	{ MQ_GET, "GET" },     { MQ_HEAD, "HEAD" },	{ MQ_POST, "POST" },
	{ MQ_PUT, "PUT" },     { MQ_PATCH, "PATCH" }, { MQ_DELETE, "DELETE" },
	{ MQ_OPTIONS, "OPTIONS" },
};

unsigned mq_method_parse(const char *name)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(methods); i++)
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].bit;
	return 0;
}

const char *mq_method_name(unsigned method)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(methods); i++)
		if (methods[i].bit == method)
			return methods[i].name;
	return "?";
}

void mq_methods_format(unsigned mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < MQ_ARRAY_LEN(methods) && off < len; i++)
		if (mask & methods[i].bit)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? ", " : "", methods[i].name);
}

static int method_index(unsigned bit)
{
	return __builtin_ctz(bit);
}

static int parse_type(const char *s, enum mq_ptype *t)
{
	static const char *const names[] = { "int", "slug", "lang", "word" };

	for (size_t i = 0; i < MQ_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0)
			return *t = (enum mq_ptype)i, 0;
	return -1;
}

/* Cuts g->text ("/api/x/{id:int}/") into segments, in place. */
static int compile(struct group *g, char *err, size_t errlen)
{
	char *p = g->text;
	size_t plen = strlen(p);

	if (plen < 2 || p[0] != '/' || p[plen - 1] != '/') {
		snprintf(err, errlen, "route %s: must start and end with /", g->source);
		return -1;
	}
	p[plen - 1] = '\0';
	for (char *s = p + 1; s != NULL;) {
		char *slash = strchr(s, '/');
		struct segment *seg;
		size_t n;

		if (slash)
			*slash = '\0';
		n = strlen(s);
		if (g->nseg == MAX_SEGMENTS || n == 0) {
			snprintf(err, errlen, "route %s: too many or empty segments", g->source);
			return -1;
		}
		seg = &g->seg[g->nseg++];
		if (s[0] == '{') {
			char *colon = strchr(s, ':');

			if (colon == NULL || s[n - 1] != '}')
				goto bad_param;
			s[n - 1] = '\0';
			*colon = '\0';
			if (parse_type(colon + 1, &seg->type) < 0)
				goto bad_param;
			seg->name = s + 1;
		} else {
			seg->literal = s;
		}
		s = slash ? slash + 1 : NULL;
	}
	return 0;
bad_param:
	snprintf(err, errlen, "route %s: expected {name:int|slug|lang|word}", g->source);
	return -1;
}

static struct group *group_for(struct mq_router *rt, const char *pattern)
{
	for (size_t k = 0; k < rt->ngroups; k++)
		if (strcmp(rt->groups[k].source, pattern) == 0)
			return &rt->groups[k];
	return NULL;
}

struct mq_router *mq_router_new(const struct mq_route *routes, size_t n, char *err, size_t errlen)
{
	struct mq_router *rt = mq_xcalloc(1, sizeof(*rt));

	rt->routes = routes;
	rt->groups = mq_xcalloc(n ? n : 1, sizeof(*rt->groups));
	for (size_t i = 0; i < n; i++) {
		const struct mq_route *r = &routes[i];
		struct group *g = group_for(rt, r->pattern);
		int mi;

		if (__builtin_popcount(r->method) != 1 || r->method == MQ_HEAD) {
			snprintf(err, errlen, "route %s: one method (not HEAD) per row", r->pattern);
			goto fail;
		}
		if (g == NULL) {
			g = &rt->groups[rt->ngroups++];
			for (size_t k = 0; k < MQ_ARRAY_LEN(g->route_for); k++)
				g->route_for[k] = -1;
			g->source = r->pattern;
			g->text = mq_xstrdup(r->pattern);
			if (compile(g, err, errlen) < 0)
				goto fail;
		}
		mi = method_index(r->method);
		if (g->route_for[mi] >= 0) {
			snprintf(err, errlen, "route %s %s: listed twice",
				 mq_method_name(r->method), r->pattern);
			goto fail;
		}
		g->route_for[mi] = (int)i;
		g->methods |= r->method;
	}
	return rt;
fail:
	mq_router_free(rt);
	return NULL;
}

void mq_router_free(struct mq_router *rt)
{
	if (rt == NULL)
		return;
	for (size_t k = 0; k < rt->ngroups; k++)
		free(rt->groups[k].text);
	free(rt->groups);
	free(rt);
}

static bool is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool type_ok(enum mq_ptype t, const char *s, size_t n, int64_t *num)
{
	switch (t) {
	case MQ_PT_INT: {
		int64_t v = 0;

		if (n == 0 || n > 19 || s[0] == '0')
			return false;
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			if (v > (INT64_MAX - (s[i] - '0')) / 10)
				return false;
			v = v * 10 + (s[i] - '0');
		}
		*num = v;
		return true;
	}
	case MQ_PT_SLUG:
		if (n == 0 || n > 150)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!is_alnum((unsigned char)s[i]) && !strchr("_.@+-", s[i]))
				return false;
		return true;
	case MQ_PT_WORD:
		if (n == 0 || n > 64)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			      s[i] == '-'))
				return false;
		return true;
	case MQ_PT_LANG:
		/* ll, lll, ll-CC, ll-Hant, ll-Hant-CC: letters, digits, dashes. */
		if (n < 2 || n > 35 || s[0] == '-' || s[n - 1] == '-')
			return false;
		for (size_t i = 0; i < n; i++)
			if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
				return false;
		return true;
	}
	return false;
}

/* Splits a request path into segments (pointers into a copy).  The final
 * slash is optional; empty segments ("a//b") never match. */
static int split(struct mq_arena *a, const char *path, char **segs, size_t *lens)
{
	size_t plen = strlen(path);
	char *p;
	int n = 0;

	if (plen == 0 || path[0] != '/')
		return -1;
	if (plen > 1 && path[plen - 1] == '/')
		plen--;
	p = mq_arena_strndup(a, path, plen);
	if (plen == 1)
		return 0;
	for (char *s = p + 1; s != NULL;) {
		char *slash = strchr(s, '/');

		if (n == MAX_SEGMENTS)
			return -1;
		if (slash)
			*slash = '\0';
		segs[n] = s;
		lens[n] = strlen(s);
		if (lens[n] == 0)
			return -1;
		n++;
		s = slash ? slash + 1 : NULL;
	}
	return n;
}

/* Does g match?  Fills params; returns the bitmask of literal positions
 * (higher bits for earlier segments) as a specificity score, or -1. */
static long long group_match(const struct group *g, char **segs, size_t *lens, int nseg,
			     struct mq_match *m)
{
	long long score = 0;

	if (g->nseg != nseg)
		return -1;
	m->nparams = 0;
	for (int i = 0; i < nseg; i++) {
		const struct segment *s = &g->seg[i];

		score <<= 1;
		if (s->literal) {
			if (strcmp(s->literal, segs[i]) != 0)
				return -1;
			score |= 1;
		} else {
			struct mq_path_param *p = &m->params[m->nparams];

			if (m->nparams == MQ_MAX_PATH_PARAMS ||
			    !type_ok(s->type, segs[i], lens[i], &p->num))
				return -1;
			p->name = s->name;
			p->type = s->type;
			p->str = segs[i];
			m->nparams++;
		}
	}
	return score;
}

int mq_router_match(const struct mq_router *rt, unsigned method, const char *path,
		    struct mq_arena *a, struct mq_match *m)
{
	char *segs[MAX_SEGMENTS];
	size_t lens[MAX_SEGMENTS];
	const struct group *best = NULL;
	long long best_score = -1;
	struct mq_match tmp = { .route = NULL, .index = -1 };
	int nseg = split(a, path, segs, lens);
	int ri;

	memset(m, 0, sizeof(*m));
	m->index = -1;
	if (nseg < 0)
		return 404;
	for (size_t k = 0; k < rt->ngroups; k++) {
		long long score = group_match(&rt->groups[k], segs, lens, nseg, &tmp);

		if (score > best_score) {
			best_score = score;
			best = &rt->groups[k];
			*m = tmp;
		}
	}
	if (best == NULL)
		return 404;
	ri = method ? best->route_for[method_index(method == MQ_HEAD ? MQ_GET : method)] : -1;
	if (ri < 0) {
		m->allow = best->methods | (best->methods & MQ_GET ? MQ_HEAD : 0);
		return 405;
	}
	m->route = &rt->routes[ri];
	m->index = ri;
	return 200;
}

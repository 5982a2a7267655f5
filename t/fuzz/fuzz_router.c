/*
 * fuzz_router.c: the route table (http/routes.c) through the router
 * (http/router.c), against a matcher written here from router.h's rules.
 *
 * Input: "METHOD /path" (without a space: a GET of the whole input).
 */
#include "harness.h"

#include <ctype.h>

#include "http/router.h"
#include "http/routes.h"

static struct mq_router *router(void)
{
	static struct mq_router *rt;
	char err[256];

	if (rt == NULL && (rt = mq_router_new(mq_routes, mq_routes_count, err, sizeof(err))) == NULL)
		fz_fail(__FILE__, __LINE__, err);
	return rt;
}

/* Does a path segment s[0..n) have type t (router.h)? */
static bool of_type(const char *t, const char *s, size_t n)
{
	size_t ok = 0;

	if (strcmp(t, "int") == 0) {
		/* 1 .. 2^63-1, no leading zero, as written by %lld */
		char *end;
		long long v;

		if (n == 0 || n > 19 || s[0] == '0' || !isdigit((unsigned char)s[0]))
			return false;
		errno = 0;
		v = strtoll(s, &end, 10);
		return errno == 0 && end == s + n && v >= 1;
	}
	if (strcmp(t, "slug") == 0) {
		while (ok < n && (isalnum((unsigned char)s[ok]) || strchr("_.@+-", s[ok])) && s[ok] &&
		       (unsigned char)s[ok] < 0x80)
			ok++;
		return n >= 1 && n <= 150 && ok == n;
	}
	if (strcmp(t, "word") == 0) {
		while (ok < n && (islower((unsigned char)s[ok]) || isdigit((unsigned char)s[ok]) ||
				  s[ok] == '-') && (unsigned char)s[ok] < 0x80)
			ok++;
		return n >= 1 && n <= 64 && ok == n;
	}
	FZ_CHECK(strcmp(t, "lang") == 0);
	while (ok < n && (isalnum((unsigned char)s[ok]) || s[ok] == '-') && (unsigned char)s[ok] < 0x80)
		ok++;
	return n >= 2 && n <= 35 && ok == n && s[0] != '-' && s[n - 1] != '-';
}

/* Matches pattern against the segments; literal[i] says which matched a
 * literal. */
static bool matches(const char *pattern, char **segs, int nseg, bool *literal)
{
	const char *p = pattern + 1;
	int i = 0;

	for (; *p; i++) {
		size_t n = strcspn(p, "/");

		if (i == nseg)
			return false;
		if (*p == '{') {
			const char *colon = memchr(p, ':', n);
			char type[8] = "";

			snprintf(type, sizeof(type), "%.*s", (int)(n - (size_t)(colon - p) - 2), colon + 1);
			if (!of_type(type, segs[i], strlen(segs[i])))
				return false;
			literal[i] = false;
		} else {
			if (strlen(segs[i]) != n || strncmp(p, segs[i], n) != 0)
				return false;
			literal[i] = true;
		}
		p += n + 1;
	}
	return i == nseg;
}

/* The route the rules choose, or -1; *allow: the methods of the path. */
static int reference(unsigned method, char *path, unsigned *allow)
{
	char *segs[32];
	int nseg = 0, best = -1, best_any = -1;
	bool lit[32], best_lit[32] = { false };
	size_t len = strlen(path);

	*allow = 0;
	if (len == 0 || path[0] != '/' || strstr(path, "//"))
		return -2;	/* 404 */
	if (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	for (char *save = NULL, *s = strtok_r(path + 1, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (nseg == 32)
			return -2;
		segs[nseg++] = s;
	}
	for (size_t i = 0; i < mq_routes_count; i++) {
		const struct mq_route *r = &mq_routes[i];
		int cmp = 0;

		if (!matches(r->pattern, segs, nseg, lit))
			continue;
		/* more specific: a literal at the first place they differ */
		for (int k = 0; k < nseg && cmp == 0 && best_any >= 0; k++)
			cmp = lit[k] - best_lit[k];
		if (best_any >= 0 && cmp < 0)
			continue;
		if (best_any < 0 || cmp > 0) {
			best_any = (int)i;
			best = -1;
			*allow = 0;
			memcpy(best_lit, lit, sizeof(lit));
		}
		if (strcmp(r->pattern, mq_routes[best_any].pattern) != 0)
			continue;	/* as specific, another pattern: the first one wins */
		*allow |= r->method | (r->method == MQ_GET ? MQ_HEAD : 0);
		if (best < 0 && (r->method == method || (method == MQ_HEAD && r->method == MQ_GET)))
			best = (int)i;
	}
	return best_any < 0 ? -2 : best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	const struct mq_router *rt = router();
	char *name, *path, *copy;
	unsigned method, allow;
	struct mq_match m;
	int status, want;

	fz_split(a, data, size, ' ', &name, &path);
	if (*path == '\0') {
		path = name;
		name = "GET";
	}
	method = mq_method_parse(name);
	if (method)
		FZ_CHECK(strcmp(mq_method_name(method), name) == 0);
	copy = mq_arena_strdup(a, path);
	status = mq_router_match(rt, method, path, a, &m);
	want = reference(method, copy, &allow);
	FZ_CHECK(status == 200 || status == 404 || status == 405);
	FZ_CHECK(status != 200 || m.route == &mq_routes[want]);
	FZ_CHECK(status != 200 || m.index == want);
	FZ_CHECK(status != 405 || (want == -1 && m.allow == allow && m.route == NULL));
	FZ_CHECK(status != 404 || (want == -2 && m.route == NULL));
	if (status == 200) {
		/* the pattern with the parameters put back is the path */
		const char *p = m.route->pattern;
		char *rebuilt = mq_arena_strdup(a, "");
		int k = 0;

		while (*p) {
			if (*p == '{') {
				FZ_CHECK(k < m.nparams);
				if (m.params[k].type == MQ_PT_INT)
					FZ_CHECK(strcmp(mq_arena_int(a, m.params[k].num), m.params[k].str) == 0);
				rebuilt = mq_arena_printf(a, "%s%s", rebuilt, m.params[k++].str);
				p = strchr(p, '}') + 1;
			} else {
				rebuilt = mq_arena_printf(a, "%s%c", rebuilt, *p++);
			}
		}
		FZ_CHECK(k == m.nparams);
		FZ_CHECK(strcmp(rebuilt, path) == 0 ||
			 (strncmp(rebuilt, path, strlen(path)) == 0 && strlen(rebuilt) == strlen(path) + 1));
	}
	mq_arena_destroy(a);
	return 0;
}

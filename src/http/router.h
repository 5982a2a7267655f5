/*
 * router.h: matching a method and path against the route table.
 *
 * Patterns are the paths of docs/openapi.yaml, with typed parameters:
 *   "/api/genres/{id:int}/movies/"
 * Types: int (1 .. 2^63-1), slug (letters, digits, _ . @ + -), lang (a BCP 47
 * tag such as fr or pt-BR), word (lower-case letters, digits and -).  A value
 * of the wrong type does not match, so "/api/movies/abc/" is a 404.  The
 * trailing slash is optional on request paths.  When several patterns match,
 * the one with a literal segment where the others have a parameter wins, so
 * "/api/users/me/" beats "/api/users/{username:slug}/".
 */
#ifndef MQ_ROUTER_H
#define MQ_ROUTER_H

#include "core/arena.h"

enum mq_method {
	MQ_GET = 1 << 0,
	MQ_HEAD = 1 << 1,
	MQ_POST = 1 << 2,
	MQ_PUT = 1 << 3,
	MQ_PATCH = 1 << 4,
	MQ_DELETE = 1 << 5,
	MQ_OPTIONS = 1 << 6,
};

enum mq_role { MQ_ROLE_ANON, MQ_ROLE_USER, MQ_ROLE_ADMIN };

enum mq_ptype { MQ_PT_INT, MQ_PT_SLUG, MQ_PT_LANG, MQ_PT_WORD };

/* Route flags. */
#define MQ_RF_UPLOAD 0x01	/* body is a file: upload_max applies, not body_max */
/* The endpoint ignores Authorization: it is how a client gets its tokens
 * (login, refresh, ...), and a client refreshing holds an expired access
 * token it may well send along. */
#define MQ_RF_TOKENLESS 0x02
/* CPU-heavy: at most [server] heavy_requests of these run at once
 * (pool/gate.h); nginx sends each on a connection of its own, which an
 * idle worker takes (nginx/snippets/marquee-locations.conf). */
#define MQ_RF_HEAVY 0x04

struct mq_req;
struct mq_reply;	/* http/http.h */
typedef struct mq_reply mq_handler(struct mq_req *r);

struct mq_route {
	unsigned method;	/* one MQ_* method */
	const char *pattern;
	mq_handler *handler;
	enum mq_role role;	/* the least role that may call it */
	unsigned flags;
};

#define MQ_MAX_PATH_PARAMS 4

struct mq_path_param {
	const char *name;
	enum mq_ptype type;
	int64_t num;		/* MQ_PT_INT */
	const char *str;	/* every type: the segment as given */
};

struct mq_match {
	const struct mq_route *route;	/* NULL on 404 and 405 */
	int index;			/* route's index in the table, -1 if none */
	unsigned allow;			/* on 405: the methods the path takes */
	int nparams;
	struct mq_path_param params[MQ_MAX_PATH_PARAMS];
};

struct mq_router;

/* Compiles the table.  Returns NULL with a reason in err when a pattern is
 * malformed or a (method, pattern) pair repeats. */
struct mq_router *mq_router_new(const struct mq_route *routes, size_t n, char *err, size_t errlen);
void mq_router_free(struct mq_router *rt);

/* Matches method and path.  Returns 200 (m->route set), 404 or 405 (m->allow
 * set).  HEAD is served by the GET route.  Parameter strings point into the
 * arena. */
int mq_router_match(const struct mq_router *rt, unsigned method, const char *path,
		    struct mq_arena *a, struct mq_match *m);

/* "GET" -> MQ_GET; 0 for methods Marquee does not serve. */
unsigned mq_method_parse(const char *name);
const char *mq_method_name(unsigned method);

/* Writes "GET, HEAD, POST" for a method mask into buf. */
void mq_methods_format(unsigned mask, char *buf, size_t len);

#endif

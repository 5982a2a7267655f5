/*
 * http.c: FastCGI parameters in, status, headers and body out.
 */
#include "http/http.h"

#include <ctype.h>
#include <stdarg.h>
#include <strings.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"

#define PATH_MAX_LEN 2048

static const struct {
	int status;
	const char *text;
} status_texts[] = {
	{ 200, N_("OK") },
	{ 201, N_("Created") },
	{ 202, N_("Accepted") },
	{ 204, N_("No Content") },
	{ 304, N_("Not Modified") },
	{ 400, N_("Bad Request") },
	{ 401, N_("Unauthorized") },
	{ 403, N_("Forbidden") },
	{ 404, N_("Not Found") },
	{ 405, N_("Method Not Allowed") },
	{ 406, N_("Not Acceptable") },
	{ 409, N_("Conflict") },
	{ 410, N_("Gone") },
	{ 411, N_("Length Required") },
	{ 412, N_("Precondition Failed") },
	{ 413, N_("Content Too Large") },
	{ 414, N_("URI Too Long") },
	{ 415, N_("Unsupported Media Type") },
	{ 422, N_("Unprocessable Content") },
	{ 429, N_("Too Many Requests") },
	{ 500, N_("Internal Server Error") },
	{ 502, N_("Bad Gateway") },
	{ 503, N_("Service Unavailable") },
	{ 504, N_("Gateway Timeout") },
};

const char *mq_status_text(int status)
{
	for (size_t i = 0; i < MQ_ARRAY_LEN(status_texts); i++)
		if (status_texts[i].status == status)
			return status_texts[i].text;
	return "Unknown";
}

const char *mq_req_param(const struct mq_req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

const char *mq_req_client(const struct mq_req *r)
{
	const char *addr = mq_req_param(r, "REMOTE_ADDR");

	return addr && *addr ? addr : "-";
}

static bool request_id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && !strchr("._-", s[n]))
			return false;
	return n > 0 && n <= 64;
}

static const char *new_request_id(struct mq_arena *a)
{
	unsigned char raw[12];
	char *hex = mq_arena_alloc(a, sizeof(raw) * 2 + 1);

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(raw) * 2 + 1, raw, sizeof(raw));
	return hex;
}

/* The path: nginx's normalised $uri when given (DOCUMENT_URI), else the
 * path part of REQUEST_URI, decoded here. */
static const char *request_path(struct mq_req *r)
{
	const char *uri = mq_req_param(r, "DOCUMENT_URI");
	const char *q;

	if (uri != NULL)
		return mq_utf8_valid(uri, strlen(uri)) ? uri : NULL;
	uri = mq_req_param(r, "REQUEST_URI");
	if (uri == NULL)
		return NULL;
	q = strchr(uri, '?');
	return mq_percent_decode(r->arena, uri, q ? (size_t)(q - uri) : strlen(uri), false);
}

static bool host_ok(const char *h)
{
	if (h == NULL || *h == '\0' || strlen(h) > 255)
		return false;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && !strchr(".-:[]", *h))
			return false;
	return true;
}

/* scheme://host of absolute links: [server] public_url, else what the
 * request came to. */
static const char *origin(struct mq_req *r)
{
	const char *base = r->ctx.cfg->public_url;
	const char *https, *scheme, *host;

	if (base && *base)
		return base;
	https = mq_req_param(r, "HTTPS");
	scheme = mq_req_param(r, "REQUEST_SCHEME");
	host = mq_req_param(r, "HTTP_HOST");
	if (https && strcasecmp(https, "on") == 0)
		scheme = "https";
	else if (scheme == NULL || (strcmp(scheme, "http") && strcmp(scheme, "https")))
		scheme = "http";
	if (!host_ok(host))
		host = mq_req_param(r, "SERVER_NAME");
	if (!host_ok(host))
		host = "localhost";
	return mq_arena_printf(r->arena, "%s://%s", scheme, host);
}

int mq_req_init(struct mq_req *r, FCGX_Request *fcgi, const struct mq_ctx *services,
		const char **why)
{
	const struct mq_config *cfg = services->cfg;
	struct mq_arena *a = services->arena;
	struct mq_query_limits lim = { cfg->query_max_params, cfg->query_max_length };
	const char *method, *cl, *rid;

	memset(r, 0, sizeof(*r));
	r->fcgi = fcgi;
	r->ctx = *services;
	r->ctx.err = (struct mq_error){ 0 };
	r->arena = a;
	r->started_ns = mq_now_mono_ns();
	r->content_length = -1;
	r->role = MQ_ROLE_ANON;
	r->match.index = -1;

	rid = mq_req_param(r, "HTTP_X_REQUEST_ID");
	r->request_id = rid && request_id_ok(rid) ? rid : new_request_id(a);
	method = mq_req_param(r, "REQUEST_METHOD");
	r->method_name = method && strlen(method) < 16 ? method : "?";
	r->method = mq_method_parse(r->method_name);
	r->path = "?";
	r->authorization = mq_req_param(r, "HTTP_AUTHORIZATION");
	r->content_type = mq_req_param(r, "CONTENT_TYPE");
	r->accept_language = mq_req_param(r, "HTTP_ACCEPT_LANGUAGE");
	r->if_none_match = mq_req_param(r, "HTTP_IF_NONE_MATCH");
	r->raw_query = mq_req_param(r, "QUERY_STRING");
	r->ctx.origin = origin(r);
	r->ctx.request_id = r->request_id;
	r->ctx.client = mq_req_client(r);
	mq_lang_from_header(r->accept_language, &r->lang);
	r->ctx.lang = r->lang.ui;

	const char *path = request_path(r);
	if (path == NULL || path[0] != '/') {
		*why = N_("The request path is malformed.");
		return 400;
	}
	if (strlen(path) > PATH_MAX_LEN) {
		*why = N_("The request path is too long.");
		return 414;
	}
	r->path = path;
	cl = mq_req_param(r, "CONTENT_LENGTH");
	if (cl && *cl && mq_parse_int64(cl, 0, INT64_MAX, &r->content_length) < 0) {
		*why = N_("The Content-Length header is malformed.");
		return 400;
	}
	if (mq_query_parse(a, r->raw_query, &lim, &r->query, why) < 0)
		return 400;
	return 0;
}

static const struct mq_path_param *path_param(const struct mq_req *r, const char *name)
{
	for (int i = 0; i < r->match.nparams; i++)
		if (strcmp(r->match.params[i].name, name) == 0)
			return &r->match.params[i];
	return NULL;
}

int64_t mq_req_id(const struct mq_req *r, const char *name)
{
	const struct mq_path_param *p = path_param(r, name);

	/* A handler asking for a parameter its route lacks is a bug. */
	if (p == NULL || p->type != MQ_PT_INT)
		abort();
	return p->num;
}

const char *mq_req_id_text(struct mq_req *r, const char *name)
{
	return mq_arena_int(r->arena, mq_req_id(r, name));
}

const char *mq_req_user_text(struct mq_req *r)
{
	return mq_arena_int(r->arena, r->user_id);
}

const char *mq_req_str(const struct mq_req *r, const char *name)
{
	const struct mq_path_param *p = path_param(r, name);

	if (p == NULL)
		abort();
	return p->str;
}

static size_t body_cap(const struct mq_req *r)
{
	const struct mq_route *route = r->match.route;

	return route && (route->flags & MQ_RF_UPLOAD) ? r->ctx.cfg->upload_max
						      : r->ctx.cfg->body_max;
}

mq_reply mq_req_body(struct mq_req *r, const char **body, size_t *len)
{
	size_t cap = body_cap(r), want, got = 0;
	char *buf;

	if (r->content_length < 0)
		return mq_problem(r, 411, "A request body needs a Content-Length.");
	if ((uint64_t)r->content_length > cap)
		return mq_problem(r, 413, "The body is larger than %zu bytes.", cap);
	want = (size_t)r->content_length;
	buf = mq_arena_alloc(r->arena, want + 1);
	while (got < want) {
		int n = FCGX_GetStr(buf + got, (int)(want - got), r->fcgi->in);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r->body_read = true;
	if (got != want)
		return mq_problem(r, 400, "The body is shorter than its Content-Length.");
	buf[got] = '\0';
	*body = buf;
	*len = got;
	return MQ_NEXT;
}

/* application/json, optionally with charset=utf-8; nothing else. */
static bool content_type_is_json(const char *ct)
{
	const char *p;

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
		return false;
	p = ct + 16;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return true;
	if (*p++ != ';')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "charset=", 8) != 0)
		return false;
	p += 8;
	if (*p == '"')
		p++;
	return strncasecmp(p, "utf-8", 5) == 0 &&
	       (p[5] == '\0' || p[5] == '"' || p[5] == ' ' || p[5] == ';');
}

mq_reply mq_req_json(struct mq_req *r, struct json_object **out)
{
	const char *body, *err;
	struct json_object *v;
	mq_reply rc;
	size_t len;

	if (!content_type_is_json(r->content_type))
		return mq_problem(r, 415, "Send the body as application/json; charset=utf-8.");
	if (mq_done(rc = mq_req_body(r, &body, &len)))
		return rc;
	if (len == 0)
		return mq_problem(r, 400, "The body is empty; a JSON object is expected.");
	if (mq_json_parse(r->arena, body, len, r->ctx.cfg->json_max_depth, &v, &err) < 0)
		return mq_problem_ext(r, 400, err, NULL);
	/* null (v is NULL) among the rest */
	if (!json_object_is_type(v, json_type_object))
		return mq_problem(r, 400, "The body must be a JSON object.");
	*out = v;
	return MQ_NEXT;
}

void mq_resp_header(struct mq_req *r, const char *name, const char *value)
{
	struct mq_header *h;

	for (const char *p = value; *p; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			mq_log_error("refusing a %s header with a control character", name);
			return;
		}
	}
	h = mq_arena_alloc(r->arena, sizeof(*h));

	h->name = mq_arena_strdup(r->arena, name);
	h->value = mq_arena_strdup(r->arena, value);
	h->next = r->headers;
	r->headers = h;
}

static bool has_header(const struct mq_req *r, const char *name)
{
	for (const struct mq_header *h = r->headers; h; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return true;
	return false;
}

/* The languages of a response: the one asked for (titles, overviews),
 * followed by the one our messages are in when that differs: "fr-FR"
 * (messages in fr), "pt-PT, pt-BR", "it, en" (no catalog for Italian). */
static const char *content_language(struct mq_req *r)
{
	const char *ui = mq_ui_tag(r->lang.ui);

	if (strcmp(r->lang.tag, ui) == 0 || (strcmp(r->lang.primary, ui) == 0))
		return r->lang.tag;
	return mq_arena_printf(r->arena, "%s, %s", r->lang.tag, ui);
}

/* Writes the response; a write the client is gone for is still an answer. */
static void write_response(struct mq_req *r, int status, const char *type, const char *body,
			   size_t len)
{
	FCGX_Stream *out = r->fcgi->out;
	struct mq_buf head;

	r->responded = true;
	r->status = status;
	mq_buf_init(&head, r->arena, 512);
	mq_buf_printf(&head, "Status: %d %s\r\n", status, mq_status_text(status));
	if (type)
		mq_buf_printf(&head, "Content-Type: %s\r\n", type);
	if (status != 204 && status != 304)
		mq_buf_printf(&head, "Content-Length: %zu\r\n", len);
	for (const struct mq_header *h = r->headers; h; h = h->next)
		mq_buf_printf(&head, "%s: %s\r\n", h->name, h->value);
	/* every answer's messages follow Accept-Language */
	mq_buf_printf(&head, "Content-Language: %s\r\nVary: Accept-Language\r\n",
		      content_language(r));
	mq_buf_puts(&head, "\r\n");
	if (FCGX_PutStr(head.data, (int)head.len, out) < 0)
		return;
	if (body && len && r->method != MQ_HEAD && status != 204 && status != 304 &&
	    FCGX_PutStr(body, (int)len, out) >= 0)
		r->bytes_out = len;
}

mq_reply mq_respond(struct mq_req *r, int status, const char *type, const char *body, size_t len)
{
	if (r->responded)
		mq_log_error("second response to one request: %s %s", r->method_name, r->path);
	else
		write_response(r, status, type, body, len);
	return (mq_reply){ .done = true };
}

mq_reply mq_respond_json(struct mq_req *r, int status, struct json_object *o)
{
	size_t len;
	const char *s = mq_json_render(o, &len);

	return mq_respond(r, status, "application/json; charset=utf-8", s, len);
}

mq_reply mq_respond_detail(struct mq_req *r, int status, const char *text)
{
	struct json_object *o = mq_json_object(r->arena);

	mq_json_add_str(o, "detail", mq_tr(r->lang.ui, text));
	return mq_respond_json(r, status, o);
}

const char *mq_etag_for(struct mq_arena *a, const char *body, size_t len)
{
	unsigned char h[16];
	char hex[33];

	crypto_generichash(h, sizeof(h), (const unsigned char *)body, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return mq_arena_printf(a, "W/\"%s\"", hex);
}

/* Compares opaque tags ignoring the W/ prefix (RFC 9110 weak comparison).
 * Our tags never contain commas, so splitting the list on them is safe. */
bool mq_etag_match(const char *inm, const char *etag)
{
	const char *tag = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
	size_t tlen = strlen(tag);

	for (const char *p = inm; p && *p;) {
		const char *end, *e, *s;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		e = end;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		s = p;
		if (e - s == 1 && *s == '*')
			return true;
		if (e - s >= 2 && strncmp(s, "W/", 2) == 0)
			s += 2;
		if ((size_t)(e - s) == tlen && memcmp(s, tag, tlen) == 0)
			return true;
		p = end;
	}
	return false;
}

mq_reply mq_respond_cached(struct mq_req *r, const char *etag, const char *body, size_t len)
{
	mq_resp_header(r, "ETag", etag);
	if (mq_etag_match(r->if_none_match, etag))
		return mq_respond(r, 304, NULL, NULL, 0);
	return mq_respond(r, 200, "application/json; charset=utf-8", body, len);
}

/* detail, or a copy with each byte that is not part of valid UTF-8
 * replaced by U+FFFD: a detail may quote what the client sent (its method,
 * its Content-Type), which nginx passes on byte for byte, and JSON is
 * UTF-8 (RFC 8259). */
static const char *utf8_text(struct mq_arena *a, const char *detail)
{
	size_t n = detail ? strlen(detail) : 0;
	struct mq_buf b;

	if (detail == NULL || mq_utf8_valid(detail, n))
		return detail;
	mq_buf_init(&b, a, n * 3 + 1);
	for (size_t i = 0, k; i < n; i += k) {
		for (k = 1; k <= 4 && i + k <= n && !mq_utf8_valid(detail + i, k); k++)
			;
		if (k <= 4 && i + k <= n) {
			mq_buf_append(&b, detail + i, k);
		} else {
			mq_buf_puts(&b, "\xef\xbf\xbd");
			k = 1;
		}
	}
	return b.data;
}

mq_reply mq_problem_plan(struct mq_req *r, struct json_object *plan, const char *with_plan,
			 const char *without)
{
	struct json_object *extra = mq_json_object(r->arena);
	const char *detail = without, *t, *at;

	json_object_object_add(extra, "plan", plan ? json_object_get(plan) : NULL);
	if (plan) {
		/* the plan's name in the translated sentence's %s (spliced,
		 * not printf'd: the format is the catalog's, not a literal) */
		t = mq_tr(r->lang.ui, with_plan);
		at = strstr(t, "%s");
		detail = at ? mq_arena_printf(r->arena, "%.*s%s%s", (int)(at - t), t,
					      json_object_get_string(json_object_object_get(plan, "name")),
					      at + 2)
			    : t;
	}
	return mq_problem_ext(r, 403, detail, extra);
}

mq_reply mq_problem_ext(struct mq_req *r, int status, const char *detail, struct json_object *extra)
{
	struct json_object *o = mq_json_object(r->arena);

	detail = utf8_text(r->arena, mq_tr(r->lang.ui, detail));

	mq_json_add_str(o, "type", "about:blank");
	mq_json_add_str(o, "title", mq_tr(r->lang.ui, mq_status_text(status)));
	mq_json_add_int(o, "status", status);
	mq_json_add_str(o, "detail", detail);
	if (extra) {
		json_object_object_foreach(extra, key, val)
			json_object_object_add(o, key, json_object_get(val));
	}
	if (status == 401 && !has_header(r, "WWW-Authenticate"))
		mq_resp_header(r, "WWW-Authenticate", "Bearer");
	size_t len;
	const char *s = mq_json_render(o, &len);
	return mq_respond(r, status, "application/problem+json", s, len);
}

mq_reply mq_problem(struct mq_req *r, int status, const char *fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	detail = mq_arena_vprintf(r->arena, mq_tr(r->lang.ui, fmt), ap);
	va_end(ap);
	return mq_problem_ext(r, status, detail, NULL);
}

mq_reply mq_problem_fields(struct mq_req *r, struct json_object *errors)
{
	struct json_object *extra = mq_json_object(r->arena);

	json_object_object_add(extra, "errors", json_object_get(errors));
	return mq_problem_ext(r, 400, "The request has invalid fields.", extra);
}

static struct json_object *one_error(struct mq_req *r, const char *field, const char *msg)
{
	struct json_object *errors = mq_json_object(r->arena);
	struct json_object *list = json_object_new_array();

	json_object_array_add(list, json_object_new_string(mq_tr(r->lang.ui, msg)));
	json_object_object_add(errors, field, list);
	return errors;
}

mq_reply mq_problem_field(struct mq_req *r, const char *field, const char *msg)
{
	return mq_problem_fields(r, one_error(r, field, msg));
}

mq_reply mq_problem_about(struct mq_req *r, int status, const char *detail, const char *field,
		     const char *msg)
{
	struct json_object *extra = mq_json_object(r->arena);

	json_object_object_add(extra, "errors", json_object_get(one_error(r, field, msg)));
	return mq_problem_ext(r, status, detail, extra);
}

const char *mq_req_url(struct mq_req *r, const char *query)
{
	const char *uri = mq_req_param(r, "REQUEST_URI");
	const char *q = uri ? strchr(uri, '?') : NULL;
	char *path = uri ? mq_arena_strndup(r->arena, uri, q ? (size_t)(q - uri) : strlen(uri))
			 : (char *)r->path;
	const char *sep = query && *query ? "?" : "";

	if (query == NULL)
		query = "";
	/* the route's own form: a path is served the same with and without
	 * its final slash, and links (and cache keys) should not tell them
	 * apart */
	return mq_arena_printf(r->arena, "%s%s%s%s%s", r->ctx.origin, path,
			       *path && path[strlen(path) - 1] != '/' ? "/" : "", sep, query);
}

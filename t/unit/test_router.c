/*
 * test_router.c: route matching, precedence, 404 and 405, and the real
 * route table compiling.
 */
#include "core/common.h"

#include "core/scoreboard.h"
#include "http/http.h"
#include "http/router.h"
#include "http/routes.h"
#include "unit.h"

static mq_reply h(struct mq_req *r)
{
	(void)r;
	return MQ_NEXT;
}

static const struct mq_route table[] = {
	{ MQ_GET, "/api/movies/", h, MQ_ROLE_ANON, 0 },
	{ MQ_POST, "/api/movies/", h, MQ_ROLE_ADMIN, 0 },
	{ MQ_GET, "/api/movies/recent/", h, MQ_ROLE_ANON, 0 },
	{ MQ_GET, "/api/movies/{id:int}/", h, MQ_ROLE_ANON, 0 },
	{ MQ_DELETE, "/api/movies/{id:int}/", h, MQ_ROLE_ADMIN, 0 },
	{ MQ_PUT, "/api/movies/{id:int}/translations/{language:lang}/", h, MQ_ROLE_ADMIN, 0 },
	{ MQ_GET, "/api/users/me/", h, MQ_ROLE_USER, 0 },
	{ MQ_GET, "/api/users/{username:slug}/", h, MQ_ROLE_ANON, 0 },
	{ MQ_GET, "/api/auth/oauth/{provider:word}/start/", h, MQ_ROLE_ANON, 0 },
	{ MQ_GET, "/healthz/", h, MQ_ROLE_ANON, 0 },
};

static struct mq_router *rt;
static struct mq_arena *a;

static void setup(void)
{
	char err[256];

	rt = mq_router_new(table, MQ_ARRAY_LEN(table), err, sizeof(err));
	ck_assert_msg(rt != NULL, "%s", err);
	a = mq_arena_new(0);
}

static void teardown(void)
{
	mq_router_free(rt);
	mq_arena_destroy(a);
}

static int match(unsigned method, const char *path, struct mq_match *m)
{
	return mq_router_match(rt, method, path, a, m);
}

START_TEST(literal_paths_with_and_without_slash)
{
	struct mq_match m;

	ck_assert_int_eq(match(MQ_GET, "/api/movies/", &m), 200);
	ck_assert_ptr_eq(m.route, &table[0]);
	ck_assert_int_eq(match(MQ_GET, "/api/movies", &m), 200);
	ck_assert_ptr_eq(m.route, &table[0]);
	ck_assert_int_eq(match(MQ_POST, "/api/movies", &m), 200);
	ck_assert_ptr_eq(m.route, &table[1]);
	ck_assert_int_eq(match(MQ_GET, "/healthz", &m), 200);
	ck_assert_int_eq(m.index, 9);
}
END_TEST

START_TEST(typed_parameters)
{
	struct mq_match m;

	ck_assert_int_eq(match(MQ_GET, "/api/movies/42/", &m), 200);
	ck_assert_ptr_eq(m.route, &table[3]);
	ck_assert_int_eq(m.nparams, 1);
	ck_assert_str_eq(m.params[0].name, "id");
	ck_assert_int_eq(m.params[0].num, 42);
	ck_assert_int_eq(match(MQ_PUT, "/api/movies/7/translations/pt-BR", &m), 200);
	ck_assert_int_eq(m.nparams, 2);
	ck_assert_int_eq(m.params[0].num, 7);
	ck_assert_str_eq(m.params[1].str, "pt-BR");
	ck_assert_int_eq(match(MQ_GET, "/api/auth/oauth/github/start/", &m), 200);
	ck_assert_str_eq(m.params[0].str, "github");
}
END_TEST

START_TEST(wrong_types_do_not_match)
{
	struct mq_match m;

	ck_assert_int_eq(match(MQ_GET, "/api/movies/abc/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api/movies/0/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api/movies/007/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api/movies/-1/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api/movies/9223372036854775807/", &m), 200);
	ck_assert_int_eq(match(MQ_GET, "/api/movies/9223372036854775808/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api/auth/oauth/GitHub/start/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api/users/a b/", &m), 404);
}
END_TEST

START_TEST(literal_beats_parameter)
{
	struct mq_match m;

	ck_assert_int_eq(match(MQ_GET, "/api/movies/recent/", &m), 200);
	ck_assert_ptr_eq(m.route, &table[2]);
	ck_assert_int_eq(match(MQ_GET, "/api/users/me/", &m), 200);
	ck_assert_ptr_eq(m.route, &table[6]);
	ck_assert_int_eq(match(MQ_GET, "/api/users/alice/", &m), 200);
	ck_assert_ptr_eq(m.route, &table[7]);
}
END_TEST

START_TEST(unknown_paths_and_methods)
{
	struct mq_match m;
	char allow[64];

	ck_assert_int_eq(match(MQ_GET, "/api/nothing/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api//movies/", &m), 404);
	ck_assert_int_eq(match(MQ_GET, "/api/movies/1/2/3/4/5/6/7/8/9/10/11/12/13", &m), 404);
	ck_assert_int_eq(match(MQ_DELETE, "/api/movies/", &m), 405);
	/* regression: a 405 once left a stale route pointer behind */
	ck_assert_ptr_null(m.route);
	ck_assert_int_eq(m.index, -1);
	mq_methods_format(m.allow, allow, sizeof(allow));
	ck_assert_str_eq(allow, "GET, HEAD, POST");
	ck_assert_int_eq(match(MQ_POST, "/api/movies/5/", &m), 405);
	mq_methods_format(m.allow, allow, sizeof(allow));
	ck_assert_str_eq(allow, "GET, HEAD, DELETE");
	ck_assert_int_eq(match(0, "/api/movies/5/", &m), 405);
	ck_assert_int_eq(match(MQ_HEAD, "/api/movies/5/", &m), 200);
	ck_assert_ptr_eq(m.route, &table[3]);
}
END_TEST

START_TEST(bad_tables_are_refused)
{
	static const struct mq_route dup[] = {
		{ MQ_GET, "/a/", h, MQ_ROLE_ANON, 0 },
		{ MQ_GET, "/a/", h, MQ_ROLE_ANON, 0 },
	};
	static const struct mq_route no_slash[] = { { MQ_GET, "/a", h, MQ_ROLE_ANON, 0 } };
	static const struct mq_route bad_type[] = { { MQ_GET, "/a/{id:float}/", h, MQ_ROLE_ANON, 0 } };
	static const struct mq_route two_methods[] = { { MQ_GET | MQ_POST, "/a/", h, MQ_ROLE_ANON, 0 } };
	char err[256];

	ck_assert_ptr_null(mq_router_new(dup, 2, err, sizeof(err)));
	ck_assert_ptr_null(mq_router_new(no_slash, 1, err, sizeof(err)));
	ck_assert_ptr_null(mq_router_new(bad_type, 1, err, sizeof(err)));
	ck_assert_ptr_null(mq_router_new(two_methods, 1, err, sizeof(err)));
}
END_TEST

START_TEST(the_real_table_compiles)
{
	char err[256];
	struct mq_router *real = mq_router_new(mq_routes, mq_routes_count, err, sizeof(err));

	ck_assert_msg(real != NULL, "%s", err);
	ck_assert_uint_le(mq_routes_count, MQ_SB_ROUTE_NOT_FOUND);
	mq_router_free(real);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("router");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, literal_paths_with_and_without_slash);
	tcase_add_test(tc, typed_parameters);
	tcase_add_test(tc, wrong_types_do_not_match);
	tcase_add_test(tc, literal_beats_parameter);
	tcase_add_test(tc, unknown_paths_and_methods);
	tcase_add_test(tc, bad_tables_are_refused);
	tcase_add_test(tc, the_real_table_compiles);
	suite_add_tcase(s, tc);
	return s;
}

MQ_UNIT_MAIN()

/*
 * analytics.c: POST /api/events/ (a client's events), the admin reports
 * GET /api/admin/analytics/{report}/ (JSON, or CSV with format=csv or
 * Accept: text/csv), GET /api/users/me/stats/, and its premium edition GET
 * /api/users/me/year-in-review/?year=YYYY (users entitled to
 * year_in_review only).
 *
 * The reports read the daily rollups (analytics/reports.h), never the
 * raw events: what happened today shows once `marquee analytics rollup`
 * has run.
 */
#include <strings.h>
#include <time.h>

#include "analytics/events.h"
#include "analytics/reports.h"
#include "analytics/table.h"
#include "cache/cache.h"
#include "core/config.h"
#include "core/json.h"
#include "db/rows.h"
#include "http/form.h"
#include "http/handlers.h"
#include "payments/subscriptions.h"

/* The longest window a report reads, in days. */
#define WINDOW_MAX 3660

static mq_reply limited(struct mq_req *r)
{
	mq_resp_header(r, "Retry-After", "60");
	return mq_problem(r, 429, "Too many batches of events; send fewer, larger ones.");
}

/* POST /api/events/ {client_id?, batch_id?, events: [...]}: 202
 * {accepted}.  The events are the caller's (from the access token, never
 * from the body), or an anonymous client's, by the random id it keeps; a
 * batch sent again under its batch_id is answered as the first time and
 * recorded once. */
mq_reply mq_events_post(struct mq_req *r)
{
	static const char *const fields[] = { "client_id", "batch_id", "events", NULL };
	const struct mq_config *cfg = r->ctx.cfg;
	struct json_object *events, *out;
	const char *client, *batch;
	enum mq_status st;
	int64_t accepted;
	struct mq_form f;
	mq_reply rc;

	if (mq_done(rc = mq_form_read(&f, r, fields, NULL)))
		return rc;
	client = mq_form_string(&f, "client_id", MQ_OPTIONAL, 36, 36);
	batch = mq_form_string(&f, "batch_id", MQ_OPTIONAL, 36, 36);
	if (!json_object_object_get_ex(f.body, "events", &events))
		mq_form_error(&f, "events", "Required: an array of events.");
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if (cfg->analytics_events_per_minute > 0 && (r->user_id || client)) {
		const char *key = r->user_id ? mq_arena_printf(r->arena, "events:u%lld",
							       (long long)r->user_id)
					     : mq_arena_printf(r->arena, "events:c%s", client);

		if (mq_cache_incr(r->ctx.cache, key, 60) > (uint64_t)cfg->analytics_events_per_minute)
			return limited(r);
	}
	if ((st = mq_analytics_ingest(&r->ctx, r->user_id, client, batch, events, &accepted)) != MQ_OK)
		return mq_fail(r, st);
	out = mq_json_object(r->arena);
	mq_json_add_int(out, "accepted", accepted);
	return mq_respond_json(r, 202, out);
}

/* YYYY-MM-DD as seconds since the epoch, at its midnight UTC. */
static int64_t epoch_of(const char *date)
{
	struct tm tm = { 0 };

	sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon--;
	return (int64_t)timegm(&tm);
}

/* The date days after t (seconds since the epoch), as YYYY-MM-DD. */
static const char *date_of(struct mq_arena *a, int64_t t, int days)
{
	time_t when = (time_t)(t + (int64_t)days * 86400);
	struct tm tm;
	char buf[16];

	gmtime_r(&when, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	return mq_arena_strdup(a, buf);
}

static const char *read_date(struct mq_form *f, const char *name, const char *def)
{
	const char *v = mq_query_get(&f->r->query, name);

	if (v == NULL)
		return def;
	if (!mq_valid_date(v))
		mq_form_error(f, name, "Must be a date (YYYY-MM-DD).");
	return v;
}

/* Whether the client asked for CSV: format=csv, or no format and an
 * Accept header naming text/csv. */
static bool wants_csv(struct mq_req *r, const char *format)
{
	const char *accept = mq_req_param(r, "HTTP_ACCEPT");

	if (format)
		return strcmp(format, "csv") == 0;
	return accept && strcasestr(accept, "text/csv") != NULL;
}

/* The report's sections as one JSON object, with the query it answers. */
static mq_reply respond_json(struct mq_req *r, const struct mq_report *rep,
			     const struct mq_report_query *q)
{
	struct json_object *out = mq_json_object(r->arena);

	mq_json_add_str(out, "report", rep->name);
	mq_json_add_str(out, "from", q->from);
	mq_json_add_str(out, "to", q->to);
	mq_json_add_str(out, "interval", q->interval);
	for (int i = 0; i < rep->sections; i++)
		json_object_object_add(out, rep->section[i],
				       json_object_get(mq_rows_array(r->arena, rep->res[i])));
	return mq_respond_json(r, 200, out);
}

/* One section (the first unless section= names another) as CSV. */
static mq_reply respond_csv(struct mq_req *r, const struct mq_report *rep,
			    const struct mq_report_query *q, const char *section)
{
	const char *body;
	size_t len;
	int i = 0;

	if (section)
		while (i < rep->sections && strcmp(rep->section[i], section) != 0)
			i++;
	if (i == rep->sections) {
		const char *names = rep->section[0];

		for (int j = 1; j < rep->sections; j++)
			names = mq_arena_printf(r->arena, "%s, %s", names, rep->section[j]);
		return mq_problem_field(r, "section", mq_arena_printf(r->arena,
					mq_tr(r->lang.ui, "The %s report has: %s."), rep->name, names));
	}
	body = mq_table_csv(r->arena, rep->res[i], &len);
	mq_resp_header(r, "Content-Disposition",
		       mq_arena_printf(r->arena, "attachment; filename=\"%s-%s-%s-%s.csv\"",
				       rep->name, rep->section[i], q->from, q->to));
	return mq_respond(r, 200, "text/csv; charset=utf-8; header=present", body, len);
}

/* The report a route names: the last segment of its pattern,
 * "/api/admin/analytics/popular-movies/" is popular-movies. */
static const char *report_name(struct mq_req *r)
{
	const char *pattern = r->match.route->pattern;
	const char *end = pattern + strlen(pattern) - 1, *start = end;

	while (start > pattern && start[-1] != '/')
		start--;
	return mq_arena_strndup(r->arena, start, (size_t)(end - start));
}

/* GET /api/admin/analytics/{name}/?from=&to=&interval=&limit=&format=&section=:
 * every report's route (http/routes.c), name the last segment of its
 * path; the report itself is a row of analytics/reports.c.  from and to
 * default to the last 30 days (UTC), interval to day, limit to 20. */
mq_reply mq_admin_analytics_report(struct mq_req *r)
{
	static const char *const allowed[] = { "from", "to", "interval", "limit", "format",
					       "section", NULL };
	static const char *const intervals[] = { "day", "week", "month", NULL };
	static const char *const formats[] = { "json", "csv", NULL };
	struct mq_form f = { .r = r, .errors = mq_json_object(r->arena) };
	struct mq_report_query q = { .interval = "day", .limit = 20 };
	const char *v, *format = mq_query_get(&r->query, "format"), *name = report_name(r);
	struct mq_report rep;
	enum mq_status st;
	int64_t n;
	mq_reply rc;

	mq_form_check_query(&f, allowed);
	q.to = read_date(&f, "to", date_of(r->arena, time(NULL), 0));
	q.from = read_date(&f, "from", NULL);
	if ((v = mq_query_get(&r->query, "interval")) && !mq_form_listed(intervals, v))
		mq_form_error(&f, "interval", "Must be day, week or month.");
	else if (v)
		q.interval = v;
	if ((v = mq_query_get(&r->query, "limit")) && mq_parse_int64(v, 1, 1000, &n) < 0)
		mq_form_error(&f, "limit", "Must be a whole number from 1 to 1000.");
	else if (v)
		q.limit = (int)n;
	if (format && !mq_form_listed(formats, format))
		mq_form_error(&f, "format", "Must be json or csv.");
	if (mq_form_ok(&f) && q.from == NULL)
		q.from = date_of(r->arena, epoch_of(q.to), -29);
	if (mq_form_ok(&f) && epoch_of(q.from) > epoch_of(q.to))
		mq_form_error(&f, "to", "Must not be before from.");
	else if (mq_form_ok(&f) && epoch_of(q.to) - epoch_of(q.from) >= WINDOW_MAX * 86400LL)
		mq_form_error(&f, "from", "Reports read at most %d days.", WINDOW_MAX);
	if (mq_done(rc = mq_form_end(&f)))
		return rc;
	if ((st = mq_analytics_report(&r->ctx, name, &q, &rep)) != MQ_OK)
		return mq_fail(r, st);
	if (wants_csv(r, format))
		return respond_csv(r, &rep, &q, mq_query_get(&r->query, "section"));
	return respond_json(r, &rep, &q);
}

/* GET /api/users/me/stats/: the caller's own statistics. */
mq_reply mq_users_me_stats(struct mq_req *r)
{
	static const char *const none[] = { NULL };
	enum mq_status st;
	PGresult *res;
	mq_reply rc;

	if (mq_done(rc = mq_query_check(r, none)))
		return rc;
	if ((st = mq_analytics_user_stats(&r->ctx, r->user_id, 0, &res)) != MQ_OK)
		return mq_fail(r, st);
	return mq_respond_json(r, 200, json_object_object_get(mq_row_owned(r->arena, res), "stats"));
}

/* ?year= as a year (1900 to 9999; absent: this UTC year) into *year, or
 * the 400 answered. */
static mq_reply year_param(struct mq_req *r, int *year)
{
	const char *v = mq_query_get(&r->query, "year");
	char *end = NULL;
	long y;
	struct tm tm;
	time_t now = time(NULL);

	if (v == NULL) {
		gmtime_r(&now, &tm);
		*year = tm.tm_year + 1900;
		return MQ_NEXT;
	}
	y = strtol(v, &end, 10);
	if (end == v || *end != '\0' || y < 1900 || y > 9999)
		return mq_problem_field(r, "year", "Must be a year, 1900 to 9999.");
	*year = (int)y;
	return MQ_NEXT;
}

/* GET /api/users/me/year-in-review/?year=YYYY: the caller's year, for
 * users entitled to year_in_review (the one entitlement function); a 403
 * naming the plan that unlocks it otherwise. */
mq_reply mq_users_me_year_in_review(struct mq_req *r)
{
	static const char *const allowed[] = { "year", NULL };
	struct json_object *plan;
	enum mq_status st;
	PGresult *res;
	mq_reply rc;
	bool ok;
	int year = 0;	/* set by year_param unless it answered */

	if (mq_done(rc = mq_query_check(r, allowed)) || mq_done(rc = year_param(r, &year)))
		return rc;
	if ((st = mq_subs_entitled(&r->ctx, r->user_id, "year_in_review", &ok, &plan)) != MQ_OK)
		return mq_fail(r, st);
	if (!ok)
		return mq_problem_plan(r, plan, N_("Year in review comes with a subscription to %s."),
				       N_("Year in review is not offered with any plan at the moment."));
	if ((st = mq_analytics_user_stats(&r->ctx, r->user_id, year, &res)) != MQ_OK)
		return mq_fail(r, st);
	mq_resp_header(r, "Cache-Control", "private, no-store");
	return mq_respond_json(r, 200, json_object_object_get(mq_row_owned(r->arena, res), "stats"));
}

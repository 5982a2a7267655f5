# Analytics reports: on a seeded month of events, every admin report
# equals a recount from the raw events; the rollup gives the same run
# twice, and after being killed midway; partitions are made and dropped
# by the job (rollups outlive them); CSV escapes commas, quotes and line
# breaks; only administrators see reports; marquee analytics report.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

# (rollup_margin 0: with the default hour, a run in the first hour of a
# UTC day rolls yesterday again, and the counts of runs below would
# depend on the clock; the margin itself is tested at the end of the
# rollup's section)
my $s = Marquee::Stack->start(extra_config => "[analytics]\nrollup_margin = 0\n");
my $admin = $s->admin;
my @users = map { $s->user("fan$_") } 1 .. 6;
my @movies = map { $s->movie($admin, title => "Film $_", release_date => "199$_-01-01",
                             genres => [ (qw(drama comedy action horror crime))[ $_ % 5 ],
                                         $_ % 2 ? 'thriller' : () ]) } 0 .. 5;
my $uids = join ',', map { $_->{id} } @users;
my $mids = join ',', @movies;
my $today = $s->psql(q{SELECT utc_day(now())});
my $from = $s->psql(q{SELECT utc_day(now()) - 20});
my $to = $s->psql(q{SELECT utc_day(now()) - 1});

# ---- a seeded dataset: 1,200 events over the last 20 days ----
$s->psql(qq{
INSERT INTO events (at, kind, user_id, movie_id, value, data)
SELECT utc_start(utc_day(now()) - 1 - i % 20) + make_interval(secs => (i * 7919) % 86400),
       k.kind,
       CASE WHEN i % 9 = 0 THEN NULL ELSE (ARRAY[$uids])[1 + (i * 31 + i / 7) % 6] END,
       CASE WHEN k.kind IN ('search', 'sign_in') THEN NULL ELSE (ARRAY[$mids])[1 + (i * 13 + i / 11) % 6] END,
       CASE WHEN k.kind = 'rating' THEN 0.5 * (1 + i % 10) END,
       CASE k.kind
         WHEN 'search' THEN jsonb_build_object('q', (ARRAY['heat', 'a,b', 'say "hi"', E'two\\nlines', ' Heat '])[1 + i % 5],
                                              'results', i % 3, 'corrected', i % 4 = 0)
         WHEN 'rec_impression' THEN jsonb_build_object('reason', (ARRAY['similar', 'trending'])[1 + i % 2])
         WHEN 'rec_click' THEN jsonb_build_object('reason', (ARRAY['similar', 'trending'])[1 + i % 2])
       END
FROM generate_series(1, 1200) i,
     LATERAL (SELECT (ARRAY['movie_view', 'movie_view', 'movie_view', 'rating', 'favorite', 'unfavorite',
                            'watchlist_add', 'review', 'search', 'rec_impression', 'rec_impression',
                            'rec_click', 'sign_in', 'trailer_play'])[1 + (i * 17) % 14] AS kind) k;
-- each user signed up on some day of the window
INSERT INTO events (at, kind, user_id)
SELECT utc_start(utc_day(now()) - 20 + ((u.n * 3) % 20)::int), 'sign_up', u.id
FROM unnest(ARRAY[$uids]) WITH ORDINALITY AS u(id, n);
});

my ($rc, $out) = $s->marquee('analytics', 'rollup');
is $rc, 0, 'marquee analytics rollup' or diag $out;
like $out, qr/^\d+ days rolled up, \d+ events; 0 days skipped/m, 'says what it did';

my $A = $admin->{access};
sub report {
    my ($name, $query) = @_;
    my $r = $s->get("/api/admin/analytics/$name/?from=$from&to=$to&limit=1000" . ($query // ''), token => $A);
    is $r->{status}, 200, "$name answers" or diag $r->{content};
    return $r->{json};
}
# rows as text, columns in the given order, to compare with a recount
sub rows { my ($rows, @cols) = @_; join '|', map { my $r = $_; join ' ', map { $r->{$_} // '-' } @cols } @$rows }
sub recount { $s->psql($_[0]) // '' }
my $W = "at >= utc_start('$from') AND at < utc_start('$to'::date + 1)";

# ---- each report equals a recount of the raw events ----
my $j = report('popular-movies');
is rows($j->{results}, qw(id views ratings favorites watchlist_adds activity)), recount(qq{
    SELECT string_agg(concat_ws(' ', movie_id, v, r, f, w, v + r + f + w), '|' ORDER BY v + r + f + w DESC, movie_id)
    FROM (SELECT movie_id, count(*) FILTER (WHERE kind = 'movie_view') v, count(*) FILTER (WHERE kind = 'rating') r,
                 count(*) FILTER (WHERE kind = 'favorite') f, count(*) FILTER (WHERE kind = 'watchlist_add') w
          FROM events WHERE $W AND movie_id IS NOT NULL GROUP BY movie_id) x}),
    'popular-movies: views, ratings, favorites and watchlist additions of each movie';
ok @{ $j->{results} } == 6 && $j->{results}[0]{title} =~ /^Film \d$/, 'with titles';

$j = report('most-favorited');
is rows($j->{results}, qw(id favorites unfavorites net)), recount(qq{
    SELECT string_agg(concat_ws(' ', movie_id, f, u, f - u), '|' ORDER BY f DESC, f - u DESC, movie_id)
    FROM (SELECT movie_id, count(*) FILTER (WHERE kind = 'favorite') f, count(*) FILTER (WHERE kind = 'unfavorite') u
          FROM events WHERE $W AND movie_id IS NOT NULL GROUP BY movie_id) x WHERE f > 0}),
    'most-favorited';

for my $iv (qw(day week month)) {
    $j = report('active-users', "&interval=$iv");
    is rows($j->{series}, qw(period users)), recount(qq{
        SELECT string_agg(concat_ws(' ', p, n), '|' ORDER BY p)
        FROM (SELECT date_trunc('$iv', utc_day(at))::date p, count(DISTINCT user_id) n FROM events
              WHERE user_id IS NOT NULL AND utc_day(at) >= date_trunc('$iv', '$from'::date)::date
                AND utc_day(at) < (date_trunc('$iv', '$to'::date) + interval '1 $iv')::date GROUP BY 1) x}),
        "active-users by $iv (whole periods)";
}
is rows($j->{top_users}, qw(id events active_days)), recount(qq{
    SELECT string_agg(concat_ws(' ', user_id, n, d), '|' ORDER BY n DESC, user_id)
    FROM (SELECT user_id, count(*) n, count(DISTINCT utc_day(at)) d FROM events
          WHERE $W AND user_id IS NOT NULL GROUP BY user_id) x}),
    'the most active users';

$j = report('top-genres');
my $genre_sql = qq{
    SELECT gid, count(*) a, count(*) FILTER (WHERE kind = 'rating') r,
           round(sum(value) FILTER (WHERE kind = 'rating') / nullif(count(*) FILTER (WHERE kind = 'rating'), 0), 2)::float8 av
    FROM events e JOIN movies m ON m.id = e.movie_id, unnest(m.genre_ids) gid WHERE $W GROUP BY gid};
is rows($j->{by_activity}, qw(id activity ratings average_rating)), recount(qq{
    SELECT string_agg(concat_ws(' ', gid, a, r, coalesce(av::text, '-')), '|' ORDER BY a DESC, gid) FROM ($genre_sql) x}),
    'top-genres by activity';
is rows($j->{by_rating}, qw(id ratings average_rating)), recount(qq{
    SELECT string_agg(concat_ws(' ', gid, r, av), '|' ORDER BY av DESC, r DESC, gid) FROM ($genre_sql) x WHERE r > 0}),
    'and by rating';

$j = report('engagement', '&interval=week');
is rows($j->{series}, qw(period active_users events actions_per_user new_users returning_users)), recount(qq{
    SELECT string_agg(concat_ws(' ', p, u, n, round(n::numeric / u, 2)::float8, s, greatest(u - s, 0)), '|' ORDER BY p)
    FROM (SELECT date_trunc('week', utc_day(at))::date p, count(DISTINCT user_id) u,
                 count(user_id) n, count(*) FILTER (WHERE kind = 'sign_up') s FROM events
          WHERE utc_day(at) >= date_trunc('week', '$from'::date)::date
            AND utc_day(at) < (date_trunc('week', '$to'::date) + interval '1 week')::date GROUP BY 1) x}),
    'engagement by week: active users, their events and per user, new and returning';
is rows($j->{cohorts}, qw(cohort size weeks_after users)), recount(qq{
    WITH s AS (SELECT user_id, date_trunc('week', min(utc_day(at)))::date c FROM events WHERE kind = 'sign_up'
               GROUP BY user_id HAVING min(utc_day(at)) >= date_trunc('week', '$from'::date)::date
                  AND min(utc_day(at)) < (date_trunc('week', '$to'::date) + interval '1 week')::date),
    a AS (SELECT DISTINCT user_id, date_trunc('week', utc_day(at))::date w FROM events WHERE user_id IS NOT NULL)
    SELECT string_agg(concat_ws(' ', c, size, (w - c) / 7, n), '|' ORDER BY c, w)
    FROM (SELECT s.c, a.w, count(*) n FROM s JOIN a USING (user_id) WHERE a.w >= s.c GROUP BY 1, 2) x
    JOIN (SELECT c, count(*) size FROM s GROUP BY c) z USING (c)}),
    'and weekly retention by sign-up cohort (a user\'s first sign-up)';

$j = report('search');
my $search_sql = qq{SELECT lower(btrim(data->>'q')) q, count(*) n, count(*) FILTER (WHERE data->>'results' = '0') z,
                    count(*) FILTER (WHERE (data->>'corrected')::boolean) c
                    FROM events WHERE $W AND kind = 'search' GROUP BY 1};
is rows($j->{top_queries}, qw(query searches no_results corrected)), recount(qq{
    SELECT string_agg(concat_ws(' ', q, n, z, c), '|' ORDER BY n DESC, q) FROM ($search_sql) x}),
    'search: the top queries, folded';
is rows($j->{no_results}, qw(query no_results)), recount(qq{
    SELECT string_agg(concat_ws(' ', q, z), '|' ORDER BY z DESC, q) FROM ($search_sql) x WHERE z > 0}),
    'and those that found nothing';

$j = report('recommendations', '&interval=week');
my $ctr = q{round(c::numeric / nullif(i, 0), 4)::float8};
is rows($j->{by_reason}, qw(reason impressions clicks ctr)), recount(qq{
    SELECT string_agg(concat_ws(' ', r, i, c, $ctr), '|' ORDER BY i DESC, r)
    FROM (SELECT data->>'reason' r, count(*) FILTER (WHERE kind = 'rec_impression') i,
                 count(*) FILTER (WHERE kind = 'rec_click') c FROM events
          WHERE $W AND kind IN ('rec_impression', 'rec_click') GROUP BY 1) x}),
    'recommendations: impressions, clicks and CTR by reason';
is rows($j->{series}, qw(period impressions clicks)), recount(qq{
    SELECT string_agg(concat_ws(' ', p, i, c), '|' ORDER BY p)
    FROM (SELECT date_trunc('week', utc_day(at))::date p, count(*) FILTER (WHERE kind = 'rec_impression') i,
                 count(*) FILTER (WHERE kind = 'rec_click') c FROM events
          WHERE kind IN ('rec_impression', 'rec_click') AND utc_day(at) >= date_trunc('week', '$from'::date)::date
            AND utc_day(at) < (date_trunc('week', '$to'::date) + interval '1 week')::date GROUP BY 1) x}),
    'and by week';

# a window of whole months reads the monthly sums; one day, the daily rows
my $month = $s->psql(q{SELECT date_trunc('month', utc_day(now()) - 1)::date});
my $r = $s->get("/api/admin/analytics/popular-movies/?from=$month&to=$to&limit=3", token => $A);
is rows($r->{json}{results}, qw(id activity)), recount(qq{
    SELECT string_agg(concat_ws(' ', movie_id, n), '|' ORDER BY n DESC, movie_id)
    FROM (SELECT movie_id, count(*) n FROM events WHERE at >= utc_start('$month') AND at < utc_start('$to'::date + 1)
          AND kind IN ('movie_view', 'rating', 'favorite', 'watchlist_add') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3) x}),
    'from the first of a month: the same, and limit is the ranking\'s length';

# a window of more than three whole months: the most active users from
# their running totals, the searches from their months; the same
my $wide = $s->psql(q{SELECT utc_day(now()) - 200});
$r = $s->get("/api/admin/analytics/active-users/?from=$wide&to=$to&limit=1000", token => $A);
is rows($r->{json}{top_users}, qw(id events active_days)), recount(qq{
    SELECT string_agg(concat_ws(' ', user_id, n, d), '|' ORDER BY n DESC, user_id)
    FROM (SELECT user_id, count(*) n, count(DISTINCT utc_day(at)) d FROM events
          WHERE at >= utc_start('$wide') AND at < utc_start('$to'::date + 1) AND user_id IS NOT NULL
          GROUP BY user_id) x}),
    'the most active users over 200 days';
$r = $s->get("/api/admin/analytics/search/?from=$wide&to=$to&limit=1000", token => $A);
is rows($r->{json}{top_queries}, qw(query searches no_results corrected)), recount(qq{
    SELECT string_agg(concat_ws(' ', q, n, z, c), '|' ORDER BY n DESC, q)
    FROM (SELECT lower(btrim(data->>'q')) q, count(*) n,
                 count(*) FILTER (WHERE (data->>'results')::int = 0) z,
                 count(*) FILTER (WHERE (data->>'corrected')::boolean) c
          FROM events WHERE at >= utc_start('$wide') AND at < utc_start('$to'::date + 1) AND kind = 'search'
          GROUP BY 1) x}),
    'the top queries over 200 days';

# ---- rolled twice, and killed midway: the same ----
my $dump_sql = q{SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
    SELECT (to_jsonb(t) - 'rolled_at')::text x FROM analytics_days t UNION ALL
    SELECT to_jsonb(t)::text FROM analytics_movies t UNION ALL SELECT to_jsonb(t)::text FROM analytics_movie_months t UNION ALL
    SELECT to_jsonb(t)::text FROM analytics_genres t UNION ALL SELECT to_jsonb(t)::text FROM analytics_users t UNION ALL
    SELECT to_jsonb(t)::text FROM analytics_active t UNION ALL SELECT to_jsonb(t)::text FROM analytics_signups t UNION ALL
    SELECT to_jsonb(t)::text FROM analytics_cohorts t UNION ALL SELECT to_jsonb(t)::text FROM analytics_searches t UNION ALL
    SELECT to_jsonb(t)::text FROM analytics_recs t UNION ALL SELECT to_jsonb(t)::text FROM analytics_user_months t UNION ALL
    SELECT to_jsonb(t)::text FROM analytics_user_totals t UNION ALL SELECT to_jsonb(t)::text FROM analytics_search_months t UNION ALL
    SELECT to_jsonb(t)::text FROM analytics_movie_totals t) s};
my $first = $s->psql($dump_sql);
($rc, $out) = $s->marquee('analytics', 'rollup', '--from', $from, '--to', $today);
is $rc, 0, 'a backfill over the same days';
like $out, qr/^21 days rolled up/, 'rolls each of them';
is $s->psql($dump_sql), $first, 'and changes nothing';

$s->psql('TRUNCATE analytics_days, analytics_movies, analytics_movie_months, analytics_genres, analytics_users,
          analytics_active, analytics_signups, analytics_cohorts, analytics_searches, analytics_recs,
          analytics_user_months, analytics_user_totals, analytics_search_months, analytics_movie_totals');
my $stuck = $s->psql(q{SELECT utc_day(now()) - 10});
my $hold = $s->hold("SELECT pg_advisory_xact_lock(hashtextextended('analytics day $stuck', 0))");
my $pid = $s->spawn('rollup', "$s->{build}/src/marquee", '-c', $s->{conf}, 'analytics', 'rollup');
wait_until { $s->lock_waiters > 0 } what => "the rollup to wait on $stuck";
kill 'KILL', $pid;
waitpid $pid, 0;
$hold->release('ROLLBACK');
is $s->psql(qq{SELECT min(day) || ' ' || max(day) FROM analytics_days}), "$from " . $s->psql("SELECT '$stuck'::date - 1"),
    'killed midway: the days before were rolled, whole, and none after';
($rc, $out) = $s->marquee('analytics', 'rollup');
is $rc, 0, 'the next run';
like $out, qr/^11 days rolled up/, 'rolls the days left';
is $s->psql($dump_sql), $first, 'and the rollups are as if nothing had happened';
($rc, $out) = $s->marquee('analytics', 'rollup');
like $out, qr/^1 days rolled up/, 'a run after: today again, nothing else';
# the margin: a day rolled within it after its end is due again, after it not
my $due = sub { $s->psql(qq{SELECT count(*) FROM analytics_days_due('1 hour') d
                            WHERE d = utc_day(now()) - 1}) };
$s->psql(q{UPDATE analytics_days SET rolled_at = utc_start(day + 1) + interval '30 minutes'
           WHERE day = utc_day(now()) - 1});
is $due->(), 1, 'a day rolled 30 minutes after its end is due again with a margin of an hour';
$s->psql(q{UPDATE analytics_days SET rolled_at = utc_start(day + 1) + interval '2 hours'
           WHERE day = utc_day(now()) - 1});
is $due->(), 0, 'rolled two hours after, it is not';

# ---- partitions ----
$s->psql(q{INSERT INTO events (at, kind, movie_id) VALUES (now() - interval '300 days', 'movie_view', 1),
           (now() - interval '500 days', 'movie_view', 1)});
my $old = $s->psql(q{SELECT events_partition_name(date_trunc('month', (now() - interval '300 days') AT TIME ZONE 'UTC')::date)});
($rc, $out) = $s->marquee('analytics', 'partitions');
is $rc, 0, 'marquee analytics partitions' or diag $out;
like $out, qr/^partitions made: .*\b$old\b/m, 'makes the partition of an old month the default one had rows of';
is $s->psql("SELECT count(*) FROM $old") . ' ' . $s->psql('SELECT count(*) FROM events_default'), '1 0',
    'moves them there, and forgets those past the retention (395 days)';
my $ahead = $s->psql(q{SELECT events_partition_name((date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months')::date)});
ok $s->psql("SELECT to_regclass('$ahead') IS NOT NULL") eq 't', 'the partitions three months ahead are there';
my $oldday = $s->psql(q{SELECT utc_day(now() - interval '300 days')});
$s->marquee('analytics', 'rollup', '--from', $oldday, '--to', $oldday);
my $conf = "$s->{dir}/short.conf";
Marquee::Stack::spew($conf, Marquee::Stack::slurp($s->{conf}) . "\n[analytics]\nretention = 200d\n");
$out = `$s->{build}/src/marquee -c $conf analytics partitions 2>&1`;
like $out, qr/^partitions dropped: .*\b$old\b/m, 'a shorter retention: the old month is dropped';
is $s->psql("SELECT to_regclass('$old') IS NULL"), 't', 'gone';
is $s->psql("SELECT events FROM analytics_days WHERE day = '$oldday'"), 1, 'its day\'s rollup stays';
($rc, $out) = $s->marquee('analytics', 'rollup', '--from', $oldday, '--to', $oldday);
like $out, qr/^0 days rolled up, 0 events; 1 days skipped/, 'and is never rolled again from nothing';
is $s->psql("SELECT events FROM analytics_days WHERE day = '$oldday'"), 1, 'so it stays as it was';
is $s->psql(q{SELECT count(*) FROM pg_class WHERE relname ~ '^events_' AND relowner <> (SELECT relowner FROM pg_class WHERE relname = 'events')}),
    0, 'every partition is the owner\'s';

# ---- CSV ----
$r = $s->get("/api/admin/analytics/search/?from=$from&to=$to&format=csv", token => $A);
is $r->{status}, 200, 'a report as CSV';
like $r->{headers}{'content-type'}, qr{^text/csv}, 'text/csv';
like $r->{headers}{'content-disposition'}, qr/^attachment; filename="search-top_queries-$from-$to\.csv"$/,
    'as a file';
my @lines = split /(?<=\r\n)/, $r->{content};
is $lines[0], "query,searches,no_results,corrected\r\n", 'a header of the columns, CRLF';
my %csv = map { /^("(?:[^"]|"")*"|[^,]*),/s ? ($1 => 1) : () } @lines[1 .. $#lines];
ok $csv{'"a,b"'}, 'a comma: quoted';
ok $csv{'"say ""hi"""'}, 'a double quote: quoted, doubled';
ok $csv{qq{"two\nlines"}}, 'a line break: quoted';
ok $csv{heat}, 'nothing else quoted';
is scalar @lines, 5, 'one record per row';
$r = $s->get("/api/admin/analytics/search/?from=$from&to=$to&section=no_results", token => $A,
             headers => { Accept => 'text/csv' });
like $r->{content}, qr/^query,no_results,searches,corrected\r\n|^query,searches,no_results,corrected\r\n/,
    'Accept: text/csv asks for it too, any section';
is $s->get("/api/admin/analytics/search/?format=csv&section=bogus", token => $A)->{status}, 400,
    'a section the report has not: 400';

# ---- who may, and what ----
is $s->get('/api/admin/analytics/popular-movies/', token => $users[0]{access})->{status}, 403,
    'a user who is no administrator: 403';
is $s->get('/api/admin/analytics/engagement/?format=csv', token => $users[0]{access})->{status}, 403,
    'as CSV too';
is $s->get('/api/admin/analytics/popular-movies/')->{status}, 401, 'anonymous: 401';
for my $bad ("from=$to&to=$from", 'interval=year', 'limit=0', 'from=2026-02-30', 'format=xml', 'user=1',
             'from=2000-01-01&to=2020-01-01') {
    is $s->get("/api/admin/analytics/active-users/?$bad", token => $A)->{status}, 400, "$bad: 400";
}
$r = $s->get('/api/admin/analytics/active-users/', token => $A);
is_deeply [ @{ $r->{json} }{qw(from to interval)} ], [ $s->psql(q{SELECT utc_day(now()) - 29}), $today, 'day' ],
    'by default the last 30 days, by day';

# ---- marquee analytics report ----
($rc, $out) = $s->marquee('analytics', 'report', '--from', $from, '--to', $to, 'popular-movies', 'search');
is $rc, 0, 'marquee analytics report';
like $out, qr/^== popular-movies: results, \Q$from\E to \Q$to\E \(by day\) ==\n\s*id\s+title\s+views/m,
    'prints each section as a table';
like $out, qr/^== search: no_results/m, 'every section';
like $out, qr/Film \d/, 'with the rows';
($rc, $out) = $s->marquee('analytics', 'report', 'bogus');
is $rc, 1, 'an unknown report fails';
($rc, $out) = $s->marquee('analytics', 'rollup', '--from', $to);
is $rc, 2, 'a backfill needs both ends';

$s->finish;
done_testing;

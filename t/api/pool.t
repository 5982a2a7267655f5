# The worker pool under faults: a worker killed mid-loop, a reload under
# load, workers retiring after max_requests, a crash loop slowed down, a
# request killed for running past request_timeout, and `marquee status`.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 4, max_requests => 0, request_timeout => '1s',
                              extra_config => "[database]\nstatement_timeout = 20s\n");

sub all_ok {
    my ($n, $path) = @_;
    my $ok = 0;
    $ok += $s->get($path // '/api/genres/')->{status} == 200 for 1 .. $n;
    return $ok == $n;
}

sub status_text { ($s->marquee('status'))[1] }

sub wait_workers {
    my ($n) = @_;
    return wait_until { scalar($s->worker_pids) == $n } what => "$n workers";
}

wait_workers(4) and pass 'four workers start';
my ($rc, $status) = $s->marquee('status');
is $rc, 0, 'marquee status runs';
like $status, qr/^master pid \d+/m, 'and shows the master';
is scalar(() = $status =~ /^\s+\d+\s+\d+\s+1\s+(?:idle|busy)/mg), 4, 'and four workers of generation 1';

# kill -9 a worker while requests are flowing
my $load = $s->background_load('/api/genres/', clients => 2);
$load->wait_requests(10);
my ($victim) = $s->worker_pids;
kill 'KILL', $victim;
$load->wait_requests(20);
my $tally = $load->stop;
cmp_ok $tally->{total}, '>', 20, "requests flowed during the kill ($tally->{total})";
cmp_ok $tally->{failed}, '<=', 2, "at most the request in the killed worker failed ($tally->{failed})";
wait_workers(4) and pass 'the pool is back to four workers';
is_deeply [ grep { $_ == $victim } $s->worker_pids ], [], 'with a new one in place of the killed one';
ok all_ok(30), 'and later requests all succeed';
like $s->pool_log, qr/msg="worker died".*signal=KILL/, 'the death is logged';

# max_requests: 40 per worker, no jitter; 200 requests retire several
ok $s->reload_pool(max_requests => 40), 'a reload with max_requests';
ok all_ok(200), '200 requests succeed while workers retire';
like status_text(), qr/exited (\d+)/, 'status counts exits';
my ($exited) = status_text() =~ /exited (\d+)/;
cmp_ok $exited, '>=', 3, "workers retired after max_requests ($exited)";
like $s->pool_log, qr/retiring after 4\d requests/, 'and say so';

# SIGHUP under load: new workers first, the old ones finish; nothing fails
$load = $s->background_load('/api/genres/', clients => 3);
$load->wait_requests(10);
ok $s->reload_pool(workers => 3, max_requests => 0), 'a reload to three workers under load';
$load->wait_requests(30);
ok $s->reload_pool(workers => 4), 'and another to four';
$load->wait_requests(30);
$tally = $load->stop;
cmp_ok $tally->{total}, '>', 50, "requests flowed during two reloads ($tally->{total})";
is $tally->{failed}, 0, 'not one of them failed'
    or diag explain $tally;
wait_workers(4) and pass 'four workers after the second reload';
like status_text(), qr/generation 4/, 'of generation 4';
is scalar(() = status_text() =~ /^\s+\d+\s+\d+\s+4\s+/mg), 4, 'all of them';

# a broken config on reload keeps the running one
ok !$s->reload_pool(extra_config => "[server]\nworkers = many\n"), 'a reload with a broken config';
like $s->pool_log, qr/reload failed, keeping the running configuration: .*workers = many/,
    'a bad config on SIGHUP is refused and explained';
ok all_ok(10), 'and the pool keeps serving';
$s->{extra_config} = "[database]\nstatement_timeout = 20s\n";
Marquee::Stack::spew($s->{conf}, $s->pool_config);    # for marquee status

# request_timeout: hold a lock so a genre query blocks past 1s.  nginx
# retries the request on another worker (fastcgi_next_upstream error), so
# the lock is held until every attempt has been killed.
$s->stop_memcached;
my $hold = $s->hold('LOCK TABLE genres IN ACCESS EXCLUSIVE MODE');
my $r = $s->get('/api/genres/?page_size=7');
like $r->{status}, qr/^50[234]$/, 'a request stuck past request_timeout gets an error';
like $r->{headers}{'content-type'} // '', qr{problem\+json}, 'as problem+json';
like $s->pool_log, qr/killing worker .*ran \d+ms, past request_timeout/, 'the master killed the worker';
$hold->release;
wait_workers(4) and pass 'and replaced it';
ok all_ok(10), 'later requests succeed';

# a crash loop is slowed down: three deaths within 10s are one
kill 'KILL', $s->worker_pids;
wait_until { $s->pool_log =~ /workers died within 10s; next restart in \d+ms/ } what => 'a back-off'
    and pass 'repeated deaths trigger a back-off';
wait_workers(4) and pass 'the pool still comes back to four workers';
ok all_ok(10), 'and serves again';

$s->finish;
done_testing;

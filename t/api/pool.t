# The worker pool under faults: a worker killed mid-loop, a reload under
# load, workers retiring after max_requests, a request killed for running
# past request_timeout, workers killed under load replaced at once, a
# crash loop of workers dying young slowed down but never below
# min_workers, and `marquee status`.
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

# Seconds from marquee status's durations: 0.250s, 1m05s, 2h03m.
sub seconds {
    my ($d) = @_;
    return $1 if $d =~ /^([\d.]+)s$/;
    return $1 * 60 + $2 if $d =~ /^(\d+)m(\d+)s$/;
    return $1 * 3600 + $2 * 60 if $d =~ /^(\d+)h(\d+)m$/;
    return 86400 * $1 + 3600 * $2 if $d =~ /^(\d+)d(\d+)h$/;
    return 0;
}

# The live workers in marquee status: { pid, requests, up (seconds) }.
sub slots {
    my @slots;
    for (split /\n/, status_text()) {
        my ($pid, $requests, $up) = /^\s+\d+\s+(\d+)\s+\d+\s+(?:idle|busy)\s+(\d+)\s+\d+\s+(\S+)/ or next;
        push @slots, { pid => $pid, requests => $requests, up => seconds($up) };
    }
    return @slots;
}

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

# Workers killed from outside after they served (the OOM killer, an
# operator's kill -9) are no crash loop: each is replaced at once, and
# the pool keeps serving.  Regression (issue 12, finding 11): with a
# random worker SIGKILLed every 2s under load, the master slowed every
# restart down and left all the slots empty for 8s.
my $load2 = $s->background_load('/api/genres/', clients => 3);
my $kills = 0;
for (1 .. 6) {
    my $victim;
    # one that finished requests and is past crash_uptime (1s)
    wait_until { ($victim) = grep { $_->{requests} > 0 && $_->{up} >= 1.2 } slots() }
        what => 'a worker that served and is 1.2s old', timeout => 30 or last;
    kill 'KILL', $victim->{pid};
    $kills++;
    wait_until { my @pids = $s->worker_pids; @pids == 4 && !grep { $_ == $victim->{pid} } @pids }
        what => "the replacement of worker $victim->{pid}" or last;
}
$tally = $load2->stop;
cmp_ok $tally->{total}, '>', 50, "requests flowed through $kills kills ($tally->{total})";
cmp_ok $tally->{failed}, '<=', $kills, "at most one failed per kill ($tally->{failed})"
    or diag explain $tally;
my @old_deaths = $s->pool_log =~ /msg="worker died".*signal=KILL.*young=no/g;
cmp_ok scalar(@old_deaths), '>=', $kills, 'each death logged as not young';
unlike $s->pool_log, qr/restarts slowed|next restart in/, 'and none of them slowed restarts down';
like status_text(), qr/^restarts not slowed$/m, 'marquee status says restarts are not slowed';

# Workers that die young (before a request, or within crash_uptime of
# starting) are a crash loop: restarts are slowed, doubling while it goes
# on, but min_workers (half of 4: 2) are kept running, and the log and
# marquee status say so.  No load here: a new worker serves nothing, so
# every one killed died young.
my %killed;
wait_until {
    for my $pid ($s->worker_pids) {
        kill 'KILL', $pid unless $killed{$pid}++;
    }
    # 16s: the checks below must all see the slowed pool, and on a
    # machine loaded tenfold 4s did not last them (the pool was back
    # to four before "no more than 2 meanwhile")
    status_text() =~ /back-off (\d+)ms/ && $1 >= 16000;
} what => 'restarts slowed by 16s or more', timeout => 90;
wait_workers(2) and pass 'the floor of 2 workers is kept up at once';
my $slowed = status_text();
like $slowed, qr/^restarts slowed: workers died young; next restart in \S+ \(back-off \d+ms\), keeping at least 2 workers running$/m,
    'marquee status says restarts are slowed, and keeps 2 workers';
like $slowed, qr/crashed \d+ \((\d+) young\)/, 'and counts the young deaths';
is scalar(() = $slowed =~ /^\s+\d+\s+\d+\s+\d+\s+(?:idle|busy|starting)/mg), 2, 'no more than 2 meanwhile';
ok all_ok(5), 'those 2 serve meanwhile';
like status_text(), qr/^restarts slowed/m, '... while restarts were still slowed';
like $s->pool_log, qr/\d+ workers died young within 10s \(before their first request or within 1000ms of starting\); restarts slowed: next in \d+ms, keeping 2 of 4 workers running/,
    'the log says why restarts are slowed';
like $s->pool_log, qr/msg="worker died".*signal=KILL.*young=yes/, 'and which deaths were young';
wait_until { scalar($s->worker_pids) == 4 } what => 'four workers after the back-off', timeout => 60
    and pass 'the pool comes back to four workers when the back-off ends';
ok all_ok(10), 'and serves again';

$s->finish;
done_testing;

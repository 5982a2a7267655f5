# A memcached that hangs (stopped, overloaded, a partition that drops
# packets) rather than refusing connections: after one time-out the cache
# is left alone for [cache] retry_timeout, so each request is answered
# from PostgreSQL without waiting on it.  Regression (bench/chaos,
# "memcached frozen"): libmemcached marks a server dead only when
# connecting fails, so every cache operation of every request waited the
# full [cache] timeout: p99 went from 90 ms to 2.8 s under load.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

# One worker, and a retry_timeout longer than the test: whatever the
# machine's speed, the cache is tried once while it is frozen.
my $s = Marquee::Stack->start(workers => 1, extra_config => "[cache]\nretry_timeout = 10m\n");
my $alice = $s->user('alice');
is $s->get('/api/genres/')->{status}, 200, 'the cache is in use';
my $mark = length $s->pool_log;

kill 'STOP', $s->{pids}{memcached};
my @status = map { $s->get("/api/genres/?page_size=$_")->{status} } 1 .. 5;
push @status, map { $s->get('/api/users/me/', token => $alice->{access})->{status},
                    $s->post('/api/users/login/', json => { username => 'alice',
                                                           password => $alice->{password} })->{status} } 1 .. 3;
kill 'CONT', $s->{pids}{memcached};
is_deeply \@status, [ (200) x 11 ], 'with memcached frozen, requests are answered (from PostgreSQL)';
my $log = substr($s->pool_log, $mark);
is scalar(() = $log =~ /msg="cache unavailable: A TIMEOUT OCCURRED"/g), 1,
    'after one time-out the cache is left alone: no request waits on it again'
    or diag $log;
unlike $log, qr/cache reachable again/, 'it is not tried again before retry_timeout';
like $s->get('/readyz')->{content}, qr/"cache"\s*:\s*"down"/, '/readyz says the cache is down meanwhile';

$s->finish;
done_testing;

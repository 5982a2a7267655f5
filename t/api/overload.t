# Overload is shed in front of the pool: past the requests nginx lets be
# in flight to the pools at once (API_INFLIGHT, limit_conn), every API
# location answers 503 with Retry-After as problem+json at once, while
# the requests in flight keep going and /healthz, never limited, is still
# answered.  Regression (bench/chaos, "overload at 10x capacity"): a flood
# queued in the pool's listen backlog, every request (and /healthz) waiting
# behind all the others, and nothing was shed.
#
# Requests are held in flight by a lock on genres: two uncached genre
# lists wait on it, filling the limit of two; three workers leave one
# free for /healthz.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 3, api_inflight => 2,
                              extra_config => "[database]\nstatement_timeout = 60s\n");
my $alice = $s->user('alice');

my $hold = $s->hold('LOCK TABLE genres IN ACCESS EXCLUSIVE MODE');
my $held = $s->in_background(map { my $n = $_; sub { $s->get("/api/genres/?page_size=$n")->{status} } } 7, 8);
wait_until { $s->lock_waiters == 2 } what => 'two genre lists to wait on the lock';

for my $try ([ 'a movie list', 'GET', '/api/movies/' ],
             [ 'a login (strict zone)', 'POST', '/api/users/login/',
               json => { username => 'alice', password => $alice->{password} } ],
             [ 'an upload (upload location)', 'PUT', '/api/users/me/avatar/', token => $alice->{access},
               body => 'x', headers => { 'Content-Type' => 'image/png' } ]) {
    my ($what, $method, $path, %o) = @$try;
    my $r = $s->request($method, $path, %o);
    is $r->{status}, 503, "$what past the limit in flight is answered 503";
    like $r->{headers}{'content-type'}, qr{^application/problem\+json}, '... as problem+json';
    is $r->{headers}{'retry-after'}, 1, '... with Retry-After';
    is $r->{json}{detail}, 'Too many requests are in progress; try again shortly.', '... by nginx';
}
is $s->lock_waiters, 2, 'while the two requests in flight still wait';
is $s->get('/healthz')->{status}, 200, '/healthz is answered meanwhile';
like Marquee::Stack::slurp($s->dir . '/nginx/error.log'), qr/limiting connections by zone "marquee_inflight"/,
    'nginx logs what it sheds';

$hold->release;
is_deeply [ $held->results ], [ 200, 200 ], 'the requests in flight are answered once the lock goes';
is $s->get('/api/movies/')->{status}, 200, 'and later requests are served again';

$s->finish;
done_testing;

# PostgreSQL restarted under the pool, and memcached going away and coming
# back: requests fail at most while PostgreSQL is down, and never because
# of memcached; the pool itself is never restarted.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

# [cache] verify renders every cache hit again from PostgreSQL: off, since
# serving from memcached while PostgreSQL is down is what is tested here.
my $s = Marquee::Stack->start(workers => 3, extra_config => "[cache]\nverify = off\n");

my @workers = sort $s->worker_pids;
is scalar @workers, 3, 'three workers';

# Every distinct URL is a cache miss, so these requests reach PostgreSQL.
my $n = 0;
sub fresh_get { $s->get('/api/movies/?tmdb_id=' . ++$n) }

is fresh_get()->{status}, 200, 'a cache miss is served from PostgreSQL';
is $s->get('/api/genres/')->{status}, 200, 'the first page, now cached';

$s->stop_postgres;
my $r = fresh_get();
is $r->{status}, 503, 'with PostgreSQL down a cache miss is 503';
like $r->{headers}{'content-type'}, qr{problem\+json}, 'as problem+json';
like $r->{json}{detail}, qr/database is unavailable/i, 'saying the database is unavailable';
is $r->{headers}{'retry-after'}, '1', 'with Retry-After';
is $s->get('/api/genres/')->{status}, 200, 'a page already in memcached is still served';

$s->start_postgres_again;
my $ok = 0;
$ok += fresh_get()->{status} == 200 for 1 .. 30;
is $ok, 30, 'after PostgreSQL restarts, every request succeeds again';
is_deeply [ sort $s->worker_pids ], \@workers, 'with the same workers: the pool was not restarted';
like $s->pool_log, qr/database connection closed by the server; reconnecting|database unavailable/,
    'the workers noticed and reconnected';

# memcached stopped: slower, never failing
$s->stop_memcached;
$ok = 0;
$ok += $s->get('/api/genres/')->{status} == 200 for 1 .. 20;
is $ok, 20, 'with memcached stopped, requests are still 200';
$ok = 0;
$ok += fresh_get()->{status} == 200 for 1 .. 10;
is $ok, 10, 'cache misses too';
is $s->get('/readyz')->{json}{checks}{cache}, 'down', '/readyz reports the cache down';
is $s->get('/readyz')->{status}, 200, 'but stays ready';

# A worker leaves a server it found down alone for [cache] retry_timeout
# (1s in the test config).  A page is served from memcached when a change
# made in PostgreSQL behind the pool's back does not show.
$s->start_memcached;
my $i = 0;
sub action { $s->get('/api/genres/?page_size=3')->{json}{results}[0]{name} }
wait_until {
    my $before = action();
    $s->psql("UPDATE genres SET name = 'Action " . ++$i . "' WHERE slug = 'action'");
    action() eq $before } what => 'a page to be served from memcached again'
    and pass 'once memcached is back, pages are cached again';

is_deeply [ sort $s->worker_pids ], \@workers, 'still the same workers';

$s->finish;
done_testing;

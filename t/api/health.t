# /healthz and /readyz through nginx and the pool.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;

my $r = $s->get('/healthz');
is $r->{status}, 200, 'GET /healthz answers 200';
is_deeply $r->{json}, { status => 'ok' }, 'with {"status":"ok"}';
like $r->{headers}{'content-type'}, qr{^application/json}, 'as JSON';
like $r->{headers}{'x-request-id'}, qr/^[A-Za-z0-9._-]{1,64}$/, 'every response carries X-Request-Id';

$r = $s->get('/healthz/');
is $r->{status}, 200, 'the trailing slash is optional';

$r = $s->get('/healthz', headers => { 'X-Request-Id' => 'trace-abc.123' });
is $r->{headers}{'x-request-id'}, 'trace-abc.123', 'a sane client request id is kept';
like $s->pool_log, qr/id=trace-abc\.123 method=GET path=\/healthz/, 'and reaches the access log';
$r = $s->get('/healthz', headers => { 'X-Request-Id' => 'bad id with spaces' });
isnt $r->{headers}{'x-request-id'}, 'bad id with spaces', 'an insane one is replaced';

$r = $s->get('/readyz');
is $r->{status}, 200, 'GET /readyz answers 200 with everything up';
is $r->{json}{status}, 'ready', 'status ready';
is_deeply $r->{json}{checks}, { database => 'up', cache => 'up' }, 'database and cache are up';

$r = $s->request('HEAD', '/healthz');
is $r->{status}, 200, 'HEAD /healthz answers 200';
is length($r->{content} // ''), 0, 'without a body';

$s->stop_postgres;
$r = $s->get('/readyz');
is $r->{status}, 503, '/readyz is 503 while PostgreSQL is down';
like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'as problem+json';
like $r->{json}{detail}, qr/PostgreSQL is unreachable: \S/, 'with the reason';
is $r->{json}{checks}{database}, 'down', 'the database check says down';
is $s->get('/healthz')->{status}, 200, '/healthz does not depend on the database';
$s->start_postgres_again;

wait_until { $s->get('/readyz')->{status} == 200 } what => '/readyz to answer 200'
    and pass '/readyz is 200 again once PostgreSQL is back';

$s->finish;
done_testing;

# The pool at the FastCGI level, below nginx: several requests on one kept
# connection (with bodies the handler never read in between), and a peer
# that sends half a request and stalls, which request_timeout must cover.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;
use Marquee::FastCGI;

# nginx may keep one connection open, which pins one worker to it; the
# other worker is the one these requests reach.
my $s = Marquee::Stack->start(workers => 2, keepalive => 1, request_timeout => '1s');
my $sock = $s->dir . '/run/fcgi.sock';

my $c = Marquee::FastCGI->connect($sock);
my $r = $c->request(GET => '/api/genres/?page_size=2', keep => 1);
is $r->{status}, 200, 'a GET straight over FastCGI';
is scalar @{ Marquee::Stack::json_body($r->{body})->{results} }, 2, 'with its body';

for my $size (10, 20 * 1024, 200 * 1024) {
    $r = $c->request(POST => '/api/genres/', body => 'x' x $size, keep => 1);
    is $r && $r->{status}, 405, "a POST with an unread $size-byte body is answered 405";
    $r = $c->request(GET => '/healthz', keep => 1);
    is $r && $r->{status}, 200, '... and the same kept connection serves the next request';
}
$r = $c->request(GET => '/api/genres/', env => { HTTP_IF_NONE_MATCH => '*' }, keep => 1);
is $r && $r->{status}, 304, 'If-None-Match: * is a 304';

# Half a request, then silence: the worker that took it is stuck reading
# until request_timeout (1s here) has the master kill and replace it.
undef $c;
my $stall = Marquee::FastCGI->connect($sock);
my $bytes = $stall->encode(GET => '/healthz');
$stall->send_raw(substr($bytes, 0, 20));
wait_until { $s->pool_log =~ /killing worker .*\(reading request\)/ } what => 'the stuck worker to be killed'
    and pass 'request_timeout covers a worker stuck reading a half-sent request';
$r = Marquee::FastCGI->connect($sock)->request(GET => '/healthz');
is $r && $r->{status}, 200, 'and a new worker serves the next direct request';

$s->finish;

# Regression: libfcgi, finding a kept connection closed, accepts the next
# one inside the same call, and the new socket often gets the same fd
# number; the worker must still watch it (it once hung for 30s).
$s = Marquee::Stack->start(workers => 1, keepalive => 1,
                           extra_config => "[server]\nconnections_per_worker = 1\n");
$sock = $s->dir . '/run/fcgi.sock';
# The start-up check's connection (nginx keeps none to /healthz) must be
# closed, for the next one to take the slot.
wait_until { $s->fcgi_connections == 0 } what => 'no connection to the pool';
my $a = Marquee::FastCGI->connect($sock);
is $a->request(GET => '/healthz', keep => 1)->{status}, 200, 'a kept connection takes the only slot';
my $b = Marquee::FastCGI->connect($sock);    # waits in the backlog
$b->send_raw($b->encode(GET => '/healthz', keep => 1));
undef $a;
local $SIG{ALRM} = sub { die "timeout\n" };
alarm 10;
$r = eval { $b->response };
is $r && $r->{status}, 200, 'a connection accepted in place of a closed one is served';
$r = eval { $b->request(GET => '/healthz', keep => 1) };
is $r && $r->{status}, 200, 'and its next request too (it is watched)';
alarm 0;
$s->finish;

done_testing;

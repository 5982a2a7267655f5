# Errors are problem+json, from the pool and from nginx alike: unknown
# paths, wrong methods, malformed and oversized requests.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;

sub is_problem {
    my ($r, $status, $name) = @_;
    is $r->{status}, $status, "$name: $status";
    like $r->{headers}{'content-type'} // '', qr{^application/problem\+json}, "$name: problem+json";
    is $r->{json}{status}, $status, "$name: status member";
    is $r->{json}{type}, 'about:blank', "$name: type";
    ok length($r->{json}{title} // ''), "$name: title";
    ok length($r->{json}{detail} // ''), "$name: detail";
    like $r->{headers}{'x-request-id'} // '', qr/\S/, "$name: X-Request-Id";
}

my $r = $s->get('/api/no-such-thing/');
is_problem($r, 404, 'unknown API path');
is $r->{json}{title}, 'Not Found', 'titled Not Found';
like $r->{json}{detail}, qr{/api/no-such-thing/}, 'naming the path';

is_problem($s->get('/api/genres/42/'), 404, 'a path under a known one');
is_problem($s->get('/media'), 404, '/media without its slash (answered by nginx)');
is_problem($s->get('/assets/no-such-file.js'), 404, "a file the web app's build lacks");
# Other paths outside /api are the web app's (t/web/delivery.t).

$r = $s->delete('/api/genres/');
is_problem($r, 405, 'DELETE on a GET route');
is $r->{headers}{allow}, 'GET, HEAD', 'with Allow';
$r = $s->request('PROPFIND', '/api/genres/');
is $r->{status}, 405, 'a method Marquee does not know is 405 on a known path';
is $r->{headers}{allow}, 'GET, HEAD', 'with Allow';

# query strings
is_problem($s->get('/api/genres/?page=%zz'), 400, 'a malformed percent-escape');
is_problem($s->get('/api/genres/?q=%ff%fe'), 400, 'invalid UTF-8 in the query');
is_problem($s->get('/api/genres/?q=%00'), 400, 'an encoded NUL');
is_problem($s->get('/api/genres/?' . join('&', map { "k$_=1" } 1 .. 65)), 400, 'too many parameters');
is_problem($s->get('/api/genres/?q=' . ('x' x 5000)), 400, 'a query string over 4096 bytes');
my $unknown = $s->get('/api/genres/?' . join('&', map { "k$_=1" } 1 .. 60));
is $unknown->{status}, 400, 'unknown parameters under the limit are refused, not ignored';
is scalar keys %{ $unknown->{json}{errors} }, 60, 'each of them named';

# paths
is_problem($s->get('/api/%ff/'), 400, 'invalid UTF-8 in the path');

# bodies
is_problem($s->post('/api/genres/', body => 'x' x (65 * 1024),
                    headers => { 'Content-Type' => 'application/json' }), 413,
           'a body over 64 KiB (refused by nginx)');
my ($status, $raw) = $s->raw_request("GET /api/genres/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
is $status, 400, 'a malformed Content-Length is a 400';
like $raw, qr{application/problem\+json}, 'as problem+json';
($status) = $s->raw_request("BREW /pot HTTP/1.1\r\n\r\n");
is $status, 400, 'a request without Host is a 400';
($status, $raw) = $s->raw_request("GET /api/genres/ HTTP/1.1\r\nHost: x\r\n" . ("X-Pad: " . ('y' x 1000) . "\r\n") x 40 . "\r\n");
is $status, 431, 'huge headers are refused with 431 (nginx\'s 494)';
like $raw, qr{application/problem\+json}, 'as problem+json (regression: nginx\'s HTML page)';

# Malformed request lines: nginx refuses them before it knows a URI, and
# an error_page to a named location then fails ("empty URI in redirect to
# named location") into nginx's HTML 500.  Regression, issue 12 finding 3.
sub raw_is_problem {
    my ($bytes, $want, $name) = @_;
    my ($got, $answer) = $s->raw_request($bytes);
    my ($head, $body) = split /\r\n\r\n/, $answer, 2;
    my $json = Marquee::Stack::json_body($body);
    is $got, $want, "$name: $want";
    like $head, qr{^Content-Type: application/problem\+json}mi, "$name: problem+json";
    is $json && $json->{status}, $want, "$name: its status member";
    like $head, qr{^X-Request-Id: \S+}mi, "$name: X-Request-Id";
}
raw_is_problem("GET /api/genres/%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, 'a %00 in the path');
raw_is_problem("get /api/genres/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, 'a lowercase method');
raw_is_problem("GET /api/gen res/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, 'a raw space in the path');
raw_is_problem("GET /api/genres/\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400, 'a control character');
raw_is_problem("GET /api/x?q=" . ('a' x 9000) . " HTTP/1.1\r\nHost: x\r\n\r\n", 414, 'a URL over 8 KB');
raw_is_problem("GET /api/genres/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
               'a transfer coding nginx does not know');
raw_is_problem("GET /api/genres/ HTTP/2.7\r\nHost: x\r\n\r\n", 505, 'an HTTP version nginx does not speak');
raw_is_problem("POST /api/genres/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
               'a malformed chunked body');

# an early answer leaves the body unread; the kept FastCGI connection must
# still be usable for the next request (a POST is never retried by nginx)
my %st;
for my $i (1 .. 30) {
    my $size = $i % 2 ? 20 * 1024 : 10;
    $st{ $s->post('/api/genres/', body => 'x' x $size,
                  headers => { 'Content-Type' => 'application/json' })->{status} }++;
}
is_deeply \%st, { 405 => 30 }, 'thirty POSTs with unread bodies of 20 KiB and 10 bytes: all 405, none 502';

# HEAD of an error has the same headers as GET
my $head = $s->request('HEAD', '/api/no-such-thing/');
my $get = $s->get('/api/no-such-thing/');
is $head->{status}, 404, 'HEAD of a missing path is 404';
is $head->{headers}{'content-length'}, $get->{headers}{'content-length'}, 'with the GET Content-Length';

# the pool survived all of it
is $s->get('/api/genres/')->{status}, 200, 'the API still answers';

# with the pool gone, nginx answers 502 itself (it was a 503 for every
# gateway error, whatever happened)
kill 'TERM', $s->pool_pid;
is $s->wait_pool_exit, 0, 'the pool stops';
is_problem($s->get('/api/genres/'), 502, 'no pool to answer');

$s->finish;
done_testing;

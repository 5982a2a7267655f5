# The checker every API test's answers go through (Marquee::OpenAPI):
# that it passes what docs/openapi.yaml describes and catches each way an
# answer can depart from it, so that a silent API test is a passing one.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Marquee::OpenAPI;
use Marquee::Stack;

my $c = Marquee::OpenAPI->load(Marquee::Stack::srcdir() . '/docs/openapi.yaml');

my %json = ('content-type' => 'application/json', 'x-request-id' => 'abc123');
my %problem = ('content-type' => 'application/problem+json', 'x-request-id' => 'abc123');
my $etag = 'W/"' . ('0' x 32) . '"';
my %catalog = (%json, etag => $etag, vary => [ 'Accept-Language', 'Accept-Encoding' ]);
my $genres = { count => 1, next => undef, previous => undef,
               results => [ { id => 1, tmdb_id => 28, name => 'Action', slug => 'action' } ] };

# check(METHOD, PATH, STATUS, HEADERS, BODY): the problems found.
sub problems {
    my ($method, $path, $status, $headers, $body, %opt) = @_;
    $body = encode_json($body) if ref $body;
    my $r = $c->check($method, $path, { status => $status, headers => $headers, content => $body }, %opt);
    return $r->{problems};
}
sub passes {
    my ($name, @args) = @_;
    my $p = problems(@args);
    is_deeply $p, [], $name or diag explain $p;
}
sub caught {
    my ($name, $re, @args) = @_;
    my $p = problems(@args);
    ok((grep { /$re/ } @$p), $name) or diag explain $p;
}

passes 'a page of genres as documented', GET => '/api/genres/', 200, \%catalog, $genres;
passes 'the path without its final slash, and a query string', GET => '/api/genres?page=1', 200,
    \%catalog, $genres;
passes 'a 304 without a body', GET => '/api/genres/', 304, { 'x-request-id' => 'a', etag => $etag }, '';
passes 'a HEAD, by the GET it stands for', HEAD => '/api/genres/', 200, \%catalog, '';
passes 'a problem for an unknown path', GET => '/api/nothing-here/', 404, \%problem,
    { type => 'about:blank', title => 'Not Found', status => 404, detail => 'There is nothing at this path.' };
passes 'a 405 with Allow', DELETE => '/api/genres/', 405, { %problem, allow => 'GET' },
    { type => 'about:blank', title => 'Method Not Allowed', status => 405, detail => 'No.' };
passes 'a static file is not the API', GET => '/media/x.png', 200, { 'content-type' => 'image/png' }, 'PNG';
passes 'below nginx there is no X-Request-Id', GET => '/healthz', 200,
    { 'content-type' => 'application/json' }, { status => 'ok' }, via => 'fastcgi';

caught 'a status the operation does not document', qr/status 418 is not documented for GET \/api\/genres\//,
    GET => '/api/genres/', 418, \%problem, { type => 'about:blank', title => 'x', status => 418, detail => 'x' };
caught 'a Content-Type it does not document', qr/Content-Type text\/html is not documented/,
    GET => '/api/genres/', 200, { %catalog, 'content-type' => 'text/html' }, '<html>';
caught 'a body that is not JSON', qr/not JSON/, GET => '/api/genres/', 200, \%catalog, '{"count":';
caught 'a missing required member', qr{/results/0/slug: .*Missing property},
    GET => '/api/genres/', 200, \%catalog,
    { %$genres, results => [ { id => 1, tmdb_id => 28, name => 'Action' } ] };
caught 'a member of the wrong type', qr{/count: .*Expected integer - got string},
    GET => '/api/genres/', 200, \%catalog, { %$genres, count => '1' };
passes 'null where the document allows it', GET => '/api/genres/', 200, \%catalog,
    { %$genres, results => [ { %{ $genres->{results}[0] }, tmdb_id => undef } ] };
caught 'null where it does not', qr{/results/0/name: .*null},
    GET => '/api/genres/', 200, \%catalog, { %$genres, results => [ { %{ $genres->{results}[0] }, name => undef } ] };
caught 'a nullable member of the wrong type', qr{/results/0/tmdb_id: .*Expected integer - got string},
    GET => '/api/genres/', 200, \%catalog,
    { %$genres, results => [ { %{ $genres->{results}[0] }, tmdb_id => 'x' } ] };
caught 'a member the schema does not name', qr{/results/0/colour: a member the schema does not name},
    GET => '/api/genres/', 200, \%catalog,
    { %$genres, results => [ { %{ $genres->{results}[0] }, colour => 'red' } ] };
caught 'a required header missing', qr/no ETag header/, GET => '/api/genres/', 200,
    { %catalog, etag => undef }, $genres;
caught 'a header that does not match its schema', qr/header ETag:/, GET => '/api/genres/', 200,
    { %catalog, etag => '"strong"' }, $genres;
caught 'no X-Request-Id from nginx', qr/no X-Request-Id/, GET => '/api/genres/', 200,
    { %catalog, 'x-request-id' => undef }, $genres;
caught 'a body where the document has none', qr/documented without a body/,
    GET => '/api/genres/', 304, { 'x-request-id' => 'a', etag => $etag }, '{}';
caught 'an error that is not problem+json', qr/not application\/problem\+json/,
    GET => '/api/nothing-here/', 404, \%json, { detail => 'no' };
caught 'a problem without its members', qr{/detail: .*Missing property},
    GET => '/api/nothing-here/', 404, \%problem, { type => 'about:blank', title => 'Not Found', status => 404 };
passes "nginx's own errors need only be problems on any path", GET => '/api/genres/', 414, \%problem,
    { type => 'about:blank', title => 'URI Too Long', status => 414, detail => 'Too long.' };
caught '... when nginx sent them', qr/status 414 is not documented/, GET => '/api/genres/', 414,
    \%problem, { type => 'about:blank', title => 'URI Too Long', status => 414, detail => 'Too long.' },
    via => 'fastcgi';
caught '... and HTML is no problem', qr/not application\/problem\+json/, GET => '/api/genres/', 502,
    { 'content-type' => 'text/html', 'x-request-id' => 'abc123' }, '<html></html>';
caught 'a 405 without Allow', qr/405 without an Allow header/, DELETE => '/api/genres/', 405, \%problem,
    { type => 'about:blank', title => 'Method Not Allowed', status => 405, detail => 'No.' };
caught 'an integer path parameter that is not one is no route', qr{/api/movies/abc/ is in no path},
    GET => '/api/movies/abc/', 200, \%json, {};

done_testing;

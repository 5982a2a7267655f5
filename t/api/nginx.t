# The nginx configuration, as shipped: compression, headers, /metrics for
# loopback only (checked with promtool), rate limits answered as
# problem+json with Retry-After, media, upload sizes, several pools behind
# one upstream, and the production site (TLS, HTTP/2, HSTS) run for real.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(workers => 3);
my $src = Marquee::Stack::srcdir();
my $d = $s->dir;

# --- responses ---
my $r = $s->get('/api/genres/', headers => { 'Accept-Encoding' => 'gzip' });
is $r->{headers}{'content-encoding'}, 'gzip', 'JSON is gzipped when the client accepts it';
my $vary = $r->{headers}{vary};
like join(',', ref $vary ? @$vary : $vary), qr/Accept-Encoding/i, 'with Vary: Accept-Encoding';
is $r->{headers}{'x-content-type-options'}, 'nosniff', 'security headers: nosniff';
is $r->{headers}{'x-frame-options'}, 'DENY', 'security headers: frame denial';
is $r->{headers}{'referrer-policy'}, 'no-referrer', 'security headers: no referrer';
ok !exists $r->{headers}{'strict-transport-security'}, 'no HSTS over plain HTTP';
unlike $r->{headers}{server} // '', qr/\d/, 'no nginx version in Server';

# --- API documentation, served by nginx from the built docs site ---
SKIP: {
    skip 'the docs site is not built (npm ci && make docs-site)', 12
        unless -f Marquee::Stack::docs_root() . '/swagger.html';
    for my $path ('/api/docs/', '/api/docs', '/api/redoc/') {
        $r = $s->get($path);
        is $r->{status}, 200, "$path answers";
        like $r->{headers}{'content-type'}, qr{^text/html}, "$path is HTML";
    }
    like $r->{headers}{'content-security-policy'}, qr/default-src 'self'/, 'with a CSP of its own';
    $r = $s->get('/api/schema/');
    is $r->{status}, 200, '/api/schema/ answers';
    like $r->{headers}{'content-type'}, qr{^application/yaml}, 'as YAML';
    is $r->{content}, Marquee::Stack::slurp("$src/docs/openapi.yaml"), 'the OpenAPI document itself';
    $r = $s->get('/api/docs/assets/swagger-ui-bundle.js');
    like $r->{headers}{'content-type'}, qr{javascript}, 'Swagger UI comes from the npm package';
    is $s->get('/api/docs/assets/redoc.standalone.js')->{status}, 200, 'and so does ReDoc';
}

# --- /metrics ---
$s->get('/api/genres/') for 1 .. 3;
$s->get('/api/nowhere/');
$r = $s->get('/metrics');
is $r->{status}, 200, '/metrics answers loopback';
like $r->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'in the Prometheus text format';
like $r->{content}, qr/^marquee_http_requests_total\{route="\/api\/genres\/",method="GET",status="200"\} \d+$/m,
    'requests by route, method and status';
like $r->{content}, qr/^marquee_http_requests_total\{route="unmatched",method="any",status="404"\} \d+$/m,
    'unmatched paths counted apart';
like $r->{content}, qr/^marquee_http_request_duration_seconds_bucket\{route="\/api\/genres\/",method="GET",le="\+Inf"\} \d+$/m,
    'a latency histogram by route';
like $r->{content}, qr/^marquee_workers\{state="idle"\} \d+$/m, 'workers by state';
like $r->{content}, qr/^marquee_cache_hits_total \d+$/m, 'cache hits';
like $r->{content}, qr/^marquee_db_reconnects_total \d+$/m, 'database reconnects';
like $r->{content}, qr/^marquee_worker_exits_total\{reason="crashed"\} 0$/m, 'worker exits by reason';
Marquee::Stack::spew("$d/metrics.txt", $r->{content});
my $promtool = `promtool check metrics < $d/metrics.txt 2>&1`;
is $?, 0, 'promtool check metrics accepts it' or diag $promtool;

# counters survive a worker being replaced
my ($before) = $r->{content} =~ /route="\/api\/genres\/",method="GET",status="200"\} (\d+)/;
my @killed = $s->worker_pids;
kill 'KILL', @killed;
wait_until { my %old = map { $_ => 1 } @killed; my @now = $s->worker_pids;
             @now == 3 && !grep { $old{$_} } @now } what => 'three new workers';
$r = $s->get('/metrics');
my ($after) = $r->{content} =~ /route="\/api\/genres\/",method="GET",status="200"\} (\d+)/;
cmp_ok $after, '>=', $before, "killed workers' counts are kept ($before, then $after)";
like $r->{content}, qr/^marquee_worker_exits_total\{reason="crashed"\} [1-9]/m, 'and their deaths counted';

$r = $s->get('/metrics', from => '127.0.0.2');
is $r->{status}, 403, '/metrics is refused to any other address';
like $r->{headers}{'content-type'}, qr{problem\+json}, 'as problem+json';
is $r->{json}{detail}, 'Access to this path is not allowed.', 'saying what it is';

# --- media and uploads ---
Marquee::Stack::spew("$d/media/hello.txt", "a poster, say\n");
$r = $s->get('/media/hello.txt');
is $r->{status}, 200, '/media/ is served from disk by nginx';
is $r->{content}, "a poster, say\n", 'the file itself';
like $r->{headers}{'cache-control'} // '', qr/max-age=604800/, 'cacheable for a week';
is $s->get('/protected-media/hello.txt')->{status}, 404, 'the X-Accel-Redirect location is internal';
# regression: nginx labelled its 404 problem with the missing file's type
$r = $s->get('/media/no-such-poster.png');
is $r->{status}, 404, 'a missing image is a 404';
like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'as problem+json, not image/png';
# regression: a directory under /media/ was a 403 "not served to your
# address", the text of /metrics; it is nothing to serve
mkdir "$d/media/movies";
for my $dir ('/media/', '/media/movies/', '/media/movies') {
    $r = $s->get($dir);
    is $r->{status}, 404, "$dir is a 404, not a listing refused";
    is $r->{json}{detail}, 'There is nothing at this path.', '... as a problem';
}
$r = $s->put('/api/users/me/avatar/', body => 'x' x (2 * 1024 * 1024),
             headers => { 'Content-Type' => 'image/png' });
isnt $r->{status}, 413, "a 2 MB upload passes nginx on an upload path ($r->{status})";
$r = $s->put('/api/users/me/avatar/', body => 'x' x (11 * 1024 * 1024),
             headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 413, 'an 11 MB one does not';

# --- the production site: rendered, checked and run with TLS ---
my $prod = "$d/prod";
my ($http, $https) = (Marquee::Stack::free_port(), Marquee::Stack::free_port());
system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
       . "-subj /CN=localhost -keyout $d/tls.key -out $d/tls.crt 2>$d/log/openssl.log") == 0
    or BAIL_OUT('openssl failed: ' . Marquee::Stack::slurp("$d/log/openssl.log"));
system($^X, "$src/nginx/render", $prod, "$src/nginx/marquee.conf",
       'FCGI_SERVERS=server unix:' . "$d/run/fcgi.sock;", "FCGI_LOCAL=unix:$d/run/fcgi.sock",
       'FCGI_KEEP_CONN=on', 'FCGI_LOCAL_KEEP_CONN=off',
       'FCGI_KEEPALIVE=2',
       "MEDIA_ROOT=$d/media", "DOCS_ROOT=$d/docs", "WEB_ROOT=$d/web", 'RATE_AUTH=10r/m', 'BURST_AUTH=5', 'RATE_API=50r/s',
       'BURST_API=100', 'API_INFLIGHT=128', 'RATE_WEBHOOK=200r/s', 'BURST_WEBHOOK=1000', 'SERVER_NAME=localhost', "HTTP_PORT=$http", "HTTPS_PORT=$https",
       "TLS_CERT=$d/tls.crt", "TLS_KEY=$d/tls.key", "NGINX_LOG_DIR=$d/log") == 0
    or BAIL_OUT('render failed');
mkdir "$prod/tmp";
my $user = $> == 0 ? 'user nobody nogroup;' : '';
system('chown', '-R', 'nobody:nogroup', "$prod/tmp") if $> == 0;
# Like Debian's nginx.conf, which already says "gzip on".
Marquee::Stack::spew("$prod/nginx.conf", <<"CONF");
$user
worker_processes 1;
pid $prod/nginx.pid;
events { worker_connections 64; }
http {
    client_body_temp_path $prod/tmp;
    fastcgi_temp_path $prod/tmp;
    proxy_temp_path $prod/tmp;
    uwsgi_temp_path $prod/tmp;
    scgi_temp_path $prod/tmp;
    gzip on;
    include $prod/marquee.conf;
}
CONF
my $test = `nginx -t -p $prod -c $prod/nginx.conf -e $d/log/prod-error.log 2>&1`;
is $?, 0, 'nginx -t accepts the production site' or diag $test;
$s->{pids}{'nginx-prod'} = $s->spawn('nginx-prod', 'nginx', '-p', $prod, '-c', "$prod/nginx.conf",
                                     '-e', "$d/log/prod-error.log", '-g', 'daemon off;');
Marquee::Stack::wait_for('the production nginx', 10,
                         sub { IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $https) });
my $head = `curl -sk --http2 -D - -o /dev/null https://localhost:$https/api/genres/ 2>&1`;
like $head, qr{^HTTP/2 200}m, 'the production site answers over TLS with HTTP/2';
like $head, qr{^strict-transport-security: max-age=63072000}mi, 'with HSTS';
like $head, qr{^x-request-id: \S+}mi, 'and a request id';
my $tls = `curl -sk --tls-max 1.1 -o /dev/null -w '%{http_code}' https://localhost:$https/healthz 2>&1`;
isnt $tls, '200', 'TLS 1.1 is refused';
my $plain = `curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://localhost:$http/api/genres/ 2>&1`;
like $plain, qr{^301 https://localhost:$https/api/genres/$}, 'plain HTTP redirects to HTTPS';
$s->stop_process('nginx-prod', 'QUIT');
$s->finish;

# --- rate limits: a stack whose zones let 6 requests through, then 1 a
# minute (the strict one) or a second (the API's), so that which limiter
# answers does not depend on how fast the machine is ---
$s = Marquee::Stack->start(workers => 2, rate_auth => '1r/m', burst_auth => 5,
                           rate_api => '1r/s', burst_api => 5);
# Only 6 logins reach the pool, fewer than its own limit of failures
# ([auth] login_max_failures, 10): no 429 of its own (Retry-After: 900).
my @logins = map { $s->post('/api/users/login/', json => { username => 'x', password => 'y' }) } 1 .. 12;
is_deeply [ map { $_->{status} } @logins ], [ (401) x 6, (429) x 6 ],
    'login is limited by the strict zone past its burst';
is $logins[-1]{headers}{'retry-after'}, '60', 'with Retry-After: 60';
my $limited = join '', grep { /limiting requests/ } split /^/m, Marquee::Stack::slurp("$s->{dir}/nginx/error.log");
like $limited, qr/by zone "marquee_auth"/, 'the strict zone said no';
unlike $limited, qr/by zone "marquee_api"/, 'not the API zone';
my %seen;
for (1 .. 40) {
    my $res = $s->get('/api/genres/');
    $seen{ $res->{status} }++;
    $r = $res if $res->{status} == 429;
}
ok $seen{429}, "a burst beyond the API zone is limited ($seen{429} of 40)";
like $r->{headers}{'content-type'}, qr{^application/problem\+json}, '429 is problem+json';
is $r->{json}{status}, 429, 'with its status';
is $r->{headers}{'retry-after'}, '1', 'and Retry-After: 1 on the API zone';
$s->finish;

# --- two pools behind one upstream, as two hosts would be ---
$s = Marquee::Stack->start(workers => 2, more_pools => 1);
$s->get('/api/genres/?page_size=' . $_) for 1 .. 20;
like $s->pool_log('pool'), qr/path=\/api\/genres\//, 'the first pool serves requests';
like $s->pool_log('pool-2'), qr/path=\/api\/genres\//, 'and so does the second';
$s->stop_process('pool-2', 'TERM');
my $ok = 0;
$ok += $s->get('/api/genres/?page_size=' . (20 + $_))->{status} == 200 for 1 .. 20;
is $ok, 20, 'with one pool stopped, the other serves everything';

$s->finish;

done_testing;

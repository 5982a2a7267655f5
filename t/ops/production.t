# Regression (issue 12, finding 10): with [server] public_url empty the
# pool builds absolute links from the Host header clients send.  In
# production (the default, [server] production = on) marquee-fcgi -t warns
# about it, and the production nginx site (nginx/marquee.conf, as make
# install renders it) passes only its own server_name to the pool: any
# other Host, or TLS server name, gets no answer.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Marquee::Stack;

my $src = Marquee::Stack::srcdir();
my $build = Marquee::Stack::builddir();
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
Marquee::Stack::spew("$dir/jwt.key", 'k' x 40);

# ---- marquee-fcgi -t ----

# (exit status, stdout, stderr) of marquee-fcgi -t on a config of these lines
sub check {
    my ($conf) = @_;
    Marquee::Stack::spew("$dir/m.conf", $conf);
    local $ENV{MARQUEE_AUTH_JWT_KEY_FILE} = "$dir/jwt.key";
    local $ENV{MARQUEE_AUTH_COMMON_PASSWORDS} = '';
    my $out = `$build/src/marquee-fcgi -t -c $dir/m.conf 2>$dir/err`;
    return ($? >> 8, $out, Marquee::Stack::slurp("$dir/err"));
}

my ($rc, $out, $err) = check("; the defaults\n");
is $rc, 0, 'the defaults load';
like $err, qr/^marquee-fcgi: warning: \[server\] public_url is empty, so absolute links .* Host header/m,
    'with a warning that links would follow the Host header';
like $out, qr/^production = on$/m, 'production is the default';
($rc, $out, $err) = check("[server]\npublic_url = https://api.example.test\n");
is $err, '', 'no warning with public_url';
($rc, $out, $err) = check("[server]\nproduction = off\n");
is $err, '', 'nor on a development stack (production = off)';
($rc, $out, $err) = check("[server]\npublic_url = http://127.0.0.1:8080\nproduction = on\n");
is $rc, 0, 'a scheme, a host and a port';
for my $bad ('https://api.example.test/', 'https://api.example.test/v1', 'api.example.test', 'ftp://x',
             'https://', 'https://a b') {
    ($rc, $out, $err) = check("[server]\npublic_url = $bad\n");
    is $rc, 1, "public_url = $bad is refused";
    like $err, qr/public_url .*no path/, 'saying what it takes';
}
my ($etc_rc, undef, $etc_err) = do {
    local $ENV{MARQUEE_AUTH_JWT_KEY_FILE} = "$dir/jwt.key";
    local $ENV{MARQUEE_AUTH_COMMON_PASSWORDS} = '';
    my $o = `$build/src/marquee-fcgi -t -c $src/etc/marquee.conf 2>$dir/err`;
    ($? >> 8, $o, Marquee::Stack::slurp("$dir/err"));
};
like $etc_err, qr/warning: \[server\] public_url is empty/, 'the installed configuration warns until it is set';

# ---- the pool's start ----
{
    Marquee::Stack::spew("$dir/pool.conf", "[server]\nlisten = $dir/fcgi.sock\nworkers = 1\n"
                                          . "scoreboard = $dir/scoreboard\n");
    local $ENV{MARQUEE_AUTH_JWT_KEY_FILE} = "$dir/jwt.key";
    local $ENV{MARQUEE_AUTH_COMMON_PASSWORDS} = '';
    local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
    my $pid = fork // die;
    if ($pid == 0) {
        open STDOUT, '>', "$dir/pool.log";
        open STDERR, '>&', \*STDOUT;
        exec "$build/src/marquee-fcgi", '-c', "$dir/pool.conf";
    }
    Marquee::Stack::wait_for('the pool to start', 15, sub { Marquee::Stack::slurp("$dir/pool.log") =~ /listening/ });
    kill 'TERM', $pid;
    waitpid $pid, 0;
    like Marquee::Stack::slurp("$dir/pool.log"), qr/level=warn .*public_url is empty/,
        'the pool warns at its start too';
}

# ---- the production site ----

SKIP: {
    my ($nginx) = grep { -x } map { "$_/nginx" } split(/:/, $ENV{PATH}), '/usr/sbin';
    skip 'nginx or openssl is not installed', 1
        unless $nginx && grep { -x "$_/openssl" } split /:/, $ENV{PATH};
    my ($http, $https) = (Marquee::Stack::free_port(), Marquee::Stack::free_port());
    my $n = "$dir/nginx";
    mkdir $_ for $n, "$n/tmp", "$n/log";
    system("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=api.example.test "
           . "-keyout $dir/key.pem -out $dir/cert.pem >$dir/openssl.log 2>&1") == 0
        or die "openssl failed\n";
    # As Makefile.am renders it, but for the ports and paths a test can use.
    system($^X, "$src/nginx/render", $n, "$src/nginx/marquee.conf",
           'FCGI_SERVERS=server 127.0.0.1:1;', 'FCGI_LOCAL=127.0.0.1:1', 'FCGI_KEEP_CONN=on',
           'FCGI_LOCAL_KEEP_CONN=off', 'FCGI_KEEPALIVE=8', "MEDIA_ROOT=$dir", "DOCS_ROOT=$dir", "WEB_ROOT=$dir",
           'RATE_AUTH=10r/m', 'BURST_AUTH=5', 'RATE_API=20r/s', 'BURST_API=50', 'API_INFLIGHT=128', 'RATE_WEBHOOK=200r/s', 'BURST_WEBHOOK=1000',
           'SERVER_NAME=api.example.test', "HTTP_PORT=$http", "HTTPS_PORT=$https",
           "TLS_CERT=$dir/cert.pem", "TLS_KEY=$dir/key.pem", "NGINX_LOG_DIR=$n/log") == 0
        or die "nginx/render failed\n";
    my $site = Marquee::Stack::slurp("$n/marquee.conf");
    # the site listens on IPv6 too, which a test machine may lack
    $site =~ s/^\s*listen \[::\].*\n//mg
        unless eval { require IO::Socket::IP; IO::Socket::IP->new(LocalHost => '::1', Listen => 1) };
    Marquee::Stack::spew("$n/marquee.conf", $site);
    Marquee::Stack::spew("$n/nginx.conf", <<"CONF");
pid $n/nginx.pid;
error_log $n/log/error.log warn;
events { worker_connections 64; }
http {
    client_body_temp_path $n/tmp/body;
    proxy_temp_path $n/tmp/proxy;
    fastcgi_temp_path $n/tmp/fastcgi;
    uwsgi_temp_path $n/tmp/uwsgi;
    scgi_temp_path $n/tmp/scgi;
    access_log off;
    include $n/marquee.conf;
}
CONF
    my @base = ($nginx, '-p', $n, '-c', "$n/nginx.conf", '-e', "$n/log/error.log");
    is system(@base, '-t', '-q'), 0, 'nginx -t accepts the production site'
        or diag Marquee::Stack::slurp("$n/log/error.log");
    my $pid = fork // die;
    if ($pid == 0) {
        open STDOUT, '>', "$n/log/out.log";
        open STDERR, '>&', \*STDOUT;
        exec @base, '-g', 'daemon off;';
    }
    Marquee::Stack::wait_for('nginx', 10, sub { IO::Socket::INET->new("127.0.0.1:$https") });

    # a raw HTTP/1.1 request with this Host; the answer ('' when none)
    my $raw = sub {
        my ($host) = @_;
        my $s = IO::Socket::INET->new("127.0.0.1:$http") or die "connect: $!\n";
        print {$s} "GET /api/movies/?page=2 HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n\r\n";
        local $/;
        return <$s> // '';
    };
    like $raw->('api.example.test'), qr{^HTTP/1\.1 301 .*\r\nLocation: https://api\.example\.test:$https/api/movies/\?page=2\r\n}s,
        'plain HTTP for the site redirects to its own name';
    is $raw->('evil.example'), '', 'another Host: the connection is closed without an answer';
    is $raw->("api.example.test.evil.example"), '', 'one that merely starts with the name too';

    # HTTPS through curl: (exit status, status code) for this server name and Host
    my $tls = sub {
        my ($sni, $host) = @_;
        my $code = `curl -sk -o /dev/null -w '%{http_code}' --max-time 10 --resolve $sni:$https:127.0.0.1 -H 'Host: $host' https://$sni:$https/api/genres/ 2>/dev/null`;
        return ($? >> 8, $code);
    };
    my ($curl, $code) = $tls->('api.example.test', 'api.example.test');
    is $curl, 0, 'HTTPS for the site\'s name is served';
    like $code, qr/^50[23]$/, "by the pool's location (no pool here: $code)";
    ($curl) = $tls->('evil.example', 'evil.example');
    isnt $curl, 0, 'another TLS server name: the handshake is refused';
    ($curl, $code) = $tls->('api.example.test', 'evil.example');
    is $code, '000', 'the site\'s TLS name with another Host: no answer';

    # secrets in URLs are logged redacted (marquee-http.conf's
    # marquee_combined), the rest of the request line as it was
    for my $path ('/api/users/me/calendar.ics?token=CALSECRET123&x=1', '/api/scrobble/SCROBBLESECRET9/plex/',
                  '//api//scrobble/SCROBBLESECRET8/emby/', '/api/exports/7/file/?expires=99&sig=SIGSECRET77',
                  '/api/movies/?page=2&notoken=1') {
        system("curl -sk --http1.1 -o /dev/null --max-time 10 --resolve api.example.test:$https:127.0.0.1 "
               . "'https://api.example.test:$https$path'");
    }
    {
        my $s = IO::Socket::INET->new("127.0.0.1:$http") or die "connect: $!\n";
        print {$s} "GET /api/users/me/calendar.ics?token=PLAINSECRET5 HTTP/1.1\r\nHost: api.example.test\r\n"
                 . "Connection: close\r\n\r\n";
        local $/;
        my $answer = <$s>;
    }
    my $log = '';
    Marquee::Stack::wait_for('the access log', 10, sub {
        $log = Marquee::Stack::slurp("$n/log/marquee.access.log");
        (() = $log =~ /calendar\.ics/g) >= 2 && $log =~ /notoken/ });
    unlike $log, qr/SECRET/, 'no token, signature or scrobble secret in the access log' or diag $log;
    like $log, qr{"GET /api/users/me/calendar\.ics\?token=REDACTED HTTP/1\.1" 50[23] }, 'a token: REDACTED';
    like $log, qr{"GET /api/scrobble/REDACTED/plex/ HTTP/1\.1" }, "a scrobble webhook's secret";
    like $log, qr{"GET //api//scrobble/REDACTED/emby/ HTTP/1\.1" }, '  however its slashes are doubled';
    like $log, qr{"GET /api/exports/7/file/\?expires=99&sig=REDACTED HTTP/1\.1" }, "a signed link's signature";
    like $log, qr{"GET /api/movies/\?page=2&notoken=1 HTTP/1\.1" }, 'other queries as they are';
    like $log, qr{"GET /api/users/me/calendar\.ics\?token=REDACTED HTTP/1\.1" 301 }, 'plain HTTP too';

    kill 'QUIT', $pid;
    waitpid $pid, 0;
}

done_testing;

# How nginx delivers the web app (nginx/snippets/marquee-locations.conf):
# index.html for the app's own paths, never cached; hashed assets cached
# for a year; the security headers and a strict Content-Security-Policy;
# and none of the API's or the other locations' paths taken over.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $web = Marquee::Stack::srcdir() . '/web';
plan skip_all => 'no web app here (a release tarball)' unless -x "$web/build";
my $s = Marquee::Stack->start(workers => 2);

my $r = $s->get('/');
is $r->{status}, 200, '/ answers';
like $r->{headers}{'content-type'}, qr{^text/html}, 'with HTML';
like $r->{content}, qr{<div id="root"></div>}, "the app's page";
is $r->{headers}{'cache-control'}, 'no-cache', 'index.html is never used unchecked';
my $csp = $r->{headers}{'content-security-policy'} // '';
like $csp, qr/(^|; )default-src 'self'(;|$)/, 'CSP: this site by default';
like $csp, qr/(^|; )script-src 'self'(;|$)/, 'CSP: scripts from this site only (no inline, no eval)';
like $csp, qr/(^|; )style-src 'self'(;|$)/, 'CSP: styles from this site only';
like $csp, qr/(^|; )frame-ancestors 'none'(;|$)/, 'CSP: never framed';
like $csp, qr/(^|; )object-src 'none'(;|$)/, 'CSP: no plugins';
like $csp, qr/(^|; )frame-src https:\/\/www\.youtube-nocookie\.com(;|$)/,
    "CSP: frames from YouTube's privacy-enhanced player only (the trailer, once clicked)";
unlike $csp, qr/unsafe-(inline|eval)/, 'CSP: nothing unsafe';
is $r->{headers}{'x-content-type-options'}, 'nosniff', 'the security headers: nosniff';
is $r->{headers}{'x-frame-options'}, 'DENY', 'frame denial';
is $r->{headers}{'referrer-policy'}, 'no-referrer', 'no referrer';
like $r->{headers}{'x-request-id'} // '', qr/\S/, 'a request id';
my $index = $r->{content};

for my $path ('/movies/42', '/browse?genre=horror&year=1990-1999', '/users/someone', '/admin/analytics') {
    my $c = $s->get($path);
    is $c->{status}, 200, "$path: the app (SPA fallback)";
    is $c->{content}, $index, "$path: index.html";
}

my ($js) = $index =~ m{src="(/assets/[^"]+\.js)"} or BAIL_OUT('no script in index.html');
$r = $s->get($js, headers => { 'Accept-Encoding' => 'gzip' });
is $r->{status}, 200, "$js answers";
like $r->{headers}{'content-type'}, qr{javascript}, 'as JavaScript';
like $r->{headers}{'cache-control'}, qr/max-age=31536000.*immutable/, 'cached for a year (its name changes with it)';
is $r->{headers}{'content-encoding'}, 'gzip', 'gzipped';
like $r->{headers}{'content-security-policy'} // '', qr/script-src 'self'/, 'with the CSP too';
is $r->{headers}{'x-content-type-options'}, 'nosniff', 'and the security headers';
my ($css) = $index =~ m{href="(/assets/[^"]+\.css)"};
like $s->get($css)->{headers}{'content-type'}, qr{^text/css}, 'the stylesheet is CSS';
is $s->get('/assets/index-nothere.js')->{status}, 404, 'a file the build lacks is a 404';
is $s->get('/favicon.svg')->{status}, 200, 'the icon';
is $s->get('/.vite/manifest.json')->{content}, $index, "the build's manifest is not served";

# The app takes no path of the other locations.
$r = $s->get('/api/no-such-thing/');
is $r->{status}, 404, '/api/... stays the API';
like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'its 404 a problem';
for my $path ('/media', '/protected-media', '/assets') {
    is $s->get($path)->{status}, 404, "$path (no slash) is not the app";
}
for my $path ('/api', '/s') {
    $r = $s->get($path);
    is $r->{status}, 301, "$path (no slash): nginx's redirect to its location, not the app";
    like $r->{headers}{location}, qr{\Q$path\E/$}, "to $path/";
}
is $s->get('/api/genres/')->{status}, 200, 'the API answers';
is $s->get('/healthz')->{status}, 200, '/healthz too';
isnt $s->get('/api/docs/')->{content}, $index, 'the API docs keep their own location';
is $s->get('/media/nothing.png')->{status}, 404, '/media/ stays the media files';
$s->finish;
done_testing;

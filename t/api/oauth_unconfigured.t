# Without any [oauth.NAME] provider (./dev up's default), the routes of
# social login answer 404 problem+json, and nothing else changes.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
for my $path ('/api/auth/oauth/google/start/?redirect_uri=https%3A%2F%2Fapp.test%2Fcb',
              '/api/auth/oauth/google/start/',    # no such provider: 404 before the query's 400
              '/api/auth/oauth/github/callback/?code=a&state=b') {
    my $r = $s->get($path);
    is $r->{status}, 404, "$path: 404";
    like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'problem+json';
    like $r->{json}{detail}, qr/No sign-in provider called/, 'says which';
}
my $r = $s->post('/api/auth/oauth/exchange/', json => { code => 'A' x 43 });
is $r->{status}, 400, 'exchange: 400 (no such code)';
my $u = $s->user('ivy');
$r = $s->get('/api/users/me/identities/', token => $u->{access});
is $r->{status}, 200, 'identities: 200';
is $r->{json}{count}, 0, 'none';
$s->finish;
done_testing;

# GET /api/auth/oauth/providers/: the providers a client may show sign-in
# buttons for, as configured ([oauth.NAME]), in the config's order, with
# nothing secret; an empty list when none is configured.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(oauth => 1);
my $r = $s->get('/api/auth/oauth/providers/');
is $r->{status}, 200, 'answers 200';
my @p = @{ $r->{json}{providers} };
is_deeply [map { $_->{name} } @p], [qw(rs es plain github)], "every provider, in the config's order";
is_deeply { map { $_->{name} => $_->{display_name} } @p },
    { rs => 'Example ID', es => 'Es', plain => 'Plain', github => 'GitHub' },
    'display names: as configured, else GitHub, else the name capitalised';
is_deeply { map { $_->{name} => $_->{kind} } @p }, { rs => 'oidc', es => 'oidc', plain => 'oidc', github => 'github' },
    'their kinds';
for my $p (@p) {
    is_deeply [sort keys %$p], [qw(display_name kind name start)], "$p->{name}: these fields only";
    my $start = $s->get("$p->{start}?redirect_uri=" . Marquee::Stack::uri_escape($Marquee::Stack::OAUTH_REDIRECT));
    is $start->{status}, 302, "$p->{name}: its start path starts a sign-in";
}
unlike $r->{content}, qr/\Q$Marquee::Stack::IDP_CLIENT\E|\Q$Marquee::Stack::IDP_SECRET\E|127\.0\.0\.1/,
    'no client id, secret or endpoint';
my $u = $s->user('una');
is $s->get('/api/auth/oauth/providers/', token => $u->{access})->{content}, $r->{content}, 'the same signed in';
$r = $s->get('/api/auth/oauth/providers/?all=1');
is $r->{status}, 400, 'an unknown query parameter: 400';
$s->finish;

$s = Marquee::Stack->start;
$r = $s->get('/api/auth/oauth/providers/');
is $r->{status}, 200, 'no provider configured: 200';
is_deeply $r->{json}{providers}, [], 'an empty list';
$s->finish;
done_testing;

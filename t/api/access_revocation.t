# Regression (issue 12, finding 6): logging out, the reuse of a spent
# refresh token and an administrator's deactivation end the session's
# access tokens at once, not when they expire 15 minutes later.  An
# access token names its session (the refresh family, claim "sid"), and
# the query that reads the caller's role on every request checks that
# the session is alive.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use MIME::Base64 qw(decode_base64);
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $root = $s->admin;
my $alice = $s->user('alice');

sub login {
    my ($u) = @_;
    my $r = $s->post('/api/users/login/', json => { username => $u->{username}, password => $u->{password} });
    die "login: $r->{status}\n" unless $r->{status} == 200;
    return $r->{json};
}
sub me { $s->get('/api/users/me/', token => $_[0])->{status} }
sub claims {
    my $p = (split /\./, $_[0])[1];
    $p =~ tr{-_}{+/};
    return decode_json(decode_base64($p . '=' x ((4 - length($p) % 4) % 4)));
}

# ---- the token names its session ----
my $one = login($alice);
my $two = login($alice);
like claims($one->{access})->{sid}, qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'an access token carries its session id (sid)';
isnt claims($one->{access})->{sid}, claims($two->{access})->{sid}, 'one per login';
my $r = $s->post('/api/users/token/refresh/', json => { refresh => $one->{refresh} });
is claims($r->{json}{access})->{sid}, claims($one->{access})->{sid}, 'a refresh stays in its session';
is me($one->{access}), 200, 'and the older access token of the session still works';
$one = { access => $r->{json}{access}, refresh => $r->{json}{refresh}, first => $one->{access} };

# ---- logout ----
is $s->post('/api/users/logout/', json => { refresh => $one->{refresh} })->{status}, 204, 'logout';
my $after = $s->get('/api/users/me/', token => $one->{access});
is $after->{status}, 401, 'the session\'s access token is refused at once';
is $after->{json}{detail}, 'The access token has been revoked.', 'as revoked';
like $after->{headers}{'www-authenticate'}, qr/invalid_token/, 'with WWW-Authenticate';
is me($one->{first}), 401, 'so is the one before the refresh';
is me($two->{access}), 200, 'another session of the same user goes on';

# ---- reuse of a spent refresh token ----
my $three = login($alice);
my $next = $s->post('/api/users/token/refresh/', json => { refresh => $three->{refresh} })->{json};
is me($next->{access}), 200, 'a refreshed session works';
is $s->post('/api/users/token/refresh/', json => { refresh => $three->{refresh} })->{status}, 401,
    'the spent refresh token used again (a stolen copy)';
is me($next->{access}), 401, 'ends the access tokens of its session at once: the newest';
is me($three->{access}), 401, 'and the older';
is me($two->{access}), 200, 'not those of another session';

# ---- a refresh token that slipped past a revocation ----
# (revoke_family's snapshot misses a token a concurrent refresh inserts;
# the token that refresh spent is revoked, so its family counts as dead)
my $four = login($alice);
my $slipped = $s->post('/api/users/token/refresh/', json => { refresh => $four->{refresh} })->{json};
$s->psql(q{UPDATE refresh_tokens SET revoked_at = now() WHERE family = '}
         . claims($four->{access})->{sid} . q{' AND spent_at IS NOT NULL});
is me($slipped->{access}), 401, 'a session with a revoked member is dead for access tokens too';

# ---- deactivation by an administrator ----
my $bob = $s->user('bob');
is me($bob->{access}), 200, 'bob is in';
is $s->patch("/api/admin/users/$bob->{id}/", token => $root->{access},
             json => { is_active => JSON::PP::false })->{status}, 200, 'an administrator deactivates bob';
is me($bob->{access}), 401, 'his access token is refused at once';

# ---- tokens without a live session ----
my $forged = sub {
    my ($claims) = @_;
    return $s->forged_token($alice, 600, $claims);
};
is me($forged->({})), 200, 'a token made here with the key and a live sid works';
is me($forged->({ sid => undef })), 401, 'without a sid: 401';
is me($forged->({ sid => 'not-a-uuid' })), 401, 'with a sid that is not a session id: 401';
is me($forged->({ sid => '00000000-0000-4000-8000-000000000000' })), 401, 'of no session: 401';
my $carol = $s->user('carol');
is me($forged->({ sid => claims($carol->{access})->{sid} })), 401, 'of another user\'s session: 401';
is me($forged->({ sid => claims($one->{access})->{sid} })), 401, 'of a session that ended: 401';

$s->finish;
done_testing;

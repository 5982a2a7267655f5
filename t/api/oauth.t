# Social login through the fake identity provider (t/lib/idp-fake): the
# happy path of each kind of provider (OIDC by discovery with RS256 and
# ES256, OIDC with endpoints given, GitHub), the one-time code, linking by
# verified address only, identities, and no provider configured.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(oauth => 1, mail => 1);
my $REDIRECT = $Marquee::Stack::OAUTH_REDIRECT;

sub oidc_user { my ($sub, %u) = @_; $s->idp_user({ sub => $sub, email => "$sub\@idp.test", email_verified => JSON::PP::true, name => "User $sub", preferred_username => $sub, %u }) }

# ---- the start ----

oidc_user('alice-rs');
my $b = $s->oauth_browse('rs', state => 'opaque state/1');
is $b->{start}{status}, 302, 'start: 302';
my $to = $b->{start}{headers}{location};
like $to, qr{^\Q${\ $s->idp_url}\E/rs/authorize\?}, 'to the authorization endpoint of the discovery document';
my %q = map { my ($k, $v) = split /=/, $_, 2; $v =~ s/%([0-9A-F]{2})/chr hex $1/ge; ($k => $v) } split /&/, (split /\?/, $to, 2)[1];
is $q{response_type}, 'code', 'the code flow';
is $q{client_id}, $Marquee::Stack::IDP_CLIENT, 'our client id';
is $q{redirect_uri}, $s->base_url . '/api/auth/oauth/rs/callback/', 'back to our callback';
is $q{code_challenge_method}, 'S256', 'PKCE S256';
like $q{code_challenge}, qr/^[A-Za-z0-9_-]{43}$/, 'a challenge: base64url of a SHA-256';
like $q{state}, qr/^[A-Za-z0-9_-]{43}$/, 'a state of 256 random bits';
like $q{nonce}, qr/^[A-Za-z0-9_-]{43}$/, 'and a nonce';
isnt $q{state}, 'opaque state/1', 'not the client\'s state';
is $q{scope}, 'openid email profile', 'the OIDC scopes';
is $b->{start}{headers}{'cache-control'}, 'no-store', 'not cached';
is $b->{start}{headers}{'referrer-policy'}, 'no-referrer', 'no Referer';
unlike $to, qr/secret/, 'no client secret in the URL';

# ---- the callback, the code, the exchange ----

is $b->{callback}{status}, 302, 'callback: 302';
like $b->{location}, qr{^\Q$REDIRECT\E\?code=[A-Za-z0-9_-]{43}&state=opaque%20state%2F1$}, 'to the client, with a code and its state';
is $b->{state}, 'opaque state/1', 'the client\'s state as it was';
unlike $b->{location}, qr/access|refresh|eyJ/, 'no token in the URL';
my $r = $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} });
is $r->{status}, 200, 'exchange: 200';
ok $r->{json}{access} && $r->{json}{refresh}, 'tokens';
is $r->{json}{user}{username}, 'alice-rs', 'a new account, named after preferred_username';
is $r->{json}{user}{email}, 'alice-rs@idp.test', 'with the verified address';
ok $r->{json}{user}{email_verified}, 'verified';
is $r->{json}{user}{display_name}, 'User alice-rs', 'and the name';
is $r->{headers}{'cache-control'}, 'no-store', 'tokens not cached';
my $alice = $r->{json};
is $s->psql("SELECT last_login_at IS NOT NULL FROM users WHERE id = $alice->{user}{id}"), 't',
    'a login: last_login_at moved';
is $s->get('/api/users/me/', token => $alice->{access})->{status}, 200, 'the access token works';
is $s->post('/api/users/token/refresh/', json => { refresh => $alice->{refresh} })->{status}, 200,
    'and the refresh token';
$r = $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} });
is $r->{status}, 400, 'the one-time code again: 400';
ok $r->{json}{errors}{code}, 'on code';
$r = $s->get($b->{callback_path});
is $r->{status}, 400, 'the callback again (a replayed state): 400';
ok $r->{json}{errors}{state}, 'on state';

# signing in again: the same account
$r = $s->oauth_login('rs');
is $r->{status}, 200, 'signing in again';
is $r->{json}{user}{id}, $alice->{user}{id}, 'as the same account';

# identities
$r = $s->get('/api/users/me/identities/', token => $alice->{access});
is $r->{status}, 200, 'identities: 200';
is $r->{json}{count}, 1, 'one';
is $r->{json}{results}[0]{provider}, 'rs', 'rs';
is $r->{json}{results}[0]{email}, 'alice-rs@idp.test', 'with its address';

# ---- ES256, endpoints given, GitHub ----

oidc_user('bob-es');
$r = $s->oauth_login('es');
is $r && $r->{status}, 200, 'ES256: signed in';
is $r && $r->{json}{user}{username}, 'bob-es', 'a new account';

oidc_user('carol-plain');
my $disc = () = $s->idp_requests(qr{GET /rs/\.well-known});
$r = $s->oauth_login('plain');
is $r && $r->{status}, 200, 'endpoints given: signed in';
is scalar(() = $s->idp_requests(qr{GET /rs/\.well-known})), $disc, 'without discovery';

$s->idp_user({ id => 4242, login => 'dave-gh', name => 'Dave', emails => [
    { email => 'dave-old@idp.test', primary => JSON::PP::false, verified => JSON::PP::true },
    { email => 'dave@idp.test', primary => JSON::PP::true, verified => JSON::PP::true } ] });
$b = $s->oauth_browse('github');
%q = map { my ($k, $v) = split /=/, $_, 2; $v =~ s/%([0-9A-F]{2})/chr hex $1/ge; ($k => $v) } split /&/, (split /\?/, $b->{start}{headers}{location}, 2)[1];
is $q{scope}, 'read:user user:email', 'GitHub: its scopes';
ok !exists $q{nonce}, 'no nonce (no ID token)';
is $q{code_challenge_method}, 'S256', 'PKCE all the same';
$r = $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} // '' });
is $r->{status}, 200, 'GitHub: signed in';
is $r->{json}{user}{username}, 'dave-gh', 'named after the login';
is $r->{json}{user}{email}, 'dave@idp.test', 'the primary verified address';

$s->finish;
done_testing;

# Social login and existing accounts: linking by a verified address only
# (never an unverified one), an unverified local account claimed (its
# password and sessions gone), deactivated accounts, GitHub's primary
# verified address; identities listed and unlinked (never the last way
# in), a password set through the reset flow.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(oauth => 1, mail => 1);

sub oidc_user { my ($sub, $email, %u) = @_; $s->idp_user({ sub => $sub, email => $email, email_verified => JSON::PP::true, name => $sub, %u }) }
sub users { $s->psql('SELECT count(*) FROM users') }
sub verify {
    my ($u) = @_;
    my $token = $s->mailed_token($u->{email});
    my $r = $s->post('/api/users/verify-email/', json => { token => $token });
    die "verify: $r->{status}\n" unless $r->{status} == 200;
}

# ---- a verified local account: linked ----

my $erin = $s->user('erin');
verify($erin);
oidc_user('erin-at-rs', 'Erin@Example.test');
my $r = $s->oauth_login('rs');
is $r->{status}, 200, 'a verified address of an account with a verified address: signed in';
is $r->{json}{user}{id}, $erin->{id}, 'as that account (the address in another case)';
is $s->post('/api/users/login/', json => { username => 'erin', password => $erin->{password} })->{status}, 200,
    'its password still works';
$r = $s->get('/api/users/me/identities/', token => $r->{json}{access});
is_deeply [ map { $_->{provider} } @{ $r->{json}{results} } ], ['rs'], 'linked to rs';
ok $r->{json}{results}[0]{email_verified}, 'by a verified address';
like $s->pool_log, qr/event=oauth_linked .*user=$erin->{id} provider=rs/, 'logged';

# ---- unverified provider addresses never link, nor make accounts ----

my $fay = $s->user('fay');
verify($fay);
my $before = users();
oidc_user('fay-at-es', 'fay@example.test', email_verified => JSON::PP::false);
my $b = $s->oauth_browse('es');
is $b->{callback}{status}, 403, 'an unverified address of an existing account: 403';
like $b->{callback}{json}{detail}, qr/verified email/, 'says why';
is users(), $before, 'no account made';
is $s->psql("SELECT count(*) FROM user_identities WHERE user_id = $fay->{id}"), 0, 'nothing linked';
oidc_user('nobody-at-es', 'nobody@example.test', email_verified => JSON::PP::false);
is $s->oauth_browse('es')->{callback}{status}, 403, 'an unverified address of nobody: 403';
oidc_user('noemail-at-es', undef);
is $s->oauth_browse('es')->{callback}{status}, 403, 'no address: 403';
oidc_user('str-at-es', 'str@idp.test', email_verified => 'false');
is $s->oauth_browse('es')->{callback}{status}, 403, '"false" as a string: not verified';
is users(), $before, 'no account made';

# an address only userinfo gives (none in the ID token)
oidc_user('info-at-rs', 'info@idp.test');
$s->idp_mode('noemail once');
$r = $s->oauth_login('rs');
$s->idp_mode();
is $r && $r->{status}, 200, 'the address from userinfo: signed in';
is $r && $r->{json}{user}{email}, 'info@idp.test', 'with it';

# ---- an account that never verified its address: claimed ----

my $gus = $s->user('gus');    # say, registered by somebody who knew gus's address first
oidc_user('gus-at-rs', 'gus@example.test');
$r = $s->oauth_login('rs');
is $r->{status}, 200, 'a verified address of an unverified account: signed in';
is $r->{json}{user}{id}, $gus->{id}, 'as that account';
ok $r->{json}{user}{email_verified}, 'now verified';
is $s->post('/api/users/login/', json => { username => 'gus', password => $gus->{password} })->{status}, 401,
    'the password its registrant set is gone';
is $s->post('/api/users/token/refresh/', json => { refresh => $gus->{refresh} })->{status}, 401,
    'and their sessions';
is $s->get('/api/users/me/', token => $gus->{access})->{status}, 401, 'their access token too';
like $s->pool_log, qr/event=oauth_unverified_account_claimed .*user=$gus->{id}/, 'logged';
my $gus_tokens = $r->{json};

# ---- one identity per provider ----

oidc_user('erin-second', 'erin@example.test');
$b = $s->oauth_browse('rs');
is $b->{callback}{status}, 409, 'a second rs account for the same user: 409';

# ---- GitHub: the primary verified address only ----

$s->idp_user({ id => 77, login => 'hal', emails => [
    { email => 'hal@example.test', primary => JSON::PP::true, verified => JSON::PP::false },
    { email => 'hal2@example.test', primary => JSON::PP::false, verified => JSON::PP::true } ] });
$before = users();
is $s->oauth_browse('github')->{callback}{status}, 403, 'GitHub: a primary address unverified: 403';
is users(), $before, 'no account';
$s->idp_user({ id => 78, login => 'x', emails => [] });
is $s->oauth_browse('github')->{callback}{status}, 403, 'no address at all: 403';
$s->idp_user({ id => 79, login => 'erin', name => 'Erin', emails => [
    { email => 'erin@example.test', primary => JSON::PP::true, verified => JSON::PP::true } ] });
$r = $s->oauth_login('github');
is $r->{status}, 200, 'GitHub, verified: linked';
is $r->{json}{user}{id}, $erin->{id}, 'to erin';
$s->idp_user({ id => 80, login => 'erin', emails => [
    { email => 'erin.new@example.test', primary => JSON::PP::true, verified => JSON::PP::true } ] });
$r = $s->oauth_login('github');
is $r->{status}, 200, 'a new account named as a taken username';
like $r->{json}{user}{username}, qr/^erin-\d+$/, 'gets a number after it';

# ---- identities: list and unlink ----

$r = $s->get('/api/users/me/identities/', token => $gus_tokens->{access});
is $r->{json}{count}, 1, 'gus: one identity';
$r = $s->delete('/api/users/me/identities/rs/', token => $gus_tokens->{access});
is $r->{status}, 409, 'the last way in (no password): 409';
like $r->{json}{detail}, qr/last way to sign in/, 'says so';
oidc_user('gus-at-es', 'gus@example.test');
$r = $s->oauth_login('es');
is $r->{json}{user}{id}, $gus->{id}, 'gus links es by his verified address';
$r = $s->get('/api/users/me/identities/?page_size=1', token => $gus_tokens->{access});
is $r->{json}{count}, 2, 'two identities';
is scalar @{ $r->{json}{results} }, 1, 'paged';
ok $r->{json}{next}, 'with a next page';
is $s->get('/api/users/me/identities/?page=3', token => $gus_tokens->{access})->{status}, 404, 'past the end: 404';
is $s->delete('/api/users/me/identities/rs/', token => $gus_tokens->{access})->{status}, 204, 'unlink rs: 204';
is $s->delete('/api/users/me/identities/rs/', token => $gus_tokens->{access})->{status}, 404, 'again: 404';
is $s->delete('/api/users/me/identities/es/', token => $gus_tokens->{access})->{status}, 409, 'es is the last: 409';
is $s->delete('/api/users/me/identities/nope/', token => $gus_tokens->{access})->{status}, 404, 'an unknown provider: 404';
is $s->get('/api/users/me/identities/')->{status}, 401, 'anonymous: 401';
# a password through the reset flow
is $s->post('/api/users/password-reset/', json => { email => 'gus@example.test' })->{status}, 202, 'a reset asked';
my $reset;
wait_until { ($reset) = grep { $_->{subject} =~ /Reset/ && lc $_->{to} eq 'gus@example.test' } $s->mails; $reset }
    what => 'the reset mail';
my ($token) = ($reset->{body} // '') =~ /token=([A-Za-z0-9_-]+)/;
ok $token, 'mailed';
is $s->post('/api/users/password-reset/confirm/', json => { token => $token, new_password => 'a brand new passphrase' })->{status},
    200, 'a password set';
is $s->post('/api/users/login/', json => { username => 'gus', password => 'a brand new passphrase' })->{status}, 200,
    'it logs in';
$r = $s->post('/api/users/login/', json => { username => 'gus', password => 'a brand new passphrase' });
is $s->delete('/api/users/me/identities/es/', token => $r->{json}{access})->{status}, 204,
    'with a password, the last identity unlinks';
is $s->get('/api/users/me/identities/', token => $r->{json}{access})->{json}{count}, 0, 'none left';
# signing in with rs again links it again (the address is verified)
oidc_user('gus-at-rs', 'gus@example.test');
is $s->oauth_login('rs')->{json}{user}{id}, $gus->{id}, 'signing in again links again';

# ---- deactivated and erased accounts ----

my $admin = $s->admin;
is $s->patch("/api/admin/users/$erin->{id}/", token => $admin->{access}, json => { is_active => JSON::PP::false })->{status},
    200, 'erin deactivated';
oidc_user('erin-at-rs', 'erin@example.test');
$b = $s->oauth_browse('rs');
is $b->{callback}{status}, 403, 'a deactivated account: 403';
like $b->{callback}{json}{detail}, qr/deactivated/, 'says so';
oidc_user('gus-at-rs', 'gus@example.test');
$b = $s->oauth_browse('rs');
ok $b->{code}, 'a code for gus';
is $s->delete("/api/admin/users/$gus->{id}/", token => $admin->{access})->{status}, 204, 'gus erased';
is $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} })->{status}, 400, 'his code is void';
is $s->psql("SELECT count(*) FROM user_identities WHERE user_id = $gus->{id}"), 0, 'his identities gone';
$r = $s->oauth_login('rs');
is $r->{status}, 200, 'the same provider account afterwards';
isnt $r->{json}{user}{id}, $gus->{id}, 'is a new account';

$s->finish;
done_testing;

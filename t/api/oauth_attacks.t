# Social login under attack and failure: state, nonce and PKCE mismatches,
# replayed codes (the provider's and our one-time ones), ID tokens expired,
# wrongly signed, alg none, HS256 with the public key, for another client
# or issuer; a key rotation; the provider down; open redirects on
# redirect_uri; an unknown provider.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(oauth => 1);
my $REDIRECT = $Marquee::Stack::OAUTH_REDIRECT;
my $n = 0;

sub oidc_user { my ($sub, %u) = @_; $s->idp_user({ sub => $sub, email => "$sub\@idp.test", email_verified => JSON::PP::true, name => $sub, %u }) }
sub fresh { oidc_user('u' . ++$n) }
sub users { $s->psql('SELECT count(*) FROM users') }

# ---- redirect_uri: exactly one of the list, or 400 ----

for my $bad ('https://evil.test/auth/done', 'https://app.marquee.test.evil.test/auth/done',
             'https://app.marquee.test@evil.test/auth/done', 'https://evil.test@app.marquee.test/auth/done',
             'http://app.marquee.test/auth/done', 'HTTPS://app.marquee.test/auth/done',
             'https://APP.marquee.test/auth/done', 'https://app.marquee.test:443/auth/done',
             '//app.marquee.test/auth/done', 'javascript:alert(1)//https://app.marquee.test/auth/done',
             'https://app.marquee.test/auth/done/', 'https://app.marquee.test/auth/donex',
             'https://app.marquee.test/auth/done/../../evil', 'https://app.marquee.test/auth/done?next=//evil.test',
             'https://app.marquee.test/auth/done#x', 'https://app.marquee.test/auth/done%2F..%2Fevil',
             'https://app.marquee.test/auth', 'https://app.marquee.test\\@evil.test/auth/done',
             "https://app.marquee.test/auth/done\t", 'data:text/html,x', '') {
    my $r = $s->get('/api/auth/oauth/rs/start/?redirect_uri=' . Marquee::Stack::uri_escape($bad));
    is $r->{status}, 400, "redirect_uri $bad: 400";
    ok $r->{json}{errors}{redirect_uri}, 'on redirect_uri';
    ok !$r->{headers}{location}, 'and no redirect';
}
my $r = $s->get('/api/auth/oauth/rs/start/');
is $r->{status}, 400, 'no redirect_uri: 400';
$r = $s->get('/api/auth/oauth/rs/start/?redirect_uri=' . Marquee::Stack::uri_escape($REDIRECT) . '&state=' . ('x' x 513));
is $r->{status}, 400, 'a client state over 512 characters: 400';
$r = $s->get('/api/auth/oauth/rs/start/?redirect_uri=' . Marquee::Stack::uri_escape($REDIRECT) . '&next=/x');
is $r->{status}, 400, 'an unknown parameter: 400';
$r = $s->get('/api/auth/oauth/rs/start/?redirect_uri=' . Marquee::Stack::uri_escape('http://127.0.0.1:9/cb'));
is $r->{status}, 302, 'the second URI of the list: 302';

# ---- unknown providers ----

for my $path ('/api/auth/oauth/nope/start/?redirect_uri=' . Marquee::Stack::uri_escape($REDIRECT),
              '/api/auth/oauth/nope/callback/?code=x&state=y') {
    $r = $s->get($path);
    is $r->{status}, 404, "$path: 404";
    like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'problem+json';
}

# ---- the state ----

fresh();
my $b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } =~ s/state=[^&]+/state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/ });
is $b->{callback}{status}, 400, 'a state we never gave: 400';
ok $b->{callback}{json}{errors}{state}, 'on state';
$b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } =~ s/&?state=[^&]+// });
is $b->{callback}{status}, 400, 'no state: 400';
$b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } =~ s{/rs/callback/}{/es/callback/} });
is $b->{callback}{status}, 400, 'a state of another provider: 400';
$b = $s->oauth_browse('rs');
is $b->{callback}{status}, 302, 'a sign-in goes through';
is $s->get($b->{callback_path})->{status}, 400, 'its callback replayed: 400 (a state is spent)';
$b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } .= '&iss=' . Marquee::Stack::uri_escape($s->idp_url . '/es') });
is $b->{callback}{status}, 403, 'an iss of another issuer (RFC 9207, a mix-up): 403';
$b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } .= '&iss=' . Marquee::Stack::uri_escape($s->idp_url . '/rs') });
is $b->{callback}{status}, 302, 'its own iss: 302';
my $before = users();
$b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } =~ s/code=[^&]+&?// });
is $b->{callback}{status}, 400, 'no code: 400';
ok $b->{callback}{json}{errors}{code}, 'on code';

# the user declined at the provider
$s->idp_mode('deny');
$b = $s->oauth_browse('rs', state => 'mine');
$s->idp_mode();
is $b->{callback}{status}, 302, 'declined: 302 back to the client';
is $b->{location}, "$REDIRECT?error=access_denied&state=mine", 'with error=access_denied and its state';

# ---- the provider's code: PKCE, replays ----

# a code meant for one sign-in, brought back with another's state: the
# other's PKCE verifier does not match its challenge
fresh();
my $one = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } = '' });    # stops before our callback
my ($code1) = $one->{authorize}{headers}{location} =~ /code=([^&]+)/;
$b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } =~ s/code=[^&]+/code=$code1/ });
is $b->{callback}{status}, 403, 'a code of another sign-in (PKCE mismatch): 403';
like $b->{callback}{json}{detail}, qr/could not be verified/, 'not verified';
# the provider's code replayed
$b = $s->oauth_browse('rs');
is $b->{callback}{status}, 302, 'a sign-in';
my ($used) = $b->{callback_path} =~ /code=([^&]+)/;
$b = $s->oauth_browse('rs', tamper => sub { ${ $_[0] } =~ s/code=[^&]+/code=$used/ });
is $b->{callback}{status}, 403, 'its provider code replayed in another sign-in: 403';
$b = $s->oauth_browse('github', tamper => sub { ${ $_[0] } =~ s/code=[^&]+/code=$used/ });
is $b->{callback}{status}, 403, 'and at GitHub (which refuses with a 200): 403';

# our one-time code
fresh();
$b = $s->oauth_browse('rs');
$r = $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} });
is $r->{status}, 200, 'the one-time code: 200';
$r = $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} });
is $r->{status}, 400, 'replayed: 400';
ok !$r->{json}{access}, 'no tokens';
$b = $s->oauth_browse('rs');
$s->psql("UPDATE oauth_codes SET expires_at = now() - interval '1 second'");
is $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} })->{status}, 400, 'expired: 400';
is $s->post('/api/auth/oauth/exchange/', json => { code => 'x' x 43 })->{status}, 400, 'made up: 400';
is $s->post('/api/auth/oauth/exchange/', json => { code => 12 })->{status}, 400, 'not a string: 400';
is $s->post('/api/auth/oauth/exchange/', json => {})->{status}, 400, 'missing: 400';
is $s->post('/api/auth/oauth/exchange/', body => '{"code":', headers => { 'Content-Type' => 'application/json' })->{status},
    400, 'malformed JSON: 400';
$b = $s->oauth_browse('rs');
is $s->psql("SELECT count(*) FROM oauth_codes WHERE expires_at < now()"), 0,
    'expired codes go when the next is made';
is $s->post('/api/auth/oauth/exchange/', json => { code => $b->{code} })->{status}, 200, 'which works';

# ---- the ID token ----

for my $case ([expired => 'an expired ID token'], [badsig => 'a wrong signature'], [none => 'alg none'],
              [hs256 => 'HS256 keyed with the public key'], [aud => 'another client\'s'],
              [iss => 'another issuer\'s'], [nonce => 'another nonce'], [noid => 'no ID token']) {
    for my $p (qw(rs es)) {
        fresh();
        $before = users();
        $s->idp_mode("$case->[0] once");
        $b = $s->oauth_browse($p);
        $s->idp_mode();
        is $b->{callback}{status}, 403, "$p: $case->[1]: 403";
        ok !$b->{code}, 'no code';
        is users(), $before, 'no account made';
    }
}
like $s->pool_log, qr/event=oauth_refused .*reason="the ID token's algorithm is not RS256 or ES256"/,
    'the refusal is logged with its reason';

# ---- keys: rotation, an unknown kid ----

fresh();
is $s->oauth_browse('rs')->{callback}{status}, 302, 'a sign-in (the JWKS cached)';
my $jwks = () = $s->idp_requests(qr{^GET /rs/jwks});
is $s->oauth_browse('rs')->{callback}{status}, 302, 'another';
is scalar(() = $s->idp_requests(qr{^GET /rs/jwks})), $jwks, 'from the cached JWKS';
my $kid = $s->idp_rotate('rs');
fresh();
is $s->oauth_browse('rs')->{callback}{status}, 302, "after a rotation (a token signed by $kid): signed in";
is scalar(() = $s->idp_requests(qr{^GET /rs/jwks})), $jwks + 1, 'the JWKS fetched again, once';
is $s->oauth_browse('rs')->{callback}{status}, 302, 'and again';
is scalar(() = $s->idp_requests(qr{^GET /rs/jwks})), $jwks + 1, 'from the new cache';
$s->idp_rotate('es');
fresh();
is $s->oauth_browse('es')->{callback}{status}, 302, 'ES256 after a rotation: signed in';
$jwks = () = $s->idp_requests(qr{^GET /rs/jwks});
$s->idp_mode('unknownkid once');
$b = $s->oauth_browse('rs');
$s->idp_mode();
is $b->{callback}{status}, 403, 'a kid the set never has: 403';
is scalar(() = $s->idp_requests(qr{^GET /rs/jwks})), $jwks + 1, 'after fetching the set once more, not more';

# ---- the provider down ----

fresh();
$s->idp_mode('down');
$b = $s->oauth_browse('rs');
is $b->{start}{status}, 302, 'down, discovery cached: the start still goes';
is $b->{callback}{status}, 503, 'the token endpoint down: 503';
like $b->{callback}{headers}{'content-type'}, qr{^application/problem\+json}, 'problem+json';
ok $b->{callback}{headers}{'retry-after'}, 'with Retry-After';
$s->flush_memcached;
$r = $s->get('/api/auth/oauth/es/start/?redirect_uri=' . Marquee::Stack::uri_escape($REDIRECT));
is $r->{status}, 503, 'discovery down: 503';
$s->idp_mode();
is $s->oauth_browse('es')->{callback}{status}, 302, 'back up: signed in';

# the circuit breaker: [oauth] breaker_threshold (3 here) failures open it
# for breaker_cooloff (2 s)
$s->idp_mode('down');
my $asked = () = $s->idp_requests(qr{^POST /es/token});
is $s->oauth_browse('es')->{callback}{status}, 503, "down: failure $_" for 1 .. 3;
$b = $s->oauth_browse('es');
is $b->{callback}{status}, 503, 'the breaker open: 503';
ok $b->{callback}{headers}{'retry-after'} <= 2, 'Retry-After: the cool-off left';
is scalar(() = $s->idp_requests(qr{^POST /es/token})), $asked + 3, 'without asking the provider';
my $rs_asked = () = $s->idp_requests(qr{^GET /rs/});
is $s->oauth_browse('rs')->{start}{status}, 503, 'another provider (its discovery not cached): 503';
is scalar(() = $s->idp_requests(qr{^GET /rs/})), $rs_asked + 1, 'after asking: a breaker of its own';
$s->idp_mode();
wait_until(sub { $s->oauth_browse('es')->{callback}{status} == 302 }, what => 'the breaker to close', timeout => 15);
$s->stop_idp;
$b = $s->oauth_browse('github');
is $b->{start}{status}, 302, 'GitHub needs no discovery: the start goes';
$r = $s->get('/api/auth/oauth/rs/callback/?code=x&state=' . ('A' x 43));
is $r->{status}, 400, 'a callback of no sign-in, provider gone: 400 all the same';
$s->start_idp;
is $s->oauth_browse('rs')->{callback}{status}, 302, 'the provider back: signed in';

$s->finish;
done_testing;

# Access and refresh tokens: every forged, expired, mis-signed or stale
# access token is a 401 (on public routes too); refresh tokens rotate, and
# re-using a spent one revokes its family; logout, password change and
# password reset end sessions.
use strict;
use warnings;
use Test::More;
use Digest::SHA qw(hmac_sha256 hmac_sha512 sha256_hex);
use JSON::PP;
use MIME::Base64 qw(encode_base64 decode_base64);
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $key = Marquee::Stack::slurp($s->dir . '/jwt.key');
my $alice = $s->user('alice');
my $bob = $s->user('bob');

sub b64url { my $b = encode_base64(shift, ''); $b =~ tr{+/}{-_}; $b =~ s/=+$//; $b }
sub unb64url { my $b = shift; $b =~ tr{-_}{+/}; $b .= '=' x ((4 - length($b) % 4) % 4); decode_base64($b) }

# A token with this header and these claims, signed as $sign says.
sub forge {
    my ($header, $claims, $sign) = @_;
    my $data = b64url(encode_json($header)) . '.' . b64url(encode_json($claims));
    my $sig = $sign eq 'none' ? '' : $sign eq 'HS512' ? hmac_sha512($data, $key)
            : hmac_sha256($data, $sign eq 'wrong' ? 'x' x 40 : $key);
    return "$data." . b64url($sig);
}

# The session (refresh family) an access token names.
sub sid_of { decode_json(unb64url((split /\./, shift)[1]))->{sid} }

my $now = time;
my %valid = (typ => 'access', sub => "$alice->{id}", role => 'user', iat => $now, exp => $now + 600,
             jti => 'abc', ver => 1, sid => sid_of($alice->{access}));
my $h256 = { alg => 'HS256', typ => 'JWT' };

sub me { $s->get('/api/users/me/', token => shift) }

is me($alice->{access})->{json}{username}, 'alice', 'a real token works';
is me(forge($h256, \%valid, 'key'))->{status}, 200, 'and so does one made here with the real key (the forging works)';
is me(forge($h256, { %valid, sub => "$bob->{id}", sid => sid_of($bob->{access}) }, 'key'))->{json}{username},
    'bob', '... for anyone who has the key';

my %attacks = (
    'alg none' => forge({ alg => 'none', typ => 'JWT' }, \%valid, 'none'),
    'alg none with a signature' => forge({ alg => 'none' }, \%valid, 'key'),
    'the wrong key' => forge($h256, \%valid, 'wrong'),
    'HS512 with the real key' => forge({ alg => 'HS512' }, \%valid, 'HS512'),
    'RS256 in the header, HMAC with the key (HS/RS confusion)' => forge({ alg => 'RS256' }, \%valid, 'key'),
    'an expired token' => forge($h256, { %valid, iat => $now - 3600, exp => $now - 10 }, 'key'),
    'no exp' => forge($h256, { map { $_ => $valid{$_} } grep { $_ ne 'exp' } keys %valid }, 'key'),
    'no iat' => forge($h256, { map { $_ => $valid{$_} } grep { $_ ne 'iat' } keys %valid }, 'key'),
    'no ver' => forge($h256, { map { $_ => $valid{$_} } grep { $_ ne 'ver' } keys %valid }, 'key'),
    'typ refresh' => forge($h256, { %valid, typ => 'refresh' }, 'key'),
    'no typ' => forge($h256, { map { $_ => $valid{$_} } grep { $_ ne 'typ' } keys %valid }, 'key'),
    'iat in the future' => forge($h256, { %valid, iat => $now + 3600, exp => $now + 7200 }, 'key'),
    'a stale token version' => forge($h256, { %valid, ver => 2 }, 'key'),
    'no sid' => forge($h256, { map { $_ => $valid{$_} } grep { $_ ne 'sid' } keys %valid }, 'key'),
    'a sid in capitals' => forge($h256, { %valid, sid => uc $valid{sid} }, 'key'),
    'the sid of another user\'s session' => forge($h256, { %valid, sid => sid_of($bob->{access}) }, 'key'),
    'a version past 32 bits' => forge($h256, { %valid, ver => 2**40 }, 'key'),
    'a user that does not exist' => forge($h256, { %valid, sub => '999999' }, 'key'),
    'a sub that is not a number' => forge($h256, { %valid, sub => 'alice' }, 'key'),
    'a truncated token' => substr($alice->{access}, 0, length($alice->{access}) - 5),
    'a token without its signature' => join('.', (split /\./, $alice->{access})[0, 1]),
    'a tampered payload' => do {
        my ($h, $p, $sig) = split /\./, $alice->{access};
        my $claims = decode_json(unb64url($p));
        $claims->{sub} = "$bob->{id}";
        "$h." . b64url(encode_json($claims)) . ".$sig";
    },
    'garbage' => 'not-a-token',
    'a 5000-character token' => 'a' x 5000,
    'two dots only' => '..',
);
for my $case (sort keys %attacks) {
    my $r = me($attacks{$case});
    is $r->{status}, 401, "401 for $case";
    like $r->{headers}{'www-authenticate'} // '', qr/^Bearer error="invalid_token"/, '... with WWW-Authenticate';
}
for my $scheme ('Basic ' . encode_base64('alice:x', ''), "Token $alice->{access}", $alice->{access}) {
    is $s->get('/api/users/me/', headers => { Authorization => $scheme })->{status}, 401,
        'a scheme other than Bearer is 401: ' . substr($scheme, 0, 12);
}
my $r = $s->get('/api/genres/', token => 'forged.token.here');
is $r->{status}, 401, 'an invalid token on a public route is 401, never anonymous';
is $s->get('/api/genres/')->{status}, 200, 'while no token at all is fine there';

# --- refresh tokens ---
my $expired = forge($h256, { %valid, iat => $now - 3600, exp => $now - 10 }, 'key');
$r = $s->post('/api/users/token/refresh/', token => $expired, json => { refresh => $alice->{refresh} });
is $r->{status}, 200, 'refreshing works with the expired access token sent along (the endpoint ignores it)';
$alice->{refresh} = $r->{json}{refresh};
is $s->post('/api/users/login/', token => 'garbage', json => { username => 'bob', password => $bob->{password} })->{status},
    200, 'so does logging in';
my $login = $s->post('/api/users/login/', json => { username => 'alice', password => $alice->{password} });
my $r1 = $login->{json}{refresh};
$r = $s->post('/api/users/token/refresh/', json => { refresh => $r1 });
is $r->{status}, 200, 'a refresh token gives new tokens';
my $r2 = $r->{json}{refresh};
isnt $r2, $r1, 'and a new refresh token (rotation)';
is me($r->{json}{access})->{status}, 200, 'the new access token works';
$r = $s->post('/api/users/token/refresh/', json => { refresh => $r2 });
is $r->{status}, 200, 'the rotated one works once';
my $r3 = $r->{json}{refresh};
$r = $s->post('/api/users/token/refresh/', json => { refresh => $r1 });
is $r->{status}, 401, 're-using a spent refresh token is 401';
like $r->{json}{detail}, qr/already used/, 'saying so';
is $s->post('/api/users/token/refresh/', json => { refresh => $r3 })->{status}, 401,
    'and the whole family is revoked: the latest one too';
is $s->post('/api/users/token/refresh/', json => { refresh => $alice->{refresh} })->{status}, 200,
    'other sessions of the same user are untouched';
is $s->psql(q{SELECT count(*) FROM refresh_tokens WHERE token_hash = '} . $r1 . q{'}), '0',
    'refresh tokens are stored only as hashes';

for my $bad ('', 'x' x 43, 'short', 'y' x 300) {
    is $s->post('/api/users/token/refresh/', json => { refresh => $bad })->{status},
        length $bad > 256 || $bad eq '' ? 400 : 401, 'a made-up refresh token is refused (' . length($bad) . ')';
}
is $s->post('/api/users/token/refresh/', json => { refresh => 5 })->{status}, 400, 'a number is 400';
is $s->post('/api/users/token/refresh/', json => {})->{status}, 400, 'nothing is 400';

# two clients racing with one token: at most one wins, and the family ends
$login = $s->post('/api/users/login/', json => { username => 'bob', password => $bob->{password} });
my $shared = $login->{json}{refresh};
my @kids;
for (1 .. 6) {
    pipe(my $rd, my $wr);
    my $pid = fork // die;
    if ($pid == 0) {
        close $rd;
        print {$wr} $s->post('/api/users/token/refresh/', json => { refresh => $shared })->{status};
        close $wr;
        POSIX::_exit(0);
    }
    close $wr;
    push @kids, [ $pid, $rd ];
}
my @codes = map { my $c = do { local $/; readline $_->[1] }; waitpid $_->[0], 0; $c } @kids;
cmp_ok scalar(grep { $_ == 200 } @codes), '<=', 1, 'six parallel refreshes of one token: at most one succeeds (' . "@codes" . ')';
is scalar(grep { $_ == 401 } @codes) + scalar(grep { $_ == 200 } @codes), 6, 'the others are 401';

# --- logout ---
$login = $s->post('/api/users/login/', json => { username => 'alice', password => $alice->{password} });
is $s->post('/api/users/logout/', json => { refresh => $login->{json}{refresh} })->{status}, 204, 'logout is 204';
is $s->post('/api/users/token/refresh/', json => { refresh => $login->{json}{refresh} })->{status}, 401,
    'after which the refresh token is dead';
is $s->post('/api/users/logout/', json => { refresh => 'z' x 43 })->{status}, 204,
    'logout of an unknown token is 204 too';

# --- password change ends every other session at once ---
my $old_access = $alice->{access};
$r = $s->post('/api/users/password/change/', token => $old_access,
              json => { old_password => 'wrong password here', new_password => 'a brand new passphrase' });
is $r->{status}, 400, 'changing the password needs the current one';
is $r->{json}{errors}{old_password}[0], 'The current password is wrong.', 'named in the errors';
$r = $s->post('/api/users/password/change/', token => $old_access,
              json => { old_password => $alice->{password}, new_password => 'password1' });
is $r->{status}, 400, 'and a good new one';
$r = $s->post('/api/users/password/change/', token => $old_access,
              json => { old_password => $alice->{password}, new_password => 'a brand new passphrase' });
is $r->{status}, 200, 'password change';
ok $r->{json}{access} && $r->{json}{refresh}, 'gives this session new tokens';
is me($old_access)->{status}, 401, 'the old access token stops working at once';
is $s->post('/api/users/token/refresh/', json => { refresh => $alice->{refresh} })->{status}, 401,
    'and so do the refresh tokens of every session';
is me($r->{json}{access})->{status}, 200, 'the new tokens work';
is $s->post('/api/users/login/', json => { username => 'alice', password => $alice->{password} })->{status},
    401, 'the old password no longer logs in';
is $s->post('/api/users/login/', json => { username => 'alice', password => 'a brand new passphrase' })->{status},
    200, 'the new one does';

# --- a refresh token that slipped past a revocation dies at its first use ---
# revoke_all (password change, reset) and revoke_family (reuse) see the
# tokens of their statement's snapshot: one that a concurrent refresh
# inserts escapes them, but the token that refresh spent is revoked.
my $carol = $s->user('carol');
$r = $s->post('/api/users/token/refresh/', json => { refresh => $carol->{refresh} });
my $slipped = $r->{json}{refresh};
$s->psql(q{UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = '} . sha256_hex($carol->{refresh}) . q{'});
$r = $s->post('/api/users/token/refresh/', json => { refresh => $slipped });
is $r->{status}, 401, 'a refresh token whose family has a revoked member is refused';
like $r->{json}{detail}, qr/invalid or expired/, 'as invalid';
is $s->psql(q{SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL AND family = }
            . q{(SELECT family FROM refresh_tokens WHERE token_hash = '} . sha256_hex($slipped) . q{')}),
    '0', 'and its family is revoked whole';

# --- a login racing a password change, reset or deactivation ---
# The login reads the account, checks the password, then writes.  Here a
# transaction locks the account's row first, waits until the request is
# blocked on it (its statement matching $waiting), changes the account
# and commits: the request checked the password before the change and
# writes after it.
sub racing {
    my ($user, $change, $waiting, $request) = @_;
    my $hold = $s->hold("SELECT 1 FROM users WHERE id = $user->{id} FOR UPDATE");
    my $bg = $s->in_background(sub { my $r = $request->(); "$r->{status}" });
    wait_until { $s->psql(q{SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' }
                          . qq{AND query LIKE '$waiting'}) > 0 } what => "a statement like '$waiting' to wait";
    $hold->release($change);
    my ($status) = $bg->results;
    return { status => $status };
}

sub racing_login {
    my ($user, $change) = @_;
    return racing($user, $change, '%last_login_at%', sub {
        $s->post('/api/users/login/', json => { username => $user->{username}, password => $user->{password} }) });
}

my $dave = $s->user('dave');
$r = racing_login($dave, "UPDATE users SET token_version = token_version + 1 WHERE id = $dave->{id}; "
                       . "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $dave->{id} AND revoked_at IS NULL");
is $r->{status}, 401, 'a login that checked the password before a change of the account, and would write after it, fails';
is $s->psql("SELECT count(*) FROM refresh_tokens WHERE user_id = $dave->{id} AND revoked_at IS NULL"), '0',
    'leaving no session that escaped the revocation';
$r = racing_login($dave, "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'bob') "
                       . "WHERE id = $dave->{id}");
is $r->{status}, 401, 'so does one whose password was replaced meanwhile';
is $s->psql("SELECT password_hash = (SELECT password_hash FROM users WHERE username = 'bob') FROM users WHERE id = $dave->{id}"),
    't', 'and the new hash stays (never a hash of the old password written back)';

# a password change that checked the old password before a reset, and
# would write after it, must not undo the reset
my $frank = $s->user('frank');
$r = racing($frank, "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'bob'), "
                  . "token_version = token_version + 1 WHERE id = $frank->{id}",
            '%token_version = token_version + 1%', sub {
    $s->post('/api/users/password/change/', token => $frank->{access},
             json => { old_password => $frank->{password}, new_password => 'frank wants this one' }) });
is $r->{status}, 409, 'a password change racing a reset is refused (409)';
is $s->psql("SELECT password_hash = (SELECT password_hash FROM users WHERE username = 'bob') FROM users WHERE id = $frank->{id}"),
    't', 'and the reset password stays';
like $s->log_lines(qr/event=login_failed /), qr/ user=$dave->{id} reason="?account changed/,
    'the failure is logged';

# --- wrong old passwords are limited like failed logins ---
my $erin = $s->user('erin');
my @changes = map {
    $s->post('/api/users/password/change/', token => $erin->{access},
             json => { old_password => "guess number $_", new_password => 'an entirely new one' })->{status}
} 1 .. 10;
is_deeply \@changes, [ (400) x 10 ], 'ten wrong old passwords are ten 400s';
$r = $s->post('/api/users/password/change/', token => $erin->{access},
              json => { old_password => $erin->{password}, new_password => 'an entirely new one' });
is $r->{status}, 429, 'then the change is refused, even with the right one';
is $r->{headers}{'retry-after'}, '900', 'for the window, said in Retry-After';
is $s->post('/api/users/login/', json => { username => 'erin', password => $erin->{password} })->{status}, 200,
    'the password was not changed';

# --- security events are logged, without secrets ---
sub event { $s->log_lines(qr/msg=security event=$_[0] /) }
like event('refresh_reuse'), qr/ user=$bob->{id}\b/, 'reuse of a spent refresh token is logged with the user';
like event('sessions_revoked'), qr/ user=$alice->{id}\b/, 'so is the end of every session';
like event('password_changed'), qr/ user=$alice->{id}\b/, 'and the password change';
like event('password_change_failed'), qr/ user=$erin->{id}\b/, 'and a wrong old password';
like event('password_change_locked'), qr/ user=$erin->{id}\b/, 'and the limit';
like event('login_failed'), qr/ user=$alice->{id} reason=password\b/, 'and a failed login';
is $s->log_lines(qr/wrong password here|guess number|a brand new passphrase/), '', 'never a password';
is $s->log_lines(qr/\Q$r1\E|\Q$slipped\E/), '', 'nor a refresh token';

$s->finish;
done_testing;

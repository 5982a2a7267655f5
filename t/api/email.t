# Email: address verification and password reset through the outbox and a
# local SMTP sink; the outbox loses and duplicates nothing when the mail
# server is down or the sender is killed mid-message.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(mail => 1);

sub outbox { $s->psql(shift) }

# The first message to $to whose subject matches $re, waiting up to 10 s;
# undef when none came.
sub mail_like {
    my ($to, $re) = @_;
    return Marquee::Stack::poll(10, sub {
        (grep { lc($_->{to} // '') eq lc $to && $_->{subject} =~ $re } $s->mails)[0] });
}

# Every reset token mailed to $to so far, oldest first.
sub reset_tokens {
    my ($to) = @_;
    return map { $_->{body} =~ /token=([A-Za-z0-9_-]+)/ ? $1 : () }
           grep { lc($_->{to} // '') eq lc $to && $_->{subject} =~ /Reset/ } $s->mails;
}

# --- address verification ---
my $alice = $s->user('alice');
my $mail = $s->wait_mail('alice@example.test');
is $mail->{subject}, 'Confirm your email address for Marquee', 'registering mails a confirmation';
like $mail->{message_id}, qr/^<outbox-\d+\@marquee\.test>$/, 'with a stable Message-ID';
like $mail->{body}, qr{http://app\.marquee\.test/verify-email\?token=[A-Za-z0-9_-]{43}}, 'and a link';
my $token = $s->mailed_token('alice@example.test');
is $s->psql("SELECT count(*) FROM user_tokens WHERE token_hash = '$token'"), '0',
    'the token is stored only as a hash';
my $r = $s->post('/api/users/verify-email/', json => { token => $token });
is $r->{status}, 200, 'the token confirms the address';
is $s->get('/api/users/me/', token => $alice->{access})->{json}{email_verified}, JSON::PP::true,
    'email_verified is now true';
$r = $s->post('/api/users/verify-email/', json => { token => $token });
is $r->{status}, 400, 'a token works once';
like $r->{json}{errors}{token}[0], qr/invalid, used or expired/, 'saying why';
is $s->post('/api/users/verify-email/', json => { token => 'x' })->{status}, 400, 'a made-up token is 400';
is $s->post('/api/users/verify-email/resend/', token => $alice->{access}, json => {})->{status}, 409,
    'resending to a confirmed address is 409';
is $s->post('/api/users/verify-email/resend/')->{status}, 401, 'and needs a token';

my $bob = $s->user('bob');
my $first = $s->mailed_token('bob@example.test');
$r = $s->post('/api/users/verify-email/resend/', token => $bob->{access});
is $r->{status}, 202, 'resend is 202';
my $second;
wait_until { ($second = $s->mailed_token('bob@example.test')) ne $first } what => 'a second mail';
is $s->post('/api/users/verify-email/', json => { token => $first })->{status}, 400, 'the first link no longer works';
$s->psql("UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $bob->{id}");
is $s->post('/api/users/verify-email/', json => { token => $second })->{status}, 400, 'nor an expired one';

# whoever registered with somebody else's address cannot flood it
is $s->post('/api/users/verify-email/resend/', token => $bob->{access})->{status}, 202,
    'a third confirmation mail within the hour goes';
$r = $s->post('/api/users/verify-email/resend/', token => $bob->{access});
is $r->{status}, 429, 'a fourth is refused';
is $r->{headers}{'retry-after'}, '3600', 'with Retry-After';
is outbox(q{SELECT count(*) FROM outbox WHERE recipient = 'bob@example.test'}), '3', 'and nothing queued';

# --- password reset ---
my $count = () = $s->mails;
my $unknown = $s->post('/api/users/password-reset/', json => { email => 'nobody@example.test' });
# sent with a forged Host header: the link must not follow it
my $json = '{"email":"ALICE@example.test"}';
my ($status, $raw) = $s->raw_request("POST /api/users/password-reset/ HTTP/1.1\r\nHost: evil.example\r\n"
    . "Content-Type: application/json\r\nContent-Length: " . length($json) . "\r\nConnection: close\r\n\r\n$json");
my ($content) = $raw =~ /\r\n\r\n(.*)\z/s;
my $known = { status => $status, content => $content };
is $unknown->{status}, 202, 'a reset for an unknown address is 202';
is $known->{status}, 202, 'so is one for a known address';
is $unknown->{content}, $known->{content}, 'with the same body: nothing to learn';
$mail = $s->wait_mail('alice@example.test');
wait_until { ($mail = ($s->mails)[-1])->{subject} =~ /Reset/ } what => 'the reset mail';
is scalar(() = $s->mails), $count + 1, 'only the known address got mail';
like $mail->{body}, qr{^http://app\.marquee\.test/reset-password\?token=}m,
    'with a reset link to the configured site, whatever Host the request named';
my ($reset) = $mail->{body} =~ /token=([A-Za-z0-9_-]+)/;

my $login = $s->post('/api/users/login/', json => { username => 'alice', password => $alice->{password} });
$r = $s->post('/api/users/password-reset/confirm/', json => { token => $reset, new_password => 'password' });
is $r->{status}, 400, 'the new password must pass the policy';
$r = $s->post('/api/users/password-reset/confirm/', json => { token => $reset, new_password => 'a fresh start for alice' });
is $r->{status}, 200, 'the reset link sets a new password';
is $s->post('/api/users/password-reset/confirm/', json => { token => $reset, new_password => 'yet another one here' })->{status},
    400, 'once';
is $s->get('/api/users/me/', token => $login->{json}{access})->{status}, 401, 'every access token is revoked';
is $s->post('/api/users/token/refresh/', json => { refresh => $login->{json}{refresh} })->{status}, 401,
    'and every refresh token';
is $s->post('/api/users/login/', json => { username => 'alice', password => 'a fresh start for alice' })->{status},
    200, 'the new password logs in';
my $notice = mail_like('alice@example.test', qr/password was changed/);
ok $notice, 'the address is told that the password changed (ASVS 2.2.3)';
unlike $notice->{body} // '', qr/token=/, 'in a mail that carries no link to act on';
$s->post('/api/users/password-reset/', json => { email => 'bob@example.test' });
wait_until { ($s->mails)[-1]{body} =~ /reset-password/ } what => 'bob\'s reset';
my ($late) = ($s->mails)[-1]{body} =~ /token=([A-Za-z0-9_-]+)/;
$s->psql("UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password'");
is $s->post('/api/users/password-reset/confirm/', json => { token => $late, new_password => 'bob has a new one' })->{status},
    400, 'an expired reset link is refused';

# --- a reset request does the same work whatever the address ---
# (answering sooner for an unknown address told the two apart by timing)
$s->kill_outbox;
my $bob_resets = () = reset_tokens('bob@example.test');
my ($tokens, $queued) = map { outbox("SELECT count(*) FROM $_") } qw(user_tokens outbox);
is $s->post('/api/users/password-reset/', json => { email => 'stranger@example.test' })->{status}, 202,
    'with the sender stopped, a reset for an unknown address';
is $s->post('/api/users/password-reset/', json => { email => 'Bob@example.test' })->{status}, 202,
    'and one for a known address';
is outbox(q{SELECT count(*) FROM password_reset_requests}), '2', 'are each queued as one row';
is_deeply [ map { outbox("SELECT count(*) FROM $_") } qw(user_tokens outbox) ], [ $tokens, $queued ],
    'and nothing else: no token, no mail yet';
$s->start_outbox;
wait_until { outbox(q{SELECT count(*) FROM password_reset_requests}) == 0 }
    what => 'the requests to be resolved';
wait_until { reset_tokens('bob@example.test') > $bob_resets } what => 'the reset mail'
    and pass 'the sender mails the known address';
is outbox(q{SELECT count(*) FROM outbox WHERE recipient = 'stranger@example.test'}), '0', 'and only that one';

# --- earlier reset links stop working ---
my $carol = $s->user('carol');
my $reset_body;
for my $n (1 .. 2) {
    $reset_body = $s->post('/api/users/password-reset/', json => { email => 'carol@example.test' })->{content};
    wait_until { reset_tokens('carol@example.test') == $n } what => "reset mail $n";
}
my @links = reset_tokens('carol@example.test');
is $s->post('/api/users/password-reset/confirm/', json => { token => $links[0], new_password => 'carol is back again' })->{status},
    400, 'a new reset link voids the one mailed before';
$s->post('/api/users/password-reset/', json => { email => 'carol@example.test' });
wait_until { reset_tokens('carol@example.test') == 3 } what => 'reset mail 3';
@links = reset_tokens('carol@example.test');
$r = $s->post('/api/users/password/change/', token => $carol->{access},
              json => { old_password => $carol->{password}, new_password => 'carol changed it herself' });
is $r->{status}, 200, 'carol changes her password';
ok mail_like('carol@example.test', qr/password was changed/), 'and is told by mail';
is $s->post('/api/users/password-reset/confirm/', json => { token => $links[2], new_password => 'carol is back again' })->{status},
    400, 'which voids the reset link she had not used';
is $s->post('/api/users/login/', json => { username => 'carol', password => 'carol changed it herself' })->{status},
    200, 'her password is the one she chose';

# the fourth reset mail within the hour is not sent, and the answer does not say so
$r = $s->post('/api/users/password-reset/', json => { email => 'carol@example.test' });
is $r->{status}, 202, 'a fourth reset request within the hour is 202';
is $r->{content}, $reset_body, 'with the same body as ever';
wait_until { outbox(q{SELECT count(*) FROM password_reset_requests}) == 0 }
    what => 'the request to be resolved';
is outbox(q{SELECT count(*) FROM outbox WHERE recipient = 'carol@example.test' AND subject LIKE 'Reset%'}), '3',
    'but mails nothing';

# --- the outbox keeps no bodies once a message has left ---
sub queued { outbox(q{SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL}) }
wait_until { queued() == 0 } what => 'the queue to empty';
is outbox(q{SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND body <> ''}), '0',
    'a sent message keeps no body (its link)';
cmp_ok outbox(q{SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND recipient <> '' AND subject <> ''}),
    '>', 0, 'only its recipient and subject, as a record';
outbox(q{UPDATE outbox SET sent_at = now() - interval '8 days' WHERE recipient = 'alice@example.test'});
$tokens = outbox(q{SELECT count(*) FROM refresh_tokens}) + outbox(q{SELECT count(*) FROM user_tokens});
cmp_ok $tokens, '>=', 2, 'some tokens to prune';
outbox(q{UPDATE refresh_tokens SET expires_at = now() - interval '8 days'
         WHERE id = (SELECT min(id) FROM refresh_tokens)});
outbox(q{UPDATE user_tokens SET expires_at = now() - interval '8 days'
         WHERE id = (SELECT min(id) FROM user_tokens)});
outbox(q{UPDATE user_tokens SET expires_at = now() - interval '6 days'
         WHERE id = (SELECT max(id) FROM user_tokens)}) if outbox(q{SELECT count(*) FROM user_tokens}) > 1;
my ($rc, $out) = $s->marquee('outbox', '--once');
is outbox(q{SELECT count(*) FROM refresh_tokens}) + outbox(q{SELECT count(*) FROM user_tokens}), $tokens - 2,
    'tokens expired more than a week ago are deleted, younger ones kept';
is $rc, 0, 'marquee outbox --once runs' or diag $out;
is outbox(q{SELECT count(*) FROM outbox WHERE recipient = 'alice@example.test'}), '0',
    'and deletes messages sent more than a week ago';
cmp_ok outbox(q{SELECT count(*) FROM outbox WHERE recipient = 'carol@example.test'}), '>', 0, 'newer ones stay';

# --- security events, without secrets ---
like $s->log_lines(qr/msg="password reset link queued" /, 'outbox'), qr/ user=$carol->{id}\b/,
    'a reset link queued is logged with the user';
like $s->log_lines(qr/msg=security event=password_reset /), qr/ user=$alice->{id}\b/, 'so is a reset';
is $s->log_lines(qr/\Q$reset\E|\Q$links[2]\E/), '', 'never a reset token';
is $s->log_lines(qr/a fresh start for alice|carol changed it herself/), '', 'nor a password';

# --- the outbox while the mail server is down ---
sub delivered { my $to = shift; scalar grep { lc $_->{to} eq lc $to } $s->mails }

$s->stop_mail_sink;
$s->user("down$_") for 1 .. 3;
wait_until { outbox(q{SELECT count(*) FROM outbox WHERE recipient LIKE 'down%' AND attempts > 0
                     AND sent_at IS NULL}) == 3 } what => 'failed attempts'
    and pass 'with the server down, sending fails and is retried';
like outbox(q{SELECT last_error FROM outbox WHERE recipient = 'down1@example.test'}), qr/connect.* \(SMTP \d+\)$/i,
    'the error is kept';
is outbox(q{SELECT count(*) FROM outbox WHERE recipient LIKE 'down%' AND failed_at IS NOT NULL}), '0',
    'nothing is given up';
$s->start_mail_sink;
# Once nothing is left to send, every delivery has been made: the sink
# stores a message before it answers, and the sender marks it sent after.
wait_until { queued() == 0 } timeout => 20, what => 'delivery after the outage';
is_deeply [ map { delivered("down$_\@example.test") } 1 .. 3 ], [ 1, 1, 1 ],
    'once it is back, each message arrives exactly once';
is outbox(q{SELECT last_error FROM outbox WHERE recipient = 'down1@example.test'}), '',
    'and cleared once the message went';

# --- the sender killed in the middle of a message ---
$s->mail_mode('stall');
$s->user('stalled');
wait_until { $s->mail_stalling } what => 'the sender to send the message';
$s->kill_outbox;
wait_until { !$s->mail_stalling } what => 'the sink to see the sender hang up';
$s->user("after$_") for 1 .. 2;
$s->mail_mode(undef);
is delivered('stalled@example.test'), 0, 'killed before the server said OK: nothing was delivered';
$s->start_outbox;
wait_until { queued() == 0 } timeout => 20, what => 'delivery after the restart';
is_deeply [ map { delivered($_) } qw(stalled@example.test after1@example.test after2@example.test) ], [ 1, 1, 1 ],
    'after a restart every message arrives exactly once';

# --- a permanent refusal is not retried forever ---
$s->mail_mode('reject');
$s->user('refused');
wait_until { outbox(q{SELECT count(*) FROM outbox WHERE recipient = 'refused@example.test'
                     AND failed_at IS NOT NULL}) == 1 } what => 'the refusal';
is outbox(q{SELECT attempts FROM outbox WHERE recipient = 'refused@example.test'}), '1', 'a 5xx answer is final';
like outbox(q{SELECT last_error FROM outbox WHERE recipient = 'refused@example.test'}), qr/550/, 'with the reason kept';
is outbox(q{SELECT body FROM outbox WHERE recipient = 'refused@example.test'}), '',
    'and without the body, given up on';
$s->mail_mode(undef);
$s->user('fine');
wait_until { delivered('fine@example.test') } what => 'the next message'
    and pass 'and the next message goes out';

$s->finish;
done_testing;

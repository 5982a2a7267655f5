# Web Push subscriptions and the delivery of notifications by marquee
# outbox: encrypted for the browser (the fake push service decrypts each
# message with the subscription's private key and verifies the VAPID JWT),
# a subscription the service says is gone is deleted, and every message is
# delivered exactly once while the mail server and the push service are
# down for a while and the sender is killed in the middle of a batch, twice.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(mail => 1, push => 1);
my ($alice, $bob) = map { $s->user($_) } qw(alice bob);
$s->psql('UPDATE users SET email_verified_at = now()');

sub subscribe { my ($user, $sub) = @_; $s->post('/api/push/subscriptions/', token => $user->{access}, json => $sub) }
sub pending { $s->psql('SELECT count(*) FROM deliveries WHERE finished_at IS NULL') }

# ---- the key, and subscribing ----
my $r = $s->get('/api/push/key/');
is $r->{status}, 200, 'the VAPID public key';
is $r->{json}{public_key}, $s->vapid_public, 'is the key of [push] vapid_key_file';

my $b1 = $s->push_subscription('b1');
$r = subscribe($bob, { %$b1, expirationTime => undef });
is $r->{status}, 201, 'bob subscribes a browser';
is $r->{json}{endpoint}, $b1->{endpoint}, 'its endpoint';
is subscribe($bob, $b1)->{status}, 200, 'again: 200';
my %bad = (
    'an endpoint on no push service' => [ { %$b1, endpoint => 'https://evil.example/push/1' }, 'endpoint' ],
    'an http endpoint' => [ { %$b1, endpoint => 'http://fcm.googleapis.com/fcm/send/1' }, 'endpoint' ],
    'the metadata address' => [ { %$b1, endpoint => 'https://169.254.169.254/latest/' }, 'endpoint' ],
    'a key that is no point' => [ { %$b1, keys => { %{ $b1->{keys} }, p256dh => 'B' . 'A' x 86 } }, 'keys.p256dh' ],
    'a short auth' => [ { %$b1, keys => { %{ $b1->{keys} }, auth => 'AAAA' } }, 'keys.auth' ],
    'no keys' => [ { endpoint => $b1->{endpoint} }, 'keys' ],
    'keys a string' => [ { endpoint => $b1->{endpoint}, keys => 'x' }, 'keys' ],
    'a key of a number' => [ { %$b1, keys => { p256dh => 5, auth => 'x' } }, 'keys.p256dh' ],
    'an unknown key' => [ { %$b1, keys => { %{ $b1->{keys} }, extra => 1 } }, 'keys.extra' ],
    'an unknown field' => [ { %$b1, colour => 1 }, 'colour' ],
);
for my $what (sort keys %bad) {
    my ($body, $field) = @{ $bad{$what} };
    $r = subscribe($bob, $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->post('/api/push/subscriptions/', token => $bob->{access}, body => '{',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->post('/api/push/subscriptions/', json => $b1)->{status}, 401, 'subscribing needs a token';
is $s->delete('/api/push/subscriptions/', token => $alice->{access}, json => { endpoint => $b1->{endpoint} })->{status},
    404, 'alice cannot unsubscribe bob\'s browser';
is $s->delete('/api/push/subscriptions/', token => $bob->{access}, json => {})->{status}, 400, 'an endpoint is needed';

# ---- a push, encrypted, verified, decrypted ----
$s->post('/api/users/bob/follow/', token => $alice->{access});
wait_until { scalar $s->pushes } what => 'the push';
my ($push) = $s->pushes;
is $push->{sub}, 'b1', 'bob\'s browser gets a push';
is $push->{payload}{body}, 'alice started following you.', 'which the fake decrypted with the browser\'s key';
is $push->{payload}{kind}, 'follow', 'of kind follow';
like $push->{payload}{url}, qr{^http://app\.marquee\.test/users/bob/followers$}, 'with a link';
is $push->{payload}{id}, $s->psql(qq{SELECT id FROM notifications WHERE user_id = $bob->{id} AND kind = 'follow'}),
    'naming the notification';
is $push->{ttl}, 86400, 'TTL is [push] ttl';
is $push->{urgency}, 'normal', 'urgency normal';
is_deeply [ $s->push_errors ], [], 'the VAPID JWT was verified, nothing refused';
ok !(grep { lc $_->{to} eq 'bob@example.test' && $_->{subject} =~ /following/ } $s->mails),
    'a follow is not mailed by default';

$r = $s->post('/api/users/password/change/', token => $bob->{access},
              json => { old_password => $bob->{password}, new_password => 'bob has another one' });
$bob->{access} = $r->{json}{access};
wait_until { grep { $_->{payload}{kind} eq 'password_changed' } $s->pushes } what => 'the security push';
my ($security) = grep { $_->{payload}{kind} eq 'password_changed' } $s->pushes;
is $security->{urgency}, 'high', 'a security notice is pushed with urgency high';

# a subscription the push service says is gone (410) is deleted
my $b2 = $s->push_subscription('b2');
is subscribe($bob, $b2)->{status}, 201, 'bob subscribes a second browser';
$s->push_gone('b2');
# (a new follower while alice's follow is unread would join that one, and be pushed no more)
$s->post('/api/notifications/read-all/', token => $bob->{access});
$s->post('/api/users/bob/follow/', token => $s->user('carol')->{access});
wait_until { $s->psql(q{SELECT count(*) FROM push_subscriptions WHERE endpoint LIKE '%/b2'}) == 0 }
    what => 'the gone subscription to be deleted';
wait_until { grep { $_->{payload}{body} =~ /^carol/ } $s->pushes } what => 'the push to the other browser';
is scalar(grep { $_->{payload}{body} =~ /^carol/ } $s->pushes), 1, 'while the other browser got it, once';
like $s->log_lines(qr/msg="push subscription gone"/, 'outbox'), qr/push service answered 410/, 'logged';

# another user taking an endpoint over, and unsubscribing
my $b3 = $s->push_subscription('b3');
is subscribe($bob, $b3)->{status}, 201, 'bob subscribes a browser';
is subscribe($alice, $b3)->{status}, 201, 'which alice signs into next: it is hers now';
is $s->delete('/api/push/subscriptions/', token => $bob->{access}, json => { endpoint => $b3->{endpoint} })->{status},
    404, 'no longer bob\'s';
is $s->delete('/api/push/subscriptions/', token => $alice->{access}, json => { endpoint => $b3->{endpoint} })->{status},
    204, 'alice unsubscribes it';

# ---- exactly once, through outages and kills ----
wait_until { pending() == 0 } what => 'the queue to empty';
my $star = $s->user('star');
my @fans = map { $s->user("fan$_") } 1 .. 12;
is_deeply [ map { subscribe($fans[$_ - 1], $s->push_subscription("f$_"))->{status} } 1 .. 12 ], [ (201) x 12 ],
    'twelve fans subscribe a browser each';
$s->psql(q{UPDATE users SET email_verified_at = now() WHERE username LIKE 'fan%'});
$s->psql(q{INSERT INTO notification_settings (user_id, kind, email)
           SELECT id, 'follow', true FROM users WHERE username LIKE 'fan%'});
my ($mails_before, $pushes_before) = (scalar(() = $s->mails), scalar(() = $s->pushes));

$s->stop_mail_sink;
$s->stop_push;
$s->post("/api/users/$_->{username}/follow/", token => $star->{access}) for @fans;
is pending(), 24, 'star follows 12 fans: 12 mails and 12 pushes to deliver';
wait_until { $s->psql(q{SELECT count(*) FROM deliveries WHERE finished_at IS NULL AND attempts > 0
                       AND last_error IS NOT NULL}) == 24 } timeout => 30, what => 'every one to fail'
    and pass 'with the mail server and the push service down, every one fails and waits';
is $s->psql(q{SELECT count(*) FROM deliveries WHERE outcome IS NOT NULL AND notification_id IN
              (SELECT id FROM notifications WHERE actor_id = (SELECT id FROM users WHERE username = 'star'))}),
    '0', 'nothing is given up';

# the mail server comes back, holding the first message it gets: the
# sender is killed in the middle of it, with the rest of its batch claimed
# (stopped first and every delivery made due, so that its first claim is
# a whole batch, whatever the back-off had made of their times)
$s->kill_outbox;
$s->psql('UPDATE deliveries SET next_attempt_at = now() WHERE finished_at IS NULL');
$s->mail_mode('stall');
$s->start_mail_sink;
$s->start_push;
$s->start_outbox;
wait_until { $s->mail_stalling } timeout => 30, what => 'the sender to send a mail';
$s->kill_outbox;
cmp_ok $s->psql(q{SELECT count(*) FROM deliveries WHERE finished_at IS NULL AND next_attempt_at > now()
                  AND lease = (SELECT max(lease) FROM deliveries)}), '>', 1,
    'killed mid-batch: it had claimed more than the mail it was sending, which wait out its lease';
wait_until { !$s->mail_stalling } what => 'the sink to see the sender hang up';
$s->mail_mode(undef);
# then the push service holds one, and the sender is killed again
$s->push_mode('stall');
$s->start_outbox;
wait_until { $s->push_stalling } timeout => 30, what => 'the sender to send a push';
$s->kill_outbox;
wait_until { !$s->push_stalling } what => 'the push service to see the sender hang up';
$s->push_mode(undef);
$s->start_outbox;
wait_until { pending() == 0 } timeout => 60, what => 'every delivery, after the leases of the killed senders';

my @mails = grep { ($_->{to} // '') =~ /^fan\d+\@/ && $_->{subject} =~ /star started following you/ } $s->mails;
my %mailed;
$mailed{ lc $_->{to} }++ for @mails;
is_deeply [ map { $mailed{"fan$_\@example.test"} // 0 } 1 .. 12 ], [ (1) x 12 ], 'each fan got the mail exactly once';
my %ids = map { $_->{message_id} => 1 } @mails;
is scalar(keys %ids), 12, 'twelve Message-IDs';
my %pushed;
$pushed{ $_->{sub} }++ for grep { $_->{payload}{body} =~ /^star started following you/ } $s->pushes;
is_deeply [ map { $pushed{"f$_"} // 0 } 1 .. 12 ], [ (1) x 12 ], 'each fan\'s browser got the push exactly once';
is_deeply [ $s->push_errors ], [], 'every push verified and decrypted';
is $s->psql(q{SELECT count(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
              JOIN users a ON a.id = n.actor_id WHERE a.username = 'star' AND d.outcome = 'sent'}), '24',
    'and the outbox marked all 24 sent';
cmp_ok $s->psql(q{SELECT max(attempts) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                  JOIN users a ON a.id = n.actor_id WHERE a.username = 'star'}), '>', 1, 'after retries';

# ---- a push service answering 503 is tried again ----
$s->push_mode('503');
$s->post('/api/notifications/read-all/', token => $fans[0]{access});
$s->post('/api/users/fan1/follow/', token => $bob->{access});
wait_until { $s->psql(q{SELECT count(*) FROM deliveries WHERE channel = 'push' AND finished_at IS NULL
                       AND last_error LIKE '%503%'}) == 1 } what => 'a 503';
$s->push_mode(undef);
wait_until { pending() == 0 } timeout => 30, what => 'the retry';
is scalar(grep { $_->{sub} eq 'f1' && $_->{payload}{body} =~ /^bob/ } $s->pushes), 1, 'delivered once it is back';

$s->finish;
done_testing;

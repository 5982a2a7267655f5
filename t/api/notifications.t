# Notifications: each event kind written with its cause (follows, likes,
# replies, a followed user's review of a watchlist movie, security
# notices), a burst of 100 likes collapsing into one, reading them, the
# settings per kind and channel, mail through the outbox with its one-click
# unsubscribe (RFC 8058), and bad input.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(mail => 1);
my $admin = $s->admin;
my ($alice, $bob, $carol) = map { $s->user($_) } qw(alice bob carol);
my $heat = $s->movie($admin, title => 'Heat', release_date => '1995-12-15');
my $ronin = $s->movie($admin, title => 'Ronin', release_date => '1998-09-25');
# Mail goes to confirmed addresses only.
$s->psql("UPDATE users SET email_verified_at = now()");

sub notes {
    my ($user, $query) = @_;
    my $r = $s->get('/api/notifications/' . ($query // ''), token => $user->{access});
    is $r->{status}, 200, "$user->{username}'s notifications" . ($query // '');
    return $r->{json};
}
sub texts { [ map { $_->{text} } @{ notes(@_)->{results} } ] }

is_deeply notes($alice)->{results}, [], 'none at first';
is notes($alice)->{unread_count}, 0, 'unread_count 0';

# ---- follows, collapsed while unread ----
$s->post('/api/users/alice/follow/', token => $bob->{access});
my $n = notes($alice);
is_deeply [ map { $_->{text} } @{ $n->{results} } ], ['bob started following you.'], 'a new follower';
is $n->{results}[0]{kind}, 'follow', 'of kind follow';
is $n->{results}[0]{actor}{username}, 'bob', 'by bob';
is $n->{results}[0]{read}, JSON::PP::false, 'unread';
like $n->{results}[0]{url}, qr{^http://app\.marquee\.test/users/alice/followers$}, 'with a link in the app';
is $n->{unread_count}, 1, 'counted unread';
$s->post('/api/users/alice/follow/', token => $carol->{access});
is_deeply texts($alice), ['carol and 1 other started following you.'], 'a second follower joins the first';
$s->delete('/api/users/alice/follow/', token => $carol->{access});
$s->post('/api/users/alice/follow/', token => $carol->{access});
is_deeply texts($alice), ['carol and 1 other started following you.'], 'following again is no new actor';

# ---- a burst of likes is one notification ----
my $review = $s->post("/api/movies/$heat/reviews/", token => $alice->{access},
                      json => { body => 'A classic.' })->{json}{id};
my @fans = map { $s->user("fan$_") } 1 .. 100;
my @likes = $s->in_parallel(map { my @mine = @fans[$_ * 25 .. $_ * 25 + 24]; sub {
    map { $s->post("/api/reviews/$review/like/", token => $_->{access})->{status} } @mine } } 0 .. 3);
is scalar(grep { $_ == 201 } @likes), 100, '100 users like alice\'s review at once';
my @like = grep { $_->{kind} eq 'like' } @{ notes($alice)->{results} };
is scalar @like, 1, 'one notification';
is $like[0]{actors_count}, 100, 'of 100 actors';
like $like[0]{text}, qr/^fan\d+ and 99 others liked your review of Heat\.$/, '"fan and 99 others"';
is $like[0]{movie}{title}, 'Heat', 'naming the movie';
is $like[0]{review}, $review, 'and the review';
is $s->psql("SELECT likes_count FROM reviews WHERE id = $review"), '100', 'the review counts 100 likes';
$s->post("/api/reviews/$review/like/", token => $alice->{access});
is scalar(grep { $_->{kind} eq 'like' && $_->{actors_count} == 101 } @{ notes($alice)->{results} }), 0,
    'liking one\'s own review tells nobody';

# ---- reading ----
$n = notes($alice);
is $n->{unread_count}, 2, 'two unread';
my ($follow) = grep { $_->{kind} eq 'follow' } @{ $n->{results} };
is $s->post("/api/notifications/$follow->{id}/read/", token => $alice->{access})->{status}, 204, 'one read';
is $s->post("/api/notifications/$follow->{id}/read/", token => $alice->{access})->{status}, 204, 'twice is fine';
is notes($alice)->{unread_count}, 1, 'one unread';
is_deeply [ map { $_->{kind} } @{ notes($alice, '?unread=true')->{results} } ], ['like'], '?unread=true lists it';
is $s->post("/api/notifications/$follow->{id}/read/", token => $bob->{access})->{status}, 404,
    'another user\'s notification is a 404';
is $s->post('/api/notifications/999999/read/', token => $alice->{access})->{status}, 404, 'no such one too';
is $s->get('/api/notifications/?unread=maybe', token => $alice->{access})->{status}, 400, 'unread=maybe is a 400';
is $s->get('/api/notifications/?page=9', token => $alice->{access})->{status}, 404, 'a page past the end is 404';
is $s->get('/api/notifications/?colour=red', token => $alice->{access})->{status}, 400, 'an unknown parameter 400';
is $s->get('/api/notifications/')->{status}, 401, 'they need a token';
is $s->get('/api/notifications/', token => $s->expired_token($alice))->{status}, 401, 'a live one';
# a read group starts afresh
$s->post('/api/users/alice/follow/', token => $fans[0]{access});
is_deeply [ map { $_->{text} } grep { $_->{kind} eq 'follow' && !$_->{read} } @{ notes($alice)->{results} } ],
    ['fan1 started following you.'], 'after reading, the next follower is a new notification';
my $r = $s->post('/api/notifications/read-all/', token => $alice->{access});
is $r->{status}, 200, 'read-all';
is $r->{json}{marked}, 2, 'marking the two unread';
is notes($alice)->{unread_count}, 0, 'none unread';

# ---- replies, and a followed user's review of a watchlist movie ----
my $c = $s->post("/api/movies/$heat/comments/", token => $alice->{access}, json => { body => 'Who is better?' })->{json}{id};
$s->post("/api/movies/$heat/comments/", token => $bob->{access}, json => { body => 'De Niro', parent => $c });
$s->post("/api/movies/$heat/comments/", token => $carol->{access}, json => { body => 'Pacino', parent => $c });
my ($reply) = grep { $_->{kind} eq 'reply' } @{ notes($alice)->{results} };
is $reply->{text}, 'carol and 1 other replied to your comment on Heat.', 'replies to alice\'s comment';
is $reply->{comment}, $c, 'naming it';
$s->post('/api/watchlist/', token => $alice->{access}, json => { movie => $ronin });
$s->post('/api/users/bob/follow/', token => $alice->{access});
$s->post("/api/movies/$ronin/reviews/", token => $bob->{access}, json => { body => 'The car chase!' });
$s->post("/api/movies/$ronin/reviews/", token => $carol->{access}, json => { body => 'Meh.' });
is_deeply [ map { $_->{text} } grep { $_->{kind} eq 'watchlist_review' } @{ notes($alice)->{results} } ],
    ['bob reviewed Ronin, which is on your watchlist.'], 'a followed user reviewed a watchlist movie (not carol: not followed)';

# ---- blocks: nothing from a blocked user ----
$s->post('/api/users/carol/block/', token => $alice->{access});
$s->post('/api/notifications/read-all/', token => $alice->{access});
$s->post("/api/movies/$heat/comments/", token => $carol->{access}, json => { body => 'again', parent => $c });
is notes($alice)->{unread_count}, 0, 'a blocked user tells alice nothing';
$s->delete('/api/users/carol/block/', token => $alice->{access});

# ---- security notices ----
$r = $s->post('/api/users/password/change/', token => $carol->{access},
              json => { old_password => $carol->{password}, new_password => 'a brand new secret' });
is $r->{status}, 200, 'carol changes her password';
$carol->{access} = $r->{json}{access};
is_deeply texts($carol), ['The password of your Marquee account was changed.'], 'and is told so';
$s->post('/api/users/login/', json => { username => 'carol', password => 'a brand new secret' });
is scalar(grep { $_->{kind} eq 'new_sign_in' } @{ notes($carol)->{results} }), 0,
    'a sign-in from an address she used before is no news';
$r = $s->post('/api/users/login/', json => { username => 'carol', password => 'a brand new secret' },
              from => '127.0.0.2');
is $r->{status}, 200, 'she signs in from another address';
is_deeply [ map { $_->{text} } grep { $_->{kind} eq 'new_sign_in' } @{ notes($carol)->{results} } ],
    ['Your Marquee account was signed in to from a new address (127.0.0.2).'], 'which is news';
$s->psql(q{UPDATE users SET email = 'carol@new.example.test' WHERE username = 'carol'});
is scalar(grep { $_->{kind} eq 'email_changed' } @{ notes($carol)->{results} }), 1, 'so is a new address';
my $notice = $s->wait_mail('carol@example.test');
like $notice->{body}, qr/changed from carol\@example\.test/, 'told to the old address by mail';
ok !$notice->{headers}{'list-unsubscribe'}, 'with no unsubscribe link: security notices cannot be switched off';
like $notice->{body}, qr{reset your password now: http://app\.marquee\.test/reset-password}, 'but what to do';

# ---- settings ----
$r = $s->get('/api/users/me/notification-settings/', token => $bob->{access});
is $r->{status}, 200, 'the settings';
is_deeply $r->{json}{reply}, { in_app => JSON::PP::true, email => JSON::PP::true, push => JSON::PP::true,
                               fixed => JSON::PP::false }, 'replies everywhere by default';
is_deeply $r->{json}{like}, { in_app => JSON::PP::true, email => JSON::PP::false, push => JSON::PP::true,
                              fixed => JSON::PP::false }, 'likes not by mail';
is $r->{json}{security}{fixed}, JSON::PP::true, 'security fixed';
is_deeply [ sort keys %{ $r->{json} } ], [qw(follow like recommendations reply security watchlist_review)], 'every kind';
$r = $s->put('/api/users/me/notification-settings/', token => $bob->{access},
             json => { follow => { in_app => JSON::PP::false }, reply => { email => JSON::PP::false } });
is $r->{status}, 200, 'bob switches followers off in the app, and reply mail';
is $r->{json}{follow}{in_app}, JSON::PP::false, 'as asked';
is $r->{json}{follow}{push}, JSON::PP::true, 'the rest kept';
is $r->{json}{reply}{in_app}, JSON::PP::true, 'replies in the app kept';
my $before = $s->psql(qq{SELECT count(*) FROM notifications WHERE user_id = $bob->{id} AND kind = 'follow'});
$s->post('/api/users/bob/follow/', token => $carol->{access});
is scalar(grep { $_->{kind} eq 'follow' && $_->{actor}{username} eq 'carol' } @{ notes($bob)->{results} }), 0,
    'so a follow is not in his app';
is $s->psql(qq{SELECT count(*) FROM notifications WHERE user_id = $bob->{id} AND kind = 'follow'}), $before + 1,
    'though it is written, for push';
for my $case ([{ security => { email => JSON::PP::false } }, 'security.email', 'security off'],
              [{ nope => { email => JSON::PP::false } }, 'nope', 'an unknown kind'],
              [{ like => { sms => JSON::PP::true } }, 'like.sms', 'an unknown channel'],
              [{ like => { email => 'yes' } }, 'like.email', 'a string'],
              [{ like => 1 }, 'like', 'a number for a kind']) {
    my ($body, $field, $what) = @$case;
    $r = $s->put('/api/users/me/notification-settings/', token => $bob->{access}, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->put('/api/users/me/notification-settings/', token => $bob->{access}, body => '{"like":',
           headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->put('/api/users/me/notification-settings/', token => $bob->{access}, body => 'like=1',
           headers => { 'Content-Type' => 'text/plain' })->{status}, 415, 'not JSON: 415';
ok $s->put('/api/users/me/notification-settings/', token => $bob->{access},
           json => { security => { email => JSON::PP::true } })->{status} == 200, 'security on is fine';
is $s->get('/api/users/me/notification-settings/')->{status}, 401, 'settings need a token';

# ---- mail, and its one-click unsubscribe ----
# replies are mailed by default: bob replies to carol
my $cc = $s->post("/api/movies/$ronin/comments/", token => $carol->{access}, json => { body => 'Seen it?' })->{json}{id};
$s->post("/api/movies/$ronin/comments/", token => $bob->{access}, json => { body => 'Twice', parent => $cc });
my $mail = $s->wait_mail('carol@new.example.test');
is $mail->{subject}, 'bob replied to your comment on Ronin.', 'a reply is mailed';
like $mail->{body}, qr{^Hi carol,}, 'to carol';
like $mail->{message_id}, qr/^<delivery-\d+\@marquee\.test>$/, 'with a stable Message-ID';
my ($unsub) = ($mail->{headers}{'list-unsubscribe'} // '') =~ m{^<http://app\.marquee\.test(/api/notifications/unsubscribe/\?token=[^>]+)>$};
ok $unsub, 'List-Unsubscribe names the one-click URL (RFC 8058)' or diag $mail->{headers}{'list-unsubscribe'};
is $mail->{headers}{'list-unsubscribe-post'}, 'List-Unsubscribe=One-Click', 'with List-Unsubscribe-Post';
like $mail->{body}, qr{Unsubscribe from these mails: http://app\.marquee\.test/unsubscribe\?token=}, 'and a link for people';
my ($token) = $unsub =~ /token=(.*)$/;

$r = $s->post("/api/notifications/unsubscribe/?token=$token", body => 'List-Unsubscribe=One-Click',
              headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is $r->{status}, 200, 'the mail provider\'s one-click POST, without a login';
is $r->{json}{kind}, 'reply', 'switches reply mail off';
is $s->get('/api/users/me/notification-settings/', token => $carol->{access})->{json}{reply}{email},
    JSON::PP::false, 'as her settings say';
is $s->get('/api/users/me/notification-settings/', token => $carol->{access})->{json}{reply}{in_app},
    JSON::PP::true, 'the app still tells her';
is $s->post("/api/notifications/unsubscribe/?token=$token")->{status}, 200, 'a second time is harmless (no body)';
is $s->post("/api/notifications/unsubscribe/?token=$token", json => {})->{status}, 200, 'a JSON body is fine';
my $count = () = $s->mails;
$s->post("/api/movies/$ronin/comments/", token => $bob->{access}, json => { body => 'Thrice', parent => $cc });
wait_until { $s->psql(q{SELECT count(*) FROM deliveries WHERE finished_at IS NULL}) == 0 } what => 'the outbox';
is scalar(() = $s->mails), $count, 'no more reply mail for her';

my ($uid, $kind, $exp, $mac) = split /\./, $token;
sub unsub_status { $s->post('/api/notifications/unsubscribe/?token=' . shift)->{status} }
is unsub_status("$uid.$kind.$exp." . reverse $mac), 400, 'a forged MAC is a 400';
is unsub_status("$alice->{id}.$kind.$exp.$mac"), 400, 'another user\'s id under carol\'s MAC too';
is unsub_status("$uid.like.$exp.$mac"), 400, 'another kind too';
is unsub_status("$uid.security.$exp.$mac"), 400, 'and security, which no token can name';
is unsub_status('garbage'), 400, 'garbage';
is $s->post('/api/notifications/unsubscribe/')->{status}, 400, 'no token';
# a token made with the server's key, expired
use Digest::SHA qw(hmac_sha256);
my $key = hmac_sha256('marquee unsubscribe v1', Marquee::Stack::slurp($s->dir . '/jwt.key'));
my $old = "$uid.like." . (time - 60);
my $sig = Marquee::Stack::b64url(hmac_sha256($old, $key));
$r = $s->post("/api/notifications/unsubscribe/?token=$old.$sig");
is $r->{status}, 400, 'an expired token is a 400';
like $r->{json}{errors}{token}[0], qr/expired/, 'saying it expired';
my $fresh = "$uid.like." . (time + 600);
is unsub_status("$fresh." . Marquee::Stack::b64url(hmac_sha256($fresh, $key))), 200,
    'while one made alike, unexpired, works: the test makes them as the server does';
$r = $s->post("/api/notifications/unsubscribe/?token=$token", body => 'List-Unsubscribe=Two-Clicks',
              headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is $r->{status}, 400, 'a form that is not One-Click is a 400';
is $s->post("/api/notifications/unsubscribe/?token=$token", body => 'x',
            headers => { 'Content-Type' => 'text/plain' })->{status}, 415, 'text is a 415';

# ---- an unconfirmed address gets no notification mail ----
my $dan = $s->user('dan');
$s->post("/api/movies/$ronin/comments/", token => $bob->{access}, json => { body => 'Hi dan' });
my $dc = $s->post("/api/movies/$ronin/comments/", token => $dan->{access}, json => { body => 'Hello' })->{json}{id};
$s->post("/api/movies/$ronin/comments/", token => $bob->{access}, json => { body => 'Yo', parent => $dc });
wait_until { $s->psql(q{SELECT count(*) FROM deliveries WHERE finished_at IS NULL}) == 0 } what => 'the outbox';
is scalar(grep { $_->{subject} =~ /replied/ } grep { lc $_->{to} eq 'dan@example.test' } $s->mails), 0,
    'dan, whose address is not confirmed, gets no reply mail';
is scalar(grep { $_->{kind} eq 'reply' } @{ notes($dan)->{results} }), 1, 'only the app tells him';

$s->finish;
done_testing;

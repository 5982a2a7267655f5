# marquee notify digest: the week's recommendations for each user, in the
# app and by mail (with its unsubscribe link); never what they have seen
# or marked not interested, nor another user's provisional movie; once per
# user per week, whether the job runs twice or is killed midway.
use strict;
use warnings;
use Test::More;
use POSIX qw(WNOHANG);
use Marquee::Stack;

my $s = Marquee::Stack->start(mail => 1);
my $admin = $s->admin;
my @users = map { $s->user("viewer$_") } 1 .. 6;
my ($alice, $bob) = @users[0, 1];
my @m = map { $s->movie($admin, title => "Film $_", release_date => "200$_-01-01") } 0 .. 5;
$s->psql('UPDATE users SET email_verified_at = now()');
my $secret = $s->psql(qq{WITH m AS (INSERT INTO movies (title, original_title, provisional_by, popularity)
                         VALUES ('Secret', 'Secret', $bob->{id}, 1000) RETURNING id) SELECT id FROM m});
my $week = $s->psql(q{SELECT to_char(now() AT TIME ZONE 'UTC', 'IYYY-"W"IW')});

# alice follows bob, who loves Film 1 and Film 2; she has seen Film 1
$s->post('/api/users/viewer2/follow/', token => $alice->{access});
$s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => $_, rating => 5 }) for @m[1, 2];
$s->post('/api/movies/rate/', token => $alice->{access}, json => { movie => $m[1], rating => 3 });
# and wants no more of Film 3
is $s->post("/api/movies/$m[3]/not-interested/", token => $alice->{access})->{status}, 201,
    'alice marks Film 3 not interested';
# viewer6 wants no digest at all
$s->put('/api/users/me/notification-settings/', token => $users[5]{access},
        json => { recommendations => { in_app => JSON::PP::false, email => JSON::PP::false } });

sub digests { $s->psql(qq{SELECT count(*) FROM notifications WHERE kind = 'recommendations' AND data->>'week' = '$week'}) }
sub has_digest { $s->psql(qq{SELECT count(*) FROM notifications WHERE kind = 'recommendations' AND user_id = $_[0]{id}}) }

# killed midway: viewer4's digest is held by another transaction (as a
# second run in flight would hold it), the job waits on it, and is killed
my $hold = $s->hold(qq{INSERT INTO notifications (user_id, kind, data, in_app)
                       VALUES ($users[3]{id}, 'recommendations', '{"week": "$week"}', true)});
my $pid = $s->spawn('digest', "$s->{build}/src/marquee", '-c', $s->{conf}, 'notify', 'digest');
wait_until { $s->lock_waiters > 0 } what => 'the job to wait on viewer4';
kill 'KILL', $pid;
waitpid $pid, 0;
is_deeply [ map { has_digest($_) } @users ], [ 1, 1, 1, 0, 0, 0 ],
    'killed midway: the digests before viewer4 were made, none after';
$hold->release('ROLLBACK');

my ($rc, $out) = $s->marquee('notify', 'digest');
is $rc, 0, 'marquee notify digest runs again' or diag $out;
# (the killed job's statement, waiting on the lock, may itself end after
# the ROLLBACK: a server does not notice a client gone while it waits)
like $out, qr/^week \Q$week\E: [12] digests made/m, 'and makes those missing';
is_deeply [ map { has_digest($_) } @users ], [ 1, 1, 1, 1, 1, 0 ], 'one for each user who wants one';
($rc, $out) = $s->marquee('notify', 'digest');
is $rc, 0, 'a third run';
like $out, qr/: 0 digests made/, 'makes none';
is $s->psql(q{SELECT count(*) FROM (SELECT user_id FROM notifications WHERE kind = 'recommendations'
              GROUP BY user_id HAVING count(*) > 1) x}), '0', 'one digest per user and week';

# what a digest says
my $n = $s->get('/api/notifications/', token => $alice->{access})->{json}{results}[0];
is $n->{kind}, 'recommendations', 'alice is told her recommendations are ready';
like $n->{text}, qr/^Your recommendations for the week are ready: \d+ movies picked for you\.$/, 'in so many words';
my $picks = $s->psql(qq{SELECT data->'movies' FROM notifications WHERE user_id = $alice->{id} AND kind = 'recommendations'});
my @picked = map { $_->{title} } @{ JSON::PP::decode_json($picks) };
is $picked[0], 'Film 2', 'first what the people she follows loved this week';
ok !(grep { $_ eq 'Film 1' } @picked), 'never what she rated';
ok !(grep { $_ eq 'Film 3' } @picked), 'nor what she marked not interested';
ok((grep { $_ eq 'Film 4' } @picked), 'but the others are there (Film 4)');
ok !(grep { $_ eq 'Secret' } @picked), 'never another user\'s provisional movie';
my $mail;
wait_until { ($mail) = grep { $_->{subject} eq 'Your movies for the week' } grep { $_->{to} eq 'viewer1@example.test' } $s->mails }
    what => 'the digest mail';
like $mail->{body}, qr{Picked for you this week:\n\n  1\. Film 2 \(2002\)  http://app\.marquee\.test/movies/$m[2]\n},
    'mailed, with the movies and their links';
like $mail->{headers}{'list-unsubscribe'}, qr{token=\d+\.recommendations\.}, 'with a one-click unsubscribe of digests';

wait_until { $s->psql('SELECT count(*) FROM deliveries WHERE finished_at IS NULL') == 0 } timeout => 20,
    what => 'the outbox';
my %digests;
$digests{ $_->{to} }++ for grep { $_->{subject} eq 'Your movies for the week' } $s->mails;
is_deeply [ map { $digests{"viewer$_\@example.test"} // 0 } 1 .. 6 ], [ 1, 1, 1, 1, 1, 0 ],
    'each user got one digest mail (none for the one who switched them off)';

($rc, $out) = $s->marquee('notify', 'digest', '--week', '2026-W99');
is $rc, 2, 'a week that is none is refused';
($rc, $out) = $s->marquee('notify', 'bogus');
is $rc, 2, 'so is another subcommand';

$s->finish;
done_testing;

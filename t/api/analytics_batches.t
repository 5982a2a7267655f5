# POST /api/events/ with a batch_id (issue 16): a retried batch is
# answered as the first time and recorded once, also when both copies
# arrive at once; the same id is another batch for another caller; an id
# sent again with other events is a 409; `marquee analytics partitions`
# forgets batch ids after a day; an erasure forgets a user's.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my $heat = $s->movie($admin, title => 'Heat', release_date => '1995-12-15');
my $ronin = $s->movie($admin, title => 'Ronin', release_date => '1998-09-25');
my $A = $alice->{access};
my $batch = '9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c40';
my $client = '0f8fad5b-d9cb-469f-a165-70867728950e';
my @events = ({ kind => 'trailer_play', movie => $heat, seconds => 30 },
              { kind => 'rec_click', movie => $ronin, reason => 'popular' },
              { kind => 'trailer_play', movie => 999999 });
sub events_of { $s->psql("SELECT count(*) FROM events WHERE kind IN ('trailer_play', 'rec_click') AND $_[0]") }

my $r = $s->post('/api/events/', token => $A, json => { batch_id => $batch, events => \@events });
is $r->{status}, 202, 'a batch with its id';
is $r->{json}{accepted}, 2, 'its events of movies that exist are recorded';
is events_of("user_id = $alice->{id}"), 2, 'two events';
$r = $s->post('/api/events/', token => $A, json => { batch_id => $batch, events => \@events });
is $r->{status}, 202, 'the same batch again';
is $r->{json}{accepted}, 2, 'the same answer';
is events_of("user_id = $alice->{id}"), 2, 'and nothing recorded again';

$r = $s->post('/api/events/', token => $A, json => { batch_id => $batch, events => [ $events[0] ] });
is $r->{status}, 409, 'the id again with other events: 409';
ok exists $r->{json}{errors}{batch_id}, 'naming batch_id' or diag $r->{content};
is events_of("user_id = $alice->{id}"), 2, 'recording nothing';

$r = $s->post('/api/events/', token => $bob->{access}, json => { batch_id => $batch, events => [ $events[0] ] });
is_deeply [ $r->{status}, $r->{json}{accepted} ], [ 202, 1 ], 'the same id from another user: their batch';
is events_of("user_id = $bob->{id}"), 1, 'recorded';
$r = $s->post('/api/events/', json => { client_id => $client, batch_id => $batch, events => \@events });
is_deeply [ $r->{status}, $r->{json}{accepted} ], [ 202, 2 ], 'from an anonymous client: its own';
is events_of("client_id = '$client'"), 2, 'recorded';
$r = $s->post('/api/events/', json => { client_id => $client, batch_id => $batch, events => \@events });
is_deeply [ $r->{status}, $r->{json}{accepted} ], [ 202, 2 ], 'and its retry';
is events_of("client_id = '$client'"), 2, 'once';

$r = $s->post('/api/events/', token => $A, json => { events => \@events });
is $r->{status}, 202, 'without a batch id';
is events_of("user_id = $alice->{id}"), 4, 'every batch is recorded, as before';
for my $bad ('not-a-uuid', 42, '9b2e4c1a-6f0d-4e8a-b3c5-1d7e2f8a9c4') {
    $r = $s->post('/api/events/', token => $A, json => { batch_id => $bad, events => \@events });
    is $r->{status}, 400, "batch_id $bad: 400";
    ok exists $r->{json}{errors}{batch_id}, 'naming it' or diag $r->{content};
}

# ---- two copies at once: one is recorded ----
my $twin = '3c1d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f';
my $hold = $s->hold('LOCK TABLE event_batches IN SHARE MODE');
my $both = $s->in_background(map {
    sub { my $r = $s->post('/api/events/', token => $A, json => { batch_id => $twin, events => \@events });
          "$r->{status}:" . ($r->{json}{accepted} // '-') }
} 1 .. 2);
wait_until { $s->lock_waiters >= 2 } what => 'both copies to wait on the batches';
$hold->release;
is_deeply [ $both->results ], [ '202:2', '202:2' ], 'two copies at once: both answered the same';
is events_of("user_id = $alice->{id}"), 6, 'one recorded';
is $s->psql("SELECT count(*) FROM event_batches WHERE batch_id = '$twin'"), 1, 'one batch remembered';

# ---- forgotten after a day ----
$s->psql(qq{UPDATE event_batches SET at = now() - interval '25 hours' WHERE batch_id = '$batch' AND user_id = $alice->{id}});
$s->psql(qq{UPDATE event_batches SET at = now() - interval '23 hours' WHERE batch_id = '$twin'});
my ($rc, $out) = $s->marquee('analytics', 'partitions');
is $rc, 0, 'marquee analytics partitions' or diag $out;
like $out, qr/^batch ids forgotten: 1$/m, 'forgets the batch ids of more than a day ago';
is $s->psql("SELECT count(*) FROM event_batches WHERE batch_id = '$twin'"), 1, 'not those of less';
$r = $s->post('/api/events/', token => $A, json => { batch_id => $batch, events => \@events });
is_deeply [ $r->{status}, $r->{json}{accepted} ], [ 202, 2 ], 'a batch id forgotten is a new batch';
is events_of("user_id = $alice->{id}"), 8, 'recorded';

# ---- erasure ----
is $s->delete("/api/admin/users/$bob->{id}/", token => $admin->{access})->{status}, 204, 'bob is erased';
is $s->psql("SELECT count(*) FROM event_batches WHERE user_id = $bob->{id}"), 0, 'his batch ids with him';

$s->finish;
done_testing;

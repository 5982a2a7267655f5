# Watch history (GET/POST /api/users/me/history/, DELETE .../{id}/), the
# activity log (GET /api/users/me/activity/) and the counts on /api/users/me/.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

# Five workers: five writes at once wait on one lock below.
my $s = Marquee::Stack->start(workers => 5);
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my ($A, $B) = ($alice->{access}, $bob->{access});
my $m1 = $s->movie($admin, title => 'Pandora\'s Box', tmdb_id => 905);
my $m2 = $s->movie($admin, title => 'The Passion of Joan of Arc', tmdb_id => 780);

is $s->get('/api/users/me/history/')->{status}, 401, 'anonymous: 401';
is $s->post('/api/users/me/history/', token => 'x.y.z', json => { movie => $m1 })->{status}, 401,
    'a forged token: 401';
is $s->get('/api/users/me/activity/', token => $s->expired_token($alice))->{status}, 401,
    'an expired token: 401';

# ---- history ----
my $r = $s->post('/api/users/me/history/', token => $A, json => { movie => $m1 });
is $r->{status}, 201, 'POST {movie}: 201';
my $h1 = $r->{json}{id};
is $r->{json}{movie}{id}, $m1, 'the movie';
like $r->{json}{watched_at}, qr/Z$/, 'watched now, in UTC';
$r = $s->post('/api/users/me/history/', token => $A,
              json => { tmdb_id => 780, watched_at => '2026-01-02T03:04:05+01:00' });
is $r->{status}, 201, 'POST {tmdb_id, watched_at}: 201';
is $r->{json}{watched_at}, '2026-01-02T02:04:05Z', 'the time, in UTC';
my $h2 = $r->{json}{id};
$r = $s->post('/api/users/me/history/', token => $A, json => { movie => $m1, watched_at => '2025-06-01T20:00:00Z' });
is $r->{status}, 201, 'the same movie again: another entry';
my $h3 = $r->{json}{id};
$r = $s->post('/api/users/me/history/', token => $s->user('carol')->{access},
              json => { movie => $m1, watched_at => '2026-01-02T03:04:05.5+01:00' });
is $r->{status}, 201, 'a watched_at with fractional seconds: 201';
like $r->{json}{watched_at}, qr/^2026-01-02T02:04:05(\.5)?Z$/, 'the time';
for my $case ([{ movie => $m1, watched_at => '2999-01-01T00:00:00Z' }, 'watched_at', 'in the future'],
              [{ movie => $m1, watched_at => 'yesterday' }, 'watched_at', 'not a time'],
              [{ movie => $m1, watched_at => '2026-01-02' }, 'watched_at', 'a date alone'],
              [{ movie => $m1, watched_at => 5 }, 'watched_at', 'a number'],
              [{ watched_at => '2026-01-02T00:00:00Z' }, 'movie', 'no movie'],
              [{ movie => $m1, rating => 3 }, 'rating', 'an unknown field']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/users/me/history/', token => $A, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->post('/api/users/me/history/', token => $A, json => { movie => 999999 })->{status}, 404,
    'an unknown movie: 404';
$r = $s->post('/api/users/me/history/', token => $B,
              json => { tmdb_id => 919292, title => 'Not yet', watched_at => '2099-01-01T00:00:00Z' });
is $r->{status}, 400, 'a future time with a tmdb_id: 400';
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 919292'), 0, 'which makes no catalog movie';

# ---- a movie removed between resolving it and writing: 404, not 500 ----
# A transaction holds the movie deleted, uncommitted: each request finds
# the movie, then its insert waits on the row and fails its foreign key.
my $gone = $s->movie($admin, title => 'Soon gone');
my $blist = $s->post('/api/lists/', token => $B, json => { name => 'Doomed' })->{json}{id};
my @writes = (['/api/users/favorites/', {}], ['/api/watchlist/', {}], ['/api/users/me/history/', {}],
              ["/api/lists/$blist/items/", {}], ['/api/movies/rate/', { rating => 3 }]);
my $hold = $s->hold("DELETE FROM movies WHERE id = $gone");
my $bg = $s->in_background(map { my ($path, $more) = @$_; sub {
    $s->post($path, token => $B, json => { movie => $gone, %$more })->{status} } } @writes);
wait_until { $s->lock_waiters >= @writes } what => 'the writes to wait on the delete';
$hold->release;
is_deeply [ $bg->results ], [ (404) x @writes ], 'favorite, watchlist, history, list item, rating: 404';
is $s->post('/api/users/me/history/', token => $A, body => 'nope',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
$r = $s->get('/api/users/me/history/', token => $A);
is $r->{json}{count}, 3, 'three entries';
is_deeply [ map { $_->{id} } @{ $r->{json}{results} } ], [ $h1, $h2, $h3 ], 'the latest watched first';
is $s->get('/api/users/me/history/?page=2', token => $A)->{status}, 404, 'past the end: 404';
is $s->get('/api/users/me/history/?verb=watched', token => $A)->{status}, 400, 'an unknown parameter: 400';
is $s->get('/api/users/me/history/', token => $B)->{json}{count}, 0, 'bob has none';
is $s->delete("/api/users/me/history/$h1/", token => $B)->{status}, 404, "bob cannot delete alice's";
is $s->delete("/api/users/me/history/$h1/", token => $A)->{status}, 204, 'alice can: 204';
is $s->delete("/api/users/me/history/$h1/", token => $A)->{status}, 404, 'once';
is $s->get('/api/users/me/history/', token => $A)->{json}{count}, 2, 'two left';

# ---- activity ----
$s->post('/api/users/favorites/', token => $A, json => { movie => $m2 });
$s->post('/api/movies/rate/', token => $A, json => { movie => $m2, rating => 4.5 });
$s->post('/api/watchlist/', token => $A, json => { movie => $m1 });
$r = $s->get('/api/users/me/activity/', token => $A);
is $r->{status}, 200, 'activity: 200';
is_deeply [ map { $_->{verb} } @{ $r->{json}{results} } ],
    [qw(watchlist_added rated favorite_added watched watched watched)], 'everything, newest first';
is $r->{json}{results}[1]{rating}, 4.5, 'a rating with its value';
is $r->{json}{results}[1]{movie}{id}, $m2, 'and its movie';
like $r->{json}{results}[0]{created_at}, qr/Z$/, 'when, in UTC';
$r = $s->get('/api/users/me/activity/?verb=rated', token => $A);
is $r->{json}{count}, 1, 'verb=rated';
is $s->get('/api/users/me/activity/?verb=liked', token => $A)->{status}, 400, 'an unknown verb: 400';
is $s->get('/api/users/me/activity/', token => $B)->{json}{count}, 0, "bob sees none of alice's";

# ---- counts on the profile ----
$r = $s->get('/api/users/me/', token => $A);
is_deeply $r->{json}{counts}, { favorites => 1, watchlist => 1, ratings => 1, reviews => 0 }, "alice's counts";
is_deeply $s->get('/api/users/me/', token => $B)->{json}{counts},
    { favorites => 0, watchlist => 0, ratings => 0, reviews => 0 }, "bob's";
is_deeply $s->patch('/api/users/me/', token => $A, json => { bio => 'silent films' })->{json}{counts},
    { favorites => 1, watchlist => 1, ratings => 1, reviews => 0 }, 'PATCH answers them too';

$s->finish;
done_testing;

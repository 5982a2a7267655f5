# The watchlist: POST/GET /api/watchlist/, PUT/PATCH/DELETE /api/watchlist/{id}/;
# only the owner reaches an entry; marking one watched records a history entry.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my ($A, $B) = ($alice->{access}, $bob->{access});
# (confirmed addresses: they may make provisional movies, t/api/provisional_movies.t)
$s->psql('UPDATE users SET email_verified_at = now()');
my $m1 = $s->movie($admin, title => 'The General', tmdb_id => 961);
my $m2 = $s->movie($admin, title => 'Battleship Potemkin', tmdb_id => 643);
my $m3 = $s->movie($admin, title => 'Greed', tmdb_id => 1405);

# ---- who may ----
is $s->post('/api/watchlist/', json => { movie => $m1 })->{status}, 401, 'anonymous POST: 401';
is $s->get('/api/watchlist/')->{status}, 401, 'anonymous GET: 401';
is $s->get('/api/watchlist/', token => 'x.y.z')->{status}, 401, 'a forged token: 401';
is $s->get('/api/watchlist/', token => $s->expired_token($alice))->{status}, 401, 'an expired token: 401';

# ---- adding ----
my $r = $s->post('/api/watchlist/', token => $A, json => { movie => $m1 });
is $r->{status}, 201, 'POST {movie}: 201';
my $e1 = $r->{json}{id};
like $r->{headers}{location}, qr{/api/watchlist/$e1/$}, 'Location names the entry';
is $r->{json}{note}, '', 'no note';
is $r->{json}{priority}, 'medium', 'medium priority by default';
is $r->{json}{watched}, JSON::PP::false, 'not watched';
is $r->{json}{watched_at}, undef, 'so no watched_at';
is $r->{json}{movie}{id}, $m1, 'the movie';
like $r->{json}{added_at}, qr/Z$/, 'added_at in UTC';
$r = $s->post('/api/watchlist/', token => $A, json => { tmdb_id => 643, note => 'Odessa steps', priority => 'high' });
is $r->{status}, 201, 'POST {tmdb_id, note, priority}: 201';
my $e2 = $r->{json}{id};
is $r->{json}{note}, 'Odessa steps', 'the note';
is $r->{json}{priority}, 'high', 'the priority';
$r = $s->post('/api/watchlist/', token => $A, json => { movie => $m1, note => 'again' });
is $r->{status}, 409, 'the same movie again: 409';
is $r->{json}{id}, $e1, 'naming the entry it has';
$r = $s->post('/api/watchlist/', token => $A, json => { tmdb_id => 888001 });
is $r->{status}, 503, 'an unknown tmdb_id without a title: 503';
$r = $s->post('/api/watchlist/', token => $A, json => { tmdb_id => 888001, title => 'Intolerance', priority => 'low' });
is $r->{status}, 201, 'with a title: made (provisional) and added';
my $e3 = $r->{json}{id};
is $s->get("/api/movies/$m1/")->{json}{statistics}{watchlist_count}, 1, 'the movie counts it';
my $b1 = $s->post('/api/watchlist/', token => $B, json => { movie => $m1 })->{json}{id};
ok $b1, "bob's own entry for the same movie";

# ---- an add that meets an entry committed after it began: 409, not 503 ----
# A transaction holds a new entry uncommitted; four adds of the same movie
# start meanwhile and wait on it.  Their statement's snapshot predates the
# commit, so it cannot see the entry it conflicted with, yet each must
# answer 409 naming it.
my $held = $s->movie($admin, title => 'Held');
my $hold = $s->hold("INSERT INTO watchlist (user_id, movie_id) VALUES ($alice->{id}, $held)");
my $bg = $s->in_background(map { sub {
    my $r = $s->post('/api/watchlist/', token => $A, json => { movie => $held });
    "$r->{status}:" . ($r->{json}{id} // '') } } 1 .. 4);
wait_until { $s->lock_waiters >= 4 } what => 'the four adds to wait on the held entry';
$hold->release;
my @got = $bg->results;
my $held_id = $s->psql("SELECT id FROM watchlist WHERE user_id = $alice->{id} AND movie_id = $held");
is_deeply \@got, [ ("409:$held_id") x 4 ], 'four adds during a commit: 409 naming the entry';
$s->psql("DELETE FROM watchlist WHERE id = $held_id");

# ---- bad input ----
for my $case ([{}, 'movie', 'no movie'],
              [{ movie => $m3, priority => 'urgent' }, 'priority', 'an unknown priority'],
              [{ movie => $m3, priority => 3 }, 'priority', 'a priority that is a number'],
              [{ movie => $m3, note => 'x' x 1001 }, 'note', 'a note of 1001 characters'],
              [{ movie => $m3, note => 5 }, 'note', 'a note that is a number'],
              [{ movie => $m3, watched => JSON::PP::true }, 'watched', 'watched on POST'],
              [{ movie => 'x' }, 'movie', 'a movie that is a string'],
              [{ movie => $m3, tmdb_id => 1405 }, 'tmdb_id', 'both movie and tmdb_id']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/watchlist/', token => $A, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->post('/api/watchlist/', token => $A, json => { movie => 999999 })->{status}, 404, 'an unknown movie: 404';
# json-c reads an integer beyond int64 as INT64_MAX: not a movie id that
# is merely unknown (404), but one out of range (400)
$r = $s->post('/api/watchlist/', token => $A, body => '{"movie": 99999999999999999999999}',
              headers => { 'Content-Type' => 'application/json' });
is $r->{status}, 400, 'a movie id beyond int64: 400';
ok $r->{json}{errors}{movie}, 'naming movie' or diag $r->{content};
is $s->post('/api/watchlist/', token => $A, body => '{"movie": 9223372036854775807}',
            headers => { 'Content-Type' => 'application/json' })->{status}, 404, 'the largest int64: 404';
is $s->post('/api/watchlist/', token => $A, body => '{',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->post('/api/watchlist/', token => $A, json => { note => 'x' x 70000 })->{status}, 413, 'a huge body: 413';

# ---- listing ----
sub ids { [ map { $_->{id} } @{ $_[0]{json}{results} } ] }
$r = $s->get('/api/watchlist/', token => $A);
is $r->{status}, 200, 'GET: 200';
is $r->{json}{count}, 3, "alice's three";
is_deeply ids($r), [ $e3, $e2, $e1 ], 'newest first';
is_deeply ids($s->get('/api/watchlist/?ordering=-priority', token => $A)), [ $e2, $e1, $e3 ], 'by priority, high first';
is_deeply ids($s->get('/api/watchlist/?ordering=priority', token => $A)), [ $e3, $e1, $e2 ], 'low first';
is_deeply ids($s->get('/api/watchlist/?ordering=title', token => $A)), [ $e2, $e3, $e1 ], 'by title';
is_deeply ids($s->get('/api/watchlist/?priority=high', token => $A)), [$e2], 'priority=high';
is_deeply ids($s->get('/api/watchlist/?page_size=2&page=2', token => $A)), [$e1], 'paginated';
is $s->get('/api/watchlist/?page=3&page_size=2', token => $A)->{status}, 404, 'past the end: 404';
is $s->get('/api/watchlist/', token => $B)->{json}{count}, 1, 'bob sees his own only';
for my $q ('ordering=rating', 'priority=urgent', 'watched=yes', 'sort=1', 'page=x') {
    is $s->get("/api/watchlist/?$q", token => $A)->{status}, 400, "$q: 400";
}

# ---- changing: PATCH, PUT, watched ----
$r = $s->patch("/api/watchlist/$e1/", token => $A, json => { note => 'Buster Keaton' });
is $r->{status}, 200, 'PATCH note: 200';
is $r->{json}{note}, 'Buster Keaton', 'changed';
is $r->{json}{priority}, 'medium', 'the rest stays';
$r = $s->patch("/api/watchlist/$e1/", token => $A, json => { watched => JSON::PP::true });
is $r->{json}{watched}, JSON::PP::true, 'marked watched';
like $r->{json}{watched_at}, qr/Z$/, 'with when';
my $when = $r->{json}{watched_at};
$r = $s->patch("/api/watchlist/$e1/", token => $A, json => { watched => JSON::PP::true, priority => 'low' });
is $r->{json}{watched_at}, $when, 'marking it again keeps the time';
is $s->psql("SELECT count(*) FROM watch_history WHERE user_id = $alice->{id} AND movie_id = $m1"), 1,
    'one history entry for one watching';
my @st = $s->in_parallel(map { sub { $s->patch("/api/watchlist/$e2/", token => $A,
                                                json => { watched => JSON::PP::true })->{status} } } 1 .. 4);
is_deeply \@st, [ 200, 200, 200, 200 ], 'four parallel marks';
is $s->psql("SELECT count(*) FROM watch_history WHERE user_id = $alice->{id} AND movie_id = $m2"), 1,
    'record one watching';
is_deeply ids($s->get('/api/watchlist/?watched=true&ordering=title', token => $A)), [ $e2, $e1 ], 'watched=true';
is_deeply ids($s->get('/api/watchlist/?watched=false', token => $A)), [$e3], 'watched=false';
$r = $s->put("/api/watchlist/$e1/", token => $A, json => { note => 'rewatch' });
is $r->{status}, 200, 'PUT: 200';
is $r->{json}{note}, 'rewatch', 'sets what it gives';
is $r->{json}{priority}, 'medium', 'resets the priority';
is $r->{json}{watched}, JSON::PP::false, 'and watched';
is $r->{json}{watched_at}, undef, 'and when';
for my $case ([{ priority => 'urgent' }, 'priority'], [{ watched => 'yes' }, 'watched'],
              [{ note => undef }, 'note'], [{ note => 'x' x 1001 }, 'note'],
              [{ movie => $m2 }, 'movie'], [{ id => 5 }, 'id'], [{ colour => 1 }, 'colour']) {
    my ($body, $field) = @$case;
    $r = $s->patch("/api/watchlist/$e1/", token => $A, json => $body);
    is $r->{status}, 400, "PATCH with a bad $field: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}

# ---- another user's entry: 404 for everything ----
is $s->patch("/api/watchlist/$e1/", token => $B, json => { note => 'mine now' })->{status}, 404,
    "bob cannot PATCH alice's entry";
is $s->put("/api/watchlist/$e1/", token => $B, json => { note => 'mine now' })->{status}, 404,
    'nor PUT it';
is $s->delete("/api/watchlist/$e1/", token => $B)->{status}, 404, 'nor DELETE it';
is $s->get('/api/watchlist/', token => $A)->{json}{results}[2]{note}, 'rewatch', 'it is untouched';
is $s->patch('/api/watchlist/99999999/', token => $A, json => {})->{status}, 404, 'an unknown entry: 404';

# ---- removing ----
is $s->delete("/api/watchlist/$e1/", token => $A)->{status}, 204, 'DELETE: 204';
is $s->delete("/api/watchlist/$e1", token => $A)->{status}, 404, 'again: 404';
is $s->get("/api/movies/$m1/")->{json}{statistics}{watchlist_count}, 1, "bob's entry still counts";
is $s->delete("/api/watchlist/$b1/", token => $B)->{status}, 204, 'bob removes his';
is $s->get("/api/movies/$m1/")->{json}{statistics}{watchlist_count}, 0, 'the count follows';
is $s->psql('SELECT count(*) FROM movie_stats m WHERE watchlist_count <>
    (SELECT count(*) FROM watchlist w WHERE w.movie_id = m.movie_id)'), 0, 'every watchlist_count is exact';
is $s->psql("SELECT string_agg(verb, ',' ORDER BY id) FROM activity WHERE user_id = $alice->{id}
    AND movie_id = $m1"), 'watchlist_added,watched,watchlist_removed', 'the activity log has each';

$s->finish;
done_testing;

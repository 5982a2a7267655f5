# Analytics events: what each action writes (in its own transaction, by
# whoever), views and searches, POST /api/events/ (fixed kinds and fields,
# batches of 100, the user from the token only, anonymous clients by their
# random id, rate-limited), no address or user agent anywhere, and an
# erasure taking a user's events and rollup rows with it;
# GET /api/users/me/stats/.
use strict;
use warnings;
use POSIX ();
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(extra_config => "[analytics]\nevents_per_minute = 20\n");
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my $A = $alice->{access};
my $heat = $s->movie($admin, title => 'Heat', release_date => '1995-12-15', runtime => 170,
                     genres => ['crime', 'drama']);
my $ronin = $s->movie($admin, title => 'Ronin', release_date => '1998-09-25', runtime => 122,
                      genres => ['action']);

sub events {
    my ($where) = @_;
    return $s->psql("SELECT coalesce(string_agg(kind || ':' || coalesce(user_id::text, '-') || ':'
                     || coalesce(movie_id::text, '-'), ' ' ORDER BY at, kind), '') FROM events WHERE $where");
}

# ---- what actions write ----
like events("user_id = $alice->{id}"), qr/^sign_up:$alice->{id}:- sign_in:$alice->{id}:-$/,
    'registering and logging in: sign_up and sign_in';
$s->post('/api/users/favorites/', token => $A, json => { movie => $heat });
$s->delete("/api/users/favorites/$heat/", token => $A);
$s->post('/api/movies/rate/', token => $A, json => { movie => $ronin, rating => 4 });
$s->post('/api/watchlist/', token => $A, json => { movie => $heat });
$s->post("/api/movies/$heat/reviews/", token => $A, json => { body => 'Tense.', rating => 4.5 });
$s->post('/api/users/bob/follow/', token => $A);
is events("user_id = $alice->{id} AND kind NOT IN ('sign_up', 'sign_in')"),
    "favorite:$alice->{id}:$heat unfavorite:$alice->{id}:$heat rating:$alice->{id}:$ronin "
    . "watchlist_add:$alice->{id}:$heat review:$alice->{id}:$heat follow:$alice->{id}:-",
    'favorite, unfavorite, rating, watchlist, review, follow: each an event of its own';
is $s->psql("SELECT value FROM events WHERE kind = 'rating'"), '4.0', 'a rating with its stars';

# a write that fails writes no event (one transaction)
my $before = $s->psql('SELECT count(*) FROM events');
is $s->post('/api/movies/rate/', token => $A, json => { movie => 999999, rating => 4 })->{status}, 404,
    'rating no movie';
is $s->psql('SELECT count(*) FROM events'), $before, 'is no event';

# ---- views and searches ----
# (written by the worker after its answer: a moment later)
sub settled {
    my ($where, $n) = @_;
    Marquee::Stack::poll(30, sub { $s->psql("SELECT count(*) FROM events WHERE $where") >= $n });
    return events($where);
}
$s->get("/api/movies/$heat/") for 1 .. 2;    # the second from the cache
$s->get("/api/movies/$heat/", token => $bob->{access});
$s->get('/api/movies/999999/');
is settled("kind = 'movie_view'", 3), "movie_view:-:$heat movie_view:-:$heat movie_view:$bob->{id}:$heat",
    'each view of a movie, cached or not, anonymous or not; none of a movie that is not';
$s->get('/api/movies/?q=heat&year=1995') for 1 .. 2;
$s->get('/api/movies/?title=zzzz', token => $A);
settled("kind = 'search'", 3);
is $s->psql(q{SELECT string_agg(coalesce(user_id::text, '-') || ' ' || (data->>'q') || ' '
              || (data->>'results') || ' ' || coalesce(data->'filters'->>'year', '-'), ', ' ORDER BY at)
              FROM events WHERE kind = 'search'}),
    "- heat 1 1995, - heat 1 1995, $alice->{id} zzzz 0 -",
    'each search, with its filters and how many it found (from the cache too)';

# under load a worker writes views in batches (at 64, after a second, or
# when nothing else waits for it): every one arrives, none twice
my $views = sub { $s->psql(qq{SELECT count(*) FROM events WHERE kind = 'movie_view' AND movie_id = $ronin}) };
my @kids = map {
    my $pid = fork // die "fork: $!";
    unless ($pid) { $s->get("/api/movies/$ronin/") for 1 .. 40; POSIX::_exit(0) }
    $pid
} 1 .. 5;
waitpid $_, 0 for @kids;
Marquee::Stack::poll(30, sub { $views->() >= 200 });
is $views->(), 200, '200 views from 5 clients at once: all 200 written';

# [analytics] browsing = off: no view, search or impression, while actions
# are still recorded.  A reload retires the workers, each writing its queue
# as it leaves: once the old ones are gone, nothing of theirs is to come.
my $looked = sub {
    $s->psql(q{SELECT count(*) FROM events WHERE kind IN ('movie_view', 'search', 'rec_impression')}) };
my $config = "[analytics]\nevents_per_minute = 20\n";
ok $s->reload_pool(extra_config => $config . "browsing = off\n"), 'browsing = off';
my $seen = $looked->();
$s->get("/api/movies/$ronin/");
$s->get("/api/movies/$heat/", token => $A);
$s->get('/api/movies/?q=ronin');
my $page = $s->get('/api/movies/recommended/');
ok $page->{status} == 200 && @{ $page->{json}{results} }, 'a page of recommendations';
$s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => $heat, rating => 3 });
ok $s->reload_pool(extra_config => $config), 'browsing on again';
is $looked->(), $seen, 'with browsing off: no view, search or impression recorded';
is events("user_id = $bob->{id} AND kind = 'rating'"), "rating:$bob->{id}:$heat", 'but the rating';
$s->get('/api/movies/recommended/');
Marquee::Stack::poll(30, sub { $looked->() > $seen });
is $looked->(), $seen + @{ $page->{json}{results} }, 'on again: a page\'s impressions are';

# ---- POST /api/events/ ----
my $client = '0f8fad5b-d9cb-469f-a165-70867728950e';
my $r = $s->post('/api/events/', json => { client_id => $client, events => [
    { kind => 'trailer_play', movie => $heat, seconds => 95 },
    { kind => 'rec_impression', movie => $ronin, reason => 'similar', position => 2 },
    { kind => 'rec_click', movie => $ronin, reason => 'similar' },
    { kind => 'share_click', channel => 'copy_link' },
    { kind => 'trailer_play', movie => 999999 } ] });
is $r->{status}, 202, 'an anonymous client sends a batch';
is $r->{json}{accepted}, 4, 'what is of a movie that exists is taken';
is $s->psql(qq{SELECT string_agg(kind || ' ' || coalesce(movie_id::text, '-') || ' ' || coalesce(value::text, '-')
               || ' ' || coalesce(data::text, '-'), ', ' ORDER BY kind) FROM events WHERE client_id = '$client'}),
    qq{rec_click $ronin - {"reason": "similar"}, rec_impression $ronin - {"reason": "similar", "position": 2}, }
    . qq{share_click - - {"channel": "copy_link"}, trailer_play $heat 95 {}},
    'by its client id, with the fields of each kind in their place';
is $s->psql("SELECT count(*) FROM events WHERE client_id = '$client' AND user_id IS NOT NULL"), 0,
    'and no user';

$r = $s->post('/api/events/', token => $bob->{access},
              json => { events => [ { kind => 'rec_click', movie => $heat, reason => 'trending' } ] });
is $r->{status}, 202, 'a signed-in user sends one';
is $s->psql(q{SELECT user_id FROM events WHERE kind = 'rec_click' AND data->>'reason' = 'trending'}),
    $bob->{id}, 'it is theirs, by their token';

sub refused {
    my ($body, $field, $what, %o) = @_;
    my $r = $s->post('/api/events/', json => $body, %o);
    is $r->{status}, $o{status} // 400, "$what: " . ($o{status} // 400);
    ok exists $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
my $count = $s->psql('SELECT count(*) FROM events');
my $C = $bob->{access};
refused({ events => [ { kind => 'rec_click', movie => $heat, reason => 'x' } ] }, 'client_id',
        'anonymous without a client id');
refused({ client_id => 'not-a-uuid', events => [] }, 'client_id', 'a client id that is no UUID');
refused({ client_id => $client, events => [] }, 'client_id', 'a client id with a token', token => $C);
refused({ events => [ { kind => 'purchase', movie => $heat } ] }, 'events[0].kind', 'an unknown kind',
        token => $C);
refused({ events => [ { kind => 'sign_up' } ] }, 'events[0].kind', 'a kind only the server writes',
        token => $C);
refused({ events => [ { kind => 'rec_click', movie => $heat, reason => 'a' },
                      { kind => 'rec_click', movie => $heat, reason => 'a', user_id => $alice->{id} } ] },
        'events[1].user_id', 'a user id forged into an event', token => $C);
refused({ events => [ { kind => 'rec_click', movie => $heat } ] }, 'events[0].reason', 'a field missing',
        token => $C);
refused({ events => [ { kind => 'trailer_play', movie => $heat, seconds => -1 } ] }, 'events[0].seconds',
        'a value out of range', token => $C);
refused({ events => [ { kind => 'rec_click', movie => "$heat", reason => 'a' } ] }, 'events[0].movie',
        'a movie that is a string', token => $C);
refused({ events => [ map { { kind => 'share_click' } } 1 .. 101 ] }, 'events', 'a batch of 101',
        status => 413, token => $C);
$r = $s->post('/api/events/', token => $C, json => { user_id => $alice->{id}, events => [] });
is $r->{status}, 400, 'a user id beside the events: 400';
is $s->post('/api/events/', token => $s->forged_token($alice, 600, { sub => "$bob->{id}" }),
            json => { events => [] })->{status}, 401, 'a token forged for another user: 401';
is $s->psql('SELECT count(*) FROM events'), $count, 'none of these wrote anything';

# the limit: 20 batches a minute per client id or user (refused ones
# count too)
my $other = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
my @st = map { $s->post('/api/events/', json => { client_id => $other, events => [] })->{status} } 1 .. 21;
is_deeply [ @st[0, 19, 20] ], [ 202, 202, 429 ], 'a 21st batch in a minute from one client: 429';
$r = $s->post('/api/events/', json => { client_id => $other, events => [] });
ok $r->{headers}{'retry-after'}, 'with Retry-After';
is $s->post('/api/events/', json => { client_id => $client, events => [] })->{status}, 202,
    'another client id is counted apart';

# ---- privacy ----
is $s->psql(q{SELECT count(*) FROM events e WHERE to_jsonb(e)::text ~ '127\.0\.0\.|HTTP|Mozilla|Tiny'}), 0,
    'no address or user agent in any event';
is $s->psql(q{SELECT count(*) FROM information_schema.columns WHERE table_name ~ '^(events|analytics_)'
              AND column_name ~ 'addr|agent|ip'}), 0, 'nor a column for one';

# ---- GET /api/users/me/stats/ ----
$s->post('/api/users/me/history/', token => $A, json => { movie => $heat });
$s->post('/api/users/me/history/', token => $A, json => { movie => $ronin });
$r = $s->get('/api/users/me/stats/', token => $A);
is $r->{status}, 200, 'a user\'s statistics';
is $r->{json}{watched}, 2, 'films watched';
is $r->{json}{rated}, 1, 'films rated';
is $r->{json}{hours_watched}, 4.9, 'hours watched (170 + 122 minutes)';
is_deeply $r->{json}{months}[-1], { month => $s->psql(q{SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')}),
                                    watched => 2, rated => 1 }, 'this month';
is scalar @{ $r->{json}{months} }, 12, 'and the eleven before it';
is_deeply [ map { $_->{slug} } @{ $r->{json}{favorite_genres} } ], [ 'action', 'crime', 'drama' ],
    'favourite genres';
is_deeply [ map { $_->{count} } grep { $_->{rating} == 4 } @{ $r->{json}{rating_histogram} } ], [1],
    'the rating histogram';
is scalar @{ $r->{json}{rating_histogram} }, 10, 'half stars to five';
is $s->get('/api/users/me/stats/')->{status}, 401, 'anonymous: 401';
is $s->get('/api/users/me/stats/?year=2020', token => $A)->{status}, 400, 'an unknown parameter: 400';

# ---- erasure ----
$s->psql("INSERT INTO events (at, kind, user_id) VALUES (now() - interval '2 days', 'sign_in', $alice->{id})");
my ($rc, $out) = $s->marquee('analytics', 'rollup');
is $rc, 0, 'rolled up' or diag $out;
ok $s->psql("SELECT count(*) FROM analytics_users WHERE user_id = $alice->{id}") > 0, 'alice is in the rollups';
is $s->delete("/api/admin/users/$alice->{id}/", token => $admin->{access})->{status}, 204, 'alice is erased';
is $s->psql("SELECT count(*) FROM events WHERE user_id = $alice->{id}"), 0, 'her events are gone';
is $s->psql("SELECT count(*) FROM analytics_users WHERE user_id = $alice->{id}")
   + $s->psql("SELECT count(*) FROM analytics_signups WHERE user_id = $alice->{id}"), 0,
    'and her rows of the rollups';
is $s->psql(qq{SELECT count(*) FROM events WHERE kind IN ('unfavorite', 'rating_removed', 'watchlist_remove')
               AND at > now() - interval '1 minute' AND user_id IS NULL}), 0,
    'the collections the erasure empties are no events of anybody';
ok $s->psql("SELECT count(*) FROM events WHERE user_id = $bob->{id}") > 0, 'bob\'s stay';

$s->finish;
done_testing;

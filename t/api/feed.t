# GET /api/feed/: what the people one follows did, newest first, only what
# is public (never a private list's items, another user's provisional
# movie, a user one blocks); pages by cursor that stay put while new
# activity arrives; the plan reads each followed user's index range, never
# the whole table; bad input.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;
use Marquee::Plans;

my $s = Marquee::Stack->start(pg_options => Marquee::Plans::AUTO_EXPLAIN(no_seqscan => 1));
my $admin = $s->admin;
my ($alice, $bob, $carol, $dave) = map { $s->user($_) } qw(alice bob carol dave);
my @m = map { $s->movie($admin, title => "Film $_", release_date => "199$_-01-01") } 0 .. 5;
my $A = $alice->{access};

sub feed {
    my ($query, %o) = @_;
    my $r = $s->get('/api/feed/' . ($query // ''), token => $o{token} // $A);
    is $r->{status}, 200, "GET /api/feed/" . ($query // '') . ' answers' unless $o{quiet};
    return $r->{json};
}
sub said { join ' | ', map { event($_) } @{ $_[0]{results} } }
sub event {
    my ($e) = @_;
    my $what = $e->{movie} ? $e->{movie}{title} : $e->{list} ? $e->{list}{name} : $e->{user}{username};
    $what .= " in $e->{list}{name}" if $e->{verb} eq 'list_item_added';
    $what .= " $e->{rating}" if defined $e->{rating};
    return "$e->{actor}{username} $e->{verb} $what";
}

is_deeply feed()->{results}, [], 'a user who follows nobody has an empty feed';
$s->post("/api/users/$_/follow/", token => $A) for qw(bob carol);

# bob does all a follower sees
$s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => $m[0], rating => 4 });
$s->post("/api/movies/$m[1]/reviews/", token => $bob->{access}, json => { body => 'Slow & <b>brilliant</b>', rating => 5 });
$s->post('/api/users/favorites/', token => $bob->{access}, json => { movie => $m[2] });
my $public = $s->post('/api/lists/', token => $bob->{access},
                      json => { name => 'Best of the 90s', is_public => JSON::PP::true })->{json}{id};
$s->post("/api/lists/$public/items/", token => $bob->{access}, json => { movie => $m[3] });
my $private = $s->post('/api/lists/', token => $bob->{access}, json => { name => 'Guilty' })->{json}{id};
$s->post("/api/lists/$private/items/", token => $bob->{access}, json => { movie => $m[4] });
$s->post('/api/users/dave/follow/', token => $bob->{access});
# and what nobody else sees
$s->post('/api/watchlist/', token => $bob->{access}, json => { movie => $m[5] });
$s->post('/api/users/me/history/', token => $bob->{access}, json => { movie => $m[5] });

my $f = feed();
is said($f), 'bob followed dave | bob list_item_added Film 3 in Best of the 90s | bob list_created Best of the 90s'
    . ' | bob favorited Film 2 | bob reviewed Film 1 5 | bob rated Film 0 4',
    'ratings, reviews, favorites, public lists and their items, follows: newest first';
my ($review) = grep { $_->{verb} eq 'reviewed' } @{ $f->{results} };
is $review->{review}{excerpt}, 'Slow & <b>brilliant</b>', 'a review comes with its text';
is $review->{actor}{username}, 'bob', 'and its author';
ok exists $review->{movie}{poster_url}, 'a movie with its poster';
is $f->{next}, undef, 'one page';
unlike said($f), qr/Guilty|Film 4|Film 5/, 'never a private list, the watchlist or the history';
is_deeply feed(undef, token => $bob->{access})->{results}, [], 'one\'s own actions are not in one\'s feed';

# undone and hidden
$s->delete("/api/movies/$m[0]/rating/", token => $bob->{access});
unlike said(feed()), qr/rated Film 0/, 'a rating removed leaves the feed';
$s->put("/api/lists/$public/", token => $bob->{access}, json => { name => 'Best of the 90s', is_public => JSON::PP::false });
unlike said(feed()), qr/Best of the 90s/, 'a list made private leaves it, items and all';
$s->put("/api/lists/$public/", token => $bob->{access}, json => { name => 'Best of the 90s', is_public => JSON::PP::true });
like said(feed()), qr/list_item_added Film 3/, 'and comes back when made public again';
$s->post("/api/lists/$private/items/", token => $bob->{access}, json => { movie => $m[0] });
unlike said(feed()), qr/Guilty/, 'an item added to a private list never shows';
$s->put("/api/lists/$private/", token => $bob->{access}, json => { name => 'Guilty', is_public => JSON::PP::true });
like said(feed()), qr/bob list_created Guilty/, 'a list made public is news';

# another user's provisional movie never shows, written or not
my $secret = 0 + $s->psql(qq{WITH m AS (INSERT INTO movies (title, original_title, provisional_by)
                             VALUES ('Secret <script>', 'Secret', $carol->{id}) RETURNING id)
                             SELECT id FROM m});
is $s->post('/api/users/favorites/', token => $carol->{access}, json => { movie => $secret })->{status}, 201,
    'carol favorites her own provisional movie';
unlike said(feed()), qr/Secret/, 'which is not in alice\'s feed';
$s->psql(qq{INSERT INTO feed_events (actor_id, verb, movie_id) VALUES ($carol->{id}, 'favorited', $secret)});
unlike said(feed()), qr/Secret/, 'not even when an event of it is there';
$s->psql("UPDATE movies SET provisional_by = NULL WHERE id = $secret");
like said(feed()), qr/carol favorited Secret/, 'once confirmed, it is';

# blocks
$s->post('/api/users/dave/block/', token => $A);
unlike said(feed()), qr/followed dave/, 'nothing about a user alice blocks';
$s->post('/api/users/alice/block/', token => $carol->{access});
unlike said(feed()), qr/carol/, 'nor from a user who blocks alice (the follow ended)';
$s->delete('/api/users/dave/block/', token => $A);
$s->delete('/api/users/alice/block/', token => $carol->{access});

# ---- cursors ----
$s->post('/api/users/carol/follow/', token => $A);
for my $i (0 .. 5) {
    $s->post('/api/movies/rate/', token => ($i % 2 ? $carol : $bob)->{access},
             json => { movie => $m[$i], rating => 1 + $i * 0.5 });
}
my @all = @{ feed('?page_size=100')->{results} };
my (@pages, $next, $page);
$page = feed('?page_size=4');
push @pages, @{ $page->{results} };
like $page->{next}, qr{/api/feed/\?before=[A-Za-z0-9_-]+&page_size=4$}, 'a next link with a cursor';
# new activity while paging: it goes on top, and the next page goes on where this one stopped
$s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => $m[5], rating => 0.5 });
$s->post('/api/users/favorites/', token => $carol->{access}, json => { movie => $m[1] });
while (($next = $page->{next})) {
    (my $q = $next) =~ s{^.*/api/feed/}{};
    $page = feed($q);
    push @pages, @{ $page->{results} };
}
is_deeply [ map { $_->{id} } @pages ], [ map { $_->{id} } @all ],
    'the pages, followed to the end, are the feed as it was: nothing twice, nothing skipped';
is event(feed('?page_size=1')->{results}[0]), 'carol favorited Film 1', 'the new activity is on top';
my $r = $s->get('/api/feed/?before=bm9wZQ', token => $A);
is $r->{status}, 400, 'a made-up cursor is a 400';
ok $r->{json}{errors}{before}, 'naming before';
is $s->get('/api/feed/?page=2', token => $A)->{status}, 400, 'page is not a parameter of the feed';
is $s->get('/api/feed/?page_size=0', token => $A)->{status}, 400, 'nor is page_size 0';
is $s->get('/api/feed/')->{status}, 401, 'the feed needs a token';
is $s->get('/api/feed/', token => $s->expired_token($alice))->{status}, 401, 'a live one';

# ---- fan-out on read: a review by a user with many followers is one row ----
$s->psql(qq{INSERT INTO users (username, email) SELECT 'follower' || g, 'follower' || g || '\@example.test'
            FROM generate_series(1, 300) g});
$s->psql(qq{INSERT INTO follows (follower_id, followee_id)
            SELECT id, $dave->{id} FROM users WHERE username LIKE 'follower%'});
cmp_ok $s->get('/api/users/dave/')->{json}{followers_count}, '>', 300, 'dave has over 300 followers';
my $events = $s->psql('SELECT count(*) FROM feed_events');
$s->post("/api/movies/$m[3]/reviews/", token => $dave->{access}, json => { body => 'For my 300 followers' });
is $s->psql('SELECT count(*) FROM feed_events'), $events + 1, 'his review writes one feed event, not 300';
$s->post('/api/users/dave/follow/', token => $A);
like said(feed('?page_size=1')), qr/^dave reviewed Film 3$/, 'which his followers read';

# ---- the plan: each followed user's newest rows, by index ----
$s->psql('VACUUM ANALYZE feed_events');
my $mark = Marquee::Plans::mark($s);
feed('?page_size=20');
my @plans = grep { $_->{query} =~ /\bfeed_events\b/ } Marquee::Plans::since($s, $mark);
ok @plans, 'the feed\'s statement was logged';
for my $p (@plans) {
    my @paths = Marquee::Plans::access_paths($p);
    ok !(grep { /^Seq Scan feed_events$/ } @paths), 'no full scan of feed_events' or diag join ', ', @paths;
    ok((grep { /feed_events_actor/ } @paths), 'each followed user\'s rows by feed_events_actor')
        or diag join ', ', @paths;
}

$s->finish;
done_testing;

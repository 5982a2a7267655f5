# Regression (issue 12, finding 1): catalog squatting.  A movie made of a
# user's own details, for a TMDb id TMDb could not be asked about, was a
# permanent public movie ("Fight Club (FREE STREAM at evil.example)" in
# every list and search).  Now it is provisional: its maker sees it, in
# their collections and its detail, and administrators do; nobody else,
# anywhere, until TMDb confirms it or an administrator approves it.  Only
# users whose address is confirmed make one, at most [tmdb]
# provisional_max.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Marquee::Stack;

my $s = Marquee::Stack->start(extra_config => "[tmdb]\nprovisional_max = 2\n");
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my $mallory = $s->user('mallory');
$s->psql("UPDATE users SET email_verified_at = now() WHERE username IN ('alice', 'bob')");
my ($A, $B, $R) = ($alice->{access}, $bob->{access}, $admin->{access});

my $horror = $s->movie($admin, title => 'Nosferatu', tmdb_id => 653, genres => ['horror'],
                       overview => 'A vampire.');
my ($horror_genre) = map { $_->{id} } grep { $_->{slug} eq 'horror' }
    @{ $s->get('/api/genres/?page_size=100')->{json}{results} };
my $spam = 'Fight Club (FREE STREAM at evil.example)';
my %squat = (tmdb_id => 550, title => $spam, overview => 'Watch free at evil.example',
             poster_path => '/evil.jpg');
my $all_before = $s->psql(q{SELECT n FROM movie_counts WHERE dimension = 'all'});

# ---- made, and its maker sees it ----
my $r = $s->post('/api/users/favorites/', token => $A, json => \%squat);
is $r->{status}, 201, 'TMDb not configured: alice\'s details make the movie';
is $r->{json}{movie}{title}, $spam, 'as she wrote it, for her';
my $m = $r->{json}{movie}{id};
is $s->get("/api/movies/$m/", token => $A)->{json}{provisional}, JSON::PP::true,
    'her detail of it says it is provisional';
is $s->get("/api/movies/$m/", token => $A)->{json}{title}, $spam, 'asked twice (once from the cache?)';
is $s->get("/api/movies/$m/", token => $R)->{status}, 200, 'an administrator sees it';
is scalar(grep { $_->{movie}{id} == $m } @{ $s->get('/api/users/favorites/', token => $A)->{json}{results} }),
    1, 'it is among her favorites';
is $s->post('/api/watchlist/', token => $A, json => { movie => $m })->{status}, 201, 'her watchlist takes it';
is $s->put("/api/movies/$m/rating/", token => $A, json => { rating => 4 })->{status}, 201, 'she rates it';
is $s->post('/api/users/me/history/', token => $A, json => { movie => $m })->{status}, 201, 'her history';
my $list = $s->post('/api/lists/', token => $A, json => { name => 'Mine', is_public => JSON::PP::true })->{json}{id};
is $s->post("/api/lists/$list/items/", token => $A, json => { movie => $horror })->{status}, 201,
    'her public list has a public movie';
is $s->post("/api/lists/$list/items/", token => $A, json => { movie => $m })->{status}, 201, 'and hers';
is $s->get("/api/lists/$list/", token => $A)->{json}{items_count}, 2, 'she sees both';

# ---- nobody else does ----
for my $who ([ anonymous => undef ], [ bob => $B ]) {
    my ($name, $token) = @$who;
    my $d = $s->get("/api/movies/$m/", token => $token);
    is $d->{status}, 404, "$name: its detail is 404";
    is $d->{json}{detail}, "No movie with id $m.", "$name: as if there were none";
    for my $path ("/api/movies/$m/similar/", "/api/movies/$m/ratings/", "/api/movies/$m/reviews/",
                  "/api/movies/$m/comments/", "/api/movies/$m/recommendations/") {
        is $s->get($path, token => $token)->{status}, 404, "$name: $path is 404";
    }
    my $l = $s->get("/api/lists/$list/", token => $token)->{json};
    is $l->{items_count}, 1, "$name: alice's public list counts the public movie alone";
    is_deeply [ map { $_->{movie}{id} } @{ $l->{items}{results} } ], [ $horror ], "$name: and shows it alone";
    my ($mine) = grep { $_->{id} == $list } @{ $s->get('/api/lists/?username=alice', token => $token)->{json}{results} };
    is $mine->{items_count}, 1, "$name: so does the index of lists";
}
for my $path ('/api/movies/', '/api/movies/?tmdb_id=550', '/api/movies/?title=evil',
              '/api/movies/?q=stream', '/api/movies/?q=evil.example', '/api/movies/recent/',
              '/api/movies/?ordering=-created_at', '/api/movies/trending/',
              "/api/movies/$horror/similar/", '/api/movies/recommended/?page_size=100',
              "/api/movies/$horror/recommendations/") {
    my $list = $s->get($path);
    is $list->{status}, 200, "$path answers";
    ok !grep({ $_->{id} == $m } @{ $list->{json}{results} }), "$path: without it";
}
# nor does a recommendation model trained now: it never learns of it
my ($trc, $tout) = $s->marquee('recs', 'train');
is $trc, 0, 'marquee recs train' or diag $tout;
is $s->psql("SELECT count(*) FROM recs_items WHERE movie_id = $m"), 0, 'the model has no row of it';
for my $path ("/api/movies/$horror/similar/", '/api/movies/recommended/?page_size=100',
              "/api/movies/$horror/recommendations/") {
    ok !grep({ $_->{id} == $m } @{ $s->get($path, token => $B)->{json}{results} }),
        "after training, $path: without it";
}
is $s->get("/api/movies/$m/similar/", token => $B)->{status}, 404, 'its similar movies: still 404';
is $s->post("/api/movies/$m/not-interested/", token => $B)->{status}, 404,
    'bob cannot mark what he cannot see';
is $s->get('/api/movies/')->{json}{count}, 1, 'the catalog counts one movie';
is $s->psql(q{SELECT n FROM movie_counts WHERE dimension = 'all'}), $all_before + 0,
    'movie_counts did not count it';
is $s->psql(q{SELECT count(*) FROM search_words WHERE word LIKE '%evil%' OR word = 'stream'}), 0,
    'q= is not corrected to its words';
is $s->get('/api/movies/?q=streem')->{json}{count}, 0, 'a near miss finds nothing either';

# its id, guessed, reaches nobody else
for my $try ([ POST => '/api/users/favorites/', { movie => $m } ],
             [ POST => '/api/watchlist/', { movie => $m } ],
             [ POST => '/api/movies/rate/', { movie => $m, rating => 1 } ],
             [ PUT => "/api/movies/$m/rating/", { rating => 1 } ],
             [ POST => '/api/users/me/history/', { movie => $m } ],
             [ POST => "/api/movies/$m/reviews/", { body => 'Free streams!' } ],
             [ POST => "/api/movies/$m/comments/", { body => 'Free streams!' } ]) {
    my ($method, $path, $body) = @$try;
    my $res = $s->request($method, $path, token => $B, json => $body);
    is $res->{status}, 404, "bob: $method $path naming it is 404";
}
my $blist = $s->post('/api/lists/', token => $B, json => { name => 'Bob\'s' })->{json}{id};
is $s->post("/api/lists/$blist/items/", token => $B, json => { movie => $m })->{status}, 404,
    'bob: his list cannot hold it';
is $s->post("/api/movies/$m/reviews/", token => $A, json => { body => 'Mine.' })->{status}, 404,
    'alice: nor are reviews written of it, which everyone reads';
$r = $s->post('/api/users/favorites/', token => $B, json => { tmdb_id => 550 });
is $r->{status}, 503, 'bob names its TMDb id: TMDb\'s answer, not alice\'s movie';
$r = $s->post('/api/users/favorites/', token => $B, json => { tmdb_id => 550, title => 'Fight Club' });
is $r->{status}, 503, 'with his own title too: the id is not his to make';
ok $r->{headers}{'retry-after'}, 'to be tried again';
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 550'), 1, 'one movie of that id';
is $s->psql("SELECT count(*) FROM favorites f JOIN users u ON u.id = f.user_id WHERE u.username = 'bob'"),
    0, 'bob has none of it';

# ---- who may make one, and how many ----
$r = $s->post('/api/users/favorites/', token => $mallory->{access}, json => { tmdb_id => 603, title => 'Mine' });
is $r->{status}, 403, 'an unconfirmed address makes none';
like $r->{json}{detail}, qr/email address is confirmed/, 'saying why';
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 603'), 0, 'and none is made';
is $s->post('/api/movies/rate/', token => $A, json => { tmdb_id => 603, title => 'The Matrix', rating => 5 })->{status},
    201, 'alice\'s second (provisional_max = 2)';
$r = $s->post('/api/watchlist/', token => $A, json => { tmdb_id => 680, title => 'Pulp Fiction' });
is $r->{status}, 403, 'her third is refused';
like $r->{json}{detail}, qr/you have 2 movies waiting/, 'saying why';
is $s->post('/api/users/favorites/', token => $A, json => \%squat)->{status}, 200,
    'one of hers again is hers (200: there already)';
my @par = $s->in_parallel(map { my $id = $_; sub {
    $s->post('/api/users/favorites/', token => $B, json => { tmdb_id => $id, title => "Film $id" })->{status}
} } 901 .. 904);
is_deeply [ sort @par ], [ 201, 201, 403, 403 ], 'four at once from bob: two made, two refused';
is $s->psql("SELECT count(*) FROM movies m JOIN users u ON u.id = m.provisional_by WHERE u.username = 'bob'"),
    2, 'bob has two';

# ---- the administrators' queue ----
$r = $s->get('/api/admin/movies/provisional/', token => $R);
is $r->{status}, 200, 'administrators list them';
is $r->{json}{count}, 4, 'all four';
is $r->{json}{results}[0]{movie}{id}, $m, 'oldest first';
is $r->{json}{results}[0]{username}, 'alice', 'with their maker';
is $r->{json}{results}[0]{user_id}, $alice->{id}, 'and the maker\'s id';
is $s->get('/api/admin/movies/provisional/?page_size=1&page=2', token => $R)->{json}{results}[0]{movie}{tmdb_id},
    603, 'in pages';
is $s->get('/api/admin/movies/provisional/', token => $A)->{status}, 403, 'not for users';
is $s->get('/api/admin/movies/provisional/')->{status}, 401, 'nor anonymously';
is $s->get('/api/admin/movies/provisional/?page=0', token => $R)->{status}, 400, 'page=0 is 400';
is $s->get('/api/admin/movies/provisional/?page=9', token => $R)->{status}, 404, 'past the end: 404';
is $s->get('/api/admin/movies/provisional/?user=1', token => $R)->{status}, 400, 'an unknown parameter: 400';

# ---- an administrator approves ----
is $s->post("/api/admin/movies/$m/approve/", token => $A)->{status}, 403, 'users cannot approve';
is $s->post("/api/admin/movies/$m/approve/")->{status}, 401, 'nor anonymously';
is $s->post('/api/admin/movies/999999/approve/', token => $R)->{status}, 404, 'an unknown movie: 404';
is $s->post('/api/admin/movies/abc/approve/', token => $R)->{status}, 404, 'a malformed id: 404';
is $s->get("/api/admin/movies/$m/approve/", token => $R)->{status}, 405, 'GET: 405';
is $s->patch("/api/movies/$m/", token => $R, json => { title => 'Fight Club', overview => '',
                                                       genres => ['horror'] })->{status},
    200, 'an administrator corrects it first';
is $s->get("/api/genres/$horror_genre/movies/")->{json}{count}, 1, 'still in no genre\'s list';
is $s->stale_movie_counts, 0, 'nor in the counts';
$r = $s->post("/api/admin/movies/$m/approve/", token => $R);
is $r->{status}, 200, 'then approves it';
is $r->{json}{provisional}, JSON::PP::false, 'public now';
is $s->get("/api/movies/$m/")->{json}{title}, 'Fight Club', 'anyone sees it';
is $s->get('/api/movies/')->{json}{count}, 2, 'in the catalog';
is $s->get("/api/genres/$horror_genre/movies/")->{json}{count}, 2, 'and its genre\'s list';
is $s->stale_movie_counts, 0, 'counted now';
is $s->post('/api/users/favorites/', token => $B, json => { movie => $m })->{status}, 201, 'bob may take it';
is $s->post("/api/admin/movies/$m/approve/", token => $R)->{status}, 200, 'approving it again: 200';
like $s->pool_log, qr/msg=security event=movie_approved .*movie=$m maker=$alice->{id}/, 'logged';
is $s->get('/api/admin/movies/provisional/', token => $R)->{json}{count}, 3, 'three wait';
$s->finish;

# ---- TMDb confirms ----
$s = Marquee::Stack->start(tmdb => 1);
$alice = $s->user('alice');
$bob = $s->user('bob');
$s->psql("UPDATE users SET email_verified_at = now()");
$s->tmdb_mode('500');
$r = $s->post('/api/users/favorites/', token => $alice->{access}, json => \%squat);
is $r->{status}, 201, 'TMDb failing: alice\'s details make a provisional movie';
$m = $r->{json}{movie}{id};
my $matrix = $s->post('/api/users/favorites/', token => $alice->{access},
                      json => { tmdb_id => 603, title => 'The Matrix (cam)' })->{json}{movie}{id};
ok $matrix, 'and another';
$s->tmdb_mode();
my $search;
Marquee::Stack::wait_for('TMDb again (its circuit breaker closing)', 30, sub {
    $search = $s->get('/api/tmdb/search/?query=fight');
    $search->{status} == 200 });
my ($hit) = grep { $_->{tmdb_id} == 550 } @{ $search->{json}{results} };
is $hit->{imported}, JSON::PP::false, 'TMDb\'s search: not imported while provisional';
$r = $s->post('/api/users/favorites/', token => $bob->{access}, json => { tmdb_id => 550 });
is $r->{status}, 201, 'bob names the id with TMDb back';
is $r->{json}{movie}{id}, $m, 'the same movie';
is $r->{json}{movie}{title}, 'Fight Club', 'with TMDb\'s title: TMDb confirmed it';
my $d = $s->get("/api/movies/$m/");
is $d->{status}, 200, 'public';
is $d->{json}{provisional}, JSON::PP::false, 'no longer provisional';
is $d->{json}{source}, 'tmdb', 'TMDb\'s';
is $s->get("/api/movies/$matrix/")->{status}, 404, 'the other still waits';
my ($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '0');
is $rc, 0, 'the nightly refresh runs' or diag $out;
$d = $s->get("/api/movies/$matrix/");
is $d->{status}, 200, 'and confirms it';
is $d->{json}{title}, 'The Matrix', 'with TMDb\'s data';
is $s->stale_movie_counts, 0, 'both counted';
($hit) = grep { $_->{tmdb_id} == 550 } @{ $s->get('/api/tmdb/search/?query=fight')->{json}{results} };
is $hit->{imported}, JSON::PP::true, 'TMDb\'s search: imported';
$s->finish;
done_testing;

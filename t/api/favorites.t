# Favorites: POST/GET /api/users/favorites/, DELETE /api/users/favorites/{movie_id}/,
# GET /api/favorites/ (filters, orderings), recently-added, recently-removed;
# and the movie reference of a body ({movie} or {tmdb_id}) that the
# collections share (src/catalog/movie_ref.c).
use strict;
use warnings;
use utf8;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
# (confirmed addresses: they may make provisional movies, t/api/provisional_movies.t)
$s->psql('UPDATE users SET email_verified_at = now()');
my $A = $alice->{access};

sub movie { $s->movie($admin, @_) }
my $nosferatu = movie(title => 'Nosferatu', tmdb_id => 653, release_date => '1922-03-04',
                      genres => ['horror']);
my $metropolis = movie(title => 'Metropolis', tmdb_id => 19, release_date => '1927-01-10',
                       genres => ['science-fiction', 'drama']);
my $amelie = movie(title => 'Amélie', tmdb_id => 194, release_date => '2001-04-25',
                   genres => ['comedy', 'romance']);

# ---- who may ----
is $s->post('/api/users/favorites/', json => { movie => $nosferatu })->{status}, 401, 'anonymous: 401';
my $r = $s->get('/api/favorites/', token => 'x.y.z');
is $r->{status}, 401, 'a forged token: 401';
like $r->{headers}{'www-authenticate'}, qr/^Bearer/, 'with WWW-Authenticate';
is $s->get('/api/users/favorites/')->{status}, 401, 'listing anonymously: 401';
is $s->get('/api/favorites/', token => $s->forged_token($alice, 600))->{status}, 200,
    'a token made here with the key works (so the next one fails for its age alone)';
is $s->get('/api/favorites/', token => $s->expired_token($alice))->{status}, 401, 'an expired token: 401';

# ---- adding: idempotent ----
$r = $s->get("/api/movies/$nosferatu/");
is $r->{json}{statistics}{favorites_count}, 0, 'no favorites yet (and the detail is now cached)';
$r = $s->post('/api/users/favorites/', token => $A, json => { movie => $nosferatu });
is $r->{status}, 201, 'adding {movie}: 201';
is $r->{json}{movie}{id}, $nosferatu, 'the item has the movie';
is $r->{json}{movie}{title}, 'Nosferatu', 'with its title';
like $r->{json}{added_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'and when, in UTC';
is_deeply [ map { $_->{slug} } @{ $r->{json}{movie}{genres} } ], ['horror'], 'genres named';
my $added_at = $r->{json}{added_at};
$r = $s->post('/api/users/favorites/', token => $A, json => { movie => $nosferatu });
is $r->{status}, 200, 'adding it again: 200';
is $r->{json}{added_at}, $added_at, 'the same favorite';
is $s->get("/api/movies/$nosferatu/")->{json}{statistics}{favorites_count}, 1,
    'the movie counts it once, and its cached detail was dropped';
$r = $s->post('/api/users/favorites/', token => $A, json => { tmdb_id => 19 });
is $r->{status}, 201, 'adding {tmdb_id} of a known movie: 201';
is $r->{json}{movie}{id}, $metropolis, 'that movie';
is $s->post('/api/users/favorites', token => $A, json => { tmdb_id => 19 })->{status}, 200,
    'the path without its final slash too';

# ---- tmdb_id of a movie not here ----
$r = $s->post('/api/users/favorites/', token => $A, json => { tmdb_id => 424242 });
is $r->{status}, 503, 'an unknown tmdb_id without a title, TMDb not configured: 503';
is $r->{json}{detail}, 'TMDb is not configured on this server.', 'saying why';
ok $r->{headers}{'retry-after'}, 'with Retry-After';
like $r->{headers}{'content-type'}, qr{^application/problem\+json}, 'as a problem';
$r = $s->post('/api/users/favorites/', token => $A,
              json => { tmdb_id => 424242, title => 'Häxan', overview => 'Witchcraft.',
                        poster_path => '/haxan.jpg' });
is $r->{status}, 201, 'with a title: the movie is made (provisional), 201';
is $r->{json}{movie}{title}, 'Häxan', 'from the details given';
is $r->{json}{movie}{tmdb_id}, 424242, 'with its TMDb id';
like $r->{json}{movie}{poster_url}, qr{/haxan\.jpg$}, 'and poster';
my $haxan = $r->{json}{movie}{id};
is $s->get("/api/movies/$haxan/", token => $A)->{json}{overview}, 'Witchcraft.',
    'a movie of the catalog now, for its maker';
my @st = $s->in_parallel(map { my $u = $_; sub {
    $s->post('/api/users/favorites/', token => $u->{access},
             json => { tmdb_id => 515151, title => 'Vampyr' })->{status} } } ($alice) x 4);
is_deeply [ sort @st ], [ 200, 200, 200, 201 ], 'made from four parallel requests: added once';
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 515151'), 1, 'as one movie';
is $s->post('/api/users/favorites/', token => $bob->{access},
            json => { tmdb_id => 515151, title => 'Vampyr' })->{status}, 503,
    'which is alice\'s (provisional): bob\'s answer is TMDb\'s';
$r = $s->post('/api/users/favorites/', token => $A, json => { movie => 999999 });
is $r->{status}, 404, 'an unknown movie id: 404';
ok $r->{json}{errors}{movie}, 'naming movie';

# ---- bad input ----
for my $case ([{}, 'movie', 'neither movie nor tmdb_id'],
              [{ movie => $nosferatu, tmdb_id => 653 }, 'tmdb_id', 'both'],
              [{ movie => 'one' }, 'movie', 'a movie that is a string'],
              [{ movie => 0 }, 'movie', 'a movie id of 0'],
              [{ movie => 1.5 }, 'movie', 'a fractional movie id'],
              [{ movie => undef }, 'movie', 'a null movie'],
              [{ tmdb_id => -1 }, 'tmdb_id', 'a negative tmdb_id'],
              [{ tmdb_id => 2**31 }, 'tmdb_id', 'a tmdb_id too large'],
              [{ tmdb_id => '653' }, 'tmdb_id', 'a tmdb_id that is a string'],
              [{ movie => $nosferatu, title => 'x' }, 'title', 'a title with a local movie'],
              [{ tmdb_id => 77, title => '' }, 'title', 'a blank title'],
              [{ tmdb_id => 77, title => 'x' x 301 }, 'title', 'a title too long'],
              [{ tmdb_id => 77, title => 'T', poster_path => '../x.jpg' }, 'poster_path', 'a bad poster path'],
              [{ movie => $nosferatu, note => 'x' }, 'note', 'an unknown field']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/users/favorites/', token => $A, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->post('/api/users/favorites/', token => $A, body => '{"movie": 1,',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->post('/api/users/favorites/', token => $A, body => '[1]',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'an array: 400';
is $s->post('/api/users/favorites/', token => $A, body => 'movie=1',
            headers => { 'Content-Type' => 'application/x-www-form-urlencoded' })->{status}, 415,
    'a form: 415';
is $s->post('/api/users/favorites/', token => $A, json => { title => 'x' x 70000 })->{status}, 413,
    'a huge body: 413';
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 77'), 0, 'nothing made by bad requests';

# ---- listing, filters, orderings ----
$s->post('/api/users/favorites/', token => $A, json => { movie => $amelie });
$s->psql("UPDATE favorites SET created_at = ('2026-01-0' || n || 'T12:00:00Z')::timestamptz FROM (VALUES
    ($nosferatu, 1), ($metropolis, 2), ($haxan, 3), ($amelie, 4)) v (m, n)
    WHERE user_id = $alice->{id} AND movie_id = v.m");
$s->psql("DELETE FROM favorites WHERE user_id = $alice->{id} AND movie_id IN
    (SELECT id FROM movies WHERE tmdb_id = 515151)");
sub ids { [ map { $_->{movie}{id} } @{ $_[0]{json}{results} } ] }
$r = $s->get('/api/users/favorites/', token => $A);
is $r->{status}, 200, 'GET /api/users/favorites/: 200';
is $r->{json}{count}, 4, 'the count';
is_deeply ids($r), [ $amelie, $haxan, $metropolis, $nosferatu ], 'newest first';
like $r->{headers}{'cache-control'}, qr/private/, 'private';
is_deeply ids($s->get('/api/favorites/', token => $A)), ids($r), 'GET /api/favorites/ alike';
is_deeply ids($s->get('/api/favorites/?ordering=added_at', token => $A)),
    [ $nosferatu, $metropolis, $haxan, $amelie ], 'ordering=added_at';
is_deeply ids($s->get('/api/favorites/?ordering=title', token => $A)),
    [ $amelie, $haxan, $metropolis, $nosferatu ], 'ordering=title';
is_deeply ids($s->get('/api/favorites/?ordering=-title', token => $A)),
    [ $nosferatu, $metropolis, $haxan, $amelie ], 'ordering=-title';
is_deeply ids($s->get('/api/favorites/?ordering=release_date', token => $A)),
    [ $nosferatu, $metropolis, $amelie, $haxan ], 'ordering=release_date (undated last)';
is_deeply ids($s->get('/api/favorites/?ordering=-release_date', token => $A)),
    [ $amelie, $metropolis, $nosferatu, $haxan ], 'ordering=-release_date';
is_deeply ids($s->get('/api/favorites/?title=AMELIE', token => $A)), [$amelie],
    'title: a substring, case and accents folded';
is_deeply ids($s->get('/api/favorites/?title=50%25', token => $A)), [], 'wildcards taken literally';
is_deeply ids($s->get('/api/favorites/?tmdb_id=19', token => $A)), [$metropolis], 'tmdb_id';
is_deeply ids($s->get('/api/favorites/?genre=drama', token => $A)), [$metropolis], 'genre by slug';
is_deeply ids($s->get('/api/favorites/?genre=horror,comedy&ordering=title', token => $A)),
    [ $amelie, $nosferatu ], 'a comma list of genres: any';
is_deeply ids($s->get('/api/favorites/?added_after=2026-01-02&added_before=2026-01-03T12:00:00Z',
                      token => $A)), [ $haxan, $metropolis ], 'added_after and added_before';
is_deeply ids($s->get('/api/favorites/?added_after=2026-01-03T13:00:00%2B01:00', token => $A)),
    [ $amelie, $haxan ], 'a time with an offset';
$r = $s->get('/api/favorites/?page_size=3', token => $A);
is scalar @{ $r->{json}{results} }, 3, 'page_size';
like $r->{json}{next}, qr{^http://.*/api/favorites/\?page_size=3&page=2$}, 'next is absolute';
$r = $s->get($r->{json}{next} =~ s{^http://[^/]+}{}r, token => $A);
is_deeply ids($r), [$nosferatu], 'the second page';
is $s->get('/api/favorites/?page=3&page_size=3', token => $A)->{status}, 404, 'a page past the end: 404';
for my $q ('ordering=rating', 'ordering=', 'sort=title', 'tmdb_id=abc', 'tmdb_id=0',
           'genre=nope', 'genre=,', 'added_after=yesterday', 'added_after=2026-02-30',
           'added_before=2026-01-01T25:00:00Z', 'title=', 'page=0', 'title=a&title=b') {
    $r = $s->get("/api/favorites/?$q", token => $A);
    is $r->{status}, 400, "$q: 400";
}
is $s->get('/api/users/favorites/?nope=1', token => $A)->{status}, 400, 'unknown parameters: 400';

# ---- another user's ----
is $s->get('/api/favorites/', token => $bob->{access})->{json}{count}, 0, 'bob sees only his own: none';
is $s->delete("/api/users/favorites/$nosferatu/", token => $bob->{access})->{status}, 404,
    "bob cannot remove alice's favorite: 404";
is $s->get('/api/favorites/', token => $A)->{json}{count}, 4, 'alice still has it';

# ---- removing, and the log ----
is $s->delete("/api/users/favorites/$metropolis/", token => $A)->{status}, 204, 'DELETE: 204';
is $s->delete("/api/users/favorites/$metropolis/", token => $A)->{status}, 404, 'again: 404';
is $s->delete('/api/users/favorites/99999999999/', token => $A)->{status}, 404, 'an unknown movie: 404';
is $s->delete("/api/users/favorites/$nosferatu", token => $A)->{status}, 204, 'without the final slash';
is $s->get("/api/movies/$nosferatu/")->{json}{statistics}{favorites_count}, 0, 'the count follows';
$r = $s->get('/api/favorites/recently-removed/', token => $A);
is $r->{status}, 200, 'recently-removed: 200';
is_deeply ids($r), [ $nosferatu, $metropolis ], 'newest first';
like $r->{json}{results}[0]{removed_at}, qr/Z$/, 'with when';
is $s->get('/api/favorites/recently-removed/', token => $bob->{access})->{json}{count}, 0,
    "not bob's";
$r = $s->get('/api/favorites/recently-added/', token => $A);
is_deeply ids($r), [ $amelie, $haxan ], 'recently-added: newest first';
is $s->get('/api/favorites/recently-added/?ordering=title', token => $A)->{status}, 400,
    'which takes no ordering';
is $s->psql("SELECT string_agg(verb, ',' ORDER BY id) FROM activity WHERE user_id = $alice->{id}
    AND movie_id = $metropolis"), 'favorite_added,favorite_removed', 'the activity log has both';

# ---- cached for its owner alone (http/respcache.h) ----
# A page is kept under the catalog's generation and one of alice's own,
# keyed by her: the second read is a hit, bob's read of the same URL
# never is, and her writes and any vote make it stale.
sub hits { ($s->get('/metrics', unchecked => 'Prometheus text')->{content}
            =~ /^marquee_cache_hits_total (\d+)/m)[0] // 0 }
sub hit_count { my ($path, $token) = @_; my $h = hits(); my $r = $s->get($path, token => $token);
                return ($r, hits() - $h) }
my $url = '/api/favorites/?ordering=title&page_size=2';
$s->get($url, token => $A);
my ($hit, $n) = hit_count($url, $A);
is $n, 1, 'the second read of a page is a hit';
is_deeply ids($hit), [ $amelie, $haxan ], 'and right';
like $hit->{headers}{'cache-control'}, qr/^private, no-store$/, 'private on a hit too';
like $hit->{headers}{etag}, qr{^W/"}, 'with an ETag';
is $s->get($url, token => $A, headers => { 'If-None-Match' => $hit->{headers}{etag} })->{status},
    304, 'If-None-Match: 304';
($r, $n) = hit_count($url, $bob->{access});
is $n, 0, "bob's read of the same URL does not find alice's page";
is $r->{json}{count}, 0, 'he gets his own';
($r, $n) = hit_count($url, $bob->{access});
is $n, 1, "and his own from the cache next time";
is $r->{json}{count}, 0, 'still his';
my $extra = movie(title => 'Aelita', release_date => '1924-09-25');
$s->post('/api/users/favorites/', token => $A, json => { movie => $extra });
# (stale entries are found, so counted as hits, but not served: the
# stack's [cache] verify renders each hit again and fails the file when
# one differs, so these reads check the bumps too)
is_deeply ids($s->get($url, token => $A)), [ $extra, $amelie ],
    'adding a favorite makes her pages stale: the new one is on the page';
is $s->get($url, token => $bob->{access})->{json}{count}, 0, "bob's are not hers";
$s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => $extra, rating => 4 });
is $s->get($url, token => $A)->{json}{results}[0]{movie}{ratings_count}, 1,
    "bob's vote makes her page stale: it shows the film's ratings";
is $s->delete("/api/users/favorites/$extra/", token => $A)->{status}, 204, 'removing it';
is_deeply ids($s->get($url, token => $A)), [ $amelie, $haxan ], 'is seen at once';

# ---- exact counts under concurrency ----
my @users = map { $s->user("fan$_") } 1 .. 6;
my @jobs = map { my $u = $_; sub {
    my @st;
    for my $i (1 .. 8) {
        push @st, $s->post('/api/users/favorites/', token => $u->{access},
                           json => { movie => $amelie })->{status};
        push @st, $s->delete("/api/users/favorites/$amelie/", token => $u->{access})->{status}
            if $i % 3;
    }
    return @st } } @users;
my @statuses = $s->in_parallel(@jobs);
is scalar(grep { !/^(200|201|204|404)$/ } @statuses), 0, 'parallel adds and removes all answered'
    or diag "@statuses";
is $s->psql('SELECT count(*) FROM movie_stats m WHERE favorites_count <>
    (SELECT count(*) FROM favorites f WHERE f.movie_id = m.movie_id)'), 0,
    'every favorites_count equals a recount';
is $s->get("/api/movies/$amelie/")->{json}{statistics}{favorites_count},
    $s->psql("SELECT count(*) FROM favorites WHERE movie_id = $amelie"), 'and the detail shows it';

$s->finish;
done_testing;

# Ratings: POST /api/movies/rate/ (seed path), PUT/DELETE /api/movies/{id}/rating/,
# GET /api/movies/{id}/ratings/; the movie's statistics exact under concurrency.
use strict;
use warnings;
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
my $m = movie(title => 'Sunrise', tmdb_id => 631, release_date => '1927-09-23');
my $other = movie(title => 'Faust', tmdb_id => 10728);

# ---- who may ----
is $s->post('/api/movies/rate/', json => { movie => $m, rating => 4 })->{status}, 401, 'anonymous: 401';
is $s->post('/api/movies/rate/', token => 'a.b.c', json => { movie => $m, rating => 4 })->{status}, 401,
    'a forged token: 401';
is $s->put("/api/movies/$m/rating/", json => { rating => 4 })->{status}, 401, 'PUT anonymously: 401';
is $s->delete("/api/movies/$m/rating/")->{status}, 401, 'DELETE anonymously: 401';
is $s->post('/api/movies/rate/', token => $s->expired_token($alice), json => { movie => $m, rating => 4 })->{status},
    401, 'an expired token: 401';

# ---- rating, and the caches that show it ----
is $s->get("/api/movies/$m/")->{json}{rating}, undef, 'unrated (and the detail is cached)';
is $s->get('/api/movies/?title=sunrise')->{json}{results}[0]{ratings_count}, 0, 'the list too';
my $r = $s->post('/api/movies/rate/', token => $A, json => { movie => $m, rating => 4.5 });
is $r->{status}, 201, 'POST /api/movies/rate/ {movie, rating}: 201';
is $r->{json}{rating}, 4.5, 'the rating';
is $r->{json}{movie}, $m, 'of the movie';
like $r->{json}{created_at}, qr/Z$/, 'in UTC';
$r = $s->post('/api/movies/rate/', token => $A, json => { tmdb_id => 631, rating => 3 });
is $r->{status}, 200, 'again by tmdb_id: 200, replaced';
is $r->{json}{rating}, 3, 'with the new value';
is $s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => $m, rating => 5 })->{status},
    201, 'bob rates it too';
$r = $s->get("/api/movies/$m/");
is $r->{json}{rating}, 4, 'the detail shows the new average at once';
is $r->{json}{statistics}{ratings_count}, 2, 'and count';
is $s->get('/api/movies/?title=sunrise')->{json}{results}[0]{rating}, 4, 'so does the list';

# ---- the lists' order: refreshed by a job ----
# A vote keeps the exact statistics and nothing of the movie's wide row:
# every answer shows the live average, and the average the lists filter
# and order on follows when `marquee ratings refresh` runs (the timer's
# minute).  Until then a list shows the live average in the old order.
my ($late, $early) = (movie(title => 'Order late'), movie(title => 'Order early'));
$s->post('/api/movies/rate/', token => $A, json => { movie => $early, rating => 2 });
my ($rc, $out) = $s->marquee('ratings', 'refresh');
is $rc, 0, 'marquee ratings refresh exits 0';
like $out, qr/^[1-9]\d* movies' listed ratings brought up to date$/m, 'and says how many it brought';
sub ordered {
    my ($query) = @_;
    return [ map { [ $_->{id}, $_->{rating} ] } grep { $_->{title} =~ /^Order / }
             @{ $s->get("/api/movies/?title=order&$query")->{json}{results} } ];
}
is_deeply ordered('ordering=-rating'), [ [ $early, 2 ], [ $late, undef ] ], 'rated first, unrated last';
$s->post('/api/movies/rate/', token => $A, json => { movie => $late, rating => 5 });
$s->put("/api/movies/$early/rating/", token => $A, json => { rating => 1 });
is $s->get("/api/movies/$late/")->{json}{rating}, 5, 'the detail shows the live average at once';
is $s->get("/api/movies/$late/ratings/")->{json}{average}, 5, 'and the summary';
is_deeply ordered('ordering=-rating'), [ [ $early, 1 ], [ $late, 5 ] ],
    'the list shows the live averages at once, in the order of the last refresh';
is_deeply [ map { $_->[0] } @{ ordered('rating_min=4.5') } ], [],
    'rating_min filters on the listed average too';
is $s->psql("SELECT count(*) FROM movies WHERE id IN ($late, $early) AND rating IN (5, 1)"), 0,
    'the votes did not write the movies rows';
($rc, $out) = $s->marquee('ratings', 'refresh');
is $out, "2 movies' listed ratings brought up to date\n", 'the job brings the two movies';
is_deeply ordered('ordering=-rating'), [ [ $late, 5 ], [ $early, 1 ] ], 'then the list is in the new order';
is_deeply [ map { $_->[0] } @{ ordered('rating_min=4.5') } ], [ $late ], 'and filters on the new average';
($rc, $out) = $s->marquee('ratings', 'refresh');
is $out, "0 movies' listed ratings brought up to date\n", 'run again: nothing to do';
is(($s->marquee('ratings'))[0], 2, 'no action: usage');
is(($s->marquee('ratings', 'refresh', '--batch', '0'))[0], 2, 'a bad --batch: usage');

$r = $s->get("/api/movies/$m/ratings/");
is $r->{status}, 200, 'GET ratings: 200 anonymously';
is $r->{json}{average}, 4, 'average';
is $r->{json}{count}, 2, 'count';
is scalar keys %{ $r->{json}{histogram} }, 10, 'a histogram of the ten half stars';
is $r->{json}{histogram}{'3.0'}, 1, 'one 3';
is $r->{json}{histogram}{'5.0'}, 1, 'one 5';
is $r->{json}{histogram}{'0.5'}, 0, 'no 0.5';
is $r->{json}{user_rating}, undef, 'no own rating anonymously';
is $s->get("/api/movies/$m/ratings/", token => $A)->{json}{user_rating}, 3, "alice's own";
is $s->get('/api/movies/999999/ratings/')->{status}, 404, 'an unknown movie: 404';
is $s->get("/api/movies/$m/ratings/?x=1")->{status}, 400, 'an unknown parameter: 400';
is $s->get("/api/movies/$m/ratings/", token => 'a.b.c')->{status}, 401, 'a forged token: 401';

# ---- PUT and DELETE ----
$r = $s->put("/api/movies/$other/rating/", token => $A, json => { rating => 1 });
is $r->{status}, 201, 'PUT a new rating: 201';
$r = $s->put("/api/movies/$other/rating/", token => $A, json => { rating => 2.5 });
is $r->{status}, 200, 'PUT again: 200';
is $r->{json}{rating}, 2.5, 'replaced';
is $s->put('/api/movies/999999/rating/', token => $A, json => { rating => 2 })->{status}, 404,
    'PUT on an unknown movie: 404';
is $s->delete("/api/movies/$other/rating/", token => $bob->{access})->{status}, 404,
    "bob cannot delete alice's rating (he has none): 404";
is $s->get("/api/movies/$other/ratings/")->{json}{count}, 1, "alice's stays";
is $s->delete("/api/movies/$other/rating/", token => $A)->{status}, 204, 'DELETE: 204';
is $s->delete("/api/movies/$other/rating/", token => $A)->{status}, 404, 'again: 404';
$r = $s->get("/api/movies/$other/");
is $r->{json}{rating}, undef, 'no average left';
is $r->{json}{statistics}{ratings_count}, 0, 'nor count';
is $s->psql("SELECT string_agg(verb || ':' || rating, ',' ORDER BY id) FROM activity
    WHERE user_id = $alice->{id} AND movie_id = $other"), 'rated:1.0,rated:2.5,rating_removed:2.5',
    'the activity log has each';

# ---- a movie by tmdb_id ----
$r = $s->post('/api/movies/rate/', token => $A, json => { tmdb_id => 999001, rating => 4 });
is $r->{status}, 503, 'an unknown tmdb_id without a title: 503';
$r = $s->post('/api/movies/rate/', token => $A, json => { tmdb_id => 999001, title => 'Tabu', rating => 4 });
is $r->{status}, 201, 'with a title: made (provisional) and rated';
is $s->get("/api/movies/$r->{json}{movie}/", token => $A)->{json}{rating}, 4,
    'the new movie has the rating (its maker sees it)';

# ---- bad input ----
for my $case ([{ movie => $m }, 'rating', 'no rating'],
              [{ movie => $m, rating => 0 }, 'rating', 'a rating of 0'],
              [{ movie => $m, rating => 0.25 }, 'rating', 'a rating of 0.25'],
              [{ movie => $m, rating => 3.3 }, 'rating', 'a rating of 3.3'],
              [{ movie => $m, rating => 5.5 }, 'rating', 'a rating of 5.5'],
              [{ movie => $m, rating => 6 }, 'rating', 'a rating of 6'],
              [{ movie => $m, rating => -1 }, 'rating', 'a negative rating'],
              [{ movie => $m, rating => '4' }, 'rating', 'a rating that is a string'],
              [{ movie => $m, rating => undef }, 'rating', 'a null rating'],
              [{ movie => $m, rating => JSON::PP::true }, 'rating', 'a rating that is a boolean'],
              [{ rating => 4 }, 'movie', 'no movie'],
              [{ movie => 'x', rating => 4 }, 'movie', 'a movie that is a string'],
              [{ movie => $m, rating => 4, comment => 'x' }, 'comment', 'an unknown field']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/movies/rate/', token => $A, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
$r = $s->post('/api/movies/rate/', token => $A, json => { movie => 999999, rating => 4 });
is $r->{status}, 404, 'an unknown movie: 404';
is $s->put("/api/movies/$m/rating/", token => $A, json => { rating => 7 })->{status}, 400,
    'PUT out of range: 400';
is $s->put("/api/movies/$m/rating/", token => $A, json => { rating => 4, movie => $m })->{status}, 400,
    'PUT with a movie in the body: 400';
is $s->post('/api/movies/rate/', token => $A, body => '{"rating":',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->post('/api/movies/rate/', token => $A, json => { movie => $m, rating => 4, x => 'y' x 70000 })
    ->{status}, 413, 'a huge body: 413';
is $s->get("/api/movies/$m/ratings/", token => $A)->{json}{user_rating}, 3, 'nothing changed by them';

# ---- every whole and half star ----
for my $v (map { $_ / 2 } 1 .. 10) {
    $r = $s->put("/api/movies/$other/rating/", token => $bob->{access}, json => { rating => $v });
    is $r->{json}{rating}, $v, "$v is a rating";
}

# ---- exact statistics under concurrency ----
my @users = map { $s->user("critic$_") } 1 .. 8;
my @jobs = map { my ($u, $n) = ($users[$_], $_); sub {
    my @st;
    for my $i (1 .. 10) {
        my $v = (($n + $i) % 10 + 1) / 2;
        push @st, $i % 2 ? $s->post('/api/movies/rate/', token => $u->{access},
                                    json => { movie => $m, rating => $v })->{status}
                         : $s->put("/api/movies/$other/rating/", token => $u->{access},
                                   json => { rating => $v })->{status};
        push @st, $s->delete("/api/movies/$m/rating/", token => $u->{access})->{status} if $i % 4 == 0;
    }
    return @st } } 0 .. $#users;
my @statuses = $s->in_parallel(@jobs);
is scalar(grep { !/^(200|201|204|404)$/ } @statuses), 0, 'parallel rates, re-rates and deletes answered'
    or diag "@statuses";
is $s->stale_rating_stats, 0, 'every movie\'s ratings_count and ratings_sum equal a recount';
($rc, $out) = $s->marquee('ratings', 'refresh', '--batch', '1');
is $rc, 0, 'marquee ratings refresh, a movie a transaction: exits 0';
like $out, qr/^[1-9]\d* movies' listed ratings brought up to date$/m, 'and says how many';
is $s->stale_rating_stats(listed => 1), 0, 'then the average the lists order on equals a recount too';
$r = $s->get("/api/movies/$m/ratings/");
is $r->{json}{count}, $s->psql("SELECT count(*) FROM ratings WHERE movie_id = $m"), 'the summary shows it';
my $sum = 0;
$sum += $_ for values %{ $r->{json}{histogram} };
is $sum, $r->{json}{count}, 'and the histogram adds up to the count';

$s->finish;
done_testing;

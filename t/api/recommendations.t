# Recommendations through the real stack (issue 13): GET /api/movies/recommended/
# for anonymous callers, new users and users with history; fresh signals
# counting at once (fold-in); exclusions; not-interested; what another user
# did never showing except as aggregate; filters and bad parameters;
# "also liked" and "similar" from the model and without it; trending by
# time window; the legacy spelling of /api/favorites/recently-added/; a
# heavy user's candidates kept by training (recs_users) giving the same
# page as folding every signal in, with fresh signals still counting.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

# users with 10 signals or more get their candidates kept by training; a
# request reads a user's newest 25 signals (the heavy user ends with 30
# ratings: the oldest must still be left out of the page)
my $s = Marquee::Stack->start(extra_config => "[recs]\nprecompute_signals = 10\nmax_signals = 25\n");
$s->demo_catalog(300);

my %genre = map { split /\|/ } split /\n/, $s->psql("SELECT slug || '|' || id FROM genres");
my @horror = split /\n/, $s->psql("SELECT id FROM movies WHERE genre_ids && ARRAY[$genre{horror}]
    AND NOT genre_ids && ARRAY[$genre{comedy}, $genre{romance}] ORDER BY id LIMIT 40");
my @comedy = split /\n/, $s->psql("SELECT id FROM movies WHERE genre_ids && ARRAY[$genre{comedy},
    $genre{romance}] AND NOT genre_ids && ARRAY[$genre{horror}] ORDER BY id LIMIT 40");
cmp_ok scalar(@horror), '>=', 25, 'the demo catalog has horror films';
cmp_ok scalar(@comedy), '>=', 25, 'and comedies or romances';

# Two planted tastes: 30 horror fans and 30 comedy fans (imported accounts,
# as MovieLens's are), each liking 15 of their kind and disliking 3 others.
sub fans {
    my ($kind, $likes, $dislikes) = @_;
    $s->psql("INSERT INTO users (username, email, imported) SELECT 'fan-$kind-' || g,
        'fan-$kind-' || g || '\@example.test', true FROM generate_series(1, 30) g");
    my @rows;
    for my $g (1 .. 30) {
        my %seen;
        for my $k (0 .. 14) {
            my $m = $likes->[($g * 7 + $k * 3) % @$likes];
            next if $seen{$m}++;
            push @rows, "('fan-$kind-$g', $m, " . (4 + ($g + $k) % 2) . ')';
        }
        push @rows, "('fan-$kind-$g', $dislikes->[($g + $_) % @$dislikes], 1.5)" for 0 .. 2;
    }
    $s->psql('INSERT INTO ratings (user_id, movie_id, rating) SELECT u.id, v.m, v.r FROM (VALUES '
             . join(',', @rows) . ') v (name, m, r) JOIN users u ON u.username = v.name');
}
fans('h', \@horror, \@comedy);
fans('c', \@comedy, \@horror);
# a user of our own with 15 signals before training: 12 horror films
# liked, 3 comedies disliked
my $heavy = $s->user('heavy');
$s->psql("INSERT INTO ratings (user_id, movie_id, rating) VALUES "
         . join(',', (map { "($heavy->{id}, $_, 5)" } @horror[12 .. 23]),
                map { "($heavy->{id}, $_, 1.5)" } @comedy[20 .. 22]));

sub genres_of { map { $_->{slug} } @{ $_[0]{genres} } }
sub is_horror { grep { $_ eq 'horror' } genres_of($_[0]) }
sub recommended {
    my ($token, $query) = @_;
    return $s->get('/api/movies/recommended/' . ($query // ''), $token ? (token => $token) : ());
}
# Every page of a user's recommendations.
sub all_pages {
    my ($token, $query) = @_;
    my (@all, $page);
    for ($page = 1; $page < 50; $page++) {
        my $r = recommended($token, "?page_size=100&page=$page" . ($query // ''));
        last if $r->{status} == 404;
        die "page $page: $r->{status}\n" unless $r->{status} == 200;
        push @all, @{ $r->{json}{results} };
        last unless $r->{json}{next};
    }
    return @all;
}

# ---- before any training ----
my $r = recommended();
is $r->{status}, 200, 'anonymous, before any model: 200';
ok @{ $r->{json}{results} } > 0, 'never an empty page';
is $r->{json}{model_version}, undef, 'no model version yet';
ok !(grep { $_->{reason}{kind} !~ /^(trending|popular|new)$/ } @{ $r->{json}{results} }),
    'popular, trending or new';

my ($rc, $out) = $s->marquee('recs', 'train');
is $rc, 0, 'marquee recs train' or diag $out;
like $out, qr/^version (\d+): \d+ signals of 61 users/m, 'says what it learned from' or diag $out;
my ($v1) = $out =~ /^version (\d+)/m;

# ---- anonymous and new users ----
$r = recommended();
is $r->{status}, 200, 'anonymous: 200';
is $r->{json}{model_version}, $v1, 'the model version serving';
my @anon = @{ $r->{json}{results} };
is scalar(@anon), 20, 'a full page of 20';
ok !(grep { $_->{reason}{kind} !~ /^(trending|popular|new)$/ } @anon), 'popular, trending or new only';
ok !(grep { exists $_->{reason}{movie} } @anon), 'with no "because" movie';
ok $r->{json}{count} >= 20 && $r->{json}{next}, 'paginated like every list';
like $r->{headers}{'cache-control'} // '', qr/no-cache/, 'not cached by clients as is';

my $new = $s->user('newcomer');
$r = recommended($new->{access});
is $r->{status}, 200, 'a user with no signals: 200';
ok @{ $r->{json}{results} } == 20, 'never empty';
ok !(grep { $_->{reason}{kind} !~ /^(trending|popular|new)$/ } @{ $r->{json}{results} }),
    'the popular and trending blend';
like $r->{headers}{'cache-control'} // '', qr/private/, 'a user\'s list is private';

# ---- fresh signals count at once (fold-in against the trained model) ----
my $alice = $s->user('alice');
my @before = @{ recommended($alice->{access})->{json}{results} };
my $horror_before = grep { is_horror($_) } @before[0 .. 9];
my @rated = @horror[0 .. 4];
for my $m (@rated) {
    is $s->post('/api/movies/rate/', token => $alice->{access}, json => { movie => 0 + $m, rating => 5 })
        ->{status}, 201, "alice rates horror film $m";
}
$r = recommended($alice->{access});
my @after = @{ $r->{json}{results} };
my $horror_after = grep { is_horror($_) } @after[0 .. 9];
cmp_ok $horror_after, '>', $horror_before, "horror rises on the very next request ($horror_before -> $horror_after of the top 10)";
cmp_ok $horror_after, '>=', 8, 'and fills the top 10';
my %rated = map { $_ => 1 } @rated;
ok !(grep { $rated{ $_->{id} } } all_pages($alice->{access})), 'the films she rated are never among them, on any page';
my @because = grep { $_->{reason}{kind} eq 'because_you_liked' } @after;
ok @because > 0, 'some are "because you liked"';
ok !(grep { !$rated{ $_->{reason}{movie}{id} } } @because), 'always one of her own films';
ok !(grep { !defined $_->{reason}{movie}{title} } @because), 'named with its title';
is $after[0]{reason}{kind}, 'because_you_liked', 'the first is explained by one of them'
    or diag explain $after[0]{reason};
ok defined $after[0]{score} && $after[0]{score} >= $after[1]{score}, 'best first, with a score';

# ---- a heavy user: candidates kept by training, fresh signals on top ----
is $s->psql("SELECT count(*) FROM recs_users WHERE version = $v1"), 61,
    'training kept the candidates of the 61 users with 10 signals or more';
sub page_of { [ map { [ $_->{id}, $_->{score} ] } @{ recommended($_[0], '?page_size=30')->{json}{results} } ] }
# The heavy user's first page with the kept candidates, and with every
# signal folded in per request (the kept row set aside for a moment):
# sums in another order, so scores equal to rounding, and a tie may swap.
sub same_as_folding {
    my ($label) = @_;
    my $kept = page_of($heavy->{access});
    $s->psql("CREATE TABLE kept_aside AS SELECT * FROM recs_users WHERE user_id = $heavy->{id};
              DELETE FROM recs_users WHERE user_id = $heavy->{id}");
    my $folded = page_of($heavy->{access});
    $s->psql("INSERT INTO recs_users SELECT * FROM kept_aside; DROP TABLE kept_aside");
    my %folded = map { $_->[0] => $_->[1] } @$folded;
    my @differ = grep { !defined $folded{ $_->[0] } || abs($folded{ $_->[0] } - $_->[1]) > 1e-3 }
        @$kept[0 .. 19];
    is scalar(@differ), 0, $label or diag explain [ $kept, $folded ];
}
same_as_folding('the kept candidates give the page that folding in every signal gives');
my @heavy_top = @{ recommended($heavy->{access})->{json}{results} };
cmp_ok scalar(grep { is_horror($_) } @heavy_top[0 .. 9]), '>=', 8, 'horror, for a horror fan';
my @comedy_then = @{ recommended($heavy->{access}, '?genre=comedy')->{json}{results} };
my @heavy_rated = @comedy[0 .. 14];
my @rates = map { $s->post('/api/movies/rate/', token => $heavy->{access},
                           json => { movie => 0 + $_, rating => 5 })->{status} } @heavy_rated;
is_deeply \@rates, [ (201) x @heavy_rated ], 'the heavy user rates 15 comedies after training';
same_as_folding('with ratings given after training: kept candidates plus those, as folding all');
# a signal training summed, changed (5 -> 1.5) or withdrawn since, counts
# as it is now, not twice
is $s->post('/api/movies/rate/', token => $heavy->{access},
            json => { movie => 0 + $horror[12], rating => 1.5 })->{status}, 200, 'a rating changed';
is $s->delete("/api/movies/$horror[13]/rating/", token => $heavy->{access})->{status}, 204,
    'a rating withdrawn';
is $s->post('/api/users/favorites/', token => $heavy->{access}, json => { movie => 0 + $horror[14] })
    ->{status}, 201, 'a rated film favorited too';
same_as_folding('changed, withdrawn and doubled signals: as folding all');
my @comedy_now = @{ recommended($heavy->{access}, '?genre=comedy')->{json}{results} };
cmp_ok $comedy_now[0]{score}, '>', $comedy_then[0]{score},
    "they count on the next request: the best comedy scores $comedy_then[0]{score} -> $comedy_now[0]{score}";
like $comedy_now[0]{reason}{kind}, qr/^(because_you_liked|similar_users)$/, 'for her own reasons';
my %heavy_own = map { $_ => 1 } @heavy_rated, @horror[12, 14 .. 23], @comedy[20 .. 22];
ok !(grep { $heavy_own{ $_->{id} } } all_pages($heavy->{access})),
    'what the heavy user rated, before training or after, is never among them';

# ---- exclusions: favorited, watched, not interested ----
my $fav = $after[0]{id};
is $s->post('/api/users/favorites/', token => $alice->{access}, json => { movie => 0 + $fav })->{status},
    201, 'alice favorites her first recommendation';
my $watched = $after[1]{id};
is $s->post('/api/users/me/history/', token => $alice->{access}, json => { movie => 0 + $watched })
    ->{status}, 201, 'and watches her second';
my $nope = $after[2]{id};
$r = $s->post("/api/movies/$nope/not-interested/", token => $alice->{access});
is $r->{status}, 201, 'and is not interested in her third';
is $r->{json}{movie}{id}, $nope, 'the mark names the movie';
like $r->{json}{added_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'and when';
is $s->post("/api/movies/$nope/not-interested/", token => $alice->{access})->{status}, 200,
    'marking again: 200';
my %gone = (%rated, $fav => 1, $watched => 1, $nope => 1);
my @now = all_pages($alice->{access});
ok !(grep { $gone{ $_->{id} } } @now), 'rated, favorited, watched and not-interested: all left out';
ok !(grep { $_->{reason}{kind} eq 'because_you_liked' && $_->{reason}{movie}{id} == $nope } @now),
    'nothing is "because" of the movie she does not want';
$r = $s->get('/api/users/me/not-interested/', token => $alice->{access});
is $r->{status}, 200, 'GET /api/users/me/not-interested/';
is_deeply [ map { $_->{movie}{id} } @{ $r->{json}{results} } ], [ $nope ], 'lists it';
is $r->{json}{count}, 1, 'one';
is $s->delete("/api/movies/$nope/not-interested/", token => $alice->{access})->{status}, 204,
    'DELETE: 204';
is $s->delete("/api/movies/$nope/not-interested/", token => $alice->{access})->{status}, 404,
    'again: 404';
is $s->get('/api/users/me/not-interested/', token => $alice->{access})->{json}{count}, 0, 'none left';
is $s->post('/api/movies/999999/not-interested/', token => $alice->{access})->{status}, 404,
    'an unknown movie: 404';
is $s->post("/api/movies/$nope/not-interested/")->{status}, 401, 'anonymous: 401';
is $s->get('/api/users/me/not-interested/')->{status}, 401, 'anonymous list: 401';
is $s->post("/api/movies/$nope/not-interested/?x=1", token => $alice->{access})->{status}, 400,
    'an unknown parameter: 400';

# a film watched once, then another watched again and again: more
# watchings than the signals read (2 x max_signals), the first film is
# still left out (looked up, not read from the history)
my $rewatcher = $s->user('rewatcher');
my ($once, $again) = map { $_->{id} } @{ recommended($rewatcher->{access})->{json}{results} }[0, 1];
$s->psql("INSERT INTO watch_history (user_id, movie_id, watched_at) VALUES ($rewatcher->{id}, $once, now() - interval '1 day')");
$s->psql("INSERT INTO watch_history (user_id, movie_id, watched_at)
          SELECT $rewatcher->{id}, $again, now() - g * interval '1 second' FROM generate_series(1, 60) g");
my @seen = grep { $_->{id} == $once || $_->{id} == $again } all_pages($rewatcher->{access});
is scalar @seen, 0, 'watched once, before 60 watchings of another: neither is recommended';

# ---- nothing of another user's shows, except as aggregate ----
my $bob = $s->user('bob');
for my $m (@comedy[0 .. 4]) {
    $s->post('/api/movies/rate/', token => $bob->{access}, json => { movie => 0 + $m, rating => 5 });
}
$s->post("/api/movies/$horror[10]/not-interested/", token => $bob->{access});
my @bobs = all_pages($bob->{access});
my %bob_rated = map { $_ => 1 } @comedy[0 .. 4];
ok !(grep { $_->{reason}{movie} && !$bob_rated{ $_->{reason}{movie}{id} } } @bobs),
    'bob\'s reasons name only his films, never alice\'s';
ok !(grep { $_->{id} == $horror[10] } @bobs), 'bob\'s mark hides it from bob';
ok((grep { $_->{id} == $horror[10] } all_pages($new->{access})), 'and not from anyone else');
my $body = recommended($bob->{access})->{content};
unlike $body, qr/"(user|user_id|username)"/, 'no user is named in a response';

# ---- filters and bad parameters ----
$r = recommended($alice->{access}, '?genre=horror&page_size=50');
is $r->{status}, 200, 'genre=horror';
ok @{ $r->{json}{results} } > 0 && !(grep { !is_horror($_) } @{ $r->{json}{results} }),
    'only horror films';
$r = recommended($alice->{access}, "?genre=$genre{western}&year=1900-2100&runtime_max=1000&page_size=100");
is $r->{status}, 200, 'a narrow filter';
ok @{ $r->{json}{results} } > 0, 'is never an empty page while the catalog has such films';
ok !(grep { !grep { $_ eq 'western' } genres_of($_) } @{ $r->{json}{results} }), 'all westerns';
$r = recommended(undef, '?runtime_max=100&language=en');
ok !(grep { ($_->{runtime} // 0) > 100 || ($_->{original_language} // '') ne 'en' }
     @{ $r->{json}{results} }), 'runtime_max and language';
for my $bad ('?page=0', '?page_size=abc', '?genre=no-such-genre', '?year=abc', '?year=2000-1990',
             '?language=EN', '?runtime_max=-1', '?runtime_max=x', '?colour=red', '?page=60&page_size=20') {
    $r = recommended($alice->{access}, $bad);
    is $r->{status}, 400, "$bad: 400";
    like $r->{headers}{'content-type'}, qr{application/problem\+json}, '  as problem+json';
}
is recommended($alice->{access}, '?page=40&page_size=25')->{status}, 404, 'a page past the end: 404';

# The page statement carries ids and ranks through its steps and takes
# each row's score, reason and because by its rank at the end: pages
# of any size and offset are the same list, and the filters' backstop
# (ranked past the candidates) comes out as popular, score 0.
sub entries { map { join ' ', $_->{id}, $_->{score}, $_->{reason}{kind},
                         $_->{reason}{movie} ? "$_->{reason}{movie}{id} $_->{reason}{movie}{title}" : '-' } @_ }
for my $q ('', "&genre=$genre{western}&year=1900-2100") {
    my $whole = recommended($alice->{access}, "?page_size=45$q")->{json};
    my $n = @{ $whole->{results} };
    my $size = int(($n + 2) / 3) || 1;
    my @pieces = map { recommended($alice->{access}, "?page_size=$size&page=$_$q")->{json} }
        1 .. int(($n + $size - 1) / $size);
    cmp_ok $n, '>=', 6, "a page of 45 ($q): $n";
    is_deeply [ map { $_->{count} } @pieces ], [ ($whole->{count}) x @pieces ],
        "count the same on every page ($q)";
    is_deeply [ entries(map { @{ $_->{results} } } @pieces) ], [ entries(@{ $whole->{results} }) ],
        "pages of $size are the first $n ($q)";
}
my @western = (all_pages($alice->{access}, "&genre=$genre{western}&year=1900-2100"),
               all_pages(undef, "&genre=$genre{western}&year=1900-2100"));
ok((grep { $_->{reason}{kind} eq 'popular' } @western), 'the narrow filter\'s pages have popular movies');
ok !(grep { $_->{reason}{kind} =~ /^(popular|trending|new)$/ && ($_->{score} != 0 || $_->{reason}{movie}) }
     @western), 'scored 0, because of nothing';
ok !(grep { $_->{reason}{kind} =~ /^(because_you_liked|similar_users)$/ && !($_->{score} > 0) } @western),
    'her own candidates scored above 0';
my %seen_west;
ok !(grep { $seen_west{ $_->{id} }++ } all_pages($alice->{access}, "&genre=$genre{western}&year=1900-2100")),
    'no movie twice across the pages';
is recommended('not.a.token')->{status}, 401, 'a bad token is a 401, never anonymous';

# ---- people who liked this also liked ----
$r = $s->get("/api/movies/$horror[3]/recommendations/");
is $r->{status}, 200, 'GET /api/movies/{id}/recommendations/';
my @also = @{ $r->{json}{results} };
ok @also >= 5, 'from the model';
is $r->{json}{model_version}, $v1, 'of the version serving';
my $also_horror = grep { is_horror($_) } @also[0 .. 4];
cmp_ok $also_horror, '>=', 4, 'horror fans also liked horror';
ok !(grep { $_->{id} == $horror[3] } @also), 'not the movie itself';
my @sc = map { $_->{score} } @also;
is_deeply \@sc, [ sort { $b <=> $a } @sc ], 'the most liked first';
is $s->get('/api/movies/999999/recommendations/')->{status}, 404, 'an unknown movie: 404';
is $s->get("/api/movies/$horror[3]/recommendations/?genre=horror")->{status}, 400, 'no filters: 400';
is $s->get("/api/movies/$horror[3]/recommendations/?page=0")->{status}, 400, 'page=0: 400';

# a movie the model has not seen: counted now, from ratings
my $admin = $s->admin;
my $fresh = $s->movie($admin, title => 'Fresh Horror', genres => [ 0 + $genre{horror} ],
                      release_date => '2020-10-31');
$s->psql("INSERT INTO ratings (user_id, movie_id, rating) SELECT u.id, $fresh, 5 FROM users u
          WHERE u.username LIKE 'fan-h-%' AND u.username <= 'fan-h-2'");
$r = $s->get("/api/movies/$fresh/recommendations/");
is $r->{status}, 200, 'a movie newer than the model';
ok @{ $r->{json}{results} } > 0, 'gets the films its fans liked, counted now';
is $r->{json}{model_version}, undef, 'without a model version';

# ---- similar, precomputed ----
$r = $s->get("/api/movies/$horror[3]/similar/?page_size=100");
is $r->{status}, 200, 'GET /api/movies/{id}/similar/';
my @sim = @{ $r->{json}{results} };
ok @sim > 0 && $r->{json}{count} <= 50, 'up to 50';
@sc = map { $_->{score} } @sim;
is_deeply \@sc, [ sort { $b <=> $a } @sc ], 'the most alike first';
ok !(grep { $_ > 1 || $_ <= 0 } @sc), 'cosines, 0 to 1';
ok is_horror($sim[0]), 'the most alike shares its genre';
$r = $s->get("/api/movies/$fresh/similar/");
is $r->{status}, 200, 'a movie newer than the model';
ok @{ $r->{json}{results} } > 0 && is_horror($r->{json}{results}[0]), 'is compared the same way, now';
is $s->get('/api/movies/999999/similar/')->{status}, 404, 'an unknown movie: 404';

# ---- a listed movie that has become provisional since training ----
# (the lists are the version's; whether each movie is shown is looked up
# per request: MQ_MOVIE_SHOWN, by index, without the movie's row)
sub hidden_then_back {
    my ($what, $get, $id) = @_;
    my $before = $get->();
    ok((grep { $_->{id} == $id } @{ $before->{json}{results} }), "$what: $id is listed");
    $s->psql("UPDATE movies SET provisional_by = $admin->{id} WHERE id = $id");
    $s->flush_memcached;
    my $r = $get->();
    ok(!(grep { $_->{id} == $id } @{ $r->{json}{results} }), "$what: not once it is provisional");
    is $r->{json}{count}, $before->{json}{count} - 1, "$what: and not counted";
    $s->psql("UPDATE movies SET provisional_by = NULL WHERE id = $id");
    $s->flush_memcached;
    is $get->()->{json}{count}, $before->{json}{count}, "$what: back once confirmed";
}
hidden_then_back('also liked', sub { $s->get("/api/movies/$horror[3]/recommendations/?page_size=100") },
                 $also[0]{id});
hidden_then_back('similar', sub { $s->get("/api/movies/$horror[3]/similar/?page_size=100") }, $sim[0]{id});
my $shown = recommended($alice->{access})->{json}{results}[0]{id};
hidden_then_back('recommended', sub { recommended($alice->{access}, '?page_size=100') }, $shown);

# ---- trending by time window, without TMDb ----
my ($old, $recent) = @comedy[20, 21];
$s->psql("INSERT INTO activity (user_id, verb, movie_id, created_at) SELECT u.id, 'rated', $old,
          now() - interval '3 days' FROM users u WHERE u.username LIKE 'fan-c-%'");
$s->psql("INSERT INTO activity (user_id, verb, movie_id, created_at) SELECT u.id, 'favorite_added',
          $recent, now() - interval '1 hour' FROM users u WHERE u.username IN ('fan-c-1', 'fan-c-2')");
my @day = map { $_->{id} } @{ $s->get('/api/movies/trending/?window=day')->{json}{results} };
my @week = map { $_->{id} } @{ $s->get('/api/movies/trending/?window=week')->{json}{results} };
is $day[0], $recent, 'window=day: what gathered most today comes first';
ok !(grep { $_ == $old } @day[0 .. 1]), 'not what trended three days ago';
is $week[0], $old, 'window=week: the week\'s most active first';
is $week[1], $recent, 'then today\'s';
is $s->get('/api/movies/trending/?window=month')->{status}, 400, 'window=month: 400';

# ---- the cold-start pool is kept in memcached ([recs] pool_ttl, 60 s) ----
sub first_anonymous { recommended()->{json}{results}[0] }
first_anonymous();    # computed now, or kept from before
my ($quiet) = split /\n/, $s->psql("SELECT id FROM movies WHERE provisional_by IS NULL
    ORDER BY popularity, id LIMIT 1");
$s->psql("INSERT INTO activity (user_id, verb, movie_id, created_at) SELECT u.id, 'favorite_added',
          $quiet, now() - interval '1 minute' FROM users u WHERE u.username LIKE 'fan-%'");
isnt first_anonymous()->{id}, $quiet, 'a movie that just began trending: not yet, the pool is kept';
$s->flush_memcached;
my $first = first_anonymous();
is $first->{id}, $quiet, 'computed again (memcached flushed): it leads the pool';
is $first->{reason}{kind}, 'trending', '  as trending';

# Gone stale, the pool is computed again by one worker while the others
# serve the stale one (no dog-pile): the worker that takes the lock.
my ($next) = split /\n/, $s->psql("SELECT id FROM movies WHERE provisional_by IS NULL AND id <> $quiet
    ORDER BY popularity, id LIMIT 1");
$s->psql("INSERT INTO activity (user_id, verb, movie_id, created_at) SELECT u.id, v.verb, $next,
          now() - interval '1 minute' FROM users u
          CROSS JOIN (VALUES ('rated'), ('watchlist_added'), ('watched')) v (verb) WHERE u.username LIKE 'fan-%'");
my $kept = $s->memcached_get('recs:pool:v2');
ok defined $kept && $kept =~ /^(\d+)\n\{/, 'the pool is kept with the time it was computed';
(my $stale = $kept // '') =~ s/^\d+/time() - 3600/e;
$s->memcached_set('recs:pool:v2', $stale, 600);
$s->memcached_set('recs:pool:v2:lock', '1', 600);
is first_anonymous()->{id}, $quiet, 'stale while another worker holds the lock: the kept pool is served';
is $s->memcached_get('recs:pool:v2'), $stale, '  and left for that worker to compute';
$s->memcached_delete('recs:pool:v2:lock');
my $asked = time;
is first_anonymous()->{id}, $next, 'stale and nobody computing it: this request computes it';
my ($at) = ($s->memcached_get('recs:pool:v2') // '') =~ /^(\d+)\n/;
# (computed between the question and now, however long either took)
ok $at && $at >= $asked - 1 && $at <= time + 1, '  and keeps it as fresh';
is $s->memcached_get('recs:pool:v2:lock'), undef, '  and gives the lock back';

# ---- the seed list's spelling of recently-added ----
$r = $s->get('/api/favorites/recently-added/', token => $alice->{access});
my $alias = $s->get('/api/favorites/recently%E2%86%92added/', token => $alice->{access});
is $alias->{status}, 200, 'GET /api/favorites/recently%E2%86%92added/ (the arrow, percent-encoded)';
is_deeply $alias->{json}{results}, $r->{json}{results}, 'is recently-added';
is $s->get('/api/favorites/recently%E2%86%92added', token => $alice->{access})->{status}, 200,
    'without the final slash too';
is $s->get('/api/favorites/recently%E2%86%92added/')->{status}, 401, 'and needs a user as it does';
my ($status, $raw) = $s->raw_request("GET /api/favorites/recently\xe2\x86\x92added/ HTTP/1.1\r\n"
    . "Host: localhost\r\nAuthorization: Bearer $alice->{access}\r\nConnection: close\r\n\r\n");
is $status, 200, 'the arrow sent as raw UTF-8 bytes';
is $s->get('/api/favorites/recently%E2%86%93added/', token => $alice->{access})->{status}, 404,
    'another arrow is no route';

$s->finish;
done_testing;

# Recommendation impressions recorded by the server (issue 16): a page
# of GET /api/movies/recommended/ or /api/movies/{id}/recommendations/ is
# a rec_impression of each movie shown, with its reason and position, the
# caller's or nobody's; the recommendations report counts those, and
# clicks (the client's rec_click) against them, without counting a
# client's own rec_impression of the same again.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
$s->demo_catalog(40);
my $admin = $s->admin;
my $alice = $s->user('alice');
my $A = $alice->{access};

# The server's impressions, as "movie reason position" in order, once
# the worker has written them (after its answer).
sub shown {
    my ($where, $n) = @_;
    wait_until { $s->psql(qq{SELECT count(*) FROM events WHERE kind = 'rec_impression'
                             AND data->>'source' = 'server' AND $where}) >= $n } what => "$n impressions";
    return $s->psql(qq{SELECT coalesce(string_agg(movie_id || ' ' || (data->>'reason') || ' ' || (data->>'position'),
                       '|' ORDER BY (data->>'position')::int), '') FROM events
                       WHERE kind = 'rec_impression' AND data->>'source' = 'server' AND $where});
}
sub page_of {
    my ($r, $first, $reason) = @_;
    my $i = $first;
    return join '|', map { "$_->{id} " . ($reason // $_->{reason}{kind}) . ' ' . $i++ } @{ $r->{json}{results} };
}

# ---- /api/movies/recommended/ ----
my $r = $s->get('/api/movies/recommended/?page_size=7', token => $A);
is $r->{status}, 200, 'a page of 7 recommendations';
is scalar @{ $r->{json}{results} }, 7, 'of 7 movies';
is shown("user_id = $alice->{id}", 7), page_of($r, 0), '7 impressions: each movie, its reason, its position';
my $page1 = $r;

my $page2 = $s->get('/api/movies/recommended/?page_size=7&page=2', token => $A);
is shown("user_id = $alice->{id} AND (data->>'position')::int >= 7", 7), page_of($page2, 7),
    'the second page: positions 7 to 13';
is $s->psql("SELECT count(*) FROM events WHERE kind = 'rec_impression' AND user_id = $alice->{id}"), 14,
    'one impression a movie shown, no more';

$r = $s->get('/api/movies/recommended/?page_size=5');
is shown('user_id IS NULL AND client_id IS NULL', 5), page_of($r, 0), 'an anonymous caller\'s: nobody\'s';
my $anon = $r;

my $count = $s->psql("SELECT count(*) FROM events WHERE kind = 'rec_impression'");
is $s->get('/api/movies/recommended/?page_size=5&page=100', token => $A)->{status}, 404, 'a page past the end';
is $s->get('/api/movies/recommended/?genre=nope', token => $A)->{status}, 400, 'a bad filter';
is $s->psql("SELECT count(*) FROM events WHERE kind = 'rec_impression'"), $count, 'show nothing, record nothing';

# ---- /api/movies/{id}/recommendations/ ----
my @m = map { 0 + $_ } split /\n/, $s->psql('SELECT id FROM movies ORDER BY id LIMIT 4');
$s->psql("INSERT INTO users (username, email, imported) SELECT 'liker' || g, 'liker' || g || '\@example.test', true
          FROM generate_series(1, 3) g");
$s->psql("INSERT INTO ratings (user_id, movie_id, rating) SELECT u.id, m, 5 FROM users u, unnest(ARRAY[@{[join ',', @m]}]) m
          WHERE u.username LIKE 'liker%'");
$r = $s->get("/api/movies/$m[0]/recommendations/", token => $A);
is $r->{status}, 200, 'people who liked this also liked';
is scalar @{ $r->{json}{results} }, 3, 'three movies';
is shown("user_id = $alice->{id} AND data->>'reason' = 'also_liked'", 3), page_of($r, 0, 'also_liked'),
    'each an impression, reason also_liked';
$r = $s->get("/api/movies/$m[0]/recommendations/");
is shown("data->>'reason' = 'also_liked' AND user_id IS NULL", 3), page_of($r, 0, 'also_liked'),
    'the page served again (from the cache): shown again';

# ---- the report: clicks against the server's impressions ----
my @p = @{ $page1->{json}{results} };
my $post = $s->post('/api/events/', token => $A, json => { events => [
    # the client also reports what it showed: not counted again
    (map { { kind => 'rec_impression', movie => $_->{id}, reason => $_->{reason}{kind} } } @p),
    { kind => 'rec_click', movie => $p[0]{id}, reason => $p[0]{reason}{kind}, position => 0 },
    { kind => 'rec_click', movie => $p[1]{id}, reason => $p[1]{reason}{kind}, position => 1 },
    # what the server did not serve: the client's count
    { kind => 'rec_impression', movie => $m[0], reason => 'from_email' },
    { kind => 'rec_impression', movie => $m[1], reason => 'from_email' },
    { kind => 'rec_click', movie => $m[1], reason => 'from_email' } ] });
is $post->{status}, 202, 'the client sends its clicks (and impressions)' or diag $post->{content};
my ($rc, $out) = $s->marquee('analytics', 'rollup');
is $rc, 0, 'rolled up' or diag $out;
my $today = $s->psql('SELECT utc_day(now())');
$r = $s->get("/api/admin/analytics/recommendations/?from=$today&to=$today", token => $admin->{access});
is $r->{status}, 200, 'the recommendations report';
my %by = map { $_->{reason} => $_ } @{ $r->{json}{by_reason} };
my %want;
for my $page ($page1, $page2, $anon) {
    $want{ $_->{reason}{kind} }{impressions}++ for @{ $page->{json}{results} };
}
$want{also_liked}{impressions} = 6;
$want{ $p[$_]{reason}{kind} }{clicks}++ for 0, 1;
$want{from_email} = { impressions => 2, clicks => 1 };
for my $reason (sort keys %want) {
    my ($i, $c) = ($want{$reason}{impressions}, $want{$reason}{clicks} // 0);
    is_deeply [ @{ $by{$reason} // {} }{qw(impressions clicks ctr)} ],
        [ $i, $c, 0 + sprintf('%.4f', $c / $i) ], "$reason: $i impressions, $c clicks, CTR $c/$i";
}
is scalar(keys %by), scalar(keys %want), 'and no other reason';
my $series = $r->{json}{series}[0];
my $total = 0;
$total += $_->{impressions} for values %want;
is $series->{impressions}, $total, 'the series counts the same';

$s->finish;
done_testing;

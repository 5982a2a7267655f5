# Deep pages of GET /api/movies/ (issue 14): a page past the end is a 404
# however deep, as DRF answers; by page number a list goes 10,000 movies
# deep, and past that its next links walk on by after= cursor (keyset
# pagination), in every ordering, through ties and NULL keys, to the end.
use strict;
use warnings;
use utf8;
use Test::More;
use Marquee::Stack;
use Marquee::Plans;

my $s = Marquee::Stack->start;

# 10,150 films, loaded before any request (nothing is cached yet): titles
# with repeats and accents, release dates NULL for the last 150, ties in
# popularity, and a rating for all but the last 120 (by one user each).
$s->psql(q{
    INSERT INTO movies (title, release_date, popularity)
    SELECT CASE WHEN i % 3 = 0 THEN 'Été ' || (i % 50) ELSE 'Film ' || i END,
           CASE WHEN i <= 10000 THEN DATE '1950-01-01' + (i % 9000) END,
           (i % 97)::real / 7
    FROM generate_series(1, 10150) i});
$s->psql(q{INSERT INTO users (username, email) VALUES ('rater', 'rater@example.test')});
$s->psql(q{
    INSERT INTO ratings (user_id, movie_id, rating)
    SELECT u.id, m.id, ((m.id % 10) + 1) / 2.0
    FROM movies m, users u WHERE u.username = 'rater' AND m.id <= (SELECT max(id) - 120 FROM movies)});
# the average the lists order and filter on follows the votes by this job
# (sql/0035_ratings_listed_by_job.sql)
is(($s->marquee('ratings', 'refresh'))[1], "10030 movies' listed ratings brought up to date\n",
   'marquee ratings refresh lists the rated films');

my $n = $s->psql('SELECT count(*) FROM movies WHERE provisional_by IS NULL');
is $n, 10150, "$n films";
my $last = int(($n + 99) / 100);

# ---- past the end wins over "too deep" ----
my $r = $s->get("/api/movies/?page_size=100&page=" . ($last + 1));
is $r->{status}, 404, 'the page after the last, deeper than 10,000 films: 404, not 400';
like $r->{json}{detail}, qr/past the end/, 'past the end';
is $s->get('/api/movies/?page_size=100&page=2000000')->{status}, 404, 'far past the end too';
is $s->get('/api/movies/?year=1955&page=1000')->{status}, 404, 'a short list, deep: 404';
$r = $s->get('/api/movies/?page_size=100&page=101');
is $r->{status}, 400, 'a page within the list but deeper than 10,000 films: 400';
like $r->{json}{errors}{page}[0], qr/after=/, 'pointing at the cursor';
# a filter whose count is not kept is counted as far as the page: the
# rated films, 10,030 of them (an index-only count, never in order)
is $s->get('/api/movies/?rating_min=0&page_size=100&page=102')->{status}, 404,
    'rating_min=, past the end: 404';
is $s->get('/api/movies/?rating_min=0&page_size=100&page=101')->{status}, 400,
    'rating_min=, within: 400';
is $s->get('/api/movies/?title=film&page_size=100&page=101')->{status}, 404,
    'title=film, 6,767 films: 404';

# ---- the walk by cursor, in every ordering ----
my %order_sql = %Marquee::Plans::ORDER_SQL;
for my $o (sort keys %order_sql) {
    my $page = $s->get("/api/movies/?ordering=$o&page_size=100&page=100");
    is $page->{status}, 200, "$o: page 100 (the last by number)";
    like $page->{json}{next}, qr/[?&]after=[A-Za-z0-9_-]+$/, "$o: its next link is by cursor";
    unlike $page->{json}{next}, qr/[?&]page=/, "$o: without page";
    my @ids = map { $_->{id} } @{ $page->{json}{results} };
    my ($pages, $ok) = (0, 1);
    for (my $next = $page->{json}{next}; $next; ) {
        (my $path = $next) =~ s{^https?://[^/]+}{};
        my $p = $s->get($path);
        $ok &&= $p->{status} == 200 && !defined $p->{json}{previous} && $p->{json}{count} == $n;
        push @ids, map { $_->{id} } @{ $p->{json}{results} };
        $next = $p->{json}{next};
        last if ++$pages > 10;
    }
    ok $ok, "$o: the pages after= are 200, without previous, with the list's count";
    my @want = split /\n/, $s->psql("SELECT id FROM movies WHERE provisional_by IS NULL
                                      ORDER BY $order_sql{$o} OFFSET 9900");
    is_deeply \@ids, \@want, "$o: walked to the end, every film once, in order";
}

# a cursor past the last film: an empty page, not an error
$r = $s->get('/api/movies/?ordering=id&page_size=100&page=100');
my ($cursor) = $r->{json}{next} =~ /after=([^&]+)$/;
my $walk = "/api/movies/?ordering=id&page_size=100&after=$cursor";
for (1 .. 5) {
    my $p = $s->get($walk);
    last unless $p->{json}{next};
    ($walk = $p->{json}{next}) =~ s{^https?://[^/]+}{};
}
is $s->get($walk)->{json}{next}, undef, 'the last page has no next';

# filters and a cursor: the walk stays in the list
$r = $s->get('/api/movies/?title=film&ordering=title&page_size=100&page=60');
is $r->{status}, 200, 'title=film, page 60';

# ---- bad cursors ----
($cursor) = $s->get('/api/movies/?ordering=title&page_size=100&page=100')->{json}{next} =~ /after=([^&]+)$/;
for my $case (["ordering=title&after=$cursor&page=2", 'with page'],
              ["ordering=-title&after=$cursor", 'of another ordering'],
              ["q=film&after=$cursor", 'with relevance'],
              ['ordering=title&after=bm9wZQ', 'not a cursor'],
              ['ordering=title&after=!!', 'not base64'],
              ['ordering=title&after=' . ('A' x 3000), 'too long'],
              ['ordering=popularity&after=NDoxOj1uYW4', 'a key that is not a number'],
              ['ordering=release_date&after=MjoxOj0xZTk', 'a date that is not a day count'],
              ['ordering=id&after=MTA6MDot', 'id 0']) {
    my $p = $s->get("/api/movies/?$case->[0]");
    is $p->{status}, 400, "after= $case->[1]: 400";
    ok $p->{json}{errors}{after}, "naming after ($case->[1])";
}
ok !$s->get("/api/genres/18/movies/?after=$cursor")->{json}{results}, 'the genre lists take no after';

$s->finish;
done_testing;

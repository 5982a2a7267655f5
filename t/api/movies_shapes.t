# The statements of GET /api/movies/ are made of the filters given
# (issue 14): a first page without filters, or with filters of few values
# (years, genres, language, ratings, runtimes), runs a statement with the
# limit, the offset and those values written in, prepared once per worker
# (the 32 most recently used kept; the least recently used dropped); any
# other is planned for its values with only its filters' conditions.  The
# count kept in movie_counts comes with the page.  Every shape must answer
# what SQL's own ordering and count say: each ordering, page sizes past
# the 32 kept, pages by number, filtered lists, more filter values than
# are kept and the first ones again, and a catalog change under a kept
# statement (the pages by cursor, unfiltered, are movies_deep.t's walk).
use strict;
use warnings;
use utf8;
use Test::More;
use Marquee::Stack;
use Marquee::Plans;

# one worker: it sees every statement, and keeps 32 of them
my $s = Marquee::Stack->start(workers => 1, extra_config => "[cache]\nresponses = off\n");

# 400 films with ties in popularity, years over four decades, NULL release
# dates and ratings for some, two languages, one provisional film.
$s->psql(q{
    INSERT INTO movies (title, release_date, popularity, original_language)
    SELECT CASE WHEN i % 3 = 0 THEN 'Été ' || (i % 40) ELSE 'Film ' || i END,
           CASE WHEN i <= 370 THEN DATE '1970-01-01' + (i * 97 % 14600) END,
           (i % 31)::real / 7, CASE WHEN i % 4 = 0 THEN 'fr' ELSE 'en' END
    FROM generate_series(1, 400) i});
$s->psql(q{INSERT INTO users (username, email) VALUES ('rater', 'rater@example.test')});
$s->psql(q{
    INSERT INTO ratings (user_id, movie_id, rating)
    SELECT u.id, m.id, ((m.id % 10) + 1) / 2.0
    FROM movies m, users u WHERE u.username = 'rater' AND m.id % 7 <> 0});
$s->psql(q{UPDATE movies SET provisional_by = (SELECT id FROM users WHERE username = 'rater')
           WHERE id = (SELECT min(id) FROM movies WHERE title LIKE 'Film%')});

my %order_sql = %Marquee::Plans::ORDER_SQL;

sub sql_ids {
    my ($where, $order, $limit, $offset) = @_;
    return join ',', split /\n/, $s->psql("SELECT id FROM movies WHERE provisional_by IS NULL "
        . ($where ? "AND $where " : '') . "ORDER BY $order LIMIT $limit OFFSET " . ($offset // 0));
}

sub page_ids {
    my ($url) = @_;
    my $r = $s->get($url);
    return "status $r->{status}" unless $r->{status} == 200;
    return join ',', map { $_->{id} } @{ $r->{json}{results} };
}

# ---- no filters: each ordering, 26 page sizes (312 statements, past the 26 a
# worker keeps), the second page of some ----
for my $o (sort keys %order_sql) {
    my @wrong;
    for my $size (1 .. 26) {
        push @wrong, $size
            unless page_ids("/api/movies/?ordering=$o&page_size=$size") eq sql_ids('', $order_sql{$o}, $size);
    }
    is "@wrong", '', "ordering=$o: the first page of every size is SQL's";
    is page_ids("/api/movies/?ordering=$o&page_size=7&page=3"), sql_ids('', $order_sql{$o}, 7, 14),
        "ordering=$o: page 3 of 7";
    is page_ids("/api/movies/?ordering=$o&page_size=100&page=4"), sql_ids('', $order_sql{$o}, 100, 300),
        "ordering=$o: the last page, short";
}

# a region without available_on= filters nothing (its parameter unused)
is page_ids('/api/movies/?region=FR&page_size=12'), sql_ids('', 'popularity DESC, id DESC', 12),
    'region= alone: the unfiltered list';
is page_ids('/api/movies/recent/?page_size=9'), sql_ids('', 'created_at DESC, id DESC', 9),
    '/api/movies/recent/';

# ---- filtered: only the conditions given, the same answers ----
my @filtered = (
    [ 'year=1990-1999', 'year BETWEEN 1990 AND 1999' ],
    [ 'year=1985', 'year = 1985' ],
    [ 'title=film%201', q{title_fold LIKE '%film 1%'} ],
    [ 'language=fr&ordering=title', q{original_language = 'fr'}, 'title, id' ],
    [ 'rating_min=3&rating_max=4.5&ordering=-rating', 'rating BETWEEN 3 AND 4.5',
      'rating DESC NULLS LAST, id DESC' ],
    [ 'year=1980-2009&language=en&ordering=release_date',
      q{year BETWEEN 1980 AND 2009 AND original_language = 'en'}, 'release_date, id' ],
);
for my $f (@filtered) {
    my ($query, $where, $order) = @$f;
    $order //= 'popularity DESC, id DESC';
    my $r = $s->get("/api/movies/?$query&page_size=15");
    is $r->{status}, 200, "$query: 200";
    is page_ids("/api/movies/?$query&page_size=15"), sql_ids($where, $order, 15), "$query: SQL's first 15";
    my $n = $s->psql("SELECT count(*) FROM movies WHERE provisional_by IS NULL AND $where");
    is $r->{json}{count}, $n, "$query: counted";
    is page_ids("/api/movies/?$query&page_size=15&page=2"),
        $n > 15 ? sql_ids($where, $order, 15, 15) : 'status 404', "$query: page 2 ($n films)";
}

# ---- more first pages of filter values than a worker keeps (32), then the
# first ones again, dropped and made afresh: each SQL's, counted ----
sub year_page_ok {
    my ($year, $what) = @_;
    my $r = $s->get("/api/movies/?year=$year&page_size=3");
    my $n = $s->psql("SELECT count(*) FROM movies WHERE provisional_by IS NULL AND year = $year");
    my $ids = join ',', map { $_->{id} } @{ $r->{json}{results} // [] };
    return $r->{status} == 200 && $ids eq sql_ids("year = $year", 'popularity DESC, id DESC', 3)
        && $r->{json}{count} == $n ? () : ("$year ($what)");
}
my @years = grep { $s->psql("SELECT count(*) FROM movies WHERE year = $_") > 3 } 1970 .. 2009;
cmp_ok scalar @years, '>', 32, 'more years with a second page than statements kept';
my @wrong = map { year_page_ok($_, 'first') } @years;
push @wrong, map { year_page_ok($_, 'again') } @years[0 .. 4], reverse @years;
is "@wrong", '', 'year=Y for ' . @years . ' years, then again: every first page and count SQL\'s';

# a title (here with a quote) is planned for its value, never written in
is page_ids("/api/movies/?title=%C3%A9t%C3%A9%20'1&page_size=5"),
    sql_ids(q{title_fold LIKE '%ete ''1%'}, 'popularity DESC, id DESC', 5), "title=été '1: SQL's";

# the catalog changes under a kept statement: its page and count follow
my $year = $years[-1];
is_deeply [ year_page_ok($year, 'before') ], [], "year=$year kept";
$s->psql(qq{INSERT INTO movies (title, release_date, popularity, original_language)
            SELECT 'New ' || i, DATE '$year-06-01', 100 + i, 'en' FROM generate_series(1, 2) i});
is_deeply [ year_page_ok($year, 'after two new films') ], [], "year=$year: the new films, counted";
is_deeply [ map { year_page_ok($_, 'unchanged') } @years[0 .. 2] ], [], 'other years unchanged';

$s->finish;
done_testing;

# GET /api/movies/ and the other lists of movies: every filter, ordering and
# search, pagination, counts, ETags; a movie's detail and similar movies;
# translations chosen by Accept-Language.  On the demo catalog (the curated
# films and 400 generated ones) plus a few films made here.
use strict;
use warnings;
use utf8;
use Test::More;
use Marquee::Stack;
use JSON::PP;

my $s = Marquee::Stack->start;
$s->demo_catalog(400);
my $admin = $s->admin;

sub ids { [ map { $_->{id} } @{ $_[0]{json}{results} } ] }
sub field { my ($r, $f) = @_; [ map { $_->{$f} } @{ $r->{json}{results} } ] }
sub all_pages {
    my ($path) = @_;
    my @all;
    for (my $page = 1;; $page++) {
        my $sep = $path =~ /\?/ ? '&' : '?';
        my $r = $s->get("$path${sep}page_size=100&page=$page");
        die "$path: $r->{status} $r->{content}" unless $r->{status} == 200;
        push @all, @{ $r->{json}{results} };
        last unless $r->{json}{next};
    }
    return \@all;
}
sub sql_count { $s->psql("SELECT count(*) FROM movies m WHERE $_[0]") }
sub create {
    my (%m) = @_;
    my $r = $s->post('/api/movies/', token => $admin->{access}, json => \%m);
    die "creating $m{title}: $r->{status} $r->{content}" unless $r->{status} == 201;
    return $r->{json};
}

my $total = $s->psql('SELECT count(*) FROM movies');
is $total, 500, 'the demo catalog: 100 curated films and 400 generated';

# ---- the default list ----
my $r = $s->get('/api/movies/');
is $r->{status}, 200, 'GET /api/movies/ answers 200';
is $r->{json}{count}, $total, 'count is every movie';
is scalar @{ $r->{json}{results} }, 20, 'twenty to a page';
like $r->{json}{next}, qr{/api/movies/\?page=2$}, 'with a next link';
my @pop = @{ field($r, 'popularity') };
is_deeply \@pop, [ sort { $b <=> $a } @pop ], 'most popular first by default';
my $m = $r->{json}{results}[0];
for my $f (qw(id tmdb_id imdb_id title original_title overview release_date year runtime
              original_language status popularity rating ratings_count poster_url genres)) {
    ok exists $m->{$f}, "a movie in the list has $f";
}
like $r->{headers}{etag}, qr{^W/"[0-9a-f]{32}"$}, 'a weak ETag';
is $s->get('/api/movies/', headers => { 'If-None-Match' => $r->{headers}{etag} })->{status}, 304,
    'If-None-Match answers 304';
is_deeply $s->get('/api/movies')->{json}, $r->{json}, 'the path without its slash is the same';
my $vary = $r->{headers}{vary} // '';
like join(',', ref $vary ? @$vary : $vary), qr/Accept-Language/, 'Vary: Accept-Language';

# ---- filters, one by one; each result checked against the filter ----
my $nosferatu = $s->get('/api/movies/?tmdb_id=653')->{json};
is $nosferatu->{count}, 1, 'tmdb_id=653 finds one film';
is $nosferatu->{results}[0]{title}, 'Nosferatu', 'Nosferatu';
my $nos_id = $nosferatu->{results}[0]{id};
is $s->get('/api/movies/?imdb_id=tt0013442')->{json}{results}[0]{id}, $nos_id,
    'imdb_id=tt0013442 finds it too';
is $s->get('/api/movies/?tmdb_id=999999')->{json}{count}, 0, 'an unknown tmdb_id finds nothing';

$r = $s->get('/api/movies/?title=AMELIE');
is_deeply [ grep { $_ eq 'Amélie' } @{ field($r, 'title') } ], ['Amélie'],
    'title= is case- and accent-insensitive (AMELIE finds Amélie)';
$r = $s->get('/api/movies/?title=' . 'feratu');
is_deeply field($r, 'title'), ['Nosferatu'], 'title= matches inside the title';
my $made = create(title => '50% Off_Sale', overview => 'wildcards in a title');
create(title => 'Quizzical Lanterns', overview => 'A story.', popularity => 0);
create(title => 'Another Film', overview => 'It features quizzical lanterns at night.', popularity => 50);
is_deeply field($s->get('/api/movies/?title=50%25%20off'), 'title'), ['50% Off_Sale'],
    'a % in title= is a percent sign, not a wildcard';
is $s->get('/api/movies/?title=0%25%20o')->{json}{count}, 1, 'and matches literally';
is $s->get('/api/movies/?title=_ff')->{json}{count}, 0, '_ is an underscore, not any character';
is $s->get('/api/movies/?title=%EF%BC%85%EF%BC%85%EF%BC%85')->{json}{count}, 0,
    'full-width percent sign (folded to %) is no wildcard either';
$r = $s->get('/api/movies/?title=8%C2%BD');
is_deeply field($r, 'title'), ['8½'], 'a two-character title= matches titles starting with it';
is_deeply [ grep { !/^am/i } map { $_->{title} } @{ all_pages('/api/movies/?title=am') } ], [],
    'every title found by title=am starts with am';

for my $q ('year=1922', 'year=1922,1925', 'year=1920-1929') {
    my $list = all_pages("/api/movies/?$q");
    my ($lo, $hi) = $q =~ /(\d+)-(\d+)/ ? ($1, $2) : (1922, 1925);
    my %in = map { $_ => 1 } $q =~ /-/ ? ($lo .. $hi) : ($q =~ /(\d{4})/g);
    cmp_ok scalar @$list, '>', 0, "$q finds films";
    is_deeply [ grep { !$in{$_} } map { $_->{year} } @$list ], [], "every film of $q has such a year";
    my $where = $q =~ /-/ ? "year BETWEEN $lo AND $hi" : 'year IN (' . join(',', keys %in) . ')';
    is scalar @$list, sql_count($where), "and all of them are there ($q)";
}

my $genres = { map { $_->{slug} => $_->{id} } @{ $s->get('/api/genres/')->{json}{results} } };
for my $q ('genre=horror', "genre=$genres->{horror}", 'genre=horror,western') {
    my $list = all_pages("/api/movies/?$q");
    my @want = $q =~ /western/ ? qw(horror western) : ('horror');
    cmp_ok scalar @$list, '>', 0, "$q finds films";
    is_deeply [ map { $_->{title} } grep { my $g = { map { $_->{slug} => 1 } @{ $_->{genres} } };
                                           !grep { $g->{$_} } @want } @$list ], [],
        "every film of $q has one of its genres";
    my $ids = join ',', map { $genres->{$_} } @want;
    is scalar @$list, sql_count("genre_ids && '{$ids}'"), "and all of them are there ($q)";
}

my $de = all_pages('/api/movies/?language=de');
cmp_ok scalar @$de, '>', 0, 'language= finds films';
is_deeply [ grep { $_ ne 'de' } map { $_->{original_language} } @$de ], [], 'language= is the original language';
is scalar @$de, sql_count(q{original_language = 'de'}), 'all of them';

my $rated = all_pages('/api/movies/?rating_min=3.5&rating_max=4');
cmp_ok scalar @$rated, '>', 0, 'rating_min and rating_max find films';
is_deeply [ grep { !defined || $_ < 3.5 || $_ > 4 } map { $_->{rating} } @$rated ], [],
    'rating_min and rating_max bound the rating (unrated films are out)';
my $runtime = all_pages('/api/movies/?runtime_min=90&runtime_max=100');
cmp_ok scalar @$runtime, '>', 0, 'runtime_min and runtime_max find films';
is_deeply [ grep { $_ < 90 || $_ > 100 } map { $_->{runtime} } @$runtime ], [],
    'runtime_min and runtime_max bound the runtime';

# combined: AND
my $combo = all_pages('/api/movies/?genre=horror&year=1920-1939&language=de');
is_deeply [ grep { $_ == $nos_id } map { $_->{id} } @$combo ], [$nos_id],
    'genre, year and language together find Nosferatu';
is_deeply [ map { "$_->{year} $_->{original_language}" }
            grep { $_->{year} < 1920 || $_->{year} > 1939 || $_->{original_language} ne 'de' } @$combo ], [],
    'and only what matches all of them';
is $s->get('/api/movies/?genre=horror&year=1920-1939&language=de')->{json}{count},
    sql_count(qq{genre_ids && '{$genres->{horror}}' AND year BETWEEN 1920 AND 1939 }
              . q{AND original_language = 'de'}), 'with the exact count';

# ---- full-text search ----
$r = $s->get('/api/movies/?q=vampire');
is $r->{json}{search}, 'fulltext', 'q= is full-text search';
is $r->{json}{results}[0]{title}, 'Nosferatu', 'q=vampire: Nosferatu (a vampire in its keywords and overview) first';
is_deeply field($s->get('/api/movies/?q=quizzical%20lanterns'), 'title'),
    ['Quizzical Lanterns', 'Another Film'], 'a match in the title outranks one in the overview';
is $s->get('/api/movies/?q=lantern')->{json}{count}, 2, 'words are stemmed (lantern finds lanterns)';
is $s->get('/api/movies/?q=quizzical%20-night')->{json}{count}, 1, 'web-search syntax: -word excludes';
is $s->get('/api/movies/?q=%22lanterns%20at%20night%22')->{json}{count}, 1, '"quoted phrases"';
is $s->get('/api/movies/?q=amelie')->{json}{results}[0]{title}, 'Amélie', 'q= folds accents too';
$r = $s->get('/api/movies/?q=nosferatoo');
is $r->{json}{search}, 'corrected', 'a typo finds nothing in full text: the query is corrected';
is $r->{json}{corrected_q}, 'nosferatu', 'to the word the catalog knows';
is $r->{json}{results}[0]{title}, 'Nosferatu', 'and Nosferatu is found';
$r = $s->get('/api/movies/?q=vampyre%20plage');
is $r->{json}{corrected_q}, 'vampir plagu', 'each unknown word is corrected (to its stem)';
is $r->{json}{results}[0]{title}, 'Nosferatu', 'Nosferatu for "vampyre plage"';
$r = $s->get('/api/movies/?q=lanterns%20xqzwv');
is $r->{json}{corrected_q}, 'lanterns', 'a word like none is left out';
is $r->{json}{count}, 2, 'and the rest is searched';
$r = $s->get('/api/movies/?q=vampyre&page_size=1&page=2');
is $r->{json}{search}, 'corrected', 'page 2 of a corrected search is corrected too';
is $s->get('/api/movies/?q=qqqqqqq')->{json}{count}, 0, 'nothing like any word: nothing';
is $s->get('/api/movies/?q=vampire&ordering=-release_date')->{json}{search}, 'fulltext',
    'q= with an ordering';
$r = $s->get('/api/movies/?q=vampire&ordering=-release_date');
my @dates = grep { defined } @{ field($r, 'release_date') };
is_deeply \@dates, [ sort { $b cmp $a } @dates ], 'is ordered by it instead of relevance';

# ---- orderings ----
for my $o (qw(title -title release_date -release_date popularity -popularity rating -rating
              created_at -created_at id -id)) {
    (my $f = $o) =~ s/^-//;
    my $desc = $o =~ /^-/;
    my $list = $s->get("/api/movies/?ordering=$o&page_size=100&genre=drama")->{json}{results};
    my @v = map { $_->{$f} } @$list;
    my @defined = grep { defined } @v;
    my @sorted = $f =~ /^(popularity|rating|id)$/ ? sort { $a <=> $b } @defined : sort @defined;
    @sorted = reverse @sorted if $desc;
    is_deeply \@defined, \@sorted, "ordering=$o sorts by $f";
    my $first_null = (grep { !defined $v[$_] } 0 .. $#v)[0];
    ok !defined $first_null || !grep({ defined } @v[$first_null .. $#v]),
        "ordering=$o puts films without a $f last";
}

# ---- pagination and its limits ----
$r = $s->get('/api/movies/?page_size=7&page=3&genre=drama');
is scalar @{ $r->{json}{results} }, 7, 'page_size=7';
like $r->{json}{previous}, qr{page_size=7&genre=drama&page=2$}, 'previous keeps the filters';
like $r->{json}{next}, qr{page_size=7&genre=drama&page=4$}, 'next too';
my $pages = int(($r->{json}{count} + 6) / 7);
is $s->get("/api/movies/?page_size=7&genre=drama&page=" . ($pages + 1))->{status}, 404,
    'a page past the end is 404';
is scalar @{ all_pages('/api/movies/?genre=drama') }, $r->{json}{count},
    'paging through gives count films';
my %seen;
$seen{$_->{id}}++ for @{ all_pages('/api/movies/?ordering=title') };
is_deeply [ grep { $seen{$_} > 1 } sort keys %seen ], [], 'and none twice';
$r = $s->get('/api/movies/?page=501&page_size=20');
is $r->{status}, 404, 'a page past the end deeper than 10,000 movies is 404 too (t/api/movies_deep.t)';

# ---- bad input: 400 with field errors ----
for my $case (['year=abc', 'year'], ['year=1999-1990', 'year'], ['year=1800', 'year'],
              ['year=1999,', 'year'], ['year=' . join(',', 1990 .. 2020), 'year'],
              ['tmdb_id=-1', 'tmdb_id'], ['tmdb_id=abc', 'tmdb_id'], ['tmdb_id=99999999999', 'tmdb_id'],
              ['imdb_id=123', 'imdb_id'], ['genre=Horror', 'genre'], ['genre=nope', 'genre'],
              ['genre=99', 'genre'], ['genre=horror,,drama', 'genre'], ['language=DE', 'language'],
              ['language=deu', 'language'], ['rating_min=6', 'rating_min'],
              ['rating_min=x', 'rating_min'], ['rating_min=nan', 'rating_min'],
              ['rating_min=4&rating_max=3', 'rating_min'], ['runtime_max=-5', 'runtime_max'],
              ['runtime_min=100&runtime_max=90', 'runtime_min'], ['q=', 'q'], ['q=%20%2B%2B', 'q'],
              ['title=', 'title'], ['title=' . ('x' x 201), 'title'], ['ordering=budget', 'ordering'],
              ['ordering=relevance', 'ordering'], ['colour=red', 'colour'],
              ['year=1999&year=2000', 'year'], ['page=0', 'page']) {
    my ($q, $field) = @$case;
    $r = $s->get("/api/movies/?$q");
    is $r->{status}, 400, "$q is a 400";
    ok $r->{json}{errors}{$field}, "naming $field";
}
$r = $s->get('/api/movies/?year=abc&tmdb_id=x');
is_deeply [ sort keys %{ $r->{json}{errors} } ], [qw(tmdb_id year)], 'every bad field is named at once';

# ---- counts stay exact as the catalog changes ----
my $before = $s->get('/api/movies/?language=sv')->{json}{count};
my $x = create(title => 'Sommarnatt', original_language => 'sv', genres => ['drama'],
               release_date => '1955-06-01');
is $s->get('/api/movies/?language=sv')->{json}{count}, $before + 1, 'a new film counts at once';
is $s->get('/api/movies/')->{json}{count}, $s->psql('SELECT count(*) FROM movies'),
    'in the unfiltered count too';
is $s->patch("/api/movies/$x->{id}/", token => $admin->{access},
              json => { original_language => 'da' })->{status}, 200, 'a film changes language';
is $s->get('/api/movies/?language=sv')->{json}{count}, $before, 'and moves when it changes';
is $s->stale_movie_counts,
    0, 'movie_counts equals a recount, row by row';

# ---- estimated counts, when exact ones would cost too much ----
is $s->get('/api/movies/?genre=drama&runtime_min=60')->{json}{count_exact}, JSON::PP::true,
    'counts are exact when the planner expects few matches';
$s->reload_pool(extra_config => "[limits]\nexact_count_max = 0\n");
$r = $s->get('/api/movies/?genre=drama&runtime_min=61&page_size=5');
is $r->{json}{count_exact}, JSON::PP::false, 'past [limits] exact_count_max the count is an estimate';
cmp_ok $r->{json}{count}, '>', 5, 'of more than a page';
my $drama = all_pages('/api/movies/?genre=drama&runtime_min=61');
is scalar @$drama, sql_count(qq{genre_ids && '{$genres->{drama}}' AND runtime >= 61}),
    'paging follows the real end, whatever the estimate';
$r = $s->get('/api/movies/?genre=drama&runtime_min=61&page_size=100&page=' . int(@$drama / 100 + 1));
is $r->{json}{next}, undef, 'the last page has no next';
is $r->{json}{count_exact}, JSON::PP::true, 'and counts exactly';
is $s->get('/api/movies/?genre=drama&page_size=5')->{json}{count_exact}, JSON::PP::true,
    'kept counts are exact whatever the limit';
$s->reload_pool(extra_config => '');

# ---- recent, and a genre's movies ----
$r = $s->get('/api/movies/recent/');
is $r->{json}{results}[0]{title}, 'Sommarnatt', '/api/movies/recent/: the newest first';
is $s->get('/api/movies/recent/?genre=drama')->{status}, 400, 'and takes no filters';
my $horror = $s->get("/api/genres/$genres->{horror}/movies/?page_size=100");
is $horror->{json}{count}, sql_count("genre_ids && '{$genres->{horror}}'"),
    '/api/genres/{id}/movies/: the genre\'s films';
is_deeply [ map { $_->{title} } grep { !grep { $_->{slug} eq 'horror' } @{ $_->{genres} } }
            @{ $horror->{json}{results} } ], [], 'all of them of the genre';
is $s->get("/api/genres/$genres->{horror}/movies/?year=1922")->{json}{results}[0]{id}, $nos_id,
    'with the other filters';
is $s->get("/api/genres/$genres->{horror}/movies/?genre=drama")->{status}, 400, 'but not genre=';
is $s->get('/api/genres/9999/movies/')->{status}, 404, 'an unknown genre is 404';
is $s->get('/api/genres/2147483648/movies/')->{status}, 404, 'so is one past the integers genres have';

# ---- detail ----
$r = $s->get("/api/movies/$nos_id/");
is $r->{status}, 200, 'GET /api/movies/{id}/';
is $r->{json}{title}, 'Nosferatu', 'the movie';
is_deeply [ sort map { $_->{slug} } @{ $r->{json}{genres} } ], [qw(fantasy horror)], 'its genres';
is_deeply [ grep { $_ eq 'vampire' } map { $_->{name} } @{ $r->{json}{keywords} } ], ['vampire'], 'its keywords';
is_deeply [ sort keys %{ $r->{json}{statistics} } ],
    [qw(favorites_count rating ratings_count reviews_count watchlist_count)], 'its statistics';
is_deeply $r->{json}{media}, [], 'its media';
like $r->{json}{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'RFC 3339 times in UTC';
is $s->get("/api/movies/$nos_id/", headers => { 'If-None-Match' => $r->{headers}{etag} })->{status},
    304, 'with an ETag';
$r = $s->get('/api/movies/999999/');
is $r->{status}, 404, 'an unknown movie is 404';
is $r->{json}{detail}, 'No movie with id 999999.', 'saying which';
is $s->get('/api/movies/abc/')->{status}, 404, 'a path with a non-numeric id is no route';

# ---- similar ----
$r = $s->get("/api/movies/$nos_id/similar/?page_size=100");
is $r->{status}, 200, 'GET /api/movies/{id}/similar/';
my $sim = $r->{json}{results};
cmp_ok scalar @$sim, '>', 0, 'similar movies';
cmp_ok $r->{json}{count}, '<=', 100, 'up to 100 of them';
is_deeply [ grep { $_ == $nos_id } map { $_->{id} } @$sim ], [], 'the movie itself is not among them';
my @scores = map { $_->{score} } @$sim;
is_deeply \@scores, [ sort { $b <=> $a } @scores ], 'the most similar first';
my %nos_kw = map { $_->{id} => 1 } @{ $s->get("/api/movies/$nos_id/")->{json}{keywords} };
my $top = $s->get("/api/movies/$sim->[0]{id}/")->{json};
cmp_ok scalar(grep({ $_->{slug} =~ /^(horror|fantasy)$/ } @{ $top->{genres} })
              + grep({ $nos_kw{$_->{id}} } @{ $top->{keywords} })), '>', 0,
    'and it shares a genre or a keyword';
is $s->get('/api/movies/999999/similar/')->{status}, 404, 'similar to an unknown movie is 404';
is $s->get("/api/movies/$nos_id/similar/?genre=drama")->{status}, 400, 'similar takes no filters';
is $s->get("/api/movies/$nos_id/?fields=title")->{status}, 400, 'the detail refuses unknown parameters';
is $s->get('/api/genres/?colour=red')->{status}, 400, 'so does the genre list';

# ---- translations ----
my $t = $s->put("/api/movies/$nos_id/translations/fr/", token => $admin->{access},
                json => { title => 'Nosferatu le vampire', overview => 'Un agent immobilier...' });
is $t->{status}, 201, 'a French translation';
$r = $s->get("/api/movies/$nos_id/", headers => { 'Accept-Language' => 'fr-CA,fr;q=0.9,en;q=0.5' });
is $r->{json}{title}, 'Nosferatu le vampire', 'Accept-Language: fr-CA shows the French title';
is $r->{json}{translation}, 'fr', 'and says which translation';
is $r->{json}{tagline}, '', 'an empty translated tagline falls back to the original';
is_deeply [ map { $_->{name} } @{ $r->{json}{genres} } ], [qw(Fantastique Horreur)],
    'genre names in French';
is $s->get("/api/movies/$nos_id/?language=fr")->{json}{title}, 'Nosferatu le vampire',
    '?language=fr on the detail';
is $s->get("/api/movies/$nos_id/", headers => { 'Accept-Language' => 'de' })->{json}{title},
    'Nosferatu', 'a language without a translation shows the original';
is $s->get("/api/movies/$nos_id/")->{json}{title}, 'Nosferatu', 'so does no Accept-Language';
is $s->get("/api/movies/$nos_id/?language=fr_FR!")->{status}, 400, 'a malformed language is a 400';
$r = $s->get('/api/movies/?tmdb_id=653', headers => { 'Accept-Language' => 'fr' });
is $r->{json}{results}[0]{title}, 'Nosferatu le vampire', 'lists are translated too';
is $s->get('/api/movies/?tmdb_id=653')->{json}{results}[0]{title}, 'Nosferatu',
    'and cached apart from the English ones';
is $s->get('/api/genres/?language=de&ordering=name')->{json}{results}[0]{name}, 'Abenteuer',
    'GET /api/genres/ in German, ordered by the German names';

# ---- no stale reads: every write shows at once, cache or not ----
$s->get("/api/movies/$nos_id/");
$s->get('/api/movies/?tmdb_id=653');
$s->patch("/api/movies/$nos_id/", token => $admin->{access}, json => { runtime => 95 });
is $s->get("/api/movies/$nos_id/")->{json}{runtime}, 95, 'a change shows in the detail at once';
is $s->get('/api/movies/?tmdb_id=653')->{json}{results}[0]{runtime}, 95, 'and in lists';
$s->stop_memcached;
$r = $s->get('/api/movies/?genre=horror&year=1920-1939');
is $r->{status}, 200, 'with memcached stopped lists are still served';
is $s->get("/api/movies/$nos_id/")->{json}{runtime}, 95, 'and details';

is $s->post("/api/movies/$nos_id/", json => {})->{status}, 405, 'POST to a movie is 405';

$s->finish;
done_testing;

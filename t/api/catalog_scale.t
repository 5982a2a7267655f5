# Every filter, ordering and search of the movie lists can be served by an
# index: with sequential scans disabled, the plans PostgreSQL logs for the
# statements the service runs (auto_explain) never read the movies table in
# full.  On a few thousand films; bench/explain shows the same plans and
# their times at a million.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;
use Marquee::Plans;

my $s = Marquee::Stack->start(catalog => 3000,
                              pg_options => Marquee::Plans::AUTO_EXPLAIN(no_seqscan => 1));
# where movies stream, for available_on=: a tenth on one service in the
# US, a seventh on another in France; three films on a rare one
$s->psql(q{INSERT INTO watch_providers (id, name) VALUES (8, 'Netflix'), (337, 'Disney Plus'),
           (99, 'Rare')});
$s->psql(q{INSERT INTO movie_providers (movie_id, region, provider_id, kind)
           SELECT id, 'US', 8, 'flatrate' FROM movies WHERE id % 10 = 0
           UNION ALL SELECT id, 'FR', 337, 'flatrate' FROM movies WHERE id % 7 = 0
           UNION ALL SELECT id, 'FR', 8, 'rent' FROM movies WHERE id % 3 = 0
           UNION ALL SELECT id, 'US', 99, 'free' FROM movies WHERE id % 1000 = 1});
# release dates (sql/0027_regions.sql): every movie in the US, half in
# France and Germany, for region=
$s->psql(q{INSERT INTO movie_release_dates (movie_id, region, kind, release_date, certification)
           SELECT id, r, 'theatrical', coalesce(release_date, '2000-01-01'), '12'
           FROM movies, unnest(ARRAY['US', 'FR', 'DE']) AS r WHERE r = 'US' OR id % 2 = 0});
$s->psql(q{SELECT count(region_releases_derive(id)) FROM movies});
$s->psql('VACUUM ANALYZE');

# title= and q= search the translations too when asked in another
# language than the catalog's (sql/0021_translated_title_search.sql)
my @french = map { [ $_, 'fr' ] } grep { /[?&](title|q)=/ } @Marquee::Plans::LIST_PATHS;
for my $case ((map { [ $_, undef ] } @Marquee::Plans::LIST_PATHS), @french) {
    my ($path, $lang) = @$case;
    my $mark = Marquee::Plans::mark($s);
    my $r = $s->get($path, $lang ? (headers => { 'Accept-Language' => $lang }) : ());
    $path .= " ($lang)" if $lang;
    is $r->{status}, 200, "$path answers";
    my @plans = Marquee::Plans::of_movies(Marquee::Plans::since($s, $mark));
    ok @plans, "$path: its statements' plans were logged";
    for my $p (@plans) {
        ok !Marquee::Plans::seq_scans_movies($p), "$path: no full scan of movies"
            or diag join(', ', Marquee::Plans::access_paths($p)), "\n", $p->{query};
    }
}

# available_on= is a semi-join with movie_providers, never a subquery run
# for each movie the ordering's index walks (under "$15 IS NULL OR" it
# was: to the end of the index when few movies stream there, 0.9 s at a
# million films).  The page and its count, for a common provider, a rare
# one and one that streams nothing.
sub subplan_reads {
    my ($node, $rel, $under) = @_;
    $under ||= ($node->{'Parent Relationship'} // '') eq 'SubPlan';
    return 1 if $under && ($node->{'Relation Name'} // '') eq $rel;
    return scalar grep { subplan_reads($_, $rel, $under) } @{ $node->{Plans} // [] };
}
for my $path ('/api/movies/?available_on=8', '/api/movies/?available_on=99',
              '/api/movies/?available_on=2&ordering=title', '/api/movies/?available_on=99&genre=drama') {
    my $mark = Marquee::Plans::mark($s);
    my $r = $s->get($path);
    is $r->{status}, 200, "$path answers";
    my @plans = grep { ($_->{query} // '') =~ /movie_providers/ }
        Marquee::Plans::of_movies(Marquee::Plans::since($s, $mark));
    ok @plans, "$path: its statements' plans were logged";
    ok !subplan_reads($_->{plan}, 'movie_providers'), "$path: movie_providers joined, not a subquery per movie"
        or diag explain $_->{plan} for @plans;
}
is $s->get('/api/movies/?available_on=99')->{json}{count},
   $s->psql(q{SELECT count(*) FROM movies WHERE id % 1000 = 1}), 'available_on=99: the films it streams';

# With a region: the release of each movie shown and, for trending and
# recommended, what is out there first, by probes of
# movie_region_releases' primary key; no statement reads movies or the
# release dates in full.
my $movie = $s->psql('SELECT min(id) FROM movies');
for my $path ('/api/movies/?region=FR', '/api/movies/?ordering=title&region=FR&genre=drama',
              '/api/movies/recent/?region=DE', '/api/genres/7/movies/?region=US',
              '/api/movies/trending/?region=FR', '/api/movies/trending/?region=FR&page=3',
              '/api/movies/recommended/?region=FR', '/api/movies/recommended/?region=DE&page=3',
              "/api/movies/$movie/?region=FR") {
    my $mark = Marquee::Plans::mark($s);
    my $r = $s->get($path);
    is $r->{status}, 200, "$path answers" or diag $r->{content};
    ok grep({ exists $_->{regional_release} } @{ $r->{json}{results} // [ $r->{json} ] }),
        "$path: with the region's releases";
    my @plans = grep { ($_->{query} // '') =~ /movie_region_releases|movie_release_dates|\bmovies m\b/ }
        Marquee::Plans::since($s, $mark);
    ok grep({ ($_->{query} // '') =~ /movie_region_releases/ } @plans), "$path: the regions' statements logged";
    for my $p (@plans) {
        my @full = grep { $_->{type} eq 'Seq Scan' &&
                          ($_->{relation} // '') =~ /^(movies|movie_region_releases|movie_release_dates)$/ }
            @{ $p->{nodes} };
        ok !@full, "$path: no full scan of movies or release dates"
            or diag join(', ', Marquee::Plans::access_paths($p)), "\n", $p->{query};
    }
}

$s->finish;
done_testing;

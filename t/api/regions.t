# Regions (issue 18): ?region= or the signed-in user's saved region picks
# TMDb's release dates and certification of that region for the movie
# detail and the lists (/api/movies/, recent, a genre's, trending,
# recommended), and trending and recommended put what is out there first;
# without a region every answer is as it was.  The fake TMDb serves
# release_dates appended to the movie, as TMDb does, and fails on request.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Marquee::Stack;

my $s = Marquee::Stack->start(tmdb => 1);
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my $carol = $s->user('carol');

# The Godfather out in France in 1972; Pulp Fiction not before 2099.
sub dates { encode_json({ id => $_[0], results => [ @_[1 .. $#_] ] }) }
sub entry { my ($type, $date, $cert, $note) = @_;
            { type => $type, release_date => "${date}T00:00:00.000Z", certification => $cert // '',
              note => $note // '', iso_639_1 => '', descriptors => [] } }
$s->tmdb_doc('release-dates-238.json', dates(238, { iso_3166_1 => 'FR', release_dates => [ entry(3, '1972-10-18', 'TP') ] }));
$s->tmdb_doc('release-dates-680.json', dates(680, { iso_3166_1 => 'FR', release_dates => [ entry(3, '2099-01-01', '16') ] }));

my %id;
for my $tmdb (550, 238, 278, 603, 680) {
    my $r = $s->post('/api/movies/', token => $admin->{access}, json => { tmdb_id => $tmdb });
    die "import $tmdb: $r->{content}" unless $r->{status} == 201;
    $id{$tmdb} = $r->{json}{id};
}
like +($s->tmdb_requests(qr{^GET /3/movie/550\?}))[0], qr/append_to_response=[^&]*release_dates/,
    'the import asks TMDb for the release dates along with the movie';
is $s->psql("SELECT count(*) FROM movie_release_dates WHERE movie_id = $id{550}"), 8,
    '  and keeps them: the earliest of each type and region';

sub detail { $s->get("/api/movies/$_[0]/" . ($_[1] // ''), @_[2 .. $#_]) }
sub tmdb_ids { [ map { my $m = $_->{id}; grep { $id{$_} == $m } keys %id } @{ $_[0]{json}{results} } ] }

# ---- the detail ----
my $plain = detail($id{550});
is $plain->{status}, 200, 'detail without a region: 200';
ok !exists $plain->{json}{regional_release}, '  no regional release';
my $r = detail($id{550}, '?region=fr');
is $r->{status}, 200, 'region=fr: 200' or diag $r->{content};
is_deeply $r->{json}{regional_release}, {
    region => 'FR', release_date => '1999-11-10', certification => '16',
    release_dates => [
        { type => 3, kind => 'theatrical', date => '1999-11-10', certification => '16', note => undef },
        { type => 4, kind => 'digital', date => '2001-03-01', certification => '16', note => undef } ] },
    "  France's dates by type, its certification";
$r = detail($id{550}, '?region=US');
is_deeply [ map { "$_->{kind}:$_->{date}:" . ($_->{note} // '') } @{ $r->{json}{regional_release}{release_dates} } ],
    [ 'premiere:1999-09-10:Venice Film Festival', 'theatrical:1999-10-15:', 'digital:2000-06-06:',
      'physical:2000-06-06:DVD' ], 'region=US: every type, by date, with its note';
is_deeply [ @{ $r->{json}{regional_release} }{qw(release_date certification)} ], [ '1999-10-15', 'R' ],
    '  the theatrical date, not the premiere';
is_deeply detail($id{550}, '?region=JP')->{json}{regional_release},
    { region => 'JP', release_date => undef, certification => undef, release_dates => [] },
    'a region TMDb has nothing for: nulls';
delete $r->{json}{regional_release};
is_deeply $r->{json}, $plain->{json}, 'the rest of the detail as without a region';
is detail($id{550})->{content}, $plain->{content}, 'without a region again: byte for byte the same';

for my $bad ('XX', 'USA', 'u', '1', '', 'F%C3%A9') {
    $r = detail($id{550}, "?region=$bad");
    is $r->{status}, 400, "region=$bad: 400" or diag $r->{content};
    ok $r->{json}{errors}{region}, '  a field error on region';
}
$r = detail($id{550}, '?region=US&region=FR');
is $r->{status}, 400, 'region twice: 400';
my $en = detail($id{550}, '?region=XX')->{json};
my $fr = detail($id{550}, '?region=XX', headers => { 'Accept-Language' => 'fr' });
is $fr->{headers}{'content-language'}, 'fr', 'in French';
isnt $fr->{json}{errors}{region}[0], $en->{errors}{region}[0], '  the field error translated';
isnt $fr->{json}{detail}, $en->{detail}, '  and the detail';
is detail(999999, '?region=FR')->{status}, 404, 'no such movie: 404, region or not';

# ---- the lists ----
sub movies { $s->get("/api/movies/$_[0]", @_[1 .. $#_]) }
sub release_of { my ($r, $tmdb) = @_; (grep { $_->{id} == $id{$tmdb} } @{ $r->{json}{results} })[0]{regional_release} }
$plain = movies('?ordering=title');
ok !grep({ exists $_->{regional_release} } @{ $plain->{json}{results} }), 'the list without a region: as it was';
$r = movies('?ordering=title&region=FR');
is $r->{status}, 200, 'the list, region=FR: 200';
is_deeply release_of($r, 550), { region => 'FR', release_date => '1999-11-10', certification => '16' },
    "  each movie with France's release";
is_deeply release_of($r, 278), { region => 'FR', release_date => undef, certification => undef },
    '  nulls where TMDb has none';
is_deeply tmdb_ids($r), tmdb_ids($plain), '  the same movies in the same order';
is $r->{json}{count}, $plain->{json}{count}, '  the same count';
is_deeply release_of(movies('recent/?region=de'), 550), { region => 'DE', release_date => '1999-11-11', certification => '18' },
    'recent: region=de';
my $drama = $s->get('/api/genres/')->{json};
($drama) = grep { $_->{slug} eq 'drama' } @{ ref $drama eq 'HASH' ? $drama->{results} : $drama };
is_deeply release_of($s->get("/api/genres/$drama->{id}/movies/?region=US"), 550)->{release_date}, '1999-10-15',
    "a genre's movies: region=US";
$r = movies("$id{550}/similar/?region=FR");
is $r->{status}, 200, 'similar, region=FR: 200' or diag $r->{content};
ok @{ $r->{json}{results} } && !grep({ ($_->{regional_release}{region} // '') ne 'FR' } @{ $r->{json}{results} }),
    '  each movie with its release in France';
ok !grep({ exists $_->{regional_release} } @{ movies("$id{550}/similar/")->{json}{results} }), '  none without';
is movies("$id{550}/similar/?region=ZZ")->{status}, 400, '  region=ZZ: 400';
is movies("$id{550}/recommendations/?region=FR")->{status}, 200, 'also liked, region=FR: 200';
is movies("$id{550}/recommendations/?region=ZZ")->{status}, 400, '  region=ZZ: 400';
is movies('?region=XX')->{status}, 400, 'the list, region=XX: 400';
is movies('recent/?region=1')->{status}, 400, 'recent, region=1: 400';
is movies('?available_on=8&region=FR')->{status}, 200, 'region= with available_on= as before';

# ---- the saved region, and the caches ----
is $s->patch('/api/users/me/', token => $alice->{access}, json => { region => 'XX' })->{status}, 400,
    'saving an unassigned code: 400';
is $s->patch('/api/users/me/', token => $alice->{access}, json => { region => 'FR' })->{status}, 200,
    'alice lives in France';
is $s->patch('/api/users/me/', token => $carol->{access}, json => { region => 'DE' })->{status}, 200,
    'carol in Germany';
for my $round (1, 2) {    # the second from the caches
    is detail($id{550}, '', token => $alice->{access})->{json}{regional_release}{region}, 'FR',
        "detail ($round): alice's saved region";
    is detail($id{550}, '?region=US', token => $alice->{access})->{json}{regional_release}{region}, 'US',
        "  ($round) region= over the saved one";
    ok !exists detail($id{550}, '', token => $bob->{access})->{json}{regional_release},
        "  ($round) bob, without one: none, not alice's";
    is detail($id{550}, '', token => $carol->{access})->{json}{regional_release}{region}, 'DE',
        "  ($round) carol: hers";
    ok !exists detail($id{550})->{json}{regional_release}, "  ($round) anonymous: none";
    is release_of(movies('?ordering=title', token => $alice->{access}), 550)->{region}, 'FR',
        "  ($round) the list: alice's";
    ok !defined release_of(movies('?ordering=title', token => $bob->{access}), 550),
        "  ($round) bob's: none";
    is release_of(movies('?ordering=title', token => $carol->{access}), 550)->{region}, 'DE',
        "  ($round) carol's: hers";
}
is $s->patch('/api/users/me/', token => $alice->{access}, json => { region => undef })->{status}, 200,
    'alice forgets her region';
ok !exists detail($id{550}, '', token => $alice->{access})->{json}{regional_release}, '  and sees none';

# ---- trending and recommended: what is out there first ----
my $week = $s->get('/api/movies/trending/');
is_deeply tmdb_ids($week), [ 238, 278, 603, 680, 550 ], "trending: TMDb's order";
ok !exists $week->{json}{results}[0]{regional_release}, '  without releases';
$r = $s->get('/api/movies/trending/?region=FR');
is_deeply tmdb_ids($r), [ 238, 550, 278, 603, 680 ],
    'region=FR: those out in France first (not Pulp Fiction, out in 2099), each in TMDb\'s order';
is $r->{json}{results}[0]{regional_release}{certification}, 'TP', '  with their release there';
is_deeply tmdb_ids($s->get('/api/movies/trending/', token => $carol->{access})), [ 550, 238, 278, 603, 680 ],
    "carol's saved region: Germany's";
is_deeply tmdb_ids($s->get('/api/movies/trending/?region=US&page_size=2&page=2')), [ 238, 278 ],
    'pages of the regional order';
is $s->get('/api/movies/trending/?region=EU')->{status}, 400, 'region=EU: 400';

sub released_first {
    my ($r, @out) = @_;
    my %out = map { $_ => 1 } @out;
    my @ids = @{ tmdb_ids($r) };
    my $seen_other = 0;
    for (@ids) { return 0 if $out{$_} && $seen_other; $seen_other ||= !$out{$_} }
    return scalar(@ids) > @out;
}
my $rec = $s->get('/api/movies/recommended/');
is $rec->{status}, 200, 'recommended: 200';
ok !released_first($rec, 238, 550), '  (anonymous, without a region: not in that order)'
    or diag explain tmdb_ids($rec);
$r = $s->get('/api/movies/recommended/?region=FR');
is $r->{status}, 200, 'recommended, region=FR: 200' or diag $r->{content};
ok released_first($r, 238, 550), '  those out in France first' or diag explain tmdb_ids($r);
is_deeply [ sort { $a <=> $b } @{ tmdb_ids($r) } ], [ sort { $a <=> $b } @{ tmdb_ids($rec) } ], '  the same movies';
is release_of($r, 238)->{release_date}, '1972-10-18', '  with their release there';
ok released_first($s->get('/api/movies/recommended/', token => $carol->{access}), 550),
    "a user's saved region: Germany's first";
is $s->get('/api/movies/recommended/?region=xx')->{status}, 400, 'region=xx: 400';

# ---- TMDb failing, then changing its mind ----
my $doc = decode_json(Marquee::Stack::slurp(Marquee::Stack::srcdir() . '/t/fixtures/tmdb/release-dates-603.json'));
push @{ $doc->{results} }, { iso_3166_1 => 'FR', release_dates => [ entry(3, '1999-06-23', '12') ] };
$s->tmdb_doc('release-dates-603.json', encode_json($doc));
is_deeply detail($id{603}, '?region=FR')->{json}{regional_release}{release_date}, undef, 'The Matrix: none in France yet';
$s->psql("UPDATE movie_watch_fetched SET release_dates_at = now() - interval '400 days', "
         . "providers_at = now() - interval '400 days'");
# (each run from a flushed memcached: no answer of TMDb's kept, and no
# breaker left open by the run before)
$s->flush_memcached;
$s->tmdb_mode('503');
my ($rc, $out) = $s->marquee('watch', 'refresh');
isnt $rc, 0, 'TMDb down: the refresh fails' or diag $out;
is detail($id{603}, '?region=FR')->{json}{regional_release}{release_date}, undef, '  and changes nothing';
$s->flush_memcached;
$s->tmdb_mode('malformed');
($rc, $out) = $s->marquee('watch', 'refresh');
isnt $rc, 0, 'TMDb answering garbage: the refresh fails' or diag $out;
is $s->psql("SELECT count(*) FROM movie_release_dates WHERE movie_id = $id{603}"), 2, '  and keeps what it had';
$s->flush_memcached;
$s->tmdb_mode();
# cached again, to be made stale by the refresh
is detail($id{603}, '?region=FR')->{json}{regional_release}{release_date}, undef, 'cached without it';
is release_of(movies('?ordering=title&region=FR'), 603)->{release_date}, undef, '  in the list too';
($rc, $out) = $s->marquee('watch', 'refresh');
is $rc, 0, 'TMDb back: the refresh runs' or diag $out;
$r = detail($id{603}, '?region=FR');
is_deeply [ @{ $r->{json}{regional_release} }{qw(release_date certification)} ], [ '1999-06-23', '12' ],
    '  the cached detail made stale: the new date';
is release_of(movies('?ordering=title&region=FR'), 603)->{release_date}, '1999-06-23', '  the lists too';

$s->tmdb_mode('500');
$r = $s->post('/api/movies/', token => $admin->{access}, json => { tmdb_id => 13 });
ok $r->{status} >= 500, "an import while TMDb fails: $r->{status}";
$s->tmdb_mode();

$s->finish;
done_testing;

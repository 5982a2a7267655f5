# Where to watch: GET /api/movies/{id}/watch-providers/ from the fake
# TMDb's watch providers (its failures included: a movie TMDb lacks, 5xx,
# slowness, the breaker), the copy kept for the lists, `marquee watch
# refresh`, GET/PUT /api/users/me/services/ and available_on= on
# GET /api/movies/ and /api/movies/recommended/.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Marquee::Stack;

my $s = Marquee::Stack->start(tmdb => 1);
my $admin = $s->admin;
my $alice = $s->user('alice');
my $A = $alice->{access};

my %id;
for my $tmdb (550, 603, 278, 238, 680) {
    my $r = $s->post('/api/movies/', token => $admin->{access}, json => { tmdb_id => $tmdb });
    die "import $tmdb: $r->{content}" unless $r->{status} == 201;
    $id{$tmdb} = $r->{json}{id};
}
my $local = $s->movie($admin, title => 'A Home Movie');

sub providers { $s->get("/api/movies/$_[0]/watch-providers/" . ($_[1] // ''), @_[2 .. $#_]) }
sub names { [ map { $_->{name} } @{ $_[0] } ] }
sub ids_of { my ($r) = @_; [ sort { $a <=> $b } map { $_->{id} } @{ $r->{json}{results} // [] } ] }

# ---- one movie's offers ----
my $r = providers($id{550});
is $r->{status}, 200, 'watch providers: 200' or diag $r->{content};
my $w = $r->{json};
is $w->{region}, 'US', 'the default region: [watch] region';
is $w->{movie}, $id{550}, 'movie';
is $w->{tmdb_id}, 550, 'tmdb_id';
is_deeply names($w->{flatrate}), ['Netflix'], 'flatrate';
is_deeply names($w->{rent}), [ 'Apple TV', 'Amazon Video' ], 'rent, in display order';
is_deeply names($w->{buy}), [ 'Apple TV', 'Amazon Video' ], 'buy';
is_deeply [ @{$w}{qw(free ads)} ], [ [], [] ], 'no free or ads offers';
is $w->{link}, 'https://www.themoviedb.org/movie/550-fight-club/watch?locale=US', "TMDb's page";
is_deeply $w->{regions}, [qw(DE FR US)], 'every region with offers';
is $w->{attribution}{source}, 'JustWatch', 'attributed to JustWatch';
like $w->{attribution}{text}, qr/JustWatch/, '  in words';
is $w->{flatrate}[0]{id}, 8, "TMDb's provider id";
like $w->{flatrate}[0]{logo_url}, qr{^https://image\.tmdb\.org/t/p/w92/pbpMk2JmcoNnQwx5JGpXngfoWtp\.jpg$}, 'logo URL';

is_deeply names(providers($id{550}, '?region=fr')->{json}{flatrate}), [ 'Amazon Prime Video', 'Disney Plus' ],
    'region=fr: France, by display priority';
is providers($id{550}, '?region=FR')->{json}{region}, 'FR', 'the region, upper case';
is_deeply [ @{ providers($id{550}, '?region=JP')->{json} }{qw(flatrate rent buy link)} ], [ [], [], [], undef ],
    'a region without offers: none';
is scalar $s->tmdb_requests(qr{^GET /3/movie/550/watch/providers}), 1,
    "TMDb asked once: its answer holds every region, and is cached";
for my $bad ('?region=XX', '?region=USA', '?region=1', '?region=', '?region=US&region=FR', '?country=US') {
    $r = providers($id{550}, $bad);
    is $r->{status}, 400, "$bad: 400" or diag $r->{content};
}
is providers($id{550}, '', token => 'x.y.z')->{status}, 401, 'a forged token: 401';
is $s->patch('/api/users/me/', token => $A, json => { region => 'FR' })->{status}, 200, 'alice lives in France';
is providers($id{550}, '', token => $A)->{json}{region}, 'FR', "a user's default: their profile's region";
is providers($id{550}, '?region=US', token => $A)->{json}{region}, 'US', '  unless region= says otherwise';

$r = providers($local);
is $r->{status}, 200, 'a movie without a TMDb id: 200';
is_deeply [ @{ $r->{json} }{qw(tmdb_id link flatrate regions)} ], [ undef, undef, [], [] ], '  with nothing';
is providers(999999)->{status}, 404, 'no such movie: 404';

is $s->psql("SELECT string_agg(region || ':' || provider_id || ':' || kind, ' ' ORDER BY region, kind, provider_id) "
            . "FROM movie_providers WHERE movie_id = $id{550}"),
   'DE:2:rent FR:2:buy FR:9:flatrate FR:337:flatrate US:2:buy US:10:buy US:8:flatrate US:2:rent US:10:rent',
   "TMDb's answer is kept, every region";

# ---- TMDb failing ----
$s->psql("UPDATE movies SET tmdb_id = 4242 WHERE id = $local");
$r = providers($local);
is $r->{status}, 404, 'a TMDb id TMDb does not have: 404';
like $r->{json}{detail}, qr/4242/, '  saying which';
# (the slow answer runs out the request's own time for TMDb, which the
# breaker does not count against TMDb; it comes first so that the three
# failures below fall well inside the breaker's window of twice the
# cool-off, 4 s, however slow the machine)
$s->tmdb_mode('slow 3');
is providers($id{680})->{status}, 504, 'TMDb too slow: 504';
$s->tmdb_mode('500');
is providers($id{680})->{status}, 502, 'TMDb answers 500: 502';
is providers($id{550})->{status}, 200, '  while a cached answer is still served';
$s->tmdb_mode('503');
is providers($id{680})->{status}, 502, 'TMDb answers 503: 502';
my @seen;
wait_until { push @seen, providers($id{680}); $seen[-1]{status} != 502 } what => 'the breaker to open';
is $seen[-1]{status}, 503, 'after three failures the breaker is open: 503';
ok $seen[-1]{headers}{'retry-after'}, '  with Retry-After';
cmp_ok scalar @seen, '<=', 2, '  at the third failure';
$s->tmdb_mode();
wait_until { providers($id{680})->{status} == 200 } what => 'the breaker to close';

# ---- the nightly refresh ----
my ($rc, $out) = $s->marquee('watch', 'refresh', '--rate', '100');
is $rc, 0, 'marquee watch refresh: exit 0' or diag $out;
# (the imports read the release dates, GET watch-providers the
# providers of two: those are not due)
like $out, qr/refreshed 3 movies/, '  every movie with a TMDb id not asked lately' or diag $out;
like $out, qr/not on TMDb 1/, '  one that TMDb lacks' or diag $out;
is $s->psql("SELECT count(*) FROM movie_release_dates WHERE movie_id = $id{550}"), 8,
    'release dates kept: the earliest of each type and region';
is $s->psql("SELECT release_date FROM movie_release_dates WHERE movie_id = $id{550} AND region = 'FR' "
            . "AND kind = 'theatrical'"), '1999-11-10', '  the earliest of each kind';
($rc, $out) = $s->marquee('watch', 'refresh');
like $out, qr/refreshed 0 movies/, 'again: nothing is due' or diag $out;
is(($s->marquee('watch', 'refresh', '--limit', 'x'))[0], 2, 'a bad --limit: usage');
is(($s->marquee('watch', 'refresh', '--rate', '-1'))[0], 2, 'a bad --rate: usage');
is(($s->marquee('watch'))[0], 2, 'no action: usage');

# ---- my services ----
$r = $s->get('/api/users/me/services/', token => $A);
is $r->{status}, 200, 'services: 200';
is_deeply $r->{json}, { region => 'FR', providers => [] }, '  none yet, in her region';
is $s->get('/api/users/me/services/')->{status}, 401, 'anonymous: 401';
$r = $s->put('/api/users/me/services/', token => $A, json => { providers => [ 8, 337 ] });
is $r->{status}, 200, 'PUT services: 200' or diag $r->{content};
is_deeply names($r->{json}{providers}), [ 'Disney Plus', 'Netflix' ], '  by name';
my $before = scalar $s->tmdb_requests(qr{/3/watch/providers/movie});
$r = $s->put('/api/users/me/services/', token => $A, json => { providers => [ 8, 350 ] });
is $r->{status}, 200, 'a provider only TMDb\'s list has: 200' or diag $r->{content};
is_deeply names($r->{json}{providers}), [ 'Apple TV Plus', 'Netflix' ], '  the set replaced';
for my $bad ({ providers => [99999] }, { providers => 8 }, { providers => ['8'] }, { providers => [0] },
             { providers => [ 8, 8 ] }, { providers => [ 1 .. 51 ] }, { providers => [2**31] }, {},
             { providers => [8], region => 'US' }, { providers => [8], extra => 1 }, { providers => [1.5] }) {
    $r = $s->put('/api/users/me/services/', token => $A, json => $bad);
    is $r->{status}, 400, 'PUT ' . encode_json($bad) . ': 400' or diag $r->{content};
    ok $r->{json}{errors}, '  naming the field';
}
is $s->put('/api/users/me/services/', token => $A, body => 'providers=8',
           headers => { 'Content-Type' => 'application/x-www-form-urlencoded' })->{status}, 415, 'not JSON: 415';
$s->flush_memcached;
$s->tmdb_mode('500');
is $s->put('/api/users/me/services/', token => $A, json => { providers => [77777] })->{status}, 502,
    "an unknown id with TMDb's list out of reach: 502";
$s->tmdb_mode();
is_deeply [ map { $_->{id} } @{ $s->get('/api/users/me/services/', token => $A)->{json}{providers} } ], [ 350, 8 ],
    '  and nothing changed';

# ---- available_on ----
sub movies { $s->get("/api/movies/?$_[0]", @_[1 .. $#_]) }
is_deeply ids_of(movies('available_on=8')), [ sort { $a <=> $b } @id{550, 278} ], 'available_on=8: on Netflix in the US';
is_deeply ids_of(movies('available_on=8&region=gb')), [ $id{603} ], '  in Britain';
is_deeply ids_of(movies('available_on=73,207')), [ $id{603} ], 'free and with ads count';
is_deeply ids_of(movies('available_on=2')), [], 'renting and buying do not';
is_deeply ids_of(movies('available_on=8&title=fight')), [ $id{550} ], 'with the other filters';
is_deeply ids_of(movies('available_on=mine', token => $A)), [], "mine: alice's services in France (none there)";
$s->put('/api/users/me/services/', token => $A, json => { providers => [ 8, 337 ] });
is_deeply ids_of(movies('available_on=mine', token => $A)), [ $id{550} ], '  Disney Plus streams Fight Club there';
is_deeply ids_of(movies('available_on=mine&region=US', token => $A)), [ sort { $a <=> $b } @id{550, 278} ],
    '  and Netflix in the US';
$r = movies('available_on=mine&region=US', token => $A);
is $r->{headers}{'cache-control'}, 'private, no-cache', '  never cached for others';
is movies('available_on=mine')->{status}, 400, 'mine, anonymous: 400';
for my $bad ('available_on=', 'available_on=abc', 'available_on=mine,8', 'available_on=0', 'available_on=8,,9',
             'available_on=8&region=ZZ', 'available_on=' . join(',', 1 .. 21)) {
    $r = movies($bad);
    is $r->{status}, 400, "$bad: 400" or diag $r->{content};
}
$r = $s->get('/api/movies/recommended/?available_on=8', token => $admin->{access});
is $r->{status}, 200, 'recommended, available_on=8: 200' or diag $r->{content};
is_deeply ids_of($r), [ sort { $a <=> $b } @id{550, 278} ], '  only those';
is_deeply ids_of($s->get('/api/movies/recommended/?available_on=mine', token => $A)), [ $id{550} ],
    "  alice's, in her region";

# Where a movie streams changes: the next answer TMDb gives is kept, and
# the lists follow at once (they are not cached).
my $doc = decode_json(Marquee::Stack::slurp(Marquee::Stack::srcdir() . '/t/fixtures/tmdb/providers-550.json'));
delete $doc->{results}{US}{flatrate};
$s->tmdb_doc('providers-550.json', encode_json($doc));
$s->flush_memcached;
is_deeply providers($id{550})->{json}{flatrate}, [], 'Netflix dropped Fight Club';
is_deeply ids_of(movies('available_on=8')), [ $id{278} ], '  and the list says so';

$s->finish;
done_testing;

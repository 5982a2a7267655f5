# TMDb: importing a movie by its TMDb id (POST /api/movies/ {tmdb_id}),
# searching TMDb (GET /api/tmdb/search/), and the client under a TMDb
# that fails in every way it can: errors, slowness, 429, garbage, huge
# bodies, redirects; the cache, the stale copy and the circuit breaker.
use strict;
use warnings;
use utf8;
use Test::More;
use Time::HiRes qw(time);
use Marquee::Stack;

# An hour's cache_ttl until the stale copy's part, which lowers it: the
# "from the cache" checks before it must not depend on how fast a
# loaded machine gets from one request to the next.
my $s = Marquee::Stack->start(tmdb => 1, extra_config => "[tmdb]\ncache_ttl = 3600\n");
my $admin = $s->admin;
my $user = $s->user('alice');
# (a confirmed address: she may make provisional movies, t/api/provisional_movies.t)
$s->psql('UPDATE users SET email_verified_at = now()');
my $A = $admin->{access};

sub import_tmdb { $s->post('/api/movies/', token => $A, json => { tmdb_id => $_[0] }) }
sub search { $s->get('/api/tmdb/search/?' . $_[0]) }

# ---- search, before anything is imported ----
my $r = search('query=fight');
is $r->{status}, 200, 'search: 200';
is $r->{json}{count}, 1, 'one result';
my $hit = $r->{json}{results}[0];
is $hit->{tmdb_id}, 550, 'TMDb id';
is $hit->{title}, 'Fight Club', 'title';
is $hit->{release_date}, '1999-10-15', 'release date';
like $hit->{poster_url}, qr{^https://image\.tmdb\.org/t/p/w500/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK\.jpg$}, 'poster URL';
ok !$hit->{imported}, 'not imported yet';
is $hit->{id}, undef, 'so no local id';
is $r->{json}{next}, undef, 'one page';
is $s->tmdb_requests(qr{/3/search/movie}), 1, 'one call to TMDb';
unlike(($s->tmdb_requests)[0], qr/api_key/, '(the fake logs no key)');
is search('query=fight&year=1998')->{json}{count}, 0, 'year filters';
is search('query=fight&year=1999&page=1')->{json}{count}, 1, 'year and page';

for my $bad ('', 'query=', 'query=x&year=abc', 'query=x&year=1800', 'query=x&page=0',
             'query=x&page=501', 'query=x&page=a', 'query=x&foo=1', 'query=x&query=y',
             'query=' . ('x' x 201)) {
    $r = search($bad);
    is $r->{status}, 400, "search ?$bad: 400" or diag $r->{content};
}
is $s->get('/api/tmdb/search/?query=x', token => 'x.y.z')->{status}, 401, 'a forged token: 401';

# ---- import ----
is $s->post('/api/movies/', json => { tmdb_id => 550 })->{status}, 401, 'import, anonymous: 401';
is $s->post('/api/movies/', token => $user->{access}, json => { tmdb_id => 550 })->{status}, 403,
    'import, not an administrator: 403';
for my $bad ('550', -1, 0, 2**31, 1.5, undef, [550]) {
    $r = $s->post('/api/movies/', token => $A, json => { tmdb_id => $bad });
    is $r->{status}, 400, 'tmdb_id ' . ($bad // 'null') . ': 400';
    ok $r->{json}{errors}{tmdb_id}, '  naming tmdb_id';
}
$r = import_tmdb(999);
is $r->{status}, 404, 'a TMDb id TMDb does not have: 404';
like $r->{json}{detail}, qr/999/, '  saying which';

$r = import_tmdb(550);
is $r->{status}, 201, 'import: 201' or diag $r->{content};
my $m = $r->{json};
my $fc = $m->{id};
like $r->{headers}{location}, qr{/api/movies/$fc/$}, 'Location';
is $m->{title}, 'Fight Club', 'title';
is $m->{tmdb_id}, 550, 'tmdb_id';
is $m->{imdb_id}, 'tt0137523', 'IMDb id from external_ids';
is $m->{source}, 'tmdb', 'source';
is $m->{runtime}, 139, 'runtime';
is $m->{release_date}, '1999-10-15', 'release date';
is $m->{year}, 1999, 'year';
is $m->{tagline}, 'Mischief. Mayhem. Soap.', 'tagline';
is_deeply [ sort map { $_->{slug} } @{ $m->{genres} } ], [qw(drama thriller)], 'genres by TMDb id';
is_deeply [ sort map { $_->{name} } @{ $m->{keywords} } ],
    [ 'dual identity', 'nihilism', 'rage and hate', 'support group' ], 'keywords';
my @media = @{ $m->{media} };
is scalar(grep { $_->{kind} eq 'poster' } @media), 2, 'two posters (a path that is no path left out)';
is scalar(grep { $_->{kind} eq 'backdrop' } @media), 2, 'two backdrops';
my @videos = grep { $_->{kind} eq 'trailer' || $_->{kind} eq 'clip' } @media;
is scalar @videos, 1, 'one trailer (a bad key and another site left out)';
is $videos[0]{video_key}, 'BdJKm16Co6M', '  its key';
is $videos[0]{url}, 'https://www.youtube.com/watch?v=BdJKm16Co6M', '  its URL';
my ($primary) = grep { $_->{kind} eq 'poster' && $_->{is_primary} } @media;
is $primary->{file_path}, '/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg', 'the movie poster is the primary one';
is_deeply [ sort @{ $m->{translations} } ], [qw(de de-AT de-DE en en-US fr fr-FR)],
    'translations by tag, and by language alone';
$r = $s->get("/api/movies/$fc/", headers => { 'Accept-Language' => 'de' });
like $r->{json}{overview}, qr/Selbsthilfegruppen/, 'German (de) is the de-DE translation';
is $r->{json}{tagline}, 'Verwüstung. Chaos. Seife.', '  with its tagline';
$r = $s->get("/api/movies/$fc/", headers => { 'Accept-Language' => 'fr' });
is $r->{json}{title}, 'Fight Club', 'a translation without a title keeps the title';
like $r->{json}{overview}, qr/narrateur/, '  and has its overview';
is $s->get('/api/movies/?q=nihilism')->{json}{results}[0]{id}, $fc, 'searchable by its keywords';

$r = import_tmdb(550);
is $r->{status}, 200, 'again: 200';
is $r->{json}{id}, $fc, '  the same movie';
is $s->tmdb_requests(qr{/3/movie/550\b}), 1, '  without asking TMDb again';
like(($s->tmdb_requests(qr{/3/movie/550\b}))[0],
     qr/append_to_response=keywords%2Cimages%2Cvideos%2Cexternal_ids%2Ctranslations/,
     'details, keywords, images, videos, external ids, translations in one call');

$r = search('query=fight');
ok $r->{json}{results}[0]{imported}, 'search: now imported';
is $r->{json}{results}[0]{id}, $fc, '  with its local id';
is $s->tmdb_requests(qr{/3/search/movie\?query=fight&include_adult=false&page=1&}), 1, '  from the cache: TMDb asked once';

# one movie per TMDb id, however many ask at once
my @st = $s->in_parallel(map { sub { import_tmdb(603)->{status} } } 1 .. 6);
is scalar(grep { $_ == 201 } @st), 1, 'six imports at once: one 201' or diag "@st";
is scalar(grep { $_ == 200 } @st), 5, '  and five 200';
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 603'), 1, '  one movie';
is $s->psql(q{SELECT count(*) FROM movie_media WHERE movie_id =
              (SELECT id FROM movies WHERE tmdb_id = 603)}), 3, '  its media once';

# a movie known by its IMDb id becomes the TMDb one
$r = $s->post('/api/movies/', token => $A, json => { title => 'Pulp', imdb_id => 'tt0110912' });
my $pulp = $r->{json}{id};
$r = import_tmdb(680);
is $r->{status}, 200, 'a movie the catalog has by IMDb id: 200';
is $r->{json}{id}, $pulp, '  that movie';
is $r->{json}{title}, 'Pulp Fiction', '  with TMDb\'s data';
is_deeply [ sort map { $_->{slug} } @{ $r->{json}{genres} } ], [qw(crime thriller)],
    '  genres unknown here left out';
is $r->{json}{poster_path}, undef, '  a poster path that is no path left out';
is_deeply [ map { [ $_->{kind}, $_->{is_primary} ? 1 : 0 ] } @{ $r->{json}{media} } ], [ [ 'poster', 0 ] ],
    '  its posters kept, none primary';
is $s->psql(q{SELECT count(*) FROM keywords WHERE lower(name) = 'dystopia'}), 1,
    'a keyword two movies share is one keyword';

# ---- IMDb ids: the list asks TMDb for a movie the catalog lacks ----
$r = $s->get('/api/movies/?imdb_id=tt0111161');
is $r->{status}, 200, 'list by an IMDb id the catalog lacks: 200';
is $r->{json}{count}, 1, '  TMDb found it, it was imported';
is $r->{json}{results}[0]{tmdb_id}, 278, '  the movie TMDb named';
is $r->{json}{results}[0]{title}, 'The Shawshank Redemption', '  with its title';
is $s->tmdb_requests(qr{^GET /3/find/tt0111161\?external_source=imdb_id&}), 1, '  by TMDb\'s find';
is $s->get('/api/movies/?imdb_id=tt0111161')->{json}{count}, 1, 'again';
is $s->tmdb_requests(qr{/3/find/}), 1, '  without asking TMDb';
$r = $s->get('/api/movies/?imdb_id=tt0000001');
is $r->{status}, 200, 'an IMDb id TMDb does not know: 200';
is $r->{json}{count}, 0, '  and nothing';
is $s->get('/api/movies/?imdb_id=nm0000001')->{status}, 400, 'not an IMDb id: 400';

# ---- trending ----
$r = $s->get('/api/movies/trending/');
is $r->{status}, 200, 'trending: 200';
is $r->{json}{source}, 'tmdb', '  from TMDb';
is_deeply [ map { $_->{tmdb_id} } @{ $r->{json}{results} } ], [ 238, 278, 603, 680, 550 ],
    '  in TMDb\'s order, the week by default';
is $r->{json}{count}, 5, '  counted';
is $s->psql('SELECT source FROM movies WHERE tmdb_id = 238'), 'tmdb', '  a movie the catalog lacked, imported';
ok $r->{json}{results}[0]{id}, '  shown as the catalog has it';
is_deeply [ map { $_->{slug} } @{ $r->{json}{results}[0]{genres} } ], [qw(crime drama)], '  with its genres';
my $week = $s->tmdb_requests(qr{/3/trending/movie/week});
is $s->get('/api/movies/trending/?window=week')->{status}, 200, 'again';
is scalar($s->tmdb_requests(qr{/3/trending/movie/week})), $week, '  from the cache';
$r = $s->get('/api/movies/trending/?window=day');
is_deeply [ map { $_->{tmdb_id} } @{ $r->{json}{results} } ], [ 238, 278 ], 'the day\'s';
$r = $s->get('/api/movies/trending/?page_size=2&page=2');
is_deeply [ map { $_->{tmdb_id} } @{ $r->{json}{results} } ], [ 603, 680 ], 'paged';
like $r->{json}{next}, qr{page=3}, '  with a next page';
is $s->get('/api/movies/trending/?page=2')->{status}, 404, 'a page past the end: 404';
for my $bad ('window=month', 'window=', 'page=0', 'foo=1', 'window=day&window=week') {
    is $s->get("/api/movies/trending/?$bad")->{status}, 400, "trending ?$bad: 400";
}
is $s->get('/api/movies/trending/', token => 'x.y.z')->{status}, 401, 'a forged token: 401';

# ---- TMDb misbehaving ----
# A success between failures closes the breaker's count.
my $n = 0;
sub fresh_ok { $s->tmdb_mode(); is search('query=matrix&page=' . ++$n)->{status}, 200, '  (TMDb well again)' }

my %cases = (
    '500' => 502, '503' => 502, 'malformed' => 502, 'huge' => 502, 'redirect' => 502,
);
for my $mode (sort keys %cases) {
    $s->tmdb_mode($mode);
    $r = search("query=$mode");
    is $r->{status}, $cases{$mode}, "TMDb $mode: $cases{$mode}";
    is $r->{headers}{'content-type'}, 'application/problem+json', '  problem+json';
    fresh_ok();
}
$s->tmdb_mode('slow 5');
my $t0 = time;
$r = search('query=slow');
is $r->{status}, 504, 'TMDb slower than [tmdb] timeout: 504';
cmp_ok time - $t0, '<', 4, '  after the timeout, not TMDb\'s time';
fresh_ok();
$r = $s->post('/api/movies/', token => $A, json => { tmdb_id => 13 });
is $r->{status}, 404, '(a movie TMDb does not have)';

$s->tmdb_mode('429 2');
$r = search('query=limited');
is $r->{status}, 503, 'TMDb 429: 503';
like $r->{headers}{'retry-after'}, qr/^[12]$/, '  with TMDb\'s Retry-After';
my $calls = $s->tmdb_requests;
$s->tmdb_mode();
is search('query=limited2')->{status}, 503, '  and TMDb is left alone until then';
is scalar($s->tmdb_requests), $calls, '  (not called)';
my $try = 0;
wait_until { search('query=limited3-' . ++$try)->{status} == 200 } what => 'TMDb to be asked again'
    and pass '  then asked again';

# the breaker: 3 failures open it for 2 s ([tmdb] in Stack.pm)
$s->tmdb_mode('500');
is search("query=down$_")->{status}, 502, "failure $_: 502" for 1 .. 3;
$calls = $s->tmdb_requests;
$r = search('query=down4');
is $r->{status}, 503, 'the fourth: 503, the breaker is open';
ok $r->{headers}{'retry-after'}, '  with Retry-After';
is scalar($s->tmdb_requests), $calls, '  TMDb not called';
$s->tmdb_mode();
is search('query=down5')->{status}, 503, 'still open while it cools off';
is scalar($s->tmdb_requests), $calls, '  TMDb not called';
is import_tmdb(13)->{status}, 503, '  imports too';
$r = $s->get('/api/movies/trending/?window=day&page_size=3');
is $r->{status}, 200, '  trending still answers';
is $r->{json}{source}, 'tmdb', '  from TMDb\'s answer kept in the cache';
is_deeply [ map { $_->{tmdb_id} } @{ $r->{json}{results} } ], [ 238, 278 ], '  as it was';
$r = $s->get('/api/movies/?imdb_id=tt0000002');
is $r->{status}, 200, '  a list by an unknown IMDb id still answers';
is $r->{json}{count}, 0, '  with nothing';
is scalar($s->tmdb_requests), $calls, '  TMDb not called';
wait_until { search('query=down6-' . ++$try)->{status} == 200 } what => 'the breaker to close'
    and pass 'after the cool-off it closes';
$s->tmdb_mode('500');
is search('query=down7')->{status}, 502, '  and one failure no longer opens it';
fresh_ok();

# stale: an entry past cache_ttl is served when TMDb fails
$s->reload_pool(extra_config => "[tmdb]\ncache_ttl = 3\n");
is search('query=matr')->{status}, 200, 'a search';
$calls = $s->tmdb_requests;
is search('query=matr')->{status}, 200, 'again at once';
is scalar($s->tmdb_requests), $calls, '  from the cache';
# Until cache_ttl has passed the answer comes from the cache, without a call.
$s->tmdb_mode('503');
wait_until { ($r = search('query=matr')) && scalar($s->tmdb_requests) > $calls } timeout => 15,
    what => 'the cached answer to pass cache_ttl';
is $r->{status}, 200, 'past cache_ttl, TMDb failing: the stale copy';
is $r->{json}{results}[0]{title}, 'The Matrix', '  with its results';
is scalar($s->tmdb_requests), $calls + 1, '  after trying TMDb';
$s->tmdb_mode();

# ---- favorites, watchlist, ratings by tmdb_id: imported, or made of the details sent ----
my $shawshank = $s->get('/api/movies/?tmdb_id=278')->{json}{results}[0]{id};
is $s->delete("/api/movies/$shawshank/", token => $A)->{status}, 204, 'a movie leaves the catalog';
my $U = $user->{access};
$r = $s->post('/api/users/favorites/', token => $U, json => { tmdb_id => 278 });
is $r->{status}, 201, 'a favorite by its tmdb_id alone: 201' or diag $r->{content};
is $r->{json}{movie}{title}, 'The Shawshank Redemption', '  imported from TMDb';
is $s->get("/api/movies/$r->{json}{movie}{id}/")->{json}{imdb_id}, 'tt0111161',
    '  with what TMDb knows beyond the title';
$r = $s->post('/api/watchlist/', token => $U, json => { tmdb_id => 999, title => 'Nothing' });
is $r->{status}, 404, 'an id TMDb does not have: 404, whatever the details sent';
like $r->{json}{detail}, qr/999/, '  saying which';
$s->tmdb_mode('500');
$r = $s->post('/api/movies/rate/', token => $U, json => { tmdb_id => 4242, rating => 4 });
is $r->{status}, 502, 'TMDb failing and no title: TMDb\'s failure';
$r = $s->post('/api/movies/rate/', token => $U,
              json => { tmdb_id => 4242, rating => 4, title => 'Häxan', overview => 'Witches.' });
is $r->{status}, 201, 'TMDb failing, a title sent: rated' or diag $r->{content};
is $s->get("/api/movies/$r->{json}{movie}/", token => $U)->{json}{title}, 'Häxan',
    '  a (provisional) movie made of the details sent';
$s->tmdb_mode();

# ---- what TMDb sends that JSON or the catalog cannot hold ----
$s->tmdb_raw('{"page":1,"total_results":3,"total_pages":1,"results":['
             . '{"id":4244,"title":"Huge","popularity":1e400,"vote_average":-1e400,"release_date":"soon"},'
             . '{"id":4245,"title":"' . ('x' x 301) . '"},'
             . '{"id":4246,"title":"Odd date","popularity":12.5,"release_date":"1999-10-15T00:00"},'
             . '{"id":4247,"title":"No such day","release_date":"2024-13-45",'
             . '"poster_path":"/abc_1-x.jpeg"}]}');
$s->tmdb_mode('raw');
$r = search('query=numbers');
$s->tmdb_mode();
is $r->{status}, 200, 'search, a popularity of 1e400: 200';
ok $r->{json}, '  in valid JSON (no Infinity)' or diag $r->{content};
is_deeply [ map { $_->{tmdb_id} } @{ $r->{json}{results} } ], [ 4244, 4246, 4247 ],
    '  a title longer than 300 characters: the result left out';
is $r->{json}{results}[0]{popularity}, 0, '  the infinite popularity is 0';
is $r->{json}{results}[0]{release_date}, undef, '  a release date that is no date is null';
is $r->{json}{results}[1]{release_date}, undef, '  so is one with a time';
is $r->{json}{results}[1]{popularity}, 12.5, '  a popularity in range as sent';
is $r->{json}{results}[2]{release_date}, undef, '  a date of digits that is no calendar day is null';
like $r->{json}{results}[2]{poster_url}, qr{/abc_1-x\.jpeg$}, '  a .jpeg poster is kept';
$s->tmdb_mode('503');    # so the details sent make the movie
$r = $s->post('/api/users/favorites/', token => $user->{access},
              json => { tmdb_id => 4247, title => 'No such day', poster_path => '/abc_1-x.jpeg' });
$s->tmdb_mode();
is $r->{status}, 201, '  and a favorite may send that poster path back' or diag $r->{content};

$s->tmdb_raw('{"id":4250,"title":"Tiny","popularity":1e-50,"runtime":1e-50,"vote_average":1e-50,'
             . '"release_date":"2001-02-03"}');
$s->tmdb_mode('raw');
$r = import_tmdb(4250);
$s->tmdb_mode();
is $r->{status}, 201, 'import, a popularity of 1e-50 (below what a real holds): 201' or diag $r->{content};
is $s->psql('SELECT popularity FROM movies WHERE tmdb_id = 4250'), 0, '  rounded to 0';
is $r->{json}{runtime}, undef, '  a runtime out of range left out';

# two TMDb ids with one IMDb id, imported at once: one movie has the IMDb id
my $twin = '{"id":%d,"title":"Twin %d","external_ids":{"imdb_id":"tt0999999"}}';
$s->tmdb_movie($_, sprintf($twin, $_, $_)) for 9001, 9002;
$s->tmdb_mode('slow 1');	# so that both imports write at once
@st = $s->in_parallel(map { my $id = $_; sub { import_tmdb($id)->{status} } } 9001, 9002, 9001, 9002);
$s->tmdb_mode();
is scalar(grep { $_ == 200 || $_ == 201 } @st), 4, 'two TMDb ids with one IMDb id at once: all 200 or 201'
    or diag "@st";
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id IN (9001, 9002)'), 2, '  two movies';
is $s->psql(q{SELECT count(*) FROM movies WHERE imdb_id = 'tt0999999'}), 1, '  one with the IMDb id';

# a movie deleted between its import and its answer: 404, not 500
$s->psql(q{CREATE FUNCTION test_delete_4251() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN DELETE FROM movies WHERE tmdb_id = 4251; RETURN NULL; END $$;
           CREATE TRIGGER test_delete_4251 AFTER INSERT ON movie_translations
           FOR EACH STATEMENT EXECUTE FUNCTION test_delete_4251()});
$s->tmdb_movie(4251, '{"id":4251,"title":"Fleeting"}');
$r = import_tmdb(4251);
$s->psql('DROP TRIGGER test_delete_4251 ON movie_translations; DROP FUNCTION test_delete_4251()');
is $r->{status}, 404, 'a movie deleted as soon as imported: 404' or diag $r->{content};

unlike $s->pool_log, qr/test-tmdb-key/, 'the API key is never logged';

# last: the breaker stays open for an hour
$s->tmdb_mode('429 7200');
$r = search('query=much-later');
is $r->{status}, 503, 'TMDb 429 with a Retry-After of two hours: 503';
is $r->{headers}{'retry-after'}, 3600, '  Retry-After: an hour (TMDb\'s, capped), not the cool-off';
$s->tmdb_mode();
$s->finish;
done_testing;

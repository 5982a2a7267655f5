# `marquee import tmdb`: bulk imports from TMDb by ids, popular and
# trending lists, the nightly refresh of stale movies; resumable, keeping
# to its rate, waiting out TMDb's 429.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use Marquee::Stack;

my $s = Marquee::Stack->start(tmdb => 1, workers => 2);
my $ids = $s->dir . '/ids.txt';
sub tmdb_ids { $s->psql('SELECT string_agg(tmdb_id::text, \',\' ORDER BY tmdb_id) FROM movies') // '' }

# ---- usage ----
for my $bad ([], ['--ids'], ['--popular', '0'], ['--popular', '10001'], ['--trending', '--popular', '2'],
             ['--stale', 'x'], ['--trending', 'extra'], ['--rate', '0', '--trending']) {
    my ($rc, $out) = $s->marquee('import', 'tmdb', @$bad);
    is $rc, 2, "import tmdb @$bad: usage (2)";
    like $out, qr/usage: marquee import tmdb/, '  says how';
}
Marquee::Stack::spew($ids, "550\nnot a number\n");
my ($rc, $out) = $s->marquee('import', 'tmdb', '--ids', $ids);
is $rc, 2, 'a file with a bad line: 2';
like $out, qr/ids\.txt:2: not a TMDb id/, '  naming the line';
is tmdb_ids(), '', '  nothing imported';

# ---- --ids, resumable, rate-limited ----
Marquee::Stack::spew($ids, "# favourites\n550\n\n603  # the matrix\n999\n");
my $t0 = time;
($rc, $out) = $s->marquee('import', 'tmdb', '--ids', $ids, '--rate', '2');
is $rc, 0, '--ids: 0' or diag $out;
like $out, qr/imported 2, refreshed 0, already there 0, not on TMDb 1, failed 0/, '  counted';
cmp_ok time - $t0, '>=', 0.9, '  at 2 calls a second';
is tmdb_ids(), '550,603', '  the movies are in the catalog';
is $s->psql("SELECT source FROM movies WHERE tmdb_id = 550"), 'tmdb', '  from TMDb';
my $calls = $s->tmdb_requests(qr{/3/movie/\d+\?});
($rc, $out) = $s->marquee('import', 'tmdb', '--ids', $ids);
like $out, qr/imported 0, refreshed 0, already there 2, not on TMDb 1, failed 0/,
    'again: what is there is skipped (so a stopped run resumes)';
is scalar($s->tmdb_requests(qr{/3/movie/(550|603)\?})), 2, '  without asking TMDb for it';
is $s->get('/api/movies/?tmdb_id=603')->{json}{count}, 1, 'the API lists them';

# ---- --popular N, --trending ----
($rc, $out) = $s->marquee('import', 'tmdb', '--popular', '3', '--rate', '100');
is $rc, 0, '--popular 3: 0' or diag $out;
like $out, qr/imported 2, refreshed 0, already there 1/, '  the three most popular, one there already'
    or diag $out;
is tmdb_ids(), '238,278,550,603', '  TMDb\'s three most popular added';

# ---- TMDb failing ----
Marquee::Stack::spew($ids, "680\n");
$s->tmdb_mode('500');
($rc, $out) = $s->marquee('import', 'tmdb', '--ids', $ids, '--rate', '100');
is $rc, 1, 'TMDb failing: 1';
like $out, qr/TMDb id 680: HTTP 500/, '  saying why';
like $out, qr/failed 1/, '  counted';
($rc, $out) = $s->marquee('import', 'tmdb', '--trending');
is $rc, 1, 'a list TMDb cannot give: 1';
$s->tmdb_mode();

# ---- a 429 is waited out ----
$s->tmdb_mode('429 1 once');
$t0 = time;
($rc, $out) = $s->marquee('import', 'tmdb', '--ids', $ids, '--rate', '100');
is $rc, 0, 'TMDb answers 429 once: 0' or diag $out;
like $out, qr/imported 1/, '  imported after all';
cmp_ok time - $t0, '>=', 0.9, '  after waiting for Retry-After';
is scalar($s->tmdb_requests(qr{/3/movie/680\?})), 3, '  asking TMDb again (500, 429, then 200)';

($rc, $out) = $s->marquee('import', 'tmdb', '--trending', '--rate', '100');
is $rc, 0, '--trending: 0' or diag $out;
like $out, qr/imported 0, refreshed 0, already there 5/, '  the week\'s, all there now';
is tmdb_ids(), '238,278,550,603,680', '  all of them';
Marquee::Stack::spew($ids, "238\n278\n550\n603\n680\n");
my $asked = () = $s->tmdb_requests;
($rc, $out) = $s->marquee('import', 'tmdb', '--ids', $ids, '--rate', '1');
like $out, qr/already there 5/, 'resumed over five movies it has';
is scalar(() = $s->tmdb_requests), $asked, '  without a call to TMDb, so without waiting on --rate';

# ---- --stale: the nightly refresh ----
$s->psql(q{UPDATE movies SET title = 'Old title', tmdb_synced_at = now() - interval '10 days',
           tmdb_checked_at = now() - interval '10 days' WHERE tmdb_id = 550});
$s->psql(q{DELETE FROM movie_keywords WHERE keyword_id = (SELECT id FROM keywords WHERE tmdb_id = 825)});
$s->psql(q{UPDATE keywords SET name = 'self-help group' WHERE tmdb_id = 825});
($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '7', '--rate', '100');
is $rc, 0, '--stale 7: 0' or diag $out;
like $out, qr/imported 0, refreshed 1, already there 0/, '  only the stale movie';
is $s->psql('SELECT title FROM movies WHERE tmdb_id = 550'), 'Fight Club', '  read again';
is $s->psql(q{SELECT count(*) FROM movie_keywords mk JOIN keywords k ON k.id = mk.keyword_id
              WHERE k.tmdb_id = 825 AND mk.movie_id = (SELECT id FROM movies WHERE tmdb_id = 550)}), 1,
    '  a keyword we named otherwise linked by TMDb\'s id';
is $s->psql(q{SELECT tmdb_synced_at > now() - interval '1 minute' FROM movies WHERE tmdb_id = 550}), 't',
    '  and marked fresh';
($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '0', '--limit', '2', '--rate', '100');
like $out, qr/refreshed 2/, '--limit: at most that many';

# a refresh leaves what an administrator wrote or chose
my $A = $s->admin->{access};
my $fc = $s->psql('SELECT id FROM movies WHERE tmdb_id = 550');
my $r = $s->put("/api/movies/$fc/translations/de/", token => $A, json => { title => 'Kampfklub' });
is $r->{status}, 200, 'an administrator rewrites a translation from TMDb' or diag $r->{content};
my $other = $s->psql("SELECT id FROM movie_media WHERE movie_id = $fc AND kind = 'poster' AND NOT is_primary "
                     . 'ORDER BY id LIMIT 1');
$r = $s->put("/api/movies/$fc/media/$other/", token => $A, json => { is_primary => JSON::PP::true });
is $r->{status}, 200, '  and chooses another of its posters' or diag $r->{content};
my $path = $s->psql("SELECT file_path FROM movie_media WHERE id = $other");
my @gone = split /\n/, $s->psql("SELECT id FROM movie_media WHERE movie_id = $fc AND kind IN ('backdrop', 'trailer') "
                                 . 'AND NOT is_primary ORDER BY id');
is scalar @gone, 2, '  (a backdrop and a trailer not primary)';
is $s->delete("/api/movies/$fc/media/$_/", token => $A)->{status}, 204, '  and deletes a backdrop and a trailer'
    for @gone;
$s->psql(q{UPDATE movies SET tmdb_checked_at = now() - interval '30 days' WHERE tmdb_id = 550});
($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '7', '--rate', '100');
like $out, qr/refreshed 1, /, 'then a refresh' or diag $out;
is $s->psql("SELECT title FROM movie_translations WHERE movie_id = $fc AND language = 'de'"), 'Kampfklub',
    '  keeps the translation';
is $s->psql("SELECT id FROM movie_media WHERE movie_id = $fc AND kind = 'poster' AND is_primary"), $other,
    '  keeps the poster chosen as the primary one';
is $s->psql("SELECT poster_path FROM movies WHERE id = $fc"), $path, '  and as the movie\'s poster';
is $s->psql("SELECT count(*) FROM movie_media WHERE movie_id = $fc"), 3,
    '  does not add what was deleted, nor anything twice';
is $s->psql("SELECT count(*) FROM movie_translations WHERE movie_id = $fc AND language = 'de-DE' AND from_tmdb"),
    1, '  and updates TMDb\'s other translations';

# TMDb adds the IMDb id of a movie imported without one, which another
# movie (MovieLens's) has: both stay, the refresh goes on
$s->psql(q{UPDATE movies SET imdb_id = NULL, tmdb_checked_at = now() - interval '30 days'
           WHERE tmdb_id = 550});
$s->psql(q{INSERT INTO movies (title, imdb_id, source) VALUES ('Fight Club', 'tt0137523', 'movielens')});
($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '7', '--rate', '100');
is $rc, 0, 'refresh, TMDb now names an IMDb id another movie has: 0' or diag $out;
like $out, qr/refreshed 1, already there 0, not on TMDb 0, failed 0/, '  refreshed';
is $s->psql(q{SELECT count(*) FROM movies WHERE imdb_id = 'tt0137523' AND tmdb_id IS NULL}), 1,
    '  the other movie keeps its IMDb id, and gets no TMDb id';
$s->psql(q{DELETE FROM movies WHERE imdb_id = 'tt0137523' AND tmdb_id IS NULL});

# a movie the database refuses, one TMDb no longer has: counted, the run
# goes on, and neither comes first the next night
$s->psql(q{UPDATE movies SET tmdb_checked_at = now() - interval '30 days' WHERE tmdb_id = 550;
           UPDATE movies SET title = 'Old', tmdb_checked_at = now() - interval '40 days'
           WHERE tmdb_id = 238;
           INSERT INTO movies (title, tmdb_id, source) VALUES ('Gone from TMDb', 999, 'tmdb');
           CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END $$;
           CREATE TRIGGER test_refuse BEFORE UPDATE ON movies FOR EACH ROW
           WHEN (NEW.tmdb_id = 238 AND NEW.title IS DISTINCT FROM OLD.title)
           EXECUTE FUNCTION test_refuse()});
($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '7', '--rate', '100');
$s->psql('DROP TRIGGER test_refuse ON movies; DROP FUNCTION test_refuse()');
is $rc, 1, 'refresh, the database refusing one movie: 1' or diag $out;
like $out, qr/TMDb id 238: .*refused/, '  saying which';
like $out, qr/refreshed 1, already there 0, not on TMDb 1, failed 1/, '  and going on with the others';
($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '7', '--rate', '100');
is $rc, 0, 'the next night: 0' or diag $out;
like $out, qr/refreshed 0, already there 0, not on TMDb 0, failed 0/,
    '  the movies that failed were asked about: not again';
$s->psql('DELETE FROM movies WHERE tmdb_id = 999');

# a movie deleted while the refresh waits for TMDb stays deleted
$s->psql(q{UPDATE movies SET tmdb_checked_at = now() - interval '30 days' WHERE tmdb_id = 603});
$s->flush_memcached;	# TMDb's answer is not at hand: the refresh waits for it
$s->tmdb_mode('hold');
$asked = $s->tmdb_requests(qr{/3/movie/603\b});
my $refresh = $s->in_background(sub {
    my ($rc, $out) = $s->marquee('import', 'tmdb', '--stale', '7', '--rate', '100');
    $out =~ tr/,/;/; $out });
wait_until { $s->tmdb_requests(qr{/3/movie/603\b}) > $asked } what => 'the refresh to ask TMDb';
$s->psql('DELETE FROM movies WHERE tmdb_id = 603');
$s->tmdb_mode();
like(($refresh->results)[0], qr/deleted meanwhile 1/, 'refresh of a movie deleted meanwhile: counted');
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 603'), 0, '  and not made again';

# a v4 read access token instead of the v3 key (another cache prefix: no
# answer of the key's runs is reused)
my $tokenconf = $s->dir . '/token.conf';
(my $tconf = Marquee::Stack::slurp($s->{conf})) =~ s/^api_key_file = (.*)$/read_token_file = $1/m;
$tconf =~ s/^\[cache\]$/[cache]\nprefix = token:/m;
Marquee::Stack::spew($tokenconf, $tconf);
Marquee::Stack::spew($ids, "999\n");
$out = `$s->{build}/src/marquee -c $tokenconf import tmdb --ids $ids 2>&1`;
is $? >> 8, 0, 'with a read access token: 0' or diag $out;
like $out, qr/not on TMDb 1, failed 0/, '  TMDb accepted it (and has no such movie)';
my ($last) = reverse $s->tmdb_requests(qr{/3/movie/999\?});
unlike $last, qr/api_key/, '  sent as a bearer token, not in the URL';
Marquee::Stack::spew($s->dir . '/bad.key', "not-the-key\n");
$tconf =~ s/^read_token_file = .*$/read_token_file = bad.key/m;
$tconf =~ s/^prefix = token:$/prefix = bad:/m;
Marquee::Stack::spew($tokenconf, $tconf);
$out = `$s->{build}/src/marquee -c $tokenconf import tmdb --ids $ids 2>&1`;
is $? >> 8, 1, 'a token TMDb refuses: 1';
like $out, qr/TMDb id 999: HTTP 401/, '  saying so';

my $nokey = $s->dir . '/nokey.conf';
(my $conf = Marquee::Stack::slurp($s->{conf})) =~ s/^api_key_file = .*$/api_key_file =/m;
Marquee::Stack::spew($nokey, $conf);
$out = `$s->{build}/src/marquee -c $nokey import tmdb --trending 2>&1`;
is $? >> 8, 1, 'without a TMDb key: 1';
like $out, qr/no api_key_file/, '  saying so';

# a request's calls to TMDb share [tmdb] timeout (2s here): trending
# with five movies to import from a TMDb taking 1s each stops at 2s
$s->psql('DELETE FROM movies WHERE tmdb_id IS NOT NULL');
$s->flush_memcached;
$s->tmdb_mode('slow 1');
$asked = () = $s->tmdb_requests;
$r = $s->get('/api/movies/trending/');
$s->tmdb_mode();
is $r->{status}, 200, 'trending, TMDb slow: 200' or diag $r->{content};
# counted, not timed: calls of 1s each fit the 2s budget at most twice
# (the list, one movie) and a third is cut short, however loaded the
# machine; a budget per call would ask for all six
cmp_ok scalar(() = $s->tmdb_requests) - $asked, '<=', 3,
    '  within [tmdb] timeout for all calls, not each';

$s->finish;
done_testing;

# `marquee import movielens DIR` with ratings.csv and tags.csv: MovieLens's
# users as accounts that cannot log in, their ratings and tags, and the
# rated films' statistics exact, also while users rate through the API.
use strict;
use warnings;
use Test::More;
use File::Path qw(make_path);
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $dir = $s->dir . '/ml';
make_path($dir);
sub write_file { Marquee::Stack::spew(@_) }
sub import_ml { my ($rc, $out) = $s->marquee('import', 'movielens', $dir); return ($rc, $out) }
sub stale_stats { $s->stale_rating_stats }

write_file("$dir/movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n"
           . "2,Jumanji (1995),Adventure\n3,Heat (1995),Crime|Film-Noir|IMAX\n");
write_file("$dir/links.csv", "movieId,imdbId,tmdbId\n1,0114709,862\n2,0113497,8844\n3,0113277,949\n");
my $ratings = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964981247\n"
    . "2,1,5.0,964982224\n2,1,2.0,964980000\n3,2,0.5,964983815\n3,99,4.0,964983815\n";
write_file("$dir/ratings.csv", $ratings);
write_file("$dir/tags.csv", "userId,movieId,tag,timestamp\n2,1,pixar,1445714994\n"
           . "2,1,Pixar,1445714995\n4,3,\"heist, LA\",1445715000\n");

# a first load into an empty catalog drops the tables' indexes and keys
# and makes them again after the rows (cli/bulk_indexes.c)
my $keys_sql = q{SELECT string_agg(d, E'\n' ORDER BY d) FROM (
    SELECT pg_get_indexdef(indexrelid) AS d FROM pg_index
    WHERE indrelid IN ('movies'::regclass, 'movie_genres'::regclass, 'ratings'::regclass,
                       'movie_stats'::regclass, 'search_words'::regclass)
    UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE conrelid IN ('movies'::regclass, 'movie_genres'::regclass, 'ratings'::regclass,
                       'movie_stats'::regclass, 'search_words'::regclass)) x};
my $keys_before = $s->psql($keys_sql);
is $s->psql('SELECT count(*) FROM movies'), 0, 'the catalog is empty: a first load';
my ($rc, $out) = import_ml();
is $rc, 0, 'the import succeeds' or diag $out;
like $out, qr/a first load: \d+ indexes and foreign keys made after the rows/, 'made after the rows'
    or diag $out;
is $s->psql($keys_sql), $keys_before, 'every index and key of its tables made again as it was';
like $s->psql(q{SELECT count(*) FROM pg_index WHERE indrelid = 'movies'::regclass}), qr/^[1-9]\d$/,
    'movies has its indexes';
like $out, qr/3 films read/, 'the films first';
is $s->psql(q{SELECT string_agg(g.slug, ',') FROM movies m JOIN movie_genres mg ON mg.movie_id = m.id
              JOIN genres g ON g.id = mg.genre_id WHERE m.movielens_id = 3}), 'crime',
    'two MovieLens genres of one TMDb genre are one (IMAX none)';
is $s->psql(q{SELECT genre_ids = ARRAY(SELECT id FROM genres WHERE slug = 'crime') FROM movies
              WHERE movielens_id = 3}), 't', 'and the row knows it once';
is $s->psql(q{SELECT count(*) FROM movies m WHERE NOT EXISTS (SELECT 1 FROM movie_stats s
              WHERE s.movie_id = m.id)}), 0, 'every film has its row of statistics';
is $s->psql(q{SELECT count(*) FROM search_words WHERE word IN ('toy', 'stori', 'jumanji', 'heat')}), 4,
    "and its title's words are words of the search";
like $out, qr/6 ratings and 3 tags read; 4 users added, 4 ratings written, 2 tags added, 1 rows of films not in the catalog skipped/,
    'then what it did with ratings and tags' or diag $out;
is $s->psql(q{SELECT string_agg(username || ':' || imported || ':' || (password_hash IS NULL), ','
              ORDER BY movielens_id) FROM users WHERE movielens_id IS NOT NULL}),
    'movielens-1:true:true,movielens-2:true:true,movielens-3:true:true,movielens-4:true:true',
    'users as imported accounts without a password';
isnt $s->post('/api/users/login/', json => { username => 'movielens-1', password => '' })->{status}, 200,
    'which cannot log in';
my $toy = 0 + $s->psql('SELECT id FROM movies WHERE movielens_id = 1');
my $jumanji = 0 + $s->psql('SELECT id FROM movies WHERE movielens_id = 2');
my $heat = 0 + $s->psql('SELECT id FROM movies WHERE movielens_id = 3');
my $r = $s->get("/api/movies/$toy/ratings/");
is $r->{json}{count}, 2, 'Toy Story: two ratings';
is $r->{json}{average}, 4.5, 'the newest of a user\'s two counts (5.0, not 2.0)';
is $s->get("/api/movies/$jumanji/")->{json}{rating}, 2, 'the detail shows the average';
is $s->psql(q{SELECT to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM ratings r
              JOIN users u ON u.id = r.user_id WHERE u.movielens_id = 1 AND r.movie_id = } . $toy),
    '2000-07-30', 'with the time MovieLens gives';
is $s->psql("SELECT string_agg(tag, ',' ORDER BY tag) FROM movie_tags"), 'heist, LA,pixar',
    'tags, once whatever their case';
is stale_stats(), 0, 'every movie\'s statistics equal a recount';

# ---- again: nothing changes; then a changed rating ----
($rc, $out) = import_ml();
like $out, qr/0 users added, 0 ratings written, 0 tags added/, 'a second import changes nothing' or diag $out;
unlike $out, qr/a first load/, 'and is no first load';
$ratings =~ s/1,2,3\.5,964981247/1,2,1.5,964990000/;
write_file("$dir/ratings.csv", $ratings);
($rc, $out) = import_ml();
like $out, qr/0 users added, 1 ratings written/, 'a changed rating is written' or diag $out;
is $s->get("/api/movies/$jumanji/")->{json}{rating}, 1, 'the average follows at once (the cache was dropped)';
is stale_stats(), 0, 'still exact';

# ---- users rating through the API while an import runs ----
my $admin = $s->admin;
my @users = map { $s->user("viewer$_") } 1 .. 4;
$ratings .= join '', map { "$_,3,4.5,96498" . (1000 + $_) . "\n" } 10 .. 400;
write_file("$dir/ratings.csv", $ratings);
my @out = $s->in_parallel(
    sub { my ($rc) = import_ml(); return "import:$rc" },
    map { my $u = $_; sub {
        map { $s->post('/api/movies/rate/', token => $u->{access},
                       json => { movie => $_ % 2 ? $toy : $heat,
                                 rating => 3 })->{status} } 1 .. 6 } } @users);
is shift @out, 'import:0', 'the import succeeds beside them';
is scalar(grep { !/^20[01]$/ } @out), 0, 'and so do their ratings' or diag "@out";
is stale_stats(), 0, 'the statistics are exact after both';

# ---- bad files: nothing kept ----
my $users = $s->psql('SELECT count(*) FROM users');
write_file("$dir/ratings.csv", "userId,movieId,rating,timestamp\n900,1,6.0,964982703\n");
($rc, $out) = import_ml();
isnt $rc, 0, 'a rating of 6 fails the import';
like $out, qr/ratings\.csv:2: not a valid row/, 'naming the file and line';
write_file("$dir/ratings.csv", "userId,movieId,rating,timestamp\n900,1,3.3,964982703\n");
like +(import_ml())[1], qr/ratings\.csv:2: not a valid row/, 'so does a rating of 3.3';
write_file("$dir/ratings.csv", "userId,movieId,rating,timestamp\n900,1,4,964982703\n901,1\n");
like +(import_ml())[1], qr/ratings\.csv:3: not a valid row/, 'and a short row';
write_file("$dir/ratings.csv", "userId,movieId,rating,timestamp\n900,1,4,964982703\n");
write_file("$dir/tags.csv", "userId,movieId,tag,timestamp\n900,1,,1445714994\n");
like +(import_ml())[1], qr/tags\.csv:2: not a valid row/, 'an empty tag too';
write_file("$dir/tags.csv", "movieId,tag\n");
like +(import_ml())[1], qr/tags\.csv: expected a header/, 'a tags file of another shape';
is $s->psql('SELECT count(*) FROM users'), $users, 'and no user of them is kept';
unlink "$dir/tags.csv", "$dir/ratings.csv";
($rc, $out) = import_ml();
is $rc, 0, 'without ratings.csv and tags.csv the films alone are imported';
unlike $out, qr/ratings and/, 'and nothing is said of ratings';

is $s->post('/api/users/register/', json => { username => 'movielens-77', email => 'x@example.test',
                                               password => 'a long enough password 77' })->{status}, 400,
    'movielens-<id> is reserved for imported users';

$s->finish;
done_testing;

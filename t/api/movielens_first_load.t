# `marquee import movielens DIR` into an empty catalog (a first load)
# defers more than indexes: movie_stats' primary key, movie_genres' key to
# genres, and the links are joined to the films as the files are read
# (cli/import_movielens.c, cli/bulk_indexes.c; docs/performance.md, "Bulk
# loads").  What it makes must be what the same files make in a catalog
# that is not empty, with every key in place; a deferred key that does not
# hold fails the load and leaves the catalog as it was.
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

# TMDb id 807 given to films 4 and 6 (4 keeps it), IMDb id tt0112346 to 2
# and 7 (2 keeps it), TMDb id 4242 to film 8 and to film 10, which
# movies.csv does not have (8 keeps it: no conflict); film 9 has no link.
my $movies = <<'CSV';
movieId,title,genres
6,"Duplicate Tmdb, The (2001)",Drama|IMAX
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2,"American President, The (1995)",Comedy|Drama|Romance
3,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Fantasy|Mystery|Sci-Fi
4,Seven (a.k.a. Se7en) (1995),Mystery|Thriller
5,Hyena Road,(no genres listed)
7,Duplicate Imdb (2002),Comedy
8,Shared With A Stranger (2003),Western|Film-Noir
9,No Links (1999),Horror
CSV
my $links = "movieId,imdbId,tmdbId\n10,0999999,4242\n1,0114709,862\n2,0112346,9087\n"
    . "3,0112682,902\n4,0114369,807\n5,4168188,\n6,0000001,807\n7,0112346,5555\n8,0000008,4242\n";
write_file("$dir/movies.csv", $movies);
write_file("$dir/links.csv", $links);

my $keys_sql = q{SELECT string_agg(d, E'\n' ORDER BY d) FROM (
    SELECT pg_get_indexdef(indexrelid) AS d FROM pg_index
    WHERE indrelid IN ('movies'::regclass, 'movie_genres'::regclass, 'ratings'::regclass,
                       'movie_stats'::regclass, 'search_words'::regclass)
    UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              || ' ' || convalidated
    FROM pg_constraint
    WHERE conrelid IN ('movies'::regclass, 'movie_genres'::regclass, 'ratings'::regclass,
                       'movie_stats'::regclass, 'search_words'::regclass)) x};
# every film of the import as it is stored: its row, its genres, its
# statistics row, its words among the words of the search
my $films_sql = q{SELECT string_agg(concat_ws('|', m.movielens_id, m.title, m.original_title, m.year,
        m.tmdb_id, m.imdb_id, m.source, m.genre_ids, m.search, m.title_fold,
        (SELECT string_agg(genre_id::text, ',' ORDER BY genre_id) FROM movie_genres
         WHERE movie_id = m.id),
        EXISTS (SELECT 1 FROM movie_stats s WHERE s.movie_id = m.id),
        (SELECT count(*) FROM unnest(tsvector_to_array(m.search)) w
         WHERE NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = w))), E'\n'
        ORDER BY m.movielens_id) FROM movies m WHERE m.movielens_id IS NOT NULL};
my $keys = $s->psql($keys_sql);
like $keys, qr/movie_genres_genre_id_fkey FOREIGN KEY \(genre_id\) REFERENCES genres\(id\)/,
    "movie_genres' key to genres is there";
like $keys, qr/movie_stats_pkey PRIMARY KEY \(movie_id\)/, "and movie_stats' primary key";

# ---- a deferred key that does not hold: the load fails, nothing of it is kept ----
# (a trigger of this test's own gives every genre row a genre that does
# not exist: with the key in place each row would fail; deferred, adding
# it again must)
$s->psql(q{CREATE FUNCTION test_bad_genre() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN NEW.genre_id := NEW.genre_id + 1000000; RETURN NEW; END $$});
$s->psql(q{CREATE TRIGGER test_bad_genre BEFORE INSERT ON movie_genres
           FOR EACH ROW EXECUTE FUNCTION test_bad_genre()});
my ($rc, $out) = import_ml();
isnt $rc, 0, 'a first load whose genres do not exist fails';
like $out, qr/movie_genres_genre_id_fkey/, 'when the key to genres is made again';
is $s->psql('SELECT count(*) FROM movies'), 0, 'no film of it is kept';
is $s->psql('SELECT count(*) FROM movie_stats'), 0, 'nor a row of statistics';
is $s->psql($keys_sql), $keys, 'and every index and key is as it was';
$s->psql('DROP TRIGGER test_bad_genre ON movie_genres');

# ---- the first load ----
($rc, $out) = import_ml();
is $rc, 0, 'the first load succeeds' or diag $out;
like $out, qr/9 films read, 9 added, 0 updated, 2 id conflicts/, 'and says what it did' or diag $out;
like $out, qr/a first load: \d+ indexes and foreign keys made after the rows/, 'a first load';
is $s->psql($keys_sql), $keys, 'every index and key made again as it was, validated';
my %by = map { my @f = split /\|/, $_, -1; ($f[0] => { tmdb => $f[1], imdb => $f[2] }) }
    split /\n/, $s->psql('SELECT concat_ws($$|$$, movielens_id, coalesce(tmdb_id::text, $$$$), '
                         . 'coalesce(imdb_id, $$$$)) FROM movies WHERE movielens_id IS NOT NULL');
is $by{4}{tmdb}, 807, 'a TMDb id given twice stays with the lower MovieLens id';
is $by{6}{tmdb}, '', 'not with the other film';
is $by{7}{imdb}, '', 'an IMDb id given twice likewise';
is $by{2}{imdb}, 'tt0112346', 'which stays with its first film';
is $by{8}{tmdb}, 4242, 'an id shared only with a film movies.csv lacks is no conflict';
is $by{9}{tmdb}, '', 'a film without links has no ids';
is $by{5}{imdb}, 'tt4168188', 'one without a TMDb id keeps its IMDb id';
is $s->stale_movie_counts, 0, 'movie_counts is exact';
my $first = $s->psql($films_sql);
utf8::decode($first);
like $first, qr/^3\|The City of Lost Children\|La Cit\x{e9} des enfants perdus\|1995\|902\|tt0112682\|movielens\|/m,
    'the films as read';
unlike $first, qr/\|[1-9]\d*$/m, "every film's words are words of the search";
unlike $first, qr/\|f\|\d+$/m, 'every film has its row of statistics';

# ---- the same files into a catalog that is not empty: the same films ----
$s->psql('DELETE FROM movies');
$s->psql(q{INSERT INTO movies (title, source) VALUES ('By hand', 'manual')});
($rc, $out) = import_ml();
is $rc, 0, 'the same files into a catalog with a film succeed' or diag $out;
unlike $out, qr/a first load/, 'not as a first load';
like $out, qr/9 films read, 9 added, 0 updated, 2 id conflicts/, 'the same counts';
my $again = $s->psql($films_sql);
utf8::decode($again);
is $again, $first, 'the same films, genres, statistics rows and words as the first load made';
is $s->stale_movie_counts, 0, 'movie_counts is exact';

# ---- an id that a file gives twice fails the import, saying where ----
($rc, $out) = import_ml();
like $out, qr/0 added, 0 updated, 2 id conflicts/, 'once more: nothing changes';
write_file("$dir/movies.csv", $movies . "4,Seven Again (1996),Drama\n");
($rc, $out) = import_ml();
isnt $rc, 0, 'a movieId twice in movies.csv fails';
like $out, qr/movies\.csv:11: movieId 4 again \(first on line 6\)/, 'naming both lines' or diag $out;
write_file("$dir/movies.csv", $movies);
write_file("$dir/links.csv", $links . "3,0112683,903\n");
($rc, $out) = import_ml();
isnt $rc, 0, 'so does a movieId twice in links.csv';
like $out, qr/links\.csv:11: movieId 3 again \(first on line 5\)/, 'naming both lines' or diag $out;
my $now = $s->psql($films_sql);
utf8::decode($now);
is $now, $first, 'nothing of either is kept';

$s->finish;
done_testing;

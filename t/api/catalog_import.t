# Loading catalogs from the command line: `marquee demo-data` (curated films
# and generated ones) and `marquee import movielens DIR` (MovieLens's
# movies.csv and links.csv), both idempotent; on a fixture written here.
use strict;
use warnings;
use utf8;
use Test::More;
use File::Path qw(make_path);
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;

sub count { $s->psql("SELECT count(*) FROM movies WHERE $_[0]") }
sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>:utf8', $path or die "$path: $!";
    print {$fh} $text;
    close $fh;
}
sub counts_exact {
    $s->psql(q{SELECT count(*) FROM movie_counts c WHERE n <> CASE dimension
                 WHEN 'all' THEN (SELECT count(*) FROM movies)
                 WHEN 'year' THEN (SELECT count(*) FROM movies WHERE year::text = c.value)
                 WHEN 'language' THEN (SELECT count(*) FROM movies WHERE original_language = c.value)
                 WHEN 'genre' THEN (SELECT count(*) FROM movie_genres WHERE genre_id::text = c.value) END})
        == 0;
}

# ---- demo-data ----
my $out = $s->demo_catalog(50);
like $out, qr/curated: 100 films/, 'demo-data loads the curated films';
like $out, qr/generated: 50 films added/, 'and 50 generated ones';
is count('true'), 150, '150 movies';
my $nos = $s->get('/api/movies/?tmdb_id=653')->{json}{results}[0];
is $nos->{imdb_id}, 'tt0013442', 'curated films carry their real TMDb and IMDb ids';
is $nos->{year}, 1922, 'and years';
is count(q{source = 'demo' AND tmdb_id IS NULL AND genre_ids = '{}'}), 0, 'every generated film has a genre';
is count(q{source = 'demo' AND tmdb_id IS NULL AND (year < 1920 OR year > 2026)}), 0,
    'generated films are from 1920 to 2026';
ok counts_exact(), 'movie_counts is exact after a bulk load';
is count(q{search = ''::tsvector}), 0, 'every film has its search document';
my $first = $s->psql(q{SELECT string_agg(title, '|' ORDER BY id) FROM movies WHERE tmdb_id IS NULL});

$out = $s->demo_catalog(50);
like $out, qr/curated: 0 films/, 'a second run adds no curated film';
like $out, qr/50 films were generated already/, 'nor generated ones';
is count('true'), 150, 'still 150';

$out = $s->demo_catalog(80);
like $out, qr/generated: 30 films added \(80 generated in all\)/, 'asking for 80 adds 30';
is $s->psql(q{SELECT string_agg(title, '|' ORDER BY id) FROM (SELECT * FROM movies
              WHERE tmdb_id IS NULL ORDER BY id LIMIT 50) f}), $first,
    'the first 50 generated films are the same films (a film is a function of its number)';
ok counts_exact(), 'movie_counts is still exact';
my $gone = $s->psql(q{SELECT max(id) FROM movies WHERE tmdb_id IS NULL});
is $s->delete("/api/movies/$gone/", token => $admin->{access})->{status}, 204, 'a generated film is deleted';
like $s->demo_catalog(80), qr/80 films were generated already/, 'running again';
is count('true'), 179, 'does not bring it back';
like $s->demo_catalog(81, '--seed', 2), qr/81 films added/, 'another seed is another catalog';
is $s->psql(q{SELECT (SELECT min(popularity) FROM movies WHERE tmdb_id IS NOT NULL AND source = 'demo')
                   > (SELECT max(popularity) FROM movies WHERE tmdb_id IS NULL)}), 't',
    'every curated film is more popular than every generated one';
my $top = $s->get('/api/movies/?page_size=100')->{json}{results};
is scalar(grep { defined $_->{tmdb_id} } @$top), 100, 'so the catalog opens on the real films';
my ($rc, $err) = $s->marquee('demo-data', '--movies', 'many');
is $rc, 2, 'a bad --movies is a usage error';
($rc, $err) = $s->marquee('demo-data', '--curated', '/nonexistent.tsv');
isnt $rc, 0, 'a missing curated file fails';
like $err, qr{cannot open /nonexistent\.tsv}, 'saying so';

# ---- import movielens ----
my $dir = $s->dir . '/movielens';
make_path($dir);
write_file("$dir/movies.csv", <<'CSV');
movieId,title,genres
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2,"American President, The (1995)",Comedy|Drama|Romance
3,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Fantasy|Mystery|Sci-Fi
4,Seven (a.k.a. Se7en) (1995),Mystery|Thriller
5,"Auberge espagnole, L' (2002)",Comedy|Romance
6,Fawlty Towers (1975-1979),Comedy
7,Hyena Road,(no genres listed)
8,Nosferatu (1922),Horror
9,"Duplicate Tmdb, The (2001)",Drama|IMAX
10,"Quote ""Unquote"" (2010)",Film-Noir
CSV
write_file("$dir/links.csv", "movieId,imdbId,tmdbId\r\n1,0114709,862\r\n2,0112346,9087\r\n"
           . "3,0112682,902\r\n4,0114369,807\r\n5,0283900,1555\r\n6,0072500,\r\n7,4168188,340838\r\n"
           . "8,0013442,653\r\n9,0000001,807\r\n10,123,777001\r\n");
($rc, $out) = $s->marquee('import', 'movielens', $dir);
is $rc, 0, 'import movielens succeeds' or diag $out;
like $out, qr/10 films read, 8 added, 2 updated, 1 id conflicts/, 'and says what it did' or diag $out;
my $rows = $s->psql(q{SELECT movielens_id, title, original_title, coalesce(year::text, ''),
                      coalesce(tmdb_id::text, ''), coalesce(imdb_id, ''), source
                      FROM movies WHERE movielens_id IS NOT NULL});
utf8::decode($rows);
my %by = map { my @f = split /\|/; ($f[0] => { title => $f[1], original => $f[2], year => $f[3],
                                              tmdb => $f[4], imdb => $f[5], source => $f[6] }) }
    split /\n/, $rows;
is $by{2}{title}, 'The American President', 'a trailing article moves to the front';
is $by{3}{title}, 'The City of Lost Children', 'with an alternative title';
is $by{3}{original}, 'La Cité des enfants perdus', 'which becomes the original title';
is $by{4}{title}, 'Seven', 'an a.k.a. aside is dropped';
is $by{5}{title}, "L'Auberge espagnole", "L' joins the word";
is $by{6}{year}, 1975, 'a year range gives its first year';
is $by{7}{year}, '', 'no year: none';
is $by{10}{title}, 'Quote "Unquote"', 'quotes inside quoted CSV fields';
is $by{10}{imdb}, 'tt0000123', 'IMDb ids are padded to seven digits';
is $by{9}{tmdb}, '', 'a TMDb id the file gives twice stays with its first film';
is $by{1}{source}, 'demo', 'Toy Story was already there (a curated film): matched by TMDb id';
is $by{1}{title}, 'Toy Story', 'keeping its title';
is $by{8}{source}, 'demo', 'so was Nosferatu';
is $s->get("/api/movies/?tmdb_id=862")->{json}{results}[0]{id},
    $s->psql('SELECT id FROM movies WHERE movielens_id = 1'), 'one movie per TMDb id';
my $genres = $s->psql(q{SELECT string_agg(g.slug, ',' ORDER BY g.slug) FROM movies m
                        JOIN movie_genres mg ON mg.movie_id = m.id JOIN genres g ON g.id = mg.genre_id
                        WHERE m.movielens_id = 3});
is $genres, 'adventure,drama,fantasy,mystery,science-fiction', "MovieLens's genres become TMDb's";
is $s->psql(q{SELECT genre_ids = ARRAY(SELECT genre_id FROM movie_genres WHERE movie_id = m.id ORDER BY 1)
              FROM movies m WHERE movielens_id = 3}), 't', 'and the row knows them';
is $s->psql(q{SELECT string_agg(g.slug, ',') FROM movies m JOIN movie_genres mg ON mg.movie_id = m.id
              JOIN genres g ON g.id = mg.genre_id WHERE m.movielens_id = 10}), 'crime', 'Film-Noir is crime';
is $s->get('/api/movies/?q=lost%20children')->{json}{results}[0]{title}, 'The City of Lost Children',
    'imported films are searchable';
ok counts_exact(), 'movie_counts is exact after an import';
# what the INSERT of the new films writes in bulk is what the row-by-row
# path (movies_derive, movies_refresh) would: the document of both titles
# (film 3's original title is another), the genres the links have
is $s->psql(q{SELECT string_agg(movielens_id::text, ',' ORDER BY movielens_id) FROM movies m
              WHERE source = 'movielens' AND (search IS DISTINCT FROM
                  movie_document(title, original_title, '', '')
                OR genre_ids IS DISTINCT FROM ARRAY(SELECT genre_id FROM movie_genres
                                                    WHERE movie_id = m.id ORDER BY 1))}), '',
    "the films added have the document and genre ids a refresh would write";

my $id = $s->psql('SELECT id FROM movies WHERE movielens_id = 2');
is $s->get("/api/movies/$id/")->{json}{title}, 'The American President', 'the detail (now cached)';
($rc, $out) = $s->marquee('import', 'movielens', $dir);
like $out, qr/0 added, 0 updated/, 'a second import changes nothing';
my $csv = Marquee::Stack::slurp("$dir/movies.csv");
utf8::decode($csv);
$csv =~ s/American President, The \(1995\)/American President, The (1996)/;
$csv =~ s/Comedy\|Drama\|Romance/Drama/;
write_file("$dir/movies.csv", $csv);
($rc, $out) = $s->marquee('import', 'movielens', $dir);
like $out, qr/0 added, 1 updated/, 'a changed row is updated';
my $d = $s->get("/api/movies/$id/")->{json};
is $d->{year}, 1996, 'the API shows the new year at once (the cached detail was dropped)';
is_deeply [ map { $_->{slug} } @{ $d->{genres} } ], ['drama'], 'and the new genres';
ok counts_exact(), 'movie_counts follows';

# A movie made by hand with the TMDb id of a MovieLens film: matched, not duplicated.
my $hand = $s->post('/api/movies/', token => $admin->{access},
                    json => { title => 'Heat (by hand)', tmdb_id => 949 })->{json};
write_file("$dir/movies.csv", $csv . "11,Heat (1995),Action|Crime|Thriller\n");
write_file("$dir/links.csv", Marquee::Stack::slurp("$dir/links.csv") . "11,0113277,949\r\n");
($rc, $out) = $s->marquee('import', 'movielens', $dir);
is $s->psql('SELECT movielens_id FROM movies WHERE id = ' . $hand->{id}), 11,
    'a movie made by hand gains the MovieLens id of its TMDb id';
is $s->get("/api/movies/$hand->{id}/")->{json}{title}, 'Heat (by hand)', 'and keeps its own title';

# ---- malformed input: nothing is kept ----
my $before = count('true');
write_file("$dir/movies.csv", "movieId,title,genres\n12,\"Unterminated (1999),Drama\n");
($rc, $out) = $s->marquee('import', 'movielens', $dir);
isnt $rc, 0, 'a malformed CSV fails';
like $out, qr/movies\.csv:2: malformed CSV/, 'naming the file and line';
is count('true'), $before, 'and nothing of it is kept';
write_file("$dir/movies.csv", "movieId,title,genres\nabc,Title (1999),Drama\n");
($rc, $out) = $s->marquee('import', 'movielens', $dir);
like $out, qr/movies\.csv:2: not a valid row/, 'a row with a bad id fails';
write_file("$dir/movies.csv", "id,name\n");
($rc, $out) = $s->marquee('import', 'movielens', $dir);
like $out, qr/expected a header/, 'so does a file of another shape';
($rc, $out) = $s->marquee('import', 'movielens', '/nonexistent');
like $out, qr{cannot read /nonexistent/movies\.csv}, 'and a missing directory';
($rc, $out) = $s->marquee('import', 'imdb', $dir);
is $rc, 2, 'an unknown source is a usage error';

$s->finish;
done_testing;

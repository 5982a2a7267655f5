# A movie's detail kept rendered (catalog/movie_document.h,
# sql/0038_movie_documents.sql): kept after the first read, served from
# what was kept, with the counters read live; rendered again when the
# movie's row, the genres' or keywords' names or the configuration of its
# URLs change; never kept for a provisional movie; kept per translation
# shown, not per language asked.
#
# Every other test file checks the kept texts too: its stack runs [cache]
# verify, which renders each kept text again and logs a difference, and
# the harness fails the file (Marquee::Stack::finish).  This one turns
# verify off where it changes a kept text behind the service's back, to
# see that it is what is served.
use strict;
use warnings;
use utf8;
use Test::More;
use Marquee::Stack;
use JSON::PP;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $A = $admin->{access};

sub create {
    my (%m) = @_;
    my $r = $s->post('/api/movies/', token => $A, json => \%m);
    die "creating $m{title}: $r->{status} $r->{content}" unless $r->{status} == 201;
    return $r->{json}{id};
}
sub kept {
    my ($id, $where) = @_;
    return $s->psql("SELECT count(*) FROM movie_documents WHERE movie_id = $id"
                    . ($where ? " AND $where" : ''));
}
# Renderings are written after the answer, within a second.
sub kept_soon {
    my ($id, $where, $n) = @_;
    $n //= 1;
    Marquee::Stack::poll(10, sub { kept($id, $where) == $n });
    return kept($id, $where);
}

my $id = create(title => 'Nosferatu', overview => 'A vampire.', release_date => '1922-03-04',
                popularity => 9.5, tmdb_id => 653, poster_path => '/nos.jpg');
$s->psql("INSERT INTO movie_genres (movie_id, genre_id) SELECT $id, id FROM genres WHERE slug = 'horror'");
my $other = create(title => 'Metropolis', overview => 'A city.');

# ---- kept after the first read ----
is kept($id), 0, 'no document before the first read';
my $first = $s->get("/api/movies/$id/");
is $first->{status}, 200, 'the detail';
is $first->{json}{title}, 'Nosferatu', 'of the movie';
is kept_soon($id, q{translation = '' AND genre_language = ''}), 1,
    'kept after the answer, in the original text';
my $body = $s->psql("SELECT body FROM movie_documents WHERE movie_id = $id");
unlike $body, qr/"(rating|ratings_count|statistics)"/, 'without the counters';
is $s->psql("SELECT d.version = m.xmin FROM movie_documents d JOIN movies m ON m.id = d.movie_id "
            . "WHERE d.movie_id = $id"), 't', 'labelled with the version of the row it shows';
my $again = $s->get("/api/movies/$id/");
is_deeply $again->{json}, $first->{json}, 'the next read answers the same';
is $s->get("/api/movies/$id/?language=sw")->{status}, 200,
    'a language with no translation of the movie or of the genres';
is $s->get("/api/movies/$id/", headers => { 'Accept-Language' => 'en-GB' })->{status}, 200,
    'another';
sleep 2;
is kept($id), 1, 'share the original text: one document, not one per language asked';
is $s->get("/api/movies/$id/", headers => { 'Accept-Language' => 'de' })->{json}{genres}[0]{name},
    'Horror', 'German: the genres are named in German';
is kept_soon($id, q{translation = '' AND genre_language = 'de'}), 1,
    'a document of its own: the original text, German genre names';

# ---- served from what was kept; the counters are live ----
ok $s->reload_pool(extra_config => "[cache]\nresponses = off\nverify = off\n"),
    'reloaded: no response cache, no verify';
$s->psql("UPDATE movie_documents SET body = replace(body, '\"A vampire.\"', '\"Kept.\"') "
         . "WHERE movie_id = $id");
is $s->get("/api/movies/$id/")->{json}{overview}, 'Kept.', 'the detail is the kept text';
my $u = $s->user('voter');
is $s->post('/api/movies/rate/', token => $u->{access}, json => { movie => $id, rating => 4.5 })->{status},
    201, 'a vote';
my $d = $s->get("/api/movies/$id/")->{json};
is $d->{overview}, 'Kept.', 'the text is still the kept one (a vote writes no movie row)';
is $d->{ratings_count}, 1, 'and the counters are read with it: ratings_count';
is $d->{rating}, 4.5, 'rating';
is $d->{statistics}{ratings_count}, 1, 'statistics';
$d = $s->get("/api/movies/$id/?region=DE")->{json};
is $d->{overview}, 'Kept.', 'with a region, the kept text';
is $d->{regional_release}{region}, 'DE', 'and the regional release added to it';

# ---- rendered again when the movie's row changes ----
$s->psql("UPDATE movies SET overview = 'Changed in SQL.' WHERE id = $id");
is $s->get("/api/movies/$id/")->{json}{overview}, 'Changed in SQL.',
    'a change to the row by any writer: a new version, rendered again';
is kept_soon($id, q{body LIKE '%Changed in SQL.%'}), 1, 'and kept again, in place';
is kept($id, q{genre_language = ''}), 1, 'still one document of the original text';
is $s->patch("/api/movies/$id/", token => $A, json => { title => 'Nosferatu, a Symphony' })->{status},
    200, 'PATCH';
is $s->get("/api/movies/$id/")->{json}{title}, 'Nosferatu, a Symphony', 'shows at once';

# translations and media changed in place write the movie's row too
is $s->put("/api/movies/$id/translations/fr/", token => $A,
           json => { title => 'Nosferatu le vampire' })->{status}, 201, 'a French translation';
is $s->get("/api/movies/$id/?language=fr")->{json}{title}, 'Nosferatu le vampire', 'shown';
is kept_soon($id, q{translation = 'fr' AND genre_language = 'fr'}), 1,
    'kept apart, with French genre names';
is $s->get("/api/movies/$id/?language=fr-CA")->{json}{title}, 'Nosferatu le vampire',
    'fr-CA shows the French one';
sleep 2;
is kept($id), 3, 'from the same document (original, German genres, French: no fr-CA one)';
$s->psql("UPDATE movie_translations SET title = 'Nosferatu, eine Symphonie' "
         . "WHERE movie_id = $id AND language = 'fr'");
is $s->get("/api/movies/$id/?language=fr")->{json}{title}, 'Nosferatu, eine Symphonie',
    'a translation changed in place (no service call) is shown';

# ---- rendered again when the configuration its URLs are made of changes ----
sub kept_current {
    $s->get("/api/movies/$id/");
    return kept_soon($id, "translation = '' AND genre_language = '' AND version = "
                          . "(SELECT xmin FROM movies WHERE id = $id)");
}
is kept_current(), 1, 'kept as the movie is now';
like $s->get("/api/movies/$id/")->{json}{poster_url}, qr{^https://image\.tmdb\.org/t/p/w500/nos\.jpg$},
    "TMDb's image URL";
ok $s->reload_pool(extra_config => "[cache]\nresponses = off\nverify = off\n"
                                   . "[tmdb]\nimage_base_url = https://img.example/p/\n"),
    'reloaded with another image_base_url';
like $s->get("/api/movies/$id/")->{json}{poster_url}, qr{^https://img\.example/p/w500/nos\.jpg$},
    'the kept text is stale: the new URL';
ok $s->reload_pool(extra_config => "[cache]\nresponses = off\nverify = off\n"), 'and back';

# ---- and when a genre is renamed: counted, and read by each worker's reload ----
is kept_current(), 1, 'kept as the movie is now';
my $gen = $s->psql('SELECT generation FROM catalog_names');
$s->psql(q{UPDATE genres SET name = 'Scary' WHERE slug = 'horror'});
is $s->psql('SELECT generation FROM catalog_names'), $gen + 1, 'a renamed genre is counted';
ok $s->reload_pool(extra_config => "[cache]\nresponses = off\nverify = off\n"),
    'the workers start again (as each does its reload within a minute)';
is_deeply [ map { $_->{name} } @{ $s->get("/api/movies/$id/")->{json}{genres} } ], ['Scary'],
    'the kept text is stale: the new name';
$s->psql(q{UPDATE genres SET name = 'Horror' WHERE slug = 'horror'});
ok $s->reload_pool(extra_config => ''), 'reloaded as the stack was (verify on)';

# ---- never kept for a provisional movie ----
my $maker = $s->user('maker');
my $maker_id = $s->psql(q{SELECT id FROM users WHERE username = 'maker'});
$s->psql("UPDATE movies SET provisional_by = $maker_id WHERE id = $other");
$s->psql("DELETE FROM movie_documents WHERE movie_id = $other");
is $s->get("/api/movies/$other/")->{status}, 404, 'a provisional movie: 404 to others';
is $s->get("/api/movies/$other/", token => $maker->{access})->{json}{provisional}, JSON::PP::true,
    'shown to its maker';
sleep 2;
is kept($other), 0, 'and never kept';

# ---- a movie's deletion takes its documents ----
is kept_soon($id, undef, 3), 3, 'three documents (original, German genres, French)';
is $s->delete("/api/movies/$id/", token => $A)->{status}, 204, 'the movie deleted';
is kept($id), 0, 'its documents with it';
is $s->get("/api/movies/$id/")->{status}, 404, 'and its detail is 404';
is $s->get('/api/movies/999999999/')->{status}, 404, 'no such movie: 404';

$s->finish;
done_testing;

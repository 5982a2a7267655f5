# Managing the catalog (administrators): POST /api/movies/, PUT/PATCH/DELETE
# /api/movies/{id}/, media (image uploads and videos) and translations.
use strict;
use warnings;
use utf8;
use Test::More;
use Marquee::Images qw(png jpeg dimensions);
use Marquee::Stack;

my $s = Marquee::Stack->start(extra_config => "[media]\nimage_max = 100k\n");
my $admin = $s->admin;
my $user = $s->user('alice');
my $A = $admin->{access};

my %full = (
    title => 'The Cabinet of Dr. Caligari', original_title => 'Das Cabinet des Dr. Caligari',
    overview => 'A hypnotist uses a sleepwalker to commit murders.', tagline => 'You must become Caligari!',
    release_date => '1920-02-26', runtime => 76, original_language => 'de', status => 'Released',
    popularity => 12.5, tmdb_id => 234, imdb_id => 'tt0010323', poster_path => '/cabinet.jpg',
    genres => ['horror', 'mystery'], keywords => ['expressionism', 'Silent Film', 'hypnosis'],
);

# ---- who may write ----
is $s->post('/api/movies/', json => \%full)->{status}, 401, 'anonymous: 401';
is $s->post('/api/movies/', token => $user->{access}, json => \%full)->{status}, 403,
    'a user who is not an administrator: 403';
is $s->post('/api/movies/', token => 'x.y.z', json => \%full)->{status}, 401, 'a forged token: 401';

# ---- create ----
my $r = $s->post('/api/movies/', token => $A, json => \%full);
is $r->{status}, 201, 'an administrator creates a movie: 201';
my $m = $r->{json};
my $id = $m->{id};
like $r->{headers}{location}, qr{/api/movies/$id/$}, 'Location names it';
is $m->{$_}, $full{$_}, "with its $_" for qw(title original_title overview tagline release_date
                                             runtime original_language status tmdb_id imdb_id);
is $m->{year}, 1920, 'the year follows the release date';
is $m->{source}, 'manual', 'made by hand';
is_deeply [ sort map { $_->{slug} } @{ $m->{genres} } ], [qw(horror mystery)], 'genres by slug';
is_deeply [ sort map { $_->{name} } @{ $m->{keywords} } ], [ 'Silent Film', 'expressionism', 'hypnosis' ],
    'keywords, made as needed';
is_deeply [ map { $_->{name} } @{ $s->get("/api/movies/$id/")->{json}{keywords} } ],
    [ 'Silent Film', 'expressionism', 'hypnosis' ], 'named in the detail, ordered by name';
like $m->{poster_url}, qr{^https://image\.tmdb\.org/t/p/w500/cabinet\.jpg$}, 'a TMDb poster path becomes a URL';
is $s->get("/api/movies/$id/")->{json}{title}, $full{title}, 'and GET shows it';
is $s->get('/api/movies/?q=hypnosis')->{json}{results}[0]{id}, $id, 'searchable by its keywords at once';
is $s->get('/api/movies/?title=caligari')->{json}{count}, 1, 'and by title';

$r = $s->post('/api/movies/', token => $A, json => { title => 'Minimal' });
is $r->{status}, 201, 'a title is all a movie needs';
is $r->{json}{original_title}, 'Minimal', 'the original title defaults to the title';
is $r->{json}{status}, 'Released', 'the status to Released';
my $minimal = $r->{json}{id};

# ---- duplicates: 409 ----
$r = $s->post('/api/movies/', token => $A, json => { title => 'Copy', tmdb_id => 234 });
is $r->{status}, 409, 'a TMDb id another movie has: 409';
ok $r->{json}{errors}{tmdb_id}, 'naming tmdb_id';
$r = $s->post('/api/movies/', token => $A, json => { title => 'Copy', imdb_id => 'tt0010323' });
is $r->{status}, 409, 'an IMDb id another movie has: 409';
ok $r->{json}{errors}{imdb_id}, 'naming imdb_id';
is $s->patch("/api/movies/$minimal/", token => $A, json => { tmdb_id => 234 })->{status}, 409,
    'also when changing one';
is $s->psql(q{SELECT count(*) FROM movies WHERE title = 'Copy'}), 0, 'nothing was written';

# ---- bad input ----
for my $case ([{}, 'title', 'no title'],
              [{ title => '' }, 'title', 'a blank title'],
              [{ title => 'x' x 301 }, 'title', 'a title of 301 characters'],
              [{ title => 5 }, 'title', 'a title that is a number'],
              [{ title => 'T', runtime => 'long' }, 'runtime', 'a runtime that is a string'],
              [{ title => 'T', runtime => 0 }, 'runtime', 'a runtime of 0'],
              [{ title => 'T', runtime => 1001 }, 'runtime', 'a runtime of 1001'],
              [{ title => 'T', runtime => 90.5 }, 'runtime', 'a fractional runtime'],
              [{ title => 'T', release_date => '2023-02-29' }, 'release_date', 'a date that does not exist'],
              [{ title => 'T', release_date => '23-02-01' }, 'release_date', 'a malformed date'],
              [{ title => 'T', release_date => '1700-01-01' }, 'release_date', 'a date before films'],
              [{ title => 'T', status => 'Done' }, 'status', 'an unknown status'],
              [{ title => 'T', original_language => 'english' }, 'original_language', 'a language name'],
              [{ title => 'T', popularity => -1 }, 'popularity', 'a negative popularity'],
              [{ title => 'T', popularity => '5' }, 'popularity', 'a popularity that is a string'],
              [{ title => 'T', tmdb_id => 0 }, 'tmdb_id', 'a TMDb id of 0'],
              [{ title => 'T', tmdb_id => 2**31 }, 'tmdb_id', 'a TMDb id too large'],
              [{ title => 'T', imdb_id => '0010323' }, 'imdb_id', 'an IMDb id without tt'],
              [{ title => 'T', poster_path => '../../etc/passwd' }, 'poster_path', 'a path that is no TMDb path'],
              [{ title => 'T', genres => ['nope'] }, 'genres', 'an unknown genre'],
              [{ title => 'T', genres => [9999] }, 'genres', 'an unknown genre id'],
              [{ title => 'T', genres => 'horror' }, 'genres', 'genres that are not a list'],
              [{ title => 'T', genres => [[1]] }, 'genres', 'a genre that is a list'],
              [{ title => 'T', keywords => [ map { "k$_" } 1 .. 51 ] }, 'keywords', '51 keywords'],
              [{ title => 'T', keywords => [''] }, 'keywords', 'an empty keyword'],
              [{ title => 'T', keywords => [1] }, 'keywords', 'a keyword that is a number'],
              [{ title => 'T', rating => 5 }, 'rating', 'a rating (read-only)'],
              [{ title => 'T', id => 7 }, 'id', 'an id (read-only)'],
              [{ title => 'T', budget => 7 }, 'budget', 'an unknown field']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/movies/', token => $A, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
$r = $s->post('/api/movies/', token => $A, json => { runtime => 0, status => 'x', genres => ['nope'] });
is_deeply [ sort keys %{ $r->{json}{errors} } ], [qw(genres runtime status title)],
    'every bad field at once';
$r = $s->post('/api/movies/', token => $A, json => { title => "a\x{0}b" });
is $r->{status}, 400, 'a NUL in a string: 400';
like $r->{json}{detail}, qr/U\+0000/, 'saying so';
is $s->post('/api/movies/', token => $A, body => '{"title": "x",}',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->post('/api/movies/', token => $A, body => '[1]',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'a JSON array: 400';
is $s->post('/api/movies/', token => $A, body => 'title=x',
            headers => { 'Content-Type' => 'application/x-www-form-urlencoded' })->{status}, 415,
    'a form body: 415';
is $s->post('/api/movies/', token => $A, json => { title => 'x' x 70000 })->{status}, 413,
    'a body over the JSON limit: 413';

# ---- PUT replaces, PATCH changes ----
$r = $s->patch("/api/movies/$id/", token => $A, json => { runtime => 80, genres => ['horror'] });
is $r->{status}, 200, 'PATCH: 200';
is $r->{json}{runtime}, 80, 'the field given changes';
is $r->{json}{overview}, $full{overview}, 'the others stay';
is_deeply [ map { $_->{slug} } @{ $r->{json}{genres} } ], ['horror'], 'genres are replaced when given';
is scalar @{ $r->{json}{keywords} }, 3, 'keywords stay when not';
$r = $s->patch("/api/movies/$id/", token => $A, json => { runtime => undef, tagline => '' });
is $r->{json}{runtime}, undef, 'PATCH to null clears a nullable field';
is $s->patch("/api/movies/$id/", token => $A, json => { title => undef })->{status}, 400,
    'but not the title';
$r = $s->put("/api/movies/$id/", token => $A, json => { title => 'Caligari', runtime => 70 });
is $r->{status}, 200, 'PUT: 200';
is $r->{json}{overview}, '', 'PUT resets what it does not give';
is $r->{json}{tmdb_id}, undef, 'ids too';
is_deeply $r->{json}{genres}, [], 'and genres';
is $r->{json}{original_title}, 'Caligari', 'the original title to the title';
is $s->put("/api/movies/$id/", token => $A, json => { runtime => 70 })->{status}, 400,
    'PUT without a title: 400';
is $s->put('/api/movies/999999/', token => $A, json => { title => 'x' })->{status}, 404,
    'PUT an unknown movie: 404';
is $s->patch('/api/movies/999999/', token => $A, json => { title => 'x' })->{status}, 404,
    'PATCH an unknown movie: 404';
is $s->patch("/api/movies/$id/", token => $user->{access}, json => { title => 'x' })->{status}, 403,
    'PATCH as a user: 403';
is $s->get("/api/movies/$id/")->{json}{title}, 'Caligari', 'GET shows the last write';
$r = $s->patch("/api/movies/$id/", token => $A, json => { release_date => '1921-01-01' });
is $r->{json}{year}, 1921, 'the year follows the release date';
$r = $s->patch("/api/movies/$id/", token => $A, json => { release_date => undef });
is $r->{json}{year}, undef, 'and goes when the date goes';
is $s->get('/api/movies/?year=1921')->{json}{count}, 0, 'from the counts too';

# ---- media: images ----
my $png = png(40, 60);
my $jpeg = jpeg();
$r = $s->post("/api/movies/$id/media/", token => $A, body => $png,
              headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 201, 'a poster upload: 201';
my $poster = $r->{json};
is $poster->{kind}, 'poster', 'a poster by default';
ok $poster->{is_primary}, 'the first poster is the primary one';
like $poster->{url}, qr{^http://127\.0\.0\.1:\d+/media/movies/$id-poster-[0-9a-f]{16}/w500\.png$},
    'at a media URL (its w500; t/api/uploads.t tests the sizes)';
(my $path = $poster->{url}) =~ s{^http://[^/]+}{};
is_deeply [ dimensions($s->get($path)->{content}) ], [40, 60, 'png'], 'which nginx serves from disk';
is $s->get("/api/movies/$id/")->{json}{poster_url}, $poster->{url}, 'the movie shows it as its poster';
my $shown = $s->get("/api/movies/$id/")->{json};
$r = $s->put("/api/movies/$id/", token => $A,
             json => { map { $_ => $shown->{$_} } qw(title original_title overview tagline release_date
                                                     runtime original_language status popularity
                                                     tmdb_id imdb_id poster_path backdrop_path) });
is $r->{status}, 200, 'PUT takes back what GET shows, an uploaded poster path included';
is $r->{json}{poster_url}, $poster->{url}, 'and the poster stays';
$r = $s->post("/api/movies/$id/media/?kind=poster&primary=false&language=fr", token => $A,
              body => $jpeg, headers => { 'Content-Type' => 'image/jpeg' });
is $r->{status}, 201, 'a second poster';
my $second = $r->{json};
ok !$second->{is_primary}, 'not primary when told so';
is $second->{language}, 'fr', 'with its language';
$r = $s->put("/api/movies/$id/media/$second->{id}/", token => $A, json => { is_primary => JSON::PP::true });
is $r->{status}, 200, 'made primary';
my $d = $s->get("/api/movies/$id/")->{json};
is_deeply [ map { $_->{is_primary} ? 1 : 0 } grep { $_->{kind} eq 'poster' } @{ $d->{media} } ], [ 1, 0 ],
    'one primary poster, listed first';
is $d->{poster_url}, $second->{url}, 'the movie shows the new primary';
$r = $s->post("/api/movies/$id/media/?kind=backdrop", token => $A, body => $png,
              headers => { 'Content-Type' => 'image/png' });
is $r->{json}{kind}, 'backdrop', 'a backdrop';
is $s->get("/api/movies/$id/")->{json}{backdrop_url}, $r->{json}{url}, 'shown as the backdrop';

$r = $s->post("/api/movies/$id/media/", token => $A, body => $jpeg,
              headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 415, 'a JPEG that says it is a PNG: 415';
is $s->post("/api/movies/$id/media/", token => $A, body => '<svg/>',
            headers => { 'Content-Type' => 'image/png' })->{status}, 415, 'not an image: 415';
is $s->post("/api/movies/$id/media/", token => $A, body => png(40, 60, after => "\0" x 110_000),
            headers => { 'Content-Type' => 'image/png' })->{status}, 413,
    'an image over [media] image_max: 413';
for my $q ('kind=trailer', 'kind=banner', 'primary=yes', 'language=french', 'size=big', 'kind=poster&kind=still') {
    is $s->post("/api/movies/$id/media/?$q", token => $A, body => $png,
                headers => { 'Content-Type' => 'image/png' })->{status}, 400, "?$q: 400";
}
is $s->post('/api/movies/999999/media/', token => $A, body => $png,
            headers => { 'Content-Type' => 'image/png' })->{status}, 404, 'media of an unknown movie: 404';
is $s->post("/api/movies/$id/media/", token => $user->{access}, body => $png,
            headers => { 'Content-Type' => 'image/png' })->{status}, 403, 'uploads by a user: 403';
opendir my $dh, $s->dir . '/media/movies' or die;
is scalar(grep { /^$id-/ } readdir $dh), 3, 'refused uploads leave no file behind';

# ---- media: videos ----
$r = $s->post("/api/movies/$id/media/", token => $A,
              json => { kind => 'trailer', site => 'YouTube', video_key => 'dQw4w9WgXcQ' });
is $r->{status}, 201, 'a trailer: 201';
is $r->{json}{url}, 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'with its video URL';
ok $r->{json}{is_primary}, 'primary, as the first trailer';
for my $case ([{ kind => 'poster', site => 'YouTube', video_key => 'a' }, 'kind'],
              [{ kind => 'trailer', site => 'Dailymotion', video_key => 'a' }, 'site'],
              [{ kind => 'trailer', site => 'Vimeo', video_key => 'a/../b' }, 'video_key'],
              [{ kind => 'trailer', site => 'Vimeo' }, 'video_key'],
              [{ kind => 'clip', site => 'Vimeo', video_key => 'x', file_path => '/a.jpg' }, 'file_path']) {
    $r = $s->post("/api/movies/$id/media/", token => $A, json => $case->[0]);
    is $r->{status}, 400, "a bad video ($case->[1]): 400";
    ok $r->{json}{errors}{ $case->[1] }, "naming $case->[1]";
}

# ---- media: ownership and deletion ----
is $s->put("/api/movies/$minimal/media/$second->{id}/", token => $A,
           json => { is_primary => JSON::PP::true })->{status}, 404,
    "another movie's media item: 404";
is $s->delete("/api/movies/$minimal/media/$second->{id}/", token => $A)->{status}, 404,
    'also for DELETE';
is $s->put("/api/movies/$id/media/$second->{id}/", token => $A, json => { kind => 'still' })->{status},
    400, 'the kind of an item cannot change';
(my $second_file = $second->{url}) =~ s{^.*/media/}{};
ok -e $s->dir . "/media/$second_file", 'the file is on disk';
is $s->delete("/api/movies/$id/media/$second->{id}/", token => $A)->{status}, 204, 'DELETE media: 204';
ok !-e $s->dir . "/media/$second_file", 'and its file is gone';
is $s->get("/api/movies/$id/")->{json}{poster_url}, undef, 'the movie shows no poster then';
is $s->delete("/api/movies/$id/media/$second->{id}/", token => $A)->{status}, 404, 'twice: 404';

# ---- translations ----
$r = $s->put("/api/movies/$id/translations/de/", token => $A,
             json => { title => 'Das Cabinet des Dr. Caligari', tagline => 'Du musst Caligari werden!' });
is $r->{status}, 201, 'a translation: 201';
is $r->{json}{language}, 'de', 'for its language';
$r = $s->put("/api/movies/$id/translations/de/", token => $A, json => { title => 'Caligari (de)' });
is $r->{status}, 200, 'replacing it: 200';
is $r->{json}{tagline}, '', 'a replacement sets every field';
is $s->put("/api/movies/$id/translations/pt-br/", token => $A, json => { title => 'O Gabinete' })
    ->{json}{language}, 'pt-BR', 'language tags are normalised';
is_deeply $s->get("/api/movies/$id/")->{json}{translations}, [qw(de pt-BR)], 'the detail lists them';
is $s->get("/api/movies/$id/", headers => { 'Accept-Language' => 'pt-BR' })->{json}{title}, 'O Gabinete',
    'and shows them';
for my $case ([ "/api/movies/$id/translations/de/", {}, 400, 'no title' ],
              [ "/api/movies/$id/translations/de/", { title => 'x', year => 1 }, 400, 'an unknown field' ],
              [ "/api/movies/$id/translations/deutsch/", { title => 'x' }, 400, 'a language name' ],
              [ '/api/movies/999999/translations/de/', { title => 'x' }, 404, 'an unknown movie' ]) {
    my ($p, $body, $status, $what) = @$case;
    is $s->put($p, token => $A, json => $body)->{status}, $status, "a translation with $what: $status";
}
is $s->put("/api/movies/$id/translations/fr/", token => $user->{access}, json => { title => 'x' })
    ->{status}, 403, 'translations by a user: 403';
is $s->delete("/api/movies/$id/translations/de/", token => $A)->{status}, 204, 'DELETE a translation: 204';
is $s->delete("/api/movies/$id/translations/de/", token => $A)->{status}, 404, 'twice: 404';

# ---- writers at once: no lost update, no deadlock answered 500 ----
my @langs = qw(fr it es pt nl sv da fi);
my @st = $s->in_parallel(map { my $l = $_; sub { $s->put("/api/movies/$minimal/translations/$l/", token => $A,
                                                  json => { title => "t-$l" })->{status} } } @langs);
is_deeply [ sort @st ], [ (201) x @langs ], 'eight translations written at once';
is_deeply $s->get("/api/movies/$minimal/")->{json}{translations}, [ sort @langs ],
    'and the movie lists every one';
is $s->get("/api/movies/$minimal/", headers => { 'Accept-Language' => 'sv' })->{json}{title}, 't-sv',
    'and shows each';
my @victims = map { $s->post('/api/movies/', token => $A,
                             json => { title => "victim $_", genres => ['drama', 'war'],
                                       release_date => '1990-01-01' })->{json}{id} } 1 .. 12;
@st = $s->in_parallel((map { my $v = $_; sub { $s->delete("/api/movies/$v/", token => $A)->{status} } } @victims),
               (map { my $n = $_; sub { map { $s->patch("/api/movies/$minimal/", token => $A,
                   json => { original_language => $n % 2 ? 'fr' : 'de', genres => [ $n % 2 ? 'war' : 'drama' ],
                             release_date => "19${n}0-01-01" })->{status} } 1 .. 6 } } 1 .. 4));
is_deeply [ grep { $_ == 500 } @st ], [], 'edits and deletes at once never answer 500';
is_deeply [ grep { $_ != 204 && $_ != 200 && $_ != 503 } @st ], [], 'only 200, 204, or 503 to retry';
is $s->stale_movie_counts,
    0, 'and the counts are exact after them';

# ---- delete ----
my ($backdrop_file) = $s->get("/api/movies/$id/")->{json}{backdrop_url} =~ m{/media/(.*)$};
is $s->delete("/api/movies/$id/", token => $user->{access})->{status}, 403, 'DELETE as a user: 403';
is $s->delete("/api/movies/$id/", token => $A)->{status}, 204, 'DELETE a movie: 204';
is $s->get("/api/movies/$id/")->{status}, 404, 'it is gone';
ok !-e $s->dir . "/media/$backdrop_file", 'with its files';
is $s->psql("SELECT count(*) FROM movie_media WHERE movie_id = $id"), 0, 'and its media rows';
is $s->delete("/api/movies/$id/", token => $A)->{status}, 404, 'twice: 404';
is $s->get('/api/movies/?title=caligari')->{json}{count}, 0, 'and no longer listed';

# ---- TMDb not configured (t/api/tmdb.t has it configured) ----
$r = $s->post('/api/movies/', token => $A, json => { tmdb_id => 550 });
is $r->{status}, 503, 'import by TMDb id without TMDb configured: 503';
ok $r->{headers}{'retry-after'}, '  with Retry-After';
is $r->{headers}{'content-type'}, 'application/problem+json', '  problem+json';
is $s->get('/api/tmdb/search/?query=fight')->{status}, 503, 'TMDb search likewise';
my $active = $s->post('/api/movies/', token => $A, json => { title => 'Busy' })->{json}{id};
$s->post('/api/movies/', token => $A, json => { title => 'Popular', popularity => 900 });
# the week's activity ranks it (lifetime counts alone do not: the
# windows are t/api/recommendations.t's)
is $s->post('/api/movies/rate/', token => $user->{access}, json => { movie => $active, rating => 3 })
    ->{status}, 201, 'a user rates Busy';
$r = $s->get('/api/movies/trending/');
is $r->{status}, 200, 'trending without TMDb: 200';
is $r->{json}{source}, 'local', '  ranked by the catalog';
is $r->{json}{count}, $s->psql('SELECT count(*) FROM movies'), '  all its movies';
is $r->{json}{results}[0]{id}, $active, '  the most active first';
is $r->{json}{results}[1]{popularity}, 900, '  then the most popular';
is $s->get('/api/movies/?imdb_id=tt0000001')->{json}{count}, 0, 'a list by IMDb id: what the catalog has';
is $s->post('/api/movies/', token => $A, json => { tmdb_id => 'x' })->{status}, 400,
    'a bad TMDb id is still a 400';

$s->finish;
done_testing;

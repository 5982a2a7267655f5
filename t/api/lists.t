# Named lists: GET/POST /api/lists/, GET/PUT/DELETE /api/lists/{id}/,
# POST /api/lists/{id}/items/, DELETE /api/lists/{id}/items/{movie_id}/.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my ($A, $B) = ($alice->{access}, $bob->{access});
my @m = map { $s->movie($admin, title => "Film $_", tmdb_id => 7000 + $_) } 1 .. 5;

# ---- creating ----
is $s->post('/api/lists/', json => { name => 'x' })->{status}, 401, 'anonymous POST: 401';
is $s->post('/api/lists/', token => 'x.y.z', json => { name => 'x' })->{status}, 401, 'a forged token: 401';
is $s->get('/api/lists/', token => $s->expired_token($alice))->{status}, 401, 'an expired token, even on a public list: 401';
my $r = $s->post('/api/lists/', token => $A, json => { name => 'Silents', description => 'Before 1930',
                                                       is_public => JSON::PP::true });
is $r->{status}, 201, 'POST: 201';
my $pub = $r->{json}{id};
like $r->{headers}{location}, qr{/api/lists/$pub/$}, 'Location';
is $r->{json}{owner}, 'alice', 'owned by alice';
my $lists_before = $s->psql('SELECT count(*) FROM lists');
is $s->post('/api/lists/?page=0', token => $A, json => { name => 'Never' })->{status}, 400,
    'POST with a bad page: 400';
is $s->post('/api/lists/?colour=red', token => $A, json => { name => 'Never' })->{status}, 400,
    'POST with an unknown parameter: 400';
is $s->psql('SELECT count(*) FROM lists'), $lists_before, '  and no list was made';
is $s->put("/api/lists/$pub/?page=x", token => $A, json => { name => 'Renamed' })->{status}, 400,
    'PUT with a bad page: 400';
is $s->psql("SELECT name FROM lists WHERE id = $pub"), 'Silents', '  and the list is unchanged';
is $r->{json}{is_public}, JSON::PP::true, 'public';
is $r->{json}{items_count}, 0, 'empty';
is $r->{json}{items}{count}, 0, 'no items';
$r = $s->post('/api/lists/', token => $A, json => { name => 'Guilty pleasures' });
is $r->{json}{is_public}, JSON::PP::false, 'private by default';
is $r->{json}{description}, '', 'no description';
my $priv = $r->{json}{id};
for my $case ([{}, 'name', 'no name'], [{ name => '' }, 'name', 'a blank name'],
              [{ name => 'x' x 101 }, 'name', 'a name too long'], [{ name => 3 }, 'name', 'a number'],
              [{ name => 'x', description => 'd' x 2001 }, 'description', 'a description too long'],
              [{ name => 'x', is_public => 'yes' }, 'is_public', 'is_public a string'],
              [{ name => 'x', owner => 'bob' }, 'owner', 'an owner (read-only)'],
              [{ name => 'x', colour => 'red' }, 'colour', 'an unknown field']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/lists/', token => $A, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->post('/api/lists/', token => $A, body => '{"name":',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->post('/api/lists/', token => $A, json => { name => 'x' x 70000 })->{status}, 413, 'a huge body: 413';

# ---- items, in order ----
sub order { [ map { $_->{movie}{id} } @{ $s->get("/api/lists/$_[0]/", token => $A)->{json}{items}{results} } ] }
$r = $s->post("/api/lists/$pub/items/", token => $A, json => { movie => $m[0] });
is $r->{status}, 201, 'adding an item: 201';
is $r->{json}{position}, 1, 'at position 1';
is $r->{json}{movie}{id}, $m[0], 'the movie';
$s->post("/api/lists/$pub/items/", token => $A, json => { movie => $m[1], note => 'best' });
$s->post("/api/lists/$pub/items/", token => $A, json => { tmdb_id => 7003 });
is_deeply order($pub), [ @m[0, 1, 2] ], 'appended in order';
$r = $s->post("/api/lists/$pub/items/", token => $A, json => { movie => $m[3], position => 2 });
is $r->{json}{position}, 2, 'inserted at position 2';
is_deeply order($pub), [ @m[0, 3, 1, 2] ], 'the others move down';
$r = $s->post("/api/lists/$pub/items/", token => $A, json => { movie => $m[4], position => 99 });
is $r->{json}{position}, 5, 'a position past the end appends';
is $s->post("/api/lists/$pub/items/", token => $A, json => { movie => $m[0] })->{status}, 409,
    'a movie already there: 409';
is $s->post("/api/lists/$pub/items/", token => $A, json => { movie => 999999 })->{status}, 404,
    'an unknown movie: 404';
for my $case ([{ movie => $m[0], position => 0 }, 'position'], [{ movie => $m[0], position => 'top' }, 'position'],
              [{ movie => $m[0], note => 'n' x 501 }, 'note'], [{}, 'movie']) {
    my ($body, $field) = @$case;
    $r = $s->post("/api/lists/$pub/items/", token => $A, json => $body);
    is $r->{status}, 400, "a bad $field: 400";
    ok $r->{json}{errors}{$field}, "naming $field";
}
is $s->delete("/api/lists/$pub/items/$m[3]/", token => $A)->{status}, 204, 'removing an item: 204';
is $s->delete("/api/lists/$pub/items/$m[3]/", token => $A)->{status}, 404, 'again: 404';
$r = $s->get("/api/lists/$pub/", token => $A);
is_deeply [ map { $_->{position} } @{ $r->{json}{items}{results} } ], [ 1 .. 4 ], 'positions close up';
is_deeply order($pub), [ @m[0, 1, 2, 4] ], 'in order';
is $r->{json}{items}{results}[1]{note}, 'best', 'notes kept';
is $r->{json}{items_count}, 4, 'items_count';
$r = $s->get("/api/lists/$pub/?page_size=3&page=2");
is_deeply [ map { $_->{movie}{id} } @{ $r->{json}{items}{results} } ], [ $m[4] ], 'items paginate';
is $s->get("/api/lists/$pub/?page=9")->{status}, 404, 'past the end: 404';
is $s->get("/api/lists/$pub/?sort=1")->{status}, 400, 'an unknown parameter: 400';

# ---- concurrent adds keep positions 1..n ----
my @more = map { $s->movie($admin, title => "Extra $_") } 1 .. 8;
my @st = $s->in_parallel(map { my $id = $_; sub {
    $s->post("/api/lists/$priv/items/", token => $A, json => { movie => $id, position => 1 })->{status} } } @more);
is_deeply \@st, [ (201) x 8 ], 'eight parallel adds at the top';
is $s->psql("SELECT string_agg(position::text, ',' ORDER BY position) FROM list_items WHERE list_id = $priv"),
    '1,2,3,4,5,6,7,8', 'positions 1..8, no gap, no repeat';

# ---- who sees what ----
is $s->get("/api/lists/$pub/")->{status}, 200, 'a public list: anyone may read it';
is $s->get("/api/lists/$priv/", token => $B)->{status}, 404, "a private list: 404 to bob";
is $s->get("/api/lists/$priv/")->{status}, 404, 'and to anonymous';
is $s->get("/api/lists/$priv/", token => $A)->{status}, 200, 'its owner sees it';
is $s->get('/api/lists/99999/')->{status}, 404, 'an unknown list: 404';
my $r_a = $s->get('/api/lists/', token => $A);
is $r_a->{json}{count}, 2, 'alice lists her two';
is $s->get('/api/lists/', token => $B)->{json}{count}, 1, 'bob sees the public one only';
is $s->get('/api/lists/')->{json}{count}, 1, 'so does anonymous';
is $s->get('/api/lists/?username=ALICE', token => $B)->{json}{count}, 1, 'username=';
is $s->get('/api/lists/?username=bob')->{json}{count}, 0, 'bob has none';
is $s->get('/api/lists/?page=2')->{status}, 404, 'past the end: 404';
is $s->get('/api/lists/?colour=1')->{status}, 400, 'an unknown parameter: 400';

# ---- only the owner changes a list ----
is $s->put("/api/lists/$pub/", token => $B, json => { name => 'Mine' })->{status}, 404, "bob cannot PUT alice's list";
is $s->delete("/api/lists/$pub/", token => $B)->{status}, 404, 'nor DELETE it';
is $s->post("/api/lists/$pub/items/", token => $B, json => { movie => $m[3] })->{status}, 404, 'nor add to it';
is $s->delete("/api/lists/$pub/items/$m[0]/", token => $B)->{status}, 404, 'nor remove from it';
is $s->post("/api/lists/$priv/items/", token => $B, json => { movie => $m[3] })->{status}, 404,
    'nor add to a private one';
$r = $s->post("/api/lists/$pub/items/", token => $B, json => { tmdb_id => 919191, title => 'Not made' });
is $r->{status}, 404, 'nor add a movie by tmdb_id to it';
is $s->psql('SELECT count(*) FROM movies WHERE tmdb_id = 919191'), 0, 'which makes no catalog movie';
is_deeply order($pub), [ @m[0, 1, 2, 4] ], 'the list is untouched';
$r = $s->put("/api/lists/$pub/", token => $A, json => { name => 'Silent films' });
is $r->{status}, 200, 'PUT: 200';
is $r->{json}{name}, 'Silent films', 'renamed';
is $r->{json}{is_public}, JSON::PP::false, 'PUT resets is_public';
is $r->{json}{description}, '', 'and the description';
is $s->get("/api/lists/$pub/", token => $B)->{status}, 404, 'now private: 404 to bob';
is $s->put("/api/lists/$pub/", token => $A, json => { description => 'x' })->{status}, 400, 'PUT without a name: 400';
is $s->delete("/api/lists/$pub/", token => $A)->{status}, 204, 'DELETE: 204';
is $s->get("/api/lists/$pub/", token => $A)->{status}, 404, 'gone';
is $s->psql("SELECT count(*) FROM list_items WHERE list_id = $pub"), 0, 'with its items';

# ---- a movie's removal closes its gap ----
my $gaps = $s->post('/api/lists/', token => $A, json => { name => 'Gaps' })->{json}{id};
my @g = map { $s->movie($admin, title => "Gap $_") } 1 .. 4;
$s->post("/api/lists/$gaps/items/", token => $A, json => { movie => $_ }) for @g[0 .. 2];
is $s->delete("/api/movies/$g[1]/", token => $admin->{access})->{status}, 204,
    'an administrator removes the second movie';
is $s->psql("SELECT string_agg(position::text, ',' ORDER BY position) FROM list_items WHERE list_id = $gaps"),
    '1,2', 'the others move up: positions 1..2';
$r = $s->post("/api/lists/$gaps/items/", token => $A, json => { movie => $g[3] });
is $r->{json}{position}, 3, 'an add goes at the end';
is_deeply order($gaps), [ @g[0, 2, 3] ], 'after the others';
ok !eval { $s->psql("UPDATE list_items SET position = 1 WHERE list_id = $gaps AND movie_id = $g[3]"); 1 },
    'two items at one position are refused';

$s->finish;
done_testing;

# JSON request bodies the strict reader (src/core/json.c, http.c's
# mq_req_json) refuses, on endpoints of every kind: each a 400
# problem+json with a detail that says why, and nothing written.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $alice = $s->user('alice');
my $A = $alice->{access};
my $movie = $s->movie($admin, title => 'Nosferatu', tmdb_id => 653);
my $list = $s->post('/api/lists/', token => $A, json => { name => 'Silent' })->{json}{id};

# Where a body goes: [method, path, token, a body the endpoint takes].
my @endpoints = (
    [ POST => '/api/users/login/', undef, '{"username": "alice", "password": "x"}' ],
    [ POST => '/api/users/register/', undef, '{"username": "bob", "email": "b@example.test", "password": "pw of bob 123"}' ],
    [ PATCH => '/api/users/me/', $A, '{"bio": "hi"}' ],
    [ POST => '/api/users/favorites/', $A, qq({"movie": $movie}) ],
    [ POST => '/api/movies/rate/', $A, qq({"movie": $movie, "rating": 4}) ],
    [ POST => "/api/lists/$list/items/", $A, qq({"movie": $movie}) ],
    [ POST => '/api/movies/', $admin->{access}, '{"title": "Vampyr"}' ],
);

sub refused {
    my ($method, $path, $token, $body, $detail, $name) = @_;
    my $r = $s->request($method, $path, token => $token, body => $body,
                        headers => { 'Content-Type' => 'application/json' });
    is $r->{status}, 400, "$name: $method $path is 400";
    like $r->{headers}{'content-type'} // '', qr{^application/problem\+json}, "$name: a problem";
    is $r->{json}{detail}, $detail, "$name: saying why";
}

# ---- null as the body (issue 12, finding 4) ----
# json-c reads `null` as a NULL object, which a caller took for a failure
# and printed its (absent) reason with %s: "detail": "(null)".
for my $e (@endpoints) {
    my ($method, $path, $token) = @$e;
    refused($method, $path, $token, $_, 'The body must be a JSON object.', "the body '$_'")
        for 'null', ' null ', "null\n";
}
refused(PUT => '/api/movies/1/rating/', $A, 'null', 'The body must be a JSON object.',
        'null to a PUT');

# ---- duplicate keys (issue 12, finding 5) ----
# json-c keeps the last of two members with one name; what a check read
# first would not be what is stored.
for my $e (@endpoints) {
    my ($method, $path, $token, $body) = @$e;
    (my $dup = $body) =~ s/^\{("\w+": [^,}]+)/{$1, $1/;
    refused($method, $path, $token, $dup, 'The JSON body has a duplicate key.', 'a repeated key');
}
refused(PATCH => '/api/users/me/', $A, '{"bio": "first", "bio": "second"}',
        'The JSON body has a duplicate key.', 'a repeated key with two values');
refused(PATCH => '/api/users/me/', $A, '{"bio": "first", "\u0062io": "second"}',
        'The JSON body has a duplicate key.', 'the same key spelt with an escape');
refused(POST => '/api/movies/', $admin->{access},
        '{"title": "Vampyr", "genres": ["horror"], "translations": [{"language": "fr", "title": "a", "title": "b"}]}',
        'The JSON body has a duplicate key.', 'a repeated key two levels down');
is $s->get('/api/users/me/', token => $A)->{json}{bio}, '', 'nothing was written';
is $s->post('/api/users/login/', json => { username => 'bob', password => 'pw of bob 123' })->{status},
    401, 'no account was made';
my $r = $s->patch('/api/users/me/', token => $A, body => '{"bio": "one", "Bio": "two"}',
                  headers => { 'Content-Type' => 'application/json' });
is $r->{status}, 400, 'keys differing in case are two keys (Bio is unknown)';
ok $r->{json}{errors}{Bio}, 'named as an unknown field';
is $s->patch('/api/users/me/', token => $A, json => { bio => 'fine' })->{status}, 200,
    'the same endpoint takes a body without repeats';

$s->finish;
done_testing;

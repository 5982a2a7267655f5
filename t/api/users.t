# Accounts: registration and its validation, login, one's own profile
# (mass assignment refused), public profiles, avatars.
use strict;
use warnings;
use Test::More;
use Marquee::Images qw(png jpeg dimensions);
use Marquee::Stack qw(json_body);

my $s = Marquee::Stack->start;

sub register { $s->post('/api/users/register/', json => {@_}) }
sub errors_of { my ($r, $field) = @_; $r->{json}{errors}{$field} // [] }

# --- registration ---
my $r = register(username => 'alice', email => 'Alice@Example.test', password => 'correct horse battery');
is $r->{status}, 201, 'register answers 201';
is $r->{json}{username}, 'alice', 'with the user';
is $r->{json}{email_verified}, JSON::PP::false, 'not yet verified';
is $r->{json}{role}, 'user', 'an ordinary user';
like $r->{json}{date_joined}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'date_joined in RFC 3339 UTC';
ok !grep({ /pass/i } keys %{ $r->{json} }), 'no password fields in the answer';
my $alice_id = $r->{json}{id};

$r = register(username => 'ALICE', email => 'other@example.test', password => 'correct horse battery');
is $r->{status}, 400, 'a username differing only in case is taken';
like errors_of($r, 'username')->[0], qr/already exists/, 'and the error says so';
$r = register(username => 'alice2', email => 'alice@EXAMPLE.TEST', password => 'correct horse battery');
is $r->{status}, 400, 'so is an email differing only in case';
like errors_of($r, 'email')->[0], qr/already exists/, 'with its error';

my %bad = (
    'a missing password' => [ { username => 'bob', email => 'bob@example.test' }, password => qr/required/ ],
    'a number for a username' => [ { username => 42, email => 'bob@example.test', password => 'correct horse battery' },
                                   username => qr/string/ ],
    'a short password' => [ { username => 'bob', email => 'bob@example.test', password => 'short' }, password => qr/at least 8/ ],
    'a password of 129 bytes' => [ { username => 'bob', email => 'bob@example.test', password => 'x' x 129 }, password => qr/at most 128/ ],
    'a common password' => [ { username => 'bob', email => 'bob@example.test', password => 'password' }, password => qr/too common/ ],
    'a common password in capitals' => [ { username => 'bob', email => 'bob@example.test', password => 'IloveYou' }, password => qr/too common/ ],
    'a username with a space' => [ { username => 'b ob', email => 'bob@example.test', password => 'correct horse battery' }, username => qr/letters, digits/ ],
    'a two-letter username' => [ { username => 'bo', email => 'bob@example.test', password => 'correct horse battery' }, username => qr/3 to 30/ ],
    'a reserved username' => [ { username => 'me', email => 'bob@example.test', password => 'correct horse battery' }, username => qr/reserved|3 to 30/ ],
    'a name like an erased account' => [ { username => 'deleted-7', email => 'bob@example.test', password => 'correct horse battery' }, username => qr/reserved/ ],
    'an address without a domain' => [ { username => 'bob', email => 'bob@', password => 'correct horse battery' }, email => qr/valid email/ ],
    'a domain starting with a dot' => [ { username => 'bob', email => 'bob@.example.test', password => 'correct horse battery' }, email => qr/valid email/ ],
    'a domain starting with a dash' => [ { username => 'bob', email => 'bob@-example.test', password => 'correct horse battery' }, email => qr/valid email/ ],
    'an address with a line break' => [ { username => 'bob', email => "bob\@example.test\r\nBcc: x\@y.z", password => 'correct horse battery' }, email => qr/valid email/ ],
    'a role' => [ { username => 'bob', email => 'bob@example.test', password => 'correct horse battery', role => 'admin' }, role => qr/cannot be changed/ ],
    'an unknown field' => [ { username => 'bob', email => 'bob@example.test', password => 'correct horse battery', nickname => 'b' }, nickname => qr/Unknown field/ ],
);
for my $case (sort keys %bad) {
    my ($body, $field, $re) = @{ $bad{$case} };
    $r = register(%$body);
    is $r->{status}, 400, "register refuses $case";
    like join(' ', @{ errors_of($r, $field) }), $re, "naming $field";
}
$r = register(username => 'b', email => 'nope', password => 'short');
is scalar(keys %{ $r->{json}{errors} }), 3, 'every bad field is reported at once';
is $s->psql(q{SELECT count(*) FROM users WHERE username <> 'alice'}), '0', 'and none of them made an account';

# malformed requests
my %raw = (
    'malformed JSON' => [ '{"username": "bob",', 'application/json', 400 ],
    'a JSON array' => [ '["bob"]', 'application/json', 400 ],
    'an empty body' => [ '', 'application/json', 400 ],
    'form encoding' => [ 'username=bob', 'application/x-www-form-urlencoded', 415 ],
    'nesting 40 deep' => [ '{"a":' . ('[' x 40) . (']' x 40) . '}', 'application/json', 400 ],
    'invalid UTF-8' => [ qq({"username": "b\xffb"}), 'application/json', 400 ],
    'a NUL escape' => [ '{"username": "b\u0000b", "email": "x@y.zz", "password": "correct horse battery"}', 'application/json', 400 ],
);
for my $case (sort keys %raw) {
    my ($body, $type, $status) = @{ $raw{$case} };
    $r = $s->post('/api/users/register/', body => $body, headers => { 'Content-Type' => $type });
    is $r->{status}, $status, "register answers $status to $case";
    like $r->{headers}{'content-type'}, qr{problem\+json}, '... as problem+json';
}

# a NUL escape would cut a string short in C ("secret\u0000x" taken as
# "secret"): the body is refused (and t/unit/test_form checks that every
# form field refuses one too)
$r = $s->post('/api/users/register/', headers => { 'Content-Type' => 'application/json' },
              body => '{"username": "nul", "email": "nul@example.test", "password": "correct horse battery\u0000 and more"}');
is $r->{status}, 400, 'a password with a NUL escape is refused, not cut short';
is $s->psql(q{SELECT count(*) FROM users WHERE username = 'nul'}), '0', 'and no account was made';
$r = $s->post('/api/users/login/', headers => { 'Content-Type' => 'application/json' },
              body => '{"username": "alice", "password": "correct horse battery\u0000whatever"}');
is $r->{status}, 400, 'so is one at login (a prefix of the password must not log in)';

# --- login ---
$r = $s->post('/api/users/login/', json => { username => 'alice', password => 'correct horse battery' });
is $r->{status}, 200, 'login by username';
ok $r->{json}{access} && $r->{json}{refresh}, 'gives an access and a refresh token';
is $r->{json}{user}{id}, $alice_id, 'and the user';
my $alice = $r->{json}{access};
is $s->post('/api/users/login/', json => { email => 'ALICE@example.test', password => 'correct horse battery' })->{status},
    200, 'login by email, in any case';
is $s->post('/api/users/login/', json => { username => 'alice@example.test', password => 'correct horse battery' })->{status},
    200, 'or the email in the username field';
my $wrong = $s->post('/api/users/login/', json => { username => 'alice', password => 'wrong horse battery' });
my $nobody = $s->post('/api/users/login/', json => { username => 'nobody', password => 'wrong horse battery' });
is $wrong->{status}, 401, 'a wrong password is 401';
is $nobody->{status}, 401, 'an unknown user is 401';
is $wrong->{json}{detail}, $nobody->{json}{detail}, 'with the same message for both';
is $s->post('/api/users/login/', json => { username => 'alice' })->{status}, 400, 'login without a password is 400';
is $s->post('/api/users/login/', json => { username => 'alice', email => 'alice@example.test', password => 'correct horse battery' })->{status},
    400, 'login with both a username and an email is 400';

# --- own profile ---
is $s->get('/api/users/me/')->{status}, 401, '/api/users/me/ needs a token';
like $s->get('/api/users/me/')->{headers}{'www-authenticate'}, qr/^Bearer/, 'and says which kind';
$r = $s->get('/api/users/me/', token => $alice);
is $r->{status}, 200, 'with one it answers';
is $r->{json}{email}, 'Alice@Example.test', 'the private fields included';

$r = $s->patch('/api/users/me/', token => $alice, json => { display_name => 'Alice A.', bio => 'Films.' });
is $r->{status}, 200, 'PATCH /api/users/me/';
is $r->{json}{display_name}, 'Alice A.', 'changes the fields given';
$r = $s->patch('/api/users/me/', token => $alice, json => { locale => 'fr-FR', region => 'FR' });
is $r->{json}{bio}, 'Films.', 'leaving the others';
is $r->{json}{locale}, 'fr-FR', 'locale';
is $r->{json}{region}, 'FR', 'region';
$r = $s->put('/api/users/me/', token => $alice, json => { display_name => 'A' });
is $r->{status}, 200, 'PUT /api/users/me/';
is_deeply [ @{ $r->{json} }{qw(display_name bio locale region)} ], [ 'A', '', undef, undef ],
    'resets what it does not give';

for my $field (qw(role id email_verified is_active date_joined)) {
    $r = $s->patch('/api/users/me/', token => $alice, json => { $field => $field eq 'role' ? 'admin' : 1 });
    is $r->{status}, 400, "PATCH refuses $field";
    like errors_of($r, $field)->[0], qr/cannot be changed/, '... as read-only';
}
is $s->patch('/api/users/me/', token => $alice, json => { username => 'mallory' })->{status}, 400,
    'and the username';
is $s->psql("SELECT role || ' ' || is_active || ' ' || username FROM users WHERE id = $alice_id"),
    'user true alice', 'nothing of it was written';
for my $bad ([ locale => 'english' ], [ locale => 'ab-' ], [ locale => 'ab--CD' ], [ locale => 'en-us' ],
             [ region => 'usa' ], [ bio => 'x' x 2001 ], [ display_name => 5 ],
             [ display_name => 'y' x 101 ]) {
    is $s->patch('/api/users/me/', token => $alice, json => { @$bad })->{status}, 400,
        "PATCH refuses $bad->[0] = " . substr($bad->[1], 0, 12);
}

# --- public profiles ---
$r = $s->get('/api/users/ALICE/');
is $r->{status}, 200, 'a public profile, by username in any case';
is_deeply [ sort keys %{ $r->{json} } ],
    [qw(avatar_sizes avatar_url bio date_joined display_name followers_count following_count id username)],
    'with public fields only';
is $s->get('/api/users/nobody/')->{status}, 404, 'an unknown user is 404';

# --- avatars ---
my $png = png(100, 100);
my $jpeg = jpeg();
$r = $s->put('/api/users/me/avatar/', token => $alice, body => $png,
             headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 200, 'a PNG avatar is stored';
my $url = $r->{json}{avatar_url};
like $url, qr{^http://127\.0\.0\.1:\d+/media/avatars/\d+-[0-9a-f]{16}/medium\.png$},
    'at a media URL (its medium size; t/api/uploads.t tests the sizes)';
my $path = $url =~ s{^http://[^/]+}{}r;
is_deeply [ dimensions($s->get($path)->{content}) ], [100, 100, 'png'], 'which nginx serves from disk';
is $s->get('/api/users/me/', token => $alice)->{json}{avatar_url}, $url, 'and the profile shows';
$r = $s->put('/api/users/me/avatar/', token => $alice, body => $jpeg,
             headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 415, 'a JPEG that says it is a PNG is refused';
$r = $s->put('/api/users/me/avatar/', token => $alice, body => "GIF89a" . ("\0" x 64),
             headers => { 'Content-Type' => 'image/gif' });
is $r->{status}, 415, 'a GIF is refused';
$r = $s->put('/api/users/me/avatar/', token => $alice, body => "<svg/>",
             headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 415, 'so is SVG calling itself PNG';
# A Content-Type that is not UTF-8 (nginx passes a header's bytes on as
# they came) was quoted as it was: a problem+json that is not JSON.  Found
# by t/fuzz/fuzz_image.  (HTTP::Tiny will not send such a header.)
my ($status, $raw) = $s->raw_request("PUT /api/users/me/avatar/ HTTP/1.1\r\nHost: x\r\n"
    . "Authorization: Bearer $alice\r\nContent-Type: image/p\xe9ng\r\nContent-Length: "
    . length($png) . "\r\nConnection: close\r\n\r\n$png");
is $status, 415, 'a Content-Type that is not UTF-8 is refused';
is +(json_body($raw =~ s/^.*?\r\n\r\n//sr) // {})->{detail},
    "The body is image/png, but Content-Type says image/p\x{fffd}ng.",
    'with a detail in UTF-8, the byte replaced';
$r = $s->put('/api/users/me/avatar/', token => $alice, body => png(10, 10, after => "\0" x (3 * 1024 * 1024)),
             headers => { 'Content-Type' => 'image/png' });
is $r->{status}, 413, 'an avatar over 2 MB is refused';
$r = $s->put('/api/users/me/avatar/', token => $alice, body => $jpeg,
             headers => { 'Content-Type' => 'image/jpeg; name=me.jpg' });
is $r->{status}, 200, 'a JPEG replaces the PNG (Content-Type parameters allowed)';
is $s->get($path)->{status}, 404, 'and the old file is gone';
is $s->put('/api/users/me/avatar/', body => $png, headers => { 'Content-Type' => 'image/png' })->{status},
    401, 'uploading needs a token';
is $s->delete('/api/users/me/avatar/', token => $alice)->{status}, 204, 'DELETE removes the avatar';
is $s->get('/api/users/me/', token => $alice)->{json}{avatar_url}, undef, 'from the profile';
is scalar(() = glob $s->dir . '/media/avatars/*'), 0, 'and from disk';

$s->finish;
done_testing;

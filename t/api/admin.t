# Roles: marquee user create-admin, the admin user list, role and
# activation changes taking effect at once, erasure; users kept out.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $root = $s->admin('root');
my @users = map { $s->user($_) } qw(alice bob carol dave_b);
my ($alice, $bob, $carol) = @users;

my ($rc, $out) = $s->marquee('user', 'create-admin', '--username', 'ops', '--email', 'ops@example.test');
is $rc, 0, 'create-admin without a password file';
like $out, qr/^password: \S{20}$/m, 'makes and prints a password';
my ($pw) = $out =~ /^password: (\S+)$/m;
is $s->post('/api/users/login/', json => { username => 'ops', password => $pw })->{status}, 200,
    'which logs in';
($rc, $out) = $s->marquee('user', 'create-admin', '--username', 'ops', '--email', 'x@example.test');
isnt $rc, 0, 'a taken username is refused';
($rc, $out) = $s->marquee('user', 'create-admin', '--username', 'x y', '--email', 'x@example.test');
like $out, qr/letters, digits/, 'a bad one too';

# --- who may call admin routes ---
is $s->get('/api/admin/users/')->{status}, 401, 'the admin list needs a token';
is $s->get('/api/admin/users/', token => $alice->{access})->{status}, 403, 'a user gets 403';
is $s->patch("/api/admin/users/$bob->{id}/", token => $alice->{access}, json => { role => 'admin' })->{status},
    403, 'and cannot make anyone an admin';
is $s->get('/api/users/me/', token => $alice->{access})->{json}{role}, 'user', 'herself included';

# --- the list ---
my $r = $s->get('/api/admin/users/', token => $root->{access});
is $r->{status}, 200, 'an admin lists users';
is $r->{json}{count}, 6, 'all of them';
ok exists $r->{json}{results}[0]{email} && exists $r->{json}{results}[0]{is_active}, 'with private fields';
is $s->get('/api/admin/users/?search=BO', token => $root->{access})->{json}{count}, 1, 'search by username';
is $s->get('/api/admin/users/?search=carol%40example', token => $root->{access})->{json}{count}, 1,
    'or by email';
is $s->get('/api/admin/users/?search=_', token => $root->{access})->{json}{count}, 1,
    'LIKE wildcards are taken literally';
is $s->get('/api/admin/users/?role=admin', token => $root->{access})->{json}{count}, 2, 'filter by role';
$r = $s->get('/api/admin/users/?ordering=-username&page_size=2', token => $root->{access});
is_deeply [ map { $_->{username} } @{ $r->{json}{results} } ], [qw(root ops)], 'ordering and page size';
like $r->{json}{next}, qr/page=2/, 'with a next page';
is $s->get('/api/admin/users/?ordering=password', token => $root->{access})->{status}, 400, 'bad ordering is 400';
is $s->get('/api/admin/users/?is_active=maybe', token => $root->{access})->{status}, 400, 'bad filter is 400';
$r = $s->get('/api/admin/users/?serach=bo', token => $root->{access});
is $r->{status}, 400, 'an unknown parameter (a typo) is 400, not a wider list';
ok $r->{json}{errors}{serach}, '  naming it';
is $s->get('/api/admin/users/?role=user&role=admin', token => $root->{access})->{status}, 400,
    'a parameter given twice is 400';
is $s->get('/api/admin/users/?search=%25', token => $root->{access})->{json}{count}, 0,
    'a % in search is taken literally';
is $s->get('/api/admin/users/?page=9', token => $root->{access})->{status}, 404, 'a page past the end is 404';

# --- role changes ---
$r = $s->patch("/api/admin/users/$bob->{id}/", token => $root->{access}, json => { role => 'admin' });
is $r->{status}, 200, 'an admin makes bob an admin';
is $r->{json}{role}, 'admin', 'it shows';
is $s->get('/api/users/me/', token => $bob->{access})->{status}, 401, "bob's old tokens stop working at once";
my $bob2 = $s->post('/api/users/login/', json => { username => 'bob', password => $bob->{password} })->{json};
is $s->get('/api/admin/users/', token => $bob2->{access})->{status}, 200, 'logged in again he is an admin';
$r = $s->patch("/api/admin/users/$carol->{id}/", token => $root->{access}, json => { role => 'root' });
is $r->{status}, 400, 'an unknown role is 400';
$r = $s->patch("/api/admin/users/$carol->{id}/", token => $root->{access}, json => { email => 'x@y.zz' });
is $r->{status}, 400, 'admins change role and activation only';
is $s->put("/api/admin/users/$carol->{id}/", token => $root->{access}, json => { role => 'user' })->{status},
    400, 'PUT wants both fields';
is $s->patch("/api/admin/users/$carol->{id}/", token => $root->{access}, json => {})->{status}, 200,
    'an empty PATCH changes nothing';
is $s->get('/api/users/me/', token => $carol->{access})->{status}, 200, 'and keeps sessions';
is $s->patch("/api/admin/users/999999/", token => $root->{access}, json => { role => 'user' })->{status},
    404, 'an unknown user is 404';
is $s->patch("/api/admin/users/$root->{id}/", token => $root->{access}, json => { role => 'user' })->{status},
    400, 'an admin cannot demote himself';

# --- deactivation ---
$r = $s->patch("/api/admin/users/$carol->{id}/", token => $root->{access}, json => { is_active => JSON::PP::false });
is $r->{status}, 200, 'deactivating carol';
is $s->get('/api/users/me/', token => $carol->{access})->{status}, 401, 'her access token stops working at once';
is $s->post('/api/users/token/refresh/', json => { refresh => $carol->{refresh} })->{status}, 401,
    'her refresh token too';
$r = $s->post('/api/users/login/', json => { username => 'carol', password => $carol->{password} });
is $r->{status}, 401, 'she cannot log in';
is $s->get('/api/users/carol/')->{status}, 404, 'her public profile is gone';
is $s->patch("/api/admin/users/$carol->{id}/", token => $root->{access}, json => { is_active => JSON::PP::true })->{status},
    200, 'reactivated';
is $s->post('/api/users/login/', json => { username => 'carol', password => $carol->{password} })->{status},
    200, 'she logs in again';

# --- erasure ---
is $s->delete("/api/admin/users/$alice->{id}/", token => $alice->{access})->{status}, 403,
    'a user cannot erase anyone';
is $s->delete("/api/admin/users/$root->{id}/", token => $root->{access})->{status}, 400,
    'an admin cannot erase himself';
is $s->psql(q{SELECT count(*) FROM outbox WHERE recipient = 'alice@example.test'}), '1',
    'alice has mail queued (no sender runs here)';
# alice's collections, history and published content, on a movie dave_b
# favours too; its detail is cached before the erasure
my $film = $s->movie($root, title => 'Metropolis');
my $nope = $s->movie($root, title => 'Cats');
my $A = $alice->{access};
$s->post('/api/users/favorites/', token => $_, json => { movie => $film }) for $A, $users[3]{access};
$s->post('/api/movies/rate/', token => $A, json => { movie => $film, rating => 4.5 });
$s->post('/api/watchlist/', token => $A, json => { movie => $film, note => 'with my sister' });
$s->post('/api/users/me/history/', token => $A, json => { movie => $film });
my $private = $s->post('/api/lists/', token => $A, json => { name => 'Secret' })->{json}{id};
my $public = $s->post('/api/lists/', token => $A, json => { name => 'Shown', is_public => JSON::PP::true })->{json}{id};
$s->post("/api/lists/$_/items/", token => $A, json => { movie => $film }) for $private, $public;
$s->psql("INSERT INTO movie_tags (user_id, movie_id, tag) VALUES ($alice->{id}, $film, 'robots')");
is $s->post("/api/movies/$nope/not-interested/", token => $A)->{status}, 201, 'alice marks a movie not interested';
is $s->post("/api/movies/$film/reviews/", token => $A, json => { body => 'Visionary.' })->{status}, 201,
    'alice reviews';
is $s->post("/api/movies/$film/comments/", token => $A, json => { body => 'The robot!' })->{status}, 201,
    'and comments';
is_deeply $s->get("/api/movies/$film/")->{json}{statistics}{favorites_count}, 2, 'two favour it (cached)';
my $personal = "SELECT (SELECT count(*) FROM favorites WHERE user_id = $alice->{id})
    + (SELECT count(*) FROM ratings WHERE user_id = $alice->{id})
    + (SELECT count(*) FROM watchlist WHERE user_id = $alice->{id})
    + (SELECT count(*) FROM watch_history WHERE user_id = $alice->{id})
    + (SELECT count(*) FROM activity WHERE user_id = $alice->{id})
    + (SELECT count(*) FROM movie_tags WHERE user_id = $alice->{id})
    + (SELECT count(*) FROM lists WHERE user_id = $alice->{id} AND NOT is_public)
    + (SELECT count(*) FROM not_interested WHERE user_id = $alice->{id})";
cmp_ok $s->psql($personal), '>', 0, 'alice has personal data';
is $s->delete("/api/admin/users/$alice->{id}/", token => $root->{access})->{status}, 204, 'erasing alice';
is $s->psql($personal), 0,
    'her favorites, ratings, watchlist, history, activity, tags, private lists and not-interested marks are gone';
is $s->psql("SELECT (SELECT count(*) FROM reviews WHERE user_id = $alice->{id}) || ' '
    || (SELECT count(*) FROM comments WHERE user_id = $alice->{id}) || ' '
    || (SELECT count(*) FROM lists WHERE user_id = $alice->{id})"), '1 1 1',
    'her review, comment and public list stay';
is $s->get("/api/movies/$film/reviews/")->{json}{results}[0]{author}, "deleted-$alice->{id}",
    'shown as by a deleted user';
my $stats = $s->get("/api/movies/$film/")->{json}{statistics};
is_deeply [ @$stats{qw(favorites_count watchlist_count ratings_count reviews_count)} ], [ 1, 0, 0, 1 ],
    'the movie counts what stays, not from a stale cache';
is $s->psql('SELECT count(*) FROM movie_stats m WHERE
    favorites_count <> (SELECT count(*) FROM favorites x WHERE x.movie_id = m.movie_id)
    OR watchlist_count <> (SELECT count(*) FROM watchlist x WHERE x.movie_id = m.movie_id)
    OR ratings_count <> (SELECT count(*) FROM ratings x WHERE x.movie_id = m.movie_id)
    OR ratings_sum <> (SELECT coalesce(sum(rating), 0) FROM ratings x WHERE x.movie_id = m.movie_id)
    OR reviews_count <> (SELECT count(*) FROM reviews x WHERE x.movie_id = m.movie_id)'), 0,
    'every statistic equals a recount';
is $s->psql(q{SELECT count(*) FROM outbox WHERE recipient = 'alice@example.test'}), '0',
    'her mail goes with her personal data';
is $s->psql(q{SELECT count(*) FROM outbox WHERE recipient = 'bob@example.test'}), '1', 'nobody else\'s';
is $s->get('/api/users/me/', token => $alice->{access})->{status}, 401, 'her tokens stop working';
is $s->post('/api/users/login/', json => { username => 'alice', password => $alice->{password} })->{status},
    401, 'she cannot log in';
is $s->get('/api/users/alice/')->{status}, 404, 'her profile is gone';
is $s->psql("SELECT username || ' ' || email || ' ' || coalesce(password_hash, '-') || ' ' || display_name || is_active FROM users WHERE id = $alice->{id}"),
    "deleted-$alice->{id} deleted-$alice->{id}\@invalid - false", 'her personal data is erased, the row kept';
is $s->get('/api/admin/users/?search=alice', token => $root->{access})->{json}{count}, 0,
    'erased accounts leave the list';
is $s->delete("/api/admin/users/$alice->{id}/", token => $root->{access})->{status}, 404,
    'erasing twice is 404';
is $s->post('/api/users/register/', json => { username => 'alice', email => 'alice@example.test',
                                              password => 'a new alice arrives' })->{status},
    201, 'her name and address are free again';

# --- role and activation changes and erasures are logged, naming who and whom ---
my $changed = $s->log_lines(qr/msg=security event=admin_user_changed /);
like $changed, qr/ user=$root->{id} target=$bob->{id} role=admin active=true\b/, 'a role change is logged';
like $changed, qr/ user=$root->{id} target=$carol->{id} role=user active=false\b/, 'so is a deactivation';
like $s->log_lines(qr/msg=security event=admin_user_erased /), qr/ user=$root->{id} target=$alice->{id}\b/,
    'and an erasure';

$s->finish;
done_testing;

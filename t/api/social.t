# Following, blocking and liking: the rules (idempotence, oneself, blocks
# both ways), the counts on profiles and reviews, what a block hides
# (comment threads) and refuses (replies, likes, follows), and bad input.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my ($alice, $bob, $carol) = map { $s->user($_) } qw(alice bob carol);
my $movie = $s->movie($admin, title => 'Heat', release_date => '1995-12-15');

sub follow { my ($who, $whom) = @_; $s->post("/api/users/$whom->{username}/follow/", token => $who->{access}) }
sub profile { $s->get("/api/users/$_[0]{username}/")->{json} }

# --- following ---
my $r = follow($alice, $bob);
is $r->{status}, 201, 'alice follows bob';
is_deeply $r->{json}, { username => 'bob', following => JSON::PP::true, followers_count => 1 },
    'and is told bob has a follower';
$r = follow($alice, $bob);
is $r->{status}, 200, 'following again is 200';
is $r->{json}{followers_count}, 1, 'and counts once';
is $s->post('/api/users/BOB/follow/', token => $alice->{access})->{status}, 200,
    'a username in any case names the user';
is follow($carol, $bob)->{status}, 201, 'carol follows bob';
is follow($bob, $alice)->{status}, 201, 'bob follows alice';
is profile($bob)->{followers_count}, 2, 'the public profile counts followers';
is profile($bob)->{following_count}, 1, 'and followings';
my $me = $s->get('/api/users/me/', token => $alice->{access})->{json};
is_deeply [ @$me{qw(followers_count following_count)} ], [ 1, 1 ], 'so does /api/users/me/';

$r = follow($alice, $alice);
is $r->{status}, 400, 'following oneself is a 400';
like $r->{json}{errors}{username}[0], qr/cannot follow yourself/, 'saying why';
is $s->post('/api/users/nobody-here/follow/', token => $alice->{access})->{status}, 404,
    'following nobody is a 404';
is $s->post('/api/users/bob/follow/')->{status}, 401, 'following needs a token';
is $s->post('/api/users/bob/follow/', token => $s->expired_token($alice))->{status}, 401,
    'an expired one is refused';
is $s->post('/api/users/bob/follow/', token => $alice->{access} . 'x')->{status}, 401,
    'as is a forged one';

$r = $s->get('/api/users/bob/followers/');
is $r->{status}, 200, 'anyone lists a user\'s followers';
is_deeply [ map { $_->{username} } @{ $r->{json}{results} } ], [qw(carol alice)], 'newest first';
is $r->{json}{count}, 2, 'counted';
ok exists $r->{json}{results}[0]{avatar_url} && $r->{json}{results}[0]{followed_at}, 'with avatar and date';
is_deeply [ map { $_->{username} } @{ $s->get('/api/users/alice/following/')->{json}{results} } ], ['bob'],
    'and whom a user follows';
$r = $s->get('/api/users/bob/followers/?page_size=1&page=2');
is_deeply [ map { $_->{username} } @{ $r->{json}{results} } ], ['alice'], 'paginated';
is $r->{json}{next}, undef, 'to the end';
is $s->get('/api/users/bob/followers/?page=3&page_size=1')->{status}, 404, 'a page past the end is 404';
is $s->get('/api/users/bob/followers/?page=x')->{status}, 400, 'a bad page is 400';
is $s->get('/api/users/bob/followers/?sort=x')->{status}, 400, 'an unknown parameter is 400';
is $s->get('/api/users/nobody-here/following/')->{status}, 404, 'nobody has no followings';

is $s->delete('/api/users/bob/follow/', token => $carol->{access})->{status}, 204, 'carol unfollows bob';
is $s->delete('/api/users/bob/follow/', token => $carol->{access})->{status}, 204, 'twice is fine';
is profile($bob)->{followers_count}, 1, 'the count follows';

# --- likes ---
$r = $s->post("/api/movies/$movie/reviews/", token => $bob->{access}, json => { body => 'Tense.', rating => 4.5 });
is $r->{status}, 201, 'bob reviews Heat';
my $review = $r->{json}{id};
is $r->{json}{likes_count}, 0, 'a review counts its likes';
is $r->{json}{liked_by_me}, JSON::PP::false, 'and says whether the caller likes it';
$r = $s->post("/api/reviews/$review/like/", token => $alice->{access});
is $r->{status}, 201, 'alice likes it';
is_deeply $r->{json}, { review => $review, likes_count => 1, liked_by_me => JSON::PP::true }, 'counted';
is $s->post("/api/reviews/$review/like/", token => $alice->{access})->{status}, 200, 'liking again is 200';
is $s->post("/api/reviews/$review/like/", token => $carol->{access})->{json}{likes_count}, 2, 'carol likes it too';
my ($shown) = @{ $s->get("/api/movies/$movie/reviews/", token => $alice->{access})->{json}{results} };
is $shown->{likes_count}, 2, 'the list shows the likes';
is $shown->{liked_by_me}, JSON::PP::true, 'and that alice likes it';
($shown) = @{ $s->get("/api/movies/$movie/reviews/")->{json}{results} };
is $shown->{liked_by_me}, JSON::PP::false, 'not to anonymous callers';
is $s->delete("/api/reviews/$review/like/", token => $carol->{access})->{status}, 204, 'carol takes hers back';
is $s->delete("/api/reviews/$review/like/", token => $carol->{access})->{status}, 204, 'twice is fine';
is $s->psql("SELECT likes_count FROM reviews WHERE id = $review"), '1', 'the count follows';
is $s->post('/api/reviews/999999/like/', token => $alice->{access})->{status}, 404, 'no such review is 404';
is $s->delete('/api/reviews/999999/like/', token => $alice->{access})->{status}, 404, 'to unlike too';
is $s->post("/api/reviews/$review/like/")->{status}, 401, 'liking needs a token';
is $s->post('/api/reviews/abc/like/', token => $alice->{access})->{status}, 404, 'a bad id is 404';

# --- blocking ---
my $c1 = $s->post("/api/movies/$movie/comments/", token => $bob->{access}, json => { body => 'by bob' })->{json}{id};
my $c2 = $s->post("/api/movies/$movie/comments/", token => $carol->{access}, json => { body => 'by carol' })->{json}{id};
my $c3 = $s->post("/api/movies/$movie/comments/", token => $carol->{access},
                  json => { body => 'carol to bob', parent => $c1 })->{json}{id};
ok $c1 && $c2 && $c3, 'bob and carol comment, carol replies to bob';
follow($carol, $bob);
follow($bob, $carol);

$r = $s->post('/api/users/carol/block/', token => $bob->{access});
is $r->{status}, 201, 'bob blocks carol';
is_deeply $r->{json}, { username => 'carol', blocked => JSON::PP::true }, 'saying so';
is $s->post('/api/users/carol/block/', token => $bob->{access})->{status}, 200, 'blocking again is 200';
is $s->psql(q{SELECT count(*) FROM follows f JOIN users a ON a.id = f.follower_id JOIN users b ON b.id = f.followee_id
              WHERE (a.username, b.username) IN (('bob', 'carol'), ('carol', 'bob'))}), '0',
    'their follows both ways end';
is profile($carol)->{followers_count}, 0, 'and their counts with them';
$r = follow($carol, $bob);
is $r->{status}, 403, 'carol cannot follow bob';
like $r->{json}{detail}, qr/cannot follow this user/, 'saying so';
is follow($bob, $carol)->{status}, 403, 'nor bob carol, while he blocks her';
$r = $s->post("/api/reviews/$review/like/", token => $carol->{access});
is $r->{status}, 403, 'carol cannot like bob\'s review';
$r = $s->post("/api/movies/$movie/comments/", token => $carol->{access}, json => { body => 'hey', parent => $c1 });
is $r->{status}, 403, 'nor reply to his comment';
like $r->{json}{detail}, qr/cannot reply to this user/, 'saying so';
is $s->post("/api/movies/$movie/comments/", token => $alice->{access}, json => { body => 'hi', parent => $c1 })->{status},
    201, 'others still can';

sub thread_bodies {
    my ($token) = @_;
    my @out;
    my $walk;
    $walk = sub { for (@_) { push @out, $_->{body}; $walk->(@{ $_->{replies} }) } };
    $walk->(@{ $s->get("/api/movies/$movie/comments/", $token ? (token => $token) : ())->{json}{results} });
    return join ',', @out;
}
is thread_bodies($bob->{access}), 'by bob,hi', 'carol\'s comments are gone from bob\'s threads';
is thread_bodies($alice->{access}), 'by bob,carol to bob,hi,by carol', 'not from alice\'s';
is thread_bodies(), 'by bob,carol to bob,hi,by carol', 'nor anyone else\'s';
my ($root) = @{ $s->get("/api/movies/$movie/comments/", token => $bob->{access})->{json}{results} };
is $root->{replies_count}, 1, 'bob\'s reply count leaves hers out';

is $s->post('/api/users/bob/block/', token => $bob->{access})->{status}, 400, 'blocking oneself is a 400';
is $s->post('/api/users/nobody-here/block/', token => $bob->{access})->{status}, 404, 'blocking nobody is a 404';
is $s->post('/api/users/carol/block/')->{status}, 401, 'blocking needs a token';
is $s->delete('/api/users/carol/block/', token => $bob->{access})->{status}, 204, 'bob unblocks carol';
is $s->delete('/api/users/carol/block/', token => $bob->{access})->{status}, 204, 'twice is fine';
is follow($carol, $bob)->{status}, 201, 'carol may follow bob again';
is $s->post("/api/reviews/$review/like/", token => $carol->{access})->{status}, 201, 'and like his review';

# a follow racing a block never survives it
my $dave = $s->user('dave');
for my $round (1 .. 5) {
    $s->delete('/api/users/dave/block/', token => $alice->{access});
    my @st = $s->in_parallel(sub { follow($dave, $alice)->{status} },
                             sub { $s->post('/api/users/dave/block/', token => $alice->{access})->{status} });
    is $s->psql(q{SELECT count(*) FROM follows f JOIN users a ON a.id = f.follower_id
                  WHERE a.username = 'dave'}), '0', "round $round: no follow outlives the block (@st)";
}
is profile($alice)->{followers_count}, 1, 'and the count is exact';

# an erased account leaves the graph
my $erin = $s->user('erin');
follow($erin, $alice);
follow($alice, $erin);
is $s->delete("/api/admin/users/$erin->{id}/", token => $admin->{access})->{status}, 204, 'an administrator erases erin';
is profile($alice)->{followers_count}, 1, 'her follow is gone from the counts';
is profile($alice)->{following_count}, 1, 'both ways';

$s->finish;
done_testing;

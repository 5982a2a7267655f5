# Reviews (GET/POST /api/movies/{id}/reviews/, PUT/DELETE /api/reviews/{id}/),
# threaded comments (GET/POST /api/movies/{id}/comments/, PUT/DELETE
# /api/comments/{id}/), reports (POST /api/reports/) and the administrators'
# queue (GET /api/admin/reports/, PUT/DELETE /api/admin/reports/{id}/).
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $alice = $s->user('alice');
my $bob = $s->user('bob');
my $carol = $s->user('carol');
my ($A, $B, $R) = ($alice->{access}, $bob->{access}, $admin->{access});
my $m = $s->movie($admin, title => 'Vertigo', tmdb_id => 426);

# ---- reviews ----
is $s->post("/api/movies/$m/reviews/", json => { body => 'x' })->{status}, 401, 'anonymous POST: 401';
is $s->post("/api/movies/$m/reviews/", token => 'x.y.z', json => { body => 'x' })->{status}, 401, 'forged: 401';
is $s->get("/api/movies/$m/reviews/", token => $s->expired_token($alice))->{status}, 401,
    'an expired token, even on a public read: 401';
my $r = $s->post("/api/movies/$m/reviews/", token => $A,
                 json => { title => 'Dizzying', body => 'A masterpiece of obsession.', rating => 5 });
is $r->{status}, 201, 'POST a review: 201';
my $rv = $r->{json}{id};
is $r->{json}{author}, 'alice', 'by alice';
is $r->{json}{rating}, 5, 'with its rating';
is $r->{json}{movie}, $m, 'of the movie';
like $r->{headers}{location}, qr{/api/reviews/$rv/$}, 'Location';
$r = $s->post("/api/movies/$m/reviews/", token => $A, json => { body => 'Again.' });
is $r->{status}, 409, 'a second review of the movie: 409';
is $r->{json}{id}, $rv, 'naming the first';
# A review that meets one committed after its statement began: a
# transaction holds carol's review uncommitted, four more of hers start
# meanwhile and wait on it; their snapshot cannot see it, yet each must
# answer 409 naming it (not 503).
my $held = $s->movie($admin, title => 'Held');
my $hold = $s->hold("INSERT INTO reviews (user_id, movie_id, body) VALUES ($carol->{id}, $held, 'Held.')");
my $bg = $s->in_background(map { sub {
    my $r = $s->post("/api/movies/$held/reviews/", token => $carol->{access}, json => { body => 'Same.' });
    "$r->{status}:" . ($r->{json}{id} // '') } } 1 .. 4);
wait_until { $s->lock_waiters >= 4 } what => 'the four reviews to wait on the held one';
$hold->release;
my @got = $bg->results;
my $held_id = $s->psql("SELECT id FROM reviews WHERE user_id = $carol->{id} AND movie_id = $held");
is_deeply \@got, [ ("409:$held_id") x 4 ], 'four reviews during a commit: 409 naming it';
$s->psql("DELETE FROM reviews WHERE id = $held_id");
my $rb = $s->post("/api/movies/$m/reviews/", token => $B, json => { body => 'Too slow.', rating => 2.5 })->{json}{id};
is $s->get("/api/movies/$m/")->{json}{statistics}{reviews_count}, 2, 'the movie counts them';
for my $case ([{}, 'body', 'no body'], [{ body => '' }, 'body', 'a blank body'],
              [{ body => 'x' x 10001 }, 'body', 'a body over 10,000 characters'],
              [{ body => 'x', rating => 7 }, 'rating', 'a rating of 7'],
              [{ body => 'x', rating => 2.2 }, 'rating', 'a rating of 2.2'],
              [{ body => 'x', rating => 'good' }, 'rating', 'a rating that is a string'],
              [{ body => 'x', title => 't' x 201 }, 'title', 'a title too long'],
              [{ body => 'x', author => 'bob' }, 'author', 'an author (read-only)'],
              [{ body => 'x', spoiler => 1 }, 'spoiler', 'an unknown field']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post("/api/movies/$m/reviews/", token => $carol->{access}, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->post("/api/movies/$m/reviews/", token => $A, body => '{"body"',
            headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400';
is $s->post('/api/movies/999999/reviews/', token => $A, json => { body => 'x' })->{status}, 404,
    'an unknown movie: 404';
$r = $s->get("/api/movies/$m/reviews/");
is $r->{status}, 200, 'anyone lists reviews';
is_deeply [ map { $_->{id} } @{ $r->{json}{results} } ], [ $rb, $rv ], 'newest first';
is_deeply [ map { $_->{id} } @{ $s->get("/api/movies/$m/reviews/?ordering=-rating")->{json}{results} } ],
    [ $rv, $rb ], 'ordering=-rating';
is $s->get("/api/movies/$m/reviews/?ordering=likes")->{status}, 400, 'an unknown ordering: 400';
is $s->get('/api/movies/999999/reviews/')->{status}, 404, 'of an unknown movie: 404';
is $s->get("/api/movies/$m/reviews/?page=2")->{status}, 404, 'past the end: 404';
is $s->put("/api/reviews/$rv/", token => $B, json => { body => 'Hijacked' })->{status}, 404,
    "bob cannot change alice's review";
is $s->delete("/api/reviews/$rv/", token => $B)->{status}, 404, 'nor delete it';
$r = $s->put("/api/reviews/$rv/", token => $A, json => { body => 'Still a masterpiece.' });
is $r->{status}, 200, 'the author edits: 200';
is $r->{json}{body}, 'Still a masterpiece.', 'the new body';
is $r->{json}{rating}, undef, 'PUT clears what it does not give';
is $s->put("/api/reviews/$rv/", token => $A, json => { title => 'x' })->{status}, 400, 'PUT without a body: 400';
is $s->put("/api/reviews/$rb/", token => $R, json => { body => 'Edited by a moderator.' })->{status}, 200,
    'an administrator edits any review';
is $s->get('/api/users/me/', token => $A)->{json}{counts}{reviews}, 1, 'the profile counts reviews';

# ---- comments, threaded ----
is $s->post("/api/movies/$m/comments/", json => { body => 'x' })->{status}, 401, 'anonymous comment: 401';
$r = $s->post("/api/movies/$m/comments/", token => $A, json => { body => 'Who was Madeleine?' });
is $r->{status}, 201, 'a comment: 201';
my $c1 = $r->{json}{id};
is $r->{json}{parent}, undef, 'a thread of its own';
my $c2 = $s->post("/api/movies/$m/comments/", token => $B, json => { body => 'Judy.', parent => $c1 })->{json}{id};
my $c3 = $s->post("/api/movies/$m/comments/", token => $A, json => { body => 'Spoiler!', parent => $c2 })->{json}{id};
my $c4 = $s->post("/api/movies/$m/comments/", token => $B, json => { body => 'Second thread.' })->{json}{id};
ok $c2 && $c3 && $c4, 'replies and another thread';
for my $case ([{}, 'body'], [{ body => '' }, 'body'], [{ body => 'x' x 5001 }, 'body'],
              [{ body => 'x', parent => 'one' }, 'parent'], [{ body => 'x', parent => 999999 }, 'parent'],
              [{ body => 'x', colour => 1 }, 'colour']) {
    my ($body, $field) = @$case;
    $r = $s->post("/api/movies/$m/comments/", token => $A, json => $body);
    is $r->{status}, 400, "a bad $field: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
my $deep = $c3;
$deep = $s->post("/api/movies/$m/comments/", token => $A, json => { body => 'deeper', parent => $deep })->{json}{id}
    for 3 .. 10;
$r = $s->post("/api/movies/$m/comments/", token => $A, json => { body => 'too deep', parent => $deep });
is $r->{status}, 400, 'replies nest at most 10 deep: 400';
like $r->{json}{errors}{parent}[0], qr/10 deep/, 'saying so';
$s->psql("DELETE FROM comments WHERE parent_id = $c3");
my $other = $s->movie($admin, title => 'Rear Window');
is $s->post("/api/movies/$other/comments/", token => $A, json => { body => 'x', parent => $c1 })->{status}, 400,
    "a reply under another movie's comment: 400";
$r = $s->get("/api/movies/$m/comments/");
is $r->{status}, 200, 'anyone reads comments';
is $r->{json}{count}, 2, 'two threads';
is $r->{json}{results}[0]{id}, $c1, 'the oldest first';
is $r->{json}{results}[0]{replies}[0]{id}, $c2, 'a reply under its parent';
is $r->{json}{results}[0]{replies}[0]{replies}[0]{id}, $c3, 'and a reply to the reply';
is_deeply $r->{json}{results}[1]{replies}, [], 'the other thread has none';
is $s->get("/api/movies/$m/comments/?page_size=1&page=2")->{json}{results}[0]{id}, $c4, 'threads paginate';
is $r->{json}{results}[0]{replies_count}, 1, 'each comment counts its replies';
# a busy thread shows its first ten replies, two levels down; the rest
# are counted and paged with ?parent=
my @busy = map { $s->post("/api/movies/$m/comments/", token => $B,
                          json => { body => "Reply $_", parent => $c4 })->{json}{id} } 1 .. 12;
my $level2 = $s->post("/api/movies/$m/comments/", token => $A, json => { body => 'L2', parent => $busy[0] })->{json}{id};
my $level3 = $s->post("/api/movies/$m/comments/", token => $A, json => { body => 'L3', parent => $level2 })->{json}{id};
my $busy = $s->get("/api/movies/$m/comments/")->{json}{results}[1];
is $busy->{replies_count}, 12, 'a thread counts all its replies';
is_deeply [ map { $_->{id} } @{ $busy->{replies} } ], [ @busy[0 .. 9] ], 'and shows the first ten';
is $busy->{replies}[0]{replies}[0]{id}, $level2, 'replies show two levels down';
is_deeply $busy->{replies}[0]{replies}[0]{replies}, [], 'no deeper';
is $busy->{replies}[0]{replies}[0]{replies_count}, 1, 'counting those below';
$r = $s->get("/api/movies/$m/comments/?parent=$c4&page_size=20");
is $r->{status}, 200, '?parent=: 200';
is $r->{json}{count}, 12, 'counting the replies';
is_deeply [ map { $_->{id} } @{ $r->{json}{results} } ], \@busy, 'all of them, oldest first';
is $s->get("/api/movies/$m/comments/?parent=$level2")->{json}{results}[0]{id}, $level3, 'the deeper ones too';
is $s->get("/api/movies/$m/comments/?parent=$level3")->{json}{count}, 0, 'a comment without replies: none';
is $s->get("/api/movies/$m/comments/?parent=999999")->{status}, 404, 'an unknown parent: 404';
is $s->get("/api/movies/$other/comments/?parent=$c4")->{status}, 404, "another movie's comment: 404";
is $s->get("/api/movies/$m/comments/?parent=x")->{status}, 400, 'a parent that is no id: 400';
is $s->get('/api/movies/999999/comments/')->{status}, 404, 'of an unknown movie: 404';
is $s->put("/api/comments/$c1/", token => $B, json => { body => 'mine' })->{status}, 404,
    "bob cannot edit alice's comment";
is $s->delete("/api/comments/$c1/", token => $B)->{status}, 404, 'nor delete it';
$r = $s->put("/api/comments/$c1/", token => $A, json => { body => 'Who was she?' });
is $r->{json}{body}, 'Who was she?', 'the author edits';
is $s->put("/api/comments/$c1/", token => $A, json => { body => 'x', parent => $c4 })->{status}, 400,
    'a comment cannot change threads';
is $s->delete("/api/comments/$c1/", token => $A)->{status}, 204, 'the author deletes: 204';
is $s->delete("/api/comments/$c1/", token => $A)->{status}, 404, 'once';
is $s->put("/api/comments/$c1/", token => $A, json => { body => 'back' })->{status}, 404, 'a deleted one stays deleted';
$r = $s->get("/api/movies/$m/comments/");
is $r->{json}{results}[0]{body}, '[deleted]', 'it keeps its place as [deleted]';
is $r->{json}{results}[0]{author}, undef, 'without an author';
is $r->{json}{results}[0]{deleted}, JSON::PP::true, 'marked deleted';
is $r->{json}{results}[0]{replies}[0]{body}, 'Judy.', 'its replies stay';
is $s->delete("/api/comments/$c2/", token => $R)->{status}, 204, 'an administrator deletes any comment';
is $s->post("/api/movies/$m/comments/", token => $A, json => { body => 'x', parent => $c2 })->{status}, 400,
    'no replies to a deleted comment';

# ---- reports ----
is $s->post('/api/reports/', json => { review => $rb, reason => 'spam' })->{status}, 401, 'anonymous report: 401';
$r = $s->post('/api/reports/', token => $A, json => { review => $rb, reason => 'abuse', details => 'Rude.' });
is $r->{status}, 201, 'reporting a review: 201';
my $rep1 = $r->{json}{id};
is $r->{json}{status}, 'open', 'open';
is $r->{json}{kind}, 'review', 'of a review';
is $s->post('/api/reports/', token => $A, json => { review => $rb, reason => 'spam' })->{status}, 409,
    'the same again while open: 409';
my $rep2 = $s->post('/api/reports/', token => $carol->{access}, json => { review => $rb, reason => 'spam' })->{json}{id};
my $rep3 = $s->post('/api/reports/', token => $A, json => { comment => $c4, reason => 'spoiler' })->{json}{id};
my $rep4 = $s->post('/api/reports/', token => $A, json => { user => $bob->{id}, reason => 'other' })->{json}{id};
ok $rep2 && $rep3 && $rep4, 'another on the same review, a comment, a user';
for my $case ([{ reason => 'spam' }, 'review', 'no target'],
              [{ review => $rb, comment => $c4, reason => 'spam' }, 'review', 'two targets'],
              [{ review => $rb }, 'reason', 'no reason'],
              [{ review => $rb, reason => 'boring' }, 'reason', 'an unknown reason'],
              [{ review => 'x', reason => 'spam' }, 'review', 'an id that is a string'],
              [{ review => $rb, reason => 'spam', details => 'd' x 1001 }, 'details', 'details too long']) {
    my ($body, $field, $what) = @$case;
    $r = $s->post('/api/reports/', token => $B, json => $body);
    is $r->{status}, 400, "$what: 400";
    ok $r->{json}{errors}{$field}, "naming $field" or diag $r->{content};
}
is $s->post('/api/reports/', token => $B, json => { review => 999999, reason => 'spam' })->{status}, 404,
    'an unknown review: 404';
is $s->post('/api/reports/', token => $B, json => { comment => $c1, reason => 'spam' })->{status}, 404,
    'a deleted comment: 404';

# ---- the queue ----
is $s->get('/api/admin/reports/', token => $A)->{status}, 403, 'not for users: 403';
is $s->get('/api/admin/reports/')->{status}, 401, 'nor anonymous: 401';
$r = $s->get('/api/admin/reports/', token => $R);
is $r->{status}, 200, 'administrators: 200';
is_deeply [ map { $_->{id} } @{ $r->{json}{results} } ], [ $rep1, $rep2, $rep3, $rep4 ], 'open ones, oldest first';
is $r->{json}{results}[0]{content}, 'Edited by a moderator.', 'with the content';
is $r->{json}{results}[0]{reporter}, 'alice', 'and the reporter';
is $s->get('/api/admin/reports/?kind=comment', token => $R)->{json}{count}, 1, 'kind=comment';
is $s->get('/api/admin/reports/?status=closed', token => $R)->{status}, 400, 'an unknown status: 400';
is $s->get('/api/admin/reports/?sort=1', token => $R)->{status}, 400, 'an unknown parameter: 400';
$r = $s->put("/api/admin/reports/$rep3/", token => $R, json => { status => 'dismissed', note => 'Not a spoiler.' });
is $r->{status}, 200, 'dismissing: 200';
is $r->{json}{status}, 'dismissed', 'dismissed';
is $r->{json}{resolved_by}, 'root', 'by whom';
like $r->{json}{resolved_at}, qr/Z$/, 'and when';
is $s->put("/api/admin/reports/$rep3/", token => $R, json => { status => 'open' })->{status}, 400,
    'only resolved or dismissed: 400';
is $s->put('/api/admin/reports/999999/', token => $R, json => { status => 'resolved' })->{status}, 404,
    'an unknown report: 404';
is $s->put("/api/admin/reports/$rep3/", token => $A, json => { status => 'resolved' })->{status}, 403,
    'users may not decide: 403';
# The removal's transaction waits, after deleting the review, on the other
# report of it (held locked here); a read of the movie meanwhile sees the
# old count, and must not cache it for after the commit.
is $s->get("/api/movies/$m/")->{json}{statistics}{reviews_count}, 2, 'the movie counts the review';
$hold = $s->hold("SELECT 1 FROM reports WHERE id = $rep2 FOR UPDATE");
$bg = $s->in_background(sub { $s->delete("/api/admin/reports/$rep1/", token => $R)->{status} });
wait_until { $s->lock_waiters >= 1 } what => 'the removal to wait on the other report';
is $s->get("/api/movies/$m/")->{json}{statistics}{reviews_count}, 2, 'a read before its commit sees 2';
$hold->release;
is_deeply [ $bg->results ], [204], 'removing the content: 204';
is $s->get("/api/movies/$m/reviews/")->{json}{count}, 1, 'the review is gone';
is $s->get("/api/movies/$m/")->{json}{statistics}{reviews_count}, 1, 'and counted out, not cached stale';
$r = $s->get('/api/admin/reports/?status=resolved', token => $R);
is_deeply [ sort map { $_->{id} } @{ $r->{json}{results} } ], [ sort $rep1, $rep2 ],
    'both reports of it are resolved';
is $s->delete("/api/admin/reports/$rep4/", token => $R)->{status}, 204, 'a reported user: 204';
is $s->get('/api/users/me/', token => $B)->{status}, 401, "is deactivated, and bob's tokens end";
is $s->get('/api/admin/reports/', token => $R)->{json}{count}, 0, 'the queue is empty';
is $s->get('/api/admin/reports/?status=all', token => $R)->{json}{count}, 4, 'status=all';
is $s->delete('/api/admin/reports/999999/', token => $R)->{status}, 404, 'an unknown report: 404';

$s->finish;
done_testing;

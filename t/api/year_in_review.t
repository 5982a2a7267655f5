# GET /api/users/me/year-in-review/?year=YYYY, a premium feature: the
# statistics of /api/users/me/stats/ for one UTC year (films watched and
# rated in it, hours, top genres, top-rated, the histogram, month by
# month), only for users entitled to year_in_review through the one
# entitlement function: others (no subscription, a plan without it,
# past_due beyond grace) get a 403 problem+json naming the plan that
# unlocks it.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(payments => 1);
my $admin = $s->admin;
my ($alice, $bob) = map { $s->user($_) } qw(alice bob);
my $basic = $s->pay_plan($admin, name => 'Basic', price => 299, features => ['premium_media']);
my $premium = $s->pay_plan($admin, name => 'Premium', price => 499,
                           features => [qw(premium_media year_in_review)]);
$s->pay_plan($admin, name => 'Gold', price => 999, features => [qw(premium_media year_in_review export)]);

my $heat = $s->movie($admin, title => 'Heat', release_date => '1995-12-15', runtime => 170,
                     genres => ['crime', 'drama']);
my $ronin = $s->movie($admin, title => 'Ronin', release_date => '1998-09-25', runtime => 122,
                      genres => ['action', 'crime']);
my $alien = $s->movie($admin, title => 'Alien', release_date => '1979-05-25', runtime => 117,
                      genres => ['horror']);

# alice watched and rated Alien in March 2024, Heat in July 2024, Ronin
# in January 2025.
my %when = ($alien => '2024-03-10 12:00Z', $heat => '2024-07-01 08:00Z', $ronin => '2025-01-05 20:00Z');
my %stars = ($alien => 4.5, $heat => 5, $ronin => 3.5);
for my $m ($alien, $heat, $ronin) {
    is $s->post('/api/users/me/history/', token => $alice->{access}, json => { movie => $m })->{status}, 201,
        "alice watched $m";
    is $s->post('/api/movies/rate/', token => $alice->{access}, json => { movie => $m, rating => $stars{$m} })
        ->{status}, 201, "and rated it";
    $s->psql("UPDATE watch_history SET watched_at = '$when{$m}' WHERE user_id = $alice->{id} AND movie_id = $m");
    $s->psql("UPDATE ratings SET created_at = '$when{$m}' WHERE user_id = $alice->{id} AND movie_id = $m");
}

sub review { my ($user, $q) = @_; $s->get("/api/users/me/year-in-review/$q", token => $user->{access}) }
sub refused {
    my ($r, $what) = @_;
    is $r->{status}, 403, "$what: 403";
    is $r->{headers}{'content-type'}, 'application/problem+json', 'problem+json';
    is_deeply $r->{json}{plan}, { id => $premium->{id}, name => 'Premium' },
        'naming the cheapest plan that unlocks it';
    like $r->{json}{detail}, qr/subscription to Premium/, 'in words too';
}
sub deliver {
    is $s->pay_deliver->{failed}, 0, 'the webhook takes the events';
    wait_until { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL') eq '0' }
        what => 'the payments job to process them';
}
sub subscribe {
    my ($user, $plan) = @_;
    my $r = $s->post('/api/subscriptions/', token => $user->{access}, json => { plan => $plan->{id} });
    my $sub = $s->pay_control('POST', "/_fake/checkout/$r->{json}{checkout_id}/complete");
    deliver();
    return $sub;
}

# ---- not entitled ----
refused(review($alice, '?year=2024'), 'no subscription');
subscribe($alice, $basic);
refused(review($alice, '?year=2024'), 'a plan without year_in_review');
is $s->put('/api/subscriptions/', token => $alice->{access}, json => { plan => $premium->{id} })->{status},
    200, 'alice moves to Premium';

# ---- her year ----
my $r = review($alice, '?year=2024');
is $r->{status}, 200, 'entitled: 2024 in review' or diag $r->{content};
my $y = $r->{json};
is $y->{year}, 2024, 'of 2024';
is_deeply [ @$y{qw(watched rated hours_watched)} ], [2, 2, 4.8], 'two films watched and rated, 4.8 hours';
is_deeply [ map { $_->{month} } @{ $y->{months} } ], [ map { sprintf '2024-%02d', $_ } 1 .. 12 ],
    'month by month, January to December';
is_deeply [ map { "$_->{month}:$_->{watched}:$_->{rated}" } grep { $_->{watched} || $_->{rated} } @{ $y->{months} } ],
    ['2024-03:1:1', '2024-07:1:1'], 'March and July';
is_deeply [ map { "$_->{title}:$_->{rating}" } @{ $y->{top_rated} } ], ['Heat:5', 'Alien:4.5'],
    'top-rated, best first';
is_deeply [ sort map { "$_->{slug}:$_->{movies}" } @{ $y->{favorite_genres} } ], ['crime:1', 'drama:1', 'horror:1'],
    'top genres of the year\'s films';
is_deeply { map { ($_->{rating} => $_->{count}) } grep { $_->{count} } @{ $y->{rating_histogram} } },
    { 4.5 => 1, 5 => 1 }, 'the histogram of the year\'s ratings';
is $r->{headers}{'cache-control'}, 'private, no-store', 'private';

$y = review($alice, '?year=2025')->{json};
is_deeply [ @$y{qw(year watched rated hours_watched)} ], [2025, 1, 1, 2], '2025: Ronin alone';
is_deeply [ sort map { $_->{slug} } @{ $y->{favorite_genres} } ], ['action', 'crime'], 'its genres';
$y = review($alice, '?year=2023')->{json};
is_deeply [ @$y{qw(watched rated hours_watched)} ], [0, 0, 0], '2023: nothing';
is_deeply $y->{top_rated}, [], 'nothing rated';
my $this = (gmtime)[5] + 1900;
is review($alice, '')->{json}{year}, $this, 'no year: this one';

# The same computation as /api/users/me/stats/, over all time.
my $all = $s->get('/api/users/me/stats/', token => $alice->{access})->{json};
is_deeply [ @$all{qw(watched rated)} ], [3, 3], '/stats/: all three';
is_deeply [ map { $_->{title} } @{ $all->{top_rated} } ], [qw(Heat Alien Ronin)], 'its top-rated too';
ok !exists $all->{year}, 'and no year';

# ---- bad input ----
is review($alice, '?year=twenty')->{status}, 400, 'a year that is not a number: 400';
is review($alice, '?year=1800')->{status}, 400, 'too early: 400';
is review($alice, '?year=2024&month=3')->{status}, 400, 'an unknown parameter: 400';
is $s->get('/api/users/me/year-in-review/?year=2024')->{status}, 401, 'anonymous: 401';

# ---- past_due: in grace, then not ----
my $sub = $s->psql("SELECT gateway_id FROM subscriptions WHERE user_id = $alice->{id}");
$s->pay_control('POST', "/_fake/subscriptions/$sub/fail");
deliver();
is review($alice, '?year=2024')->{status}, 200, 'past_due in grace: still entitled';
$s->psql("UPDATE subscriptions SET past_due_since = now() - interval '4 days' WHERE gateway_id = '$sub'");
refused(review($alice, '?year=2024'), 'past_due beyond grace');
refused(review($bob, '?year=2024'), 'bob, without a subscription');

$s->finish;
done_testing;

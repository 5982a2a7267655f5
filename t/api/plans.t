# Plans: the public list, administrators' create, replace and delete
# (archived when it has subscribers), money as integer minor units (a
# float is refused, never rounded, and never comes out as one), and bad
# input.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start;
my $admin = $s->admin;
my $alice = $s->user('alice');

is_deeply $s->get('/api/plans/')->{json}{results}, [], 'no plans at first';

my %premium = (name => 'Premium', description => 'Trailers, extras, your year in review.',
               interval => 'month', price => 499, currency => 'EUR',
               features => [qw(premium_media year_in_review export)]);
my $r = $s->post('/api/admin/plans/', token => $admin->{access}, json => \%premium);
is $r->{status}, 201, 'an administrator offers a plan';
my $plan = $r->{json};
is $r->{headers}{location}, "/api/admin/plans/$plan->{id}/", 'Location names it';
is_deeply { map { $_ => $plan->{$_} } keys %premium }, \%premium, 'as given';
is $plan->{archived}, JSON::PP::false, 'not archived';

# Money: integers of minor units, in and out.
like $r->{content}, qr/"price":499[,}]/, 'the price is written as an integer';
for my $bad (4.99, '499', 499.5, -1, 0, 1e12, undef) {
    my $b = $s->post('/api/admin/plans/', token => $admin->{access},
                     json => { %premium, name => 'Bad', price => $bad });
    is $b->{status}, 400, 'price ' . ($bad // 'null') . ' is refused';
    ok $b->{json}{errors}{price}, 'naming price';
}
my $whole = $s->post('/api/admin/plans/', token => $admin->{access},
                     body => '{"name":"Float","interval":"year","price":4990.0,"currency":"EUR"}',
                     headers => { 'Content-Type' => 'application/json' });
is $whole->{status}, 400, 'a price written as a float (4990.0) is refused too';
is $s->psql("SELECT pg_typeof(price) FROM plans LIMIT 1"), 'bigint', 'kept as a bigint';

my $yearly = $s->post('/api/admin/plans/', token => $admin->{access},
                      json => { name => 'Premium yearly', interval => 'year', price => 4990,
                                currency => 'EUR', features => ['premium_media'] })->{json};
my $list = $s->get('/api/plans/');
is $list->{status}, 200, 'anyone lists the plans';
is_deeply [ map { $_->{name} } @{ $list->{json}{results} } ], ['Premium', 'Premium yearly'],
    'cheapest first';
is $list->{json}{count}, 2, 'counted';
like $list->{content}, qr/"price":4990[,}]/, 'prices as integers';
is $yearly->{description}, '', 'description defaults to empty';
is_deeply $yearly->{features}, ['premium_media'], 'features kept in order';

# ---- bad input ----
my %bad = (
    'no name' => [{ %premium, name => undef }, 'name'],
    'name taken' => [{ %premium }, 'name', 409],
    'interval week' => [{ %premium, name => 'W', interval => 'week' }, 'interval'],
    'lowercase currency' => [{ %premium, name => 'L', currency => 'eur' }, 'currency'],
    'long currency' => [{ %premium, name => 'L', currency => 'EURO' }, 'currency'],
    'feature with a space' => [{ %premium, name => 'F', features => ['premium media'] }, 'features'],
    'a feature twice' => [{ %premium, name => 'F', features => ['a', 'a'] }, 'features'],
    'features a string' => [{ %premium, name => 'F', features => 'premium' }, 'features'],
    'id given' => [{ %premium, name => 'I', id => 7 }, 'id'],
    'unknown field' => [{ %premium, name => 'U', trial_days => 7 }, 'trial_days'],
);
for my $case (sort keys %bad) {
    my ($body, $field, $status) = @{ $bad{$case} };
    defined $body->{$_} or delete $body->{$_} for keys %$body;
    my $b = $s->post('/api/admin/plans/', token => $admin->{access}, json => $body);
    is $b->{status}, $status // 400, "$case: " . ($status // 400);
    ok $b->{json}{errors}{$field}, "naming $field";
}
is $s->post('/api/admin/plans/', token => $alice->{access}, json => { %premium, name => 'X' })->{status},
    403, 'a user may not offer plans';
is $s->post('/api/admin/plans/', json => { %premium, name => 'X' })->{status}, 401, 'nor anyone';

# ---- replace ----
$r = $s->put("/api/admin/plans/$plan->{id}/", token => $admin->{access},
             json => { %premium, price => 599 });
is $r->{status}, 200, 'an administrator changes the price';
is $r->{json}{price}, 599, 'to 599';
is $s->put('/api/admin/plans/999999/', token => $admin->{access}, json => \%premium)->{status}, 404,
    'a plan that is not there is 404';
is $s->put("/api/admin/plans/$plan->{id}/", token => $admin->{access},
           json => { %premium, name => 'Premium yearly' })->{status}, 409, 'renaming onto a taken name is 409';
is $s->put("/api/admin/plans/$plan->{id}/", token => $alice->{access}, json => \%premium)->{status}, 403,
    'a user may not';

# ---- delete, or archive ----
is $s->delete("/api/admin/plans/$yearly->{id}/", token => $admin->{access})->{status}, 204,
    'a plan nobody subscribed to is deleted';
is $s->delete("/api/admin/plans/$yearly->{id}/", token => $admin->{access})->{status}, 404, 'then gone';
# A subscription to it (as the gateway's webhook would write it).
$s->psql("INSERT INTO payment_customers (user_id, gateway_id) VALUES ($alice->{id}, 'cus_x');
          INSERT INTO subscriptions (gateway_id, user_id, plan_id, status) VALUES ('sub_x', $alice->{id}, $plan->{id}, 'active')");
$r = $s->delete("/api/admin/plans/$plan->{id}/", token => $admin->{access});
is $r->{status}, 200, 'a plan with a subscriber is archived';
is $r->{json}{archived}, JSON::PP::true, 'and says so';
is $s->psql("SELECT count(*) FROM plans WHERE id = $plan->{id}"), '1', 'the row stays';
is_deeply $s->get('/api/plans/')->{json}{results}, [], 'an archived plan is not on offer';
is $s->put("/api/admin/plans/$plan->{id}/", token => $admin->{access}, json => \%premium)->{status}, 409,
    'an archived plan is not changed';
$r = $s->post('/api/admin/plans/', token => $admin->{access}, json => \%premium);
is $r->{status}, 201, 'its name may be offered again';
is $s->delete("/api/admin/plans/$plan->{id}/", token => $alice->{access})->{status}, 403, 'a user may not delete';

# ---- without [payments]: the plans show, paying does not ----
my $r503 = $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => $r->{json}{id} });
is $r503->{status}, 503, 'subscribing on a server without a gateway: 503';
ok $r503->{headers}{'retry-after'}, 'with Retry-After';
is $s->pay_webhook('{}', signature => 't=1,v1=' . ('0' x 64))->{status}, 503, 'and webhooks: 503';
is $s->get('/api/subscriptions/', token => $alice->{access})->{json}{subscription}{status}, 'active',
    'what we know of a subscription still shows';

$s->finish;
done_testing;

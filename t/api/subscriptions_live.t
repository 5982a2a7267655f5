# One live subscription a user: two checkouts asked for at once make one
# (each answer a 2xx with the same page, or a 409 problem+json, never a
# 500); a second subscription the gateway makes anyway (two checkouts
# paid) is refused by the database (the index subscriptions_live) and
# left out by the job, which says so and retries it until the first is
# over; then it is taken.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(payments => 1);
my $admin = $s->admin;
my $bob = $s->user('bob');

my $premium = $s->pay_plan($admin, name => 'Premium', price => 499, features => ['premium_media']);
my $gold = $s->pay_plan($admin, name => 'Gold', price => 999, features => ['premium_media', 'export']);

sub live { $s->psql("SELECT count(*) FROM subscriptions WHERE user_id = $bob->{id} "
                    . "AND status NOT IN ('canceled', 'incomplete_expired')") }

# ---- two POSTs at once ----
# Both wait behind a lock on the requests' table, then go together.
my $hold = $s->hold('LOCK TABLE payment_requests IN SHARE ROW EXCLUSIVE MODE');
my $bg = $s->in_background(map { sub {
    my $r = $s->post('/api/subscriptions/', token => $bob->{access}, json => { plan => $premium->{id} });
    return ($r->{status}, $r->{json}{checkout_url} // $r->{headers}{'content-type'});
} } 1 .. 2);
wait_until { $s->lock_waiters >= 2 } what => 'both requests to wait for the lock';
$hold->release;
my @got = $bg->results;
my @answers = map { [ @got[2 * $_, 2 * $_ + 1] ] } 0 .. $#got / 2;
diag 'concurrent POSTs: ' . join ', ', map { "@$_" } @answers;
is scalar(@answers), 2, 'two answers';
ok !(grep { $_->[0] !~ /^(200|201|409)$/ } @answers), 'two POSTs at once: 200, 201 or 409, never a 500';
my @made = grep { $_->[0] =~ /^20[01]$/ } @answers;
ok @made >= 1, 'one at least makes the checkout';
is $_->[1], 'application/problem+json', 'a 409 is problem+json' for grep { $_->[0] == 409 } @answers;
like $made[0][1], qr{^https://checkout\.fake\.test/pay/cs_}, 'a page to pay on';
is $made[-1][1], $made[0][1], 'the same page for both' if @made == 2;
is $s->pay_control('GET', '/_fake/state')->{sessions}, 1, 'one checkout session at the gateway';
my %keys = map { /key=(\S+)/ ? ($1 => 1) : () } $s->pay_requests(qr{^POST /v1/checkout/sessions});
is scalar(keys %keys), 1, 'asked for with one Idempotency-Key';
is $s->psql('SELECT count(*) FROM payment_requests WHERE kind = \'checkout\''), '1', 'one request row';

# ---- two checkouts paid ----
# bob changes his mind (Gold): a second session; then pays both pages.
my $r = $s->post('/api/subscriptions/', token => $bob->{access}, json => { plan => $premium->{id} });
my $first = $r->{json}{checkout_id};
$r = $s->post('/api/subscriptions/', token => $bob->{access}, json => { plan => $gold->{id} });
is $r->{status}, 201, 'a checkout for another plan';
my $second = $r->{json}{checkout_id};
my $sub1 = $s->pay_control('POST', "/_fake/checkout/$first/complete");
my $sub2 = $s->pay_control('POST', "/_fake/checkout/$second/complete");
is $s->pay_deliver->{failed}, 0, 'the webhook takes every event';
wait_until { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL AND attempts = 0') eq '0' }
    what => 'the job to try every event';
is live(), '1', 'one live subscription in the database';
is $s->psql("SELECT gateway_id FROM subscriptions WHERE user_id = $bob->{id}"), $sub1->{id}, 'the first';
ok $s->psql("SELECT count(*) FROM payment_events WHERE processed_at IS NULL AND subscription = '$sub2->{id}' "
            . "AND last_error LIKE '%second live subscription%'") > 0,
    'the events of the second wait, saying why';
wait_until { $s->pool_log('payments') =~ /event=subscription_second .*subscription=\Q$sub2->{id}\E/ }
    what => 'the job to say which subscription is a second one';
unlike $s->pool_log('payments'), qr/sqlstate=23505/, 'no statement failed for it';

$r = $s->get('/api/subscriptions/', token => $bob->{access});
is $r->{json}{subscription}{plan}{name}, 'Premium', 'bob has the first';
$r = $s->post('/api/subscriptions/', token => $bob->{access}, json => { plan => $gold->{id} });
is $r->{status}, 409, 'a third checkout is refused';
is $r->{headers}{'content-type'}, 'application/problem+json', 'as problem+json';
like $r->{json}{detail}, qr/change its plan/, 'saying what to do instead';

# The database itself refuses a second live row.
is $s->psql(qq{CREATE FUNCTION pg_temp.second() RETURNS text LANGUAGE plpgsql AS \$\$
    DECLARE c text;
    BEGIN
        INSERT INTO subscriptions (gateway_id, user_id, plan_id, status)
        VALUES ('sub_x', $bob->{id}, $gold->{id}, 'active');
        RETURN 'inserted';
    EXCEPTION WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME;
        RETURN c;
    END \$\$; SELECT pg_temp.second()}), 'subscriptions_live',
    'an INSERT of a second live row fails on subscriptions_live';
$s->psql("INSERT INTO subscriptions (gateway_id, user_id, plan_id, status) "
         . "VALUES ('sub_y', $bob->{id}, $gold->{id}, 'canceled')");
is live(), '1', 'an ended one beside it is fine';

# ---- the first ends: the second is taken ----
is $s->delete('/api/subscriptions/', token => $bob->{access})->{status}, 200, 'bob cancels the first';
$s->pay_control('POST', "/_fake/subscriptions/$sub1->{id}/renew");
$s->pay_deliver;
$s->psql('UPDATE payment_events SET next_attempt_at = now() WHERE processed_at IS NULL');
wait_until { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL') eq '0' }
    what => 'the job to process the events left', timeout => 30;
is $s->psql("SELECT gateway_id FROM subscriptions WHERE user_id = $bob->{id} "
            . "AND status NOT IN ('canceled', 'incomplete_expired')"), $sub2->{id},
    'the first over, the second is bob\'s live one';
is $s->get('/api/subscriptions/', token => $bob->{access})->{json}{subscription}{plan}{name}, 'Gold',
    'on Gold';

$s->finish;
done_testing;

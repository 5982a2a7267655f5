# Subscriptions through the real stack and the fake gateway (t/lib/pay-fake):
# subscribe (a checkout), pay, renew, a failed payment (past_due, in grace,
# then out of it), recovery, a plan change, cancellation at the period's
# end, the end, and subscribing again; invoices; and that neither secret
# ever reaches a log.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(payments => 1);
my $admin = $s->admin;
my $alice = $s->user('alice');

sub new_plan {
    my (%p) = @_;
    my $r = $s->post('/api/admin/plans/', token => $admin->{access},
                     json => { interval => 'month', currency => 'EUR', %p });
    die "plan: $r->{content}" unless $r->{status} == 201;
    return $r->{json};
}
my $premium = new_plan(name => 'Premium', price => 499, features => [qw(premium_media year_in_review)]);
my $gold = new_plan(name => 'Gold', price => 999, features => [qw(premium_media year_in_review export)]);

sub state_of {
    my ($user) = @_;
    my $r = $s->get('/api/subscriptions/', token => $user->{access});
    is $r->{status}, 200, "$user->{username}'s subscription" or diag $r->{content};
    return $r->{json};
}
sub status_of { my $sub = state_of($_[0])->{subscription}; $sub ? $sub->{status} : 'none' }

# Delivers what the fake has not delivered, and waits for `marquee payments
# work` to process it.
sub deliver {
    my $d = $s->pay_deliver;
    is $d->{failed}, 0, "the webhook took $d->{delivered} deliveries";
    wait_until { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL') eq '0' }
        what => 'the payments job to process them';
}

is_deeply state_of($alice), { subscription => undef, entitlements => [] }, 'no subscription at first';

# The analytics events (subscription_change) of alice's subscriptions
# written since the last call, their changes sorted: each change of state
# writes one, in its transaction (sql/0017).
my $changes_seen = 0;
sub new_changes {
    my @all = split /\n/, $s->psql("SELECT data->>'change' FROM events WHERE kind = 'subscription_change' "
                                   . "AND user_id = $alice->{id} ORDER BY at");
    my @new = sort @all[$changes_seen .. $#all];
    $changes_seen = @all;
    return \@new;
}

# ---- subscribe ----
my $r = $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => $premium->{id} });
is $r->{status}, 201, 'subscribing makes a checkout';
my $checkout = $r->{json};
like $checkout->{checkout_url}, qr{^https://checkout\.fake\.test/pay/cs_}, 'to pay at the gateway';
is $checkout->{plan}{id}, $premium->{id}, 'for the plan';
$r = $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => $premium->{id} });
is $r->{status}, 200, 'asking again while it is open';
is $r->{json}{checkout_url}, $checkout->{checkout_url}, 'gives the same page';
is scalar($s->pay_requests(qr{^POST /v1/checkout/sessions})), 1, 'one session at the gateway';
my ($cust) = $s->pay_requests(qr{^POST /v1/customers});
is $cust, "POST /v1/customers key=marquee-customer-$alice->{id}", 'the customer\'s Idempotency-Key is the user\'s';
like(($s->pay_requests(qr{^POST /v1/checkout/sessions}))[0], qr/ key=marquee-request-\d+$/,
     'the session\'s is our request\'s row');
is status_of($alice), 'none', 'no subscription before paying';

my $sub = $s->pay_control('POST', "/_fake/checkout/$checkout->{checkout_id}/complete");
deliver();
my $st = state_of($alice);
is $st->{subscription}{status}, 'active', 'paid: active';
is_deeply new_changes(), [qw(activated created)], 'analytics: created and activated';
is $st->{subscription}{plan}{name}, 'Premium', 'on Premium';
is $st->{subscription}{entitled}, JSON::PP::true, 'entitled';
is_deeply $st->{entitlements}, [qw(premium_media year_in_review)], 'to the plan\'s features';
is $st->{subscription}{cancel_at_period_end}, JSON::PP::false, 'not canceled';
ok $st->{subscription}{current_period_end} gt $st->{subscription}{current_period_start}, 'a current period';
is $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => $gold->{id} })->{status},
    409, 'a second subscription is refused: change the plan instead';

my $pay = $s->get('/api/payments/', token => $alice->{access});
is $pay->{status}, 200, 'the invoices';
is $pay->{json}{count}, 1, 'one';
my $inv = $pay->{json}{results}[0];
is_deeply [ @$inv{qw(status amount_due amount_paid currency billing_reason plan)} ],
    ['paid', 499, 499, 'EUR', 'subscription_create', 'Premium'], 'paid, 499 EUR, for Premium';
like $pay->{content}, qr/"amount_paid":499[,}]/, 'amounts are integers';

# ---- renew, fail, grace, recover ----
$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/renew");
deliver();
is $s->get('/api/payments/', token => $alice->{access})->{json}{count}, 2, 'a renewal: a second invoice';
is status_of($alice), 'active', 'still active';
is_deeply new_changes(), [], 'a renewal is no change of state';

$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/fail");
deliver();
$st = state_of($alice);
is $st->{subscription}{status}, 'past_due', 'a failed payment: past_due';
is_deeply new_changes(), ['past_due'], 'analytics: past_due';
ok $st->{subscription}{grace_until}, 'with a grace period';
is_deeply $st->{entitlements}, [qw(premium_media year_in_review)], 'in grace: still entitled';
is $s->get('/api/payments/', token => $alice->{access})->{json}{results}[0]{status}, 'open',
    'the invoice is open';
$s->psql("UPDATE subscriptions SET past_due_since = now() - interval '4 days' WHERE gateway_id = '$sub->{id}'");
$st = state_of($alice);
is $st->{subscription}{entitled}, JSON::PP::false, 'past the grace period: not entitled';
is_deeply $st->{entitlements}, [], 'no features';

$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/recover");
deliver();
$st = state_of($alice);
is $st->{subscription}{status}, 'active', 'paid after all: active again';
is_deeply new_changes(), ['activated'], 'analytics: activated again';
is $st->{subscription}{grace_until}, undef, 'no grace period';
is_deeply $st->{entitlements}, [qw(premium_media year_in_review)], 'entitled again';

# ---- change plan ----
$r = $s->put('/api/subscriptions/', token => $alice->{access}, json => { plan => $gold->{id} });
is $r->{status}, 200, 'changing plan' or diag $r->{content};
is $r->{json}{subscription}{plan}{name}, 'Gold', 'to Gold, at once';
is_deeply new_changes(), ['plan_changed'], 'analytics: plan_changed, in the request\'s transaction';
is_deeply $r->{json}{entitlements}, [qw(premium_media year_in_review export)], 'with its features';
like(($s->pay_requests(qr{^POST /v1/subscriptions/}))[-1], qr/ key=marquee-request-\d+$/, 'with a key');
is $s->put('/api/subscriptions/', token => $alice->{access}, json => { plan => $gold->{id} })->{status},
    409, 'changing to the plan it has is 409';
is $s->put('/api/subscriptions/', token => $alice->{access}, json => { plan => 999999 })->{status},
    404, 'to a plan that is not there, 404';
deliver();
is state_of($alice)->{subscription}{plan}{name}, 'Gold', 'the webhooks agree';

# ---- cancel ----
is $s->delete('/api/subscriptions/?immediately=true', token => $alice->{access})->{status}, 403,
    'only administrators cancel immediately';
$r = $s->delete('/api/subscriptions/', token => $alice->{access});
is $r->{status}, 200, 'canceling';
is $r->{json}{subscription}{cancel_at_period_end}, JSON::PP::true, 'at the end of the period';
is $r->{json}{subscription}{status}, 'active', 'active until then';
is_deeply new_changes(), ['cancel_scheduled'], 'analytics: cancel_scheduled';
is_deeply $r->{json}{entitlements}, [qw(premium_media year_in_review export)], 'entitled until then';
$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/renew");
deliver();
$st = state_of($alice);
is $st->{subscription}{status}, 'canceled', 'the period over: canceled';
is_deeply $st->{entitlements}, [], 'nothing';
is_deeply new_changes(), ['canceled'], 'analytics: canceled';
is $s->delete('/api/subscriptions/', token => $alice->{access})->{status}, 404, 'nothing to cancel';
is $s->put('/api/subscriptions/', token => $alice->{access}, json => { plan => $premium->{id} })->{status},
    404, 'nor to change';

# An old event processed again reads the gateway's state, not the event's:
# it cannot bring a final subscription back.
my ($created) = grep { $_->{type} eq 'customer.subscription.created' } @{ $s->pay_events };
$s->psql("UPDATE payment_events SET processed_at = NULL, next_attempt_at = now() WHERE id = '$created->{id}'");
wait_until { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL') eq '0' }
    what => 'the replayed creation to be processed';
is status_of($alice), 'canceled', 'an old "created" processed again leaves it canceled';
is_deeply new_changes(), [], 'and writes no event';

# ---- subscribe again ----
$r = $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => $premium->{id} });
is $r->{status}, 201, 'subscribing again';
isnt $r->{json}{checkout_id}, $checkout->{checkout_id}, 'is a new checkout';
my $sub2 = $s->pay_control('POST', "/_fake/checkout/$r->{json}{checkout_id}/complete");
deliver();
$st = state_of($alice);
is $st->{subscription}{status}, 'active', 'active again';
is_deeply new_changes(), [qw(activated resubscribed)], 'analytics: resubscribed and activated';
isnt $st->{subscription}{id}, undef, 'a new subscription';
is $s->psql("SELECT count(*) FROM subscriptions WHERE user_id = $alice->{id}"), '2', 'beside the old';
is $s->get('/api/payments/', token => $alice->{access})->{json}{count}, 4, 'four invoices in all (none for the end of a canceled period)';
is $s->psql("SELECT count(*) FROM payment_customers"), '1', 'one customer all along';

# A refund of alice's last payment: its event, with the amount.
my $paid = $s->get('/api/payments/', token => $alice->{access})->{json}{results}[0];
is $s->post("/api/admin/payments/$paid->{id}/refund/", token => $admin->{access},
            json => { amount => 120 })->{status}, 201, 'an administrator refunds 120 of it';
deliver();
is_deeply new_changes(), ['refunded'], 'analytics: refunded, once (its webhook too)';
is $s->psql("SELECT value::int || ' ' || (data->>'currency') FROM events "
            . "WHERE kind = 'subscription_change' AND data->>'change' = 'refunded'"), '120 EUR',
    'of 120 EUR';
is $s->psql("SELECT count(*) FROM events WHERE kind = 'subscription_change' AND user_id IS NULL"), '0',
    'every change is its user\'s';

# ---- an administrator cancels now ----
my $admin_plan = $s->post('/api/subscriptions/', token => $admin->{access}, json => { plan => $gold->{id} });
$s->pay_control('POST', "/_fake/checkout/$admin_plan->{json}{checkout_id}/complete");
deliver();
$r = $s->delete('/api/subscriptions/?immediately=true', token => $admin->{access});
is $r->{status}, 200, 'an administrator cancels immediately';
is $r->{json}{subscription}{status}, 'canceled', 'canceled at once';

# ---- bad input ----
is $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => 'gold' })->{status}, 400,
    'plan must be an id';
is $s->post('/api/subscriptions/', token => $alice->{access}, json => {})->{status}, 400, 'plan is required';
is $s->post('/api/subscriptions/', json => { plan => $gold->{id} })->{status}, 401, 'a user must log in';
is $s->get('/api/payments/')->{status}, 401, 'to see payments too';
is $s->delete('/api/subscriptions/?immediately=maybe', token => $admin->{access})->{status}, 400,
    'immediately is true or false';

# ---- secrets never logged ----
for my $log (glob $s->dir . '/log/*') {
    my $text = Marquee::Stack::slurp($log);
    unlike $text, qr/\Q$Marquee::Stack::PAY_KEY\E/, "the secret key is not in $log";
    unlike $text, qr/\Q$Marquee::Stack::PAY_SECRET\E/, "nor the webhook secret";
}

$s->finish;
done_testing;

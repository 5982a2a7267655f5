# The payment gateway's webhooks and failures: forged, stale, tampered and
# unsigned deliveries are 400 and change nothing; a replay is a no-op;
# 1,000 duplicate and shuffled deliveries of every event end in the same
# state as in-order delivery; the gateway down, slow, or losing its
# answer during a checkout is a 502/503/504 with nothing half-made, and
# the same request again (the same Idempotency-Key) makes each thing
# once; `marquee payments sync` repairs lost webhooks.
use strict;
use warnings;
use List::Util qw(shuffle);
use Test::More;
use JSON::PP;
use Marquee::Stack;

my $s = Marquee::Stack->start(payments => 1);
my $admin = $s->admin;
my ($bob, $carol, $dave, $erin, $frank) = map { $s->user($_) } qw(bob carol dave erin frank);
my $JSON = JSON::PP->new->utf8->canonical;

sub new_plan {
    my (%p) = @_;
    return $s->post('/api/admin/plans/', token => $admin->{access},
                    json => { interval => 'month', currency => 'EUR', %p })->{json};
}
my $premium = new_plan(name => 'Premium', price => 499, features => ['premium_media']);
my $gold = new_plan(name => 'Gold', price => 999, features => ['premium_media', 'export']);

sub unprocessed { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL') }
sub processed_all {
    wait_until { unprocessed() eq '0' } what => 'the payments job to process every event', timeout => 30;
}
sub deliver {
    my $d = $s->pay_deliver;
    is $d->{failed}, 0, "the webhook took $d->{delivered} deliveries";
    processed_all();
}
sub status_of {
    my $sub = $s->get('/api/subscriptions/', token => $_[0]{access})->{json}{subscription};
    return $sub ? $sub->{status} : 'none';
}
sub checkout {
    my ($user, $plan) = @_;
    my $r = $s->post('/api/subscriptions/', token => $user->{access}, json => { plan => $plan->{id} });
    is $r->{status}, 201, "$user->{username} begins a checkout" or diag $r->{content};
    return $r->{json}{checkout_id};
}

# ---- bob subscribes: the events to forge ----
my $sub = $s->pay_control('POST', '/_fake/checkout/' . checkout($bob, $premium) . '/complete');
deliver();
is status_of($bob), 'active', 'bob is subscribed';

my $event = $s->pay_events->[-1];
my $body = $JSON->encode($event);
my $events = $s->psql('SELECT count(*) FROM payment_events');
my $deliveries = $s->psql('SELECT sum(deliveries) FROM payment_events');
my $state = $s->psql('SELECT status, updated_at FROM subscriptions');
my $now = time;
my %forged = (
    'no signature' => [$body, undef],
    'a malformed header' => [$body, 'garbage'],
    'no t' => [$body, 'v1=' . ('0' x 64)],
    'a signature of zeros' => [$body, "t=$now,v1=" . ('0' x 64)],
    'another secret' => [$body, $s->pay_signature($body, secret => 'whsec_not_ours')],
    'a timestamp 6 minutes old' => [$body, $s->pay_signature($body, t => $now - 360)],
    'a timestamp 6 minutes ahead' => [$body, $s->pay_signature($body, t => $now + 360)],
    'a tampered body' => [do { (my $b = $body) =~ s/"status":"complete"/"status":"expired"/; $b },
                          $s->pay_signature($body)],
    'only a v0 signature' => [$body, do { (my $h = $s->pay_signature($body)) =~ s/v1=/v0=/; $h }],
    'the signature of another t' => [$body, do { my $h = $s->pay_signature($body, t => $now - 1);
                                                 $h =~ s/^t=\d+/t=$now/; $h }],
);
for my $case (sort keys %forged) {
    my ($b, $sig) = @{ $forged{$case} };
    my $r = $s->pay_webhook($b, signature => $sig);
    is $r->{status}, 400, "$case: 400";
}
like $forged{'a tampered body'}[0], qr/"status":"expired"/, '(the tampered body differs)';
is $s->psql('SELECT count(*) FROM payment_events'), $events, 'no event was recorded';
is $s->psql('SELECT sum(deliveries) FROM payment_events'), $deliveries, 'nor a delivery counted';
is $s->psql('SELECT status, updated_at FROM subscriptions'), $state, 'nor a subscription changed';
like $s->log_lines(qr/event=payment_webhook_refused/), qr/why=/, 'each refusal is a security event';

# Genuine ones.
my $t = int time;
my $r = $s->pay_webhook($body, signature => "t=$t, v1=" . ('ab' x 32) . ', '
                        . ($s->pay_signature($body, t => $t) =~ s/^t=\d+,//r) . ',v0=zz');
is $r->{status}, 200, 'several v1 signatures, one of them right (a secret being rolled): 200';
is_deeply $r->{json}, { received => JSON::PP::true, duplicate => JSON::PP::true }, 'a replay, said so';
my $ping = $JSON->encode({ id => 'evt_test_ping1', object => 'event', type => 'ping',
                           created => time, data => { object => { object => 'balance' } } });
is_deeply $s->pay_webhook($ping)->{json}, { received => JSON::PP::true, duplicate => JSON::PP::false },
    'a new event: recorded';
is_deeply $s->pay_webhook($ping)->{json}, { received => JSON::PP::true, duplicate => JSON::PP::true },
    'the same again: a no-op';
is $s->psql("SELECT deliveries FROM payment_events WHERE id = 'evt_test_ping1'"), '2', 'counted twice';
is $s->pay_webhook('{"hello": "world"}')->{status}, 400, 'a genuine signature on what is not an event: 400';
is $s->pay_webhook('[1')->{status}, 400, 'nor on malformed JSON';

# nginx's location of its own for the webhook: bodies up to 64 KiB.
my $big = sub { $JSON->encode({ id => "evt_test_$_[0]", object => 'event', type => 'ping', created => time,
                                data => { object => { object => 'balance', pad => 'x' x $_[1] } } }) };
my $near = $big->('near', 65536 - 200);
cmp_ok length $near, '<=', 65536, '(an event just under 64 KiB)';
is $s->pay_webhook($near)->{status}, 200, 'an event just under 64 KiB: taken';
my $over = $big->('over', 65536);
$r = $s->pay_webhook($over);
is $r->{status}, 413, 'a signed body over 64 KiB: 413, from nginx';
is $r->{headers}{'content-type'}, 'application/problem+json', 'as problem+json';
is $s->psql("SELECT count(*) FROM payment_events WHERE id = 'evt_test_over'"), '0', 'not recorded';
processed_all();

# ---- the gateway down, slow, or losing its answer ----
my $before = $s->pay_control('GET', '/_fake/state');
$s->pay_mode('500');
$r = $s->post('/api/subscriptions/', token => $carol->{access}, json => { plan => $premium->{id} });
is $r->{status}, 502, 'the gateway failing: 502';
is $r->{headers}{'content-type'}, 'application/problem+json', 'a problem';
is status_of($carol), 'none', 'carol has no subscription';
is_deeply $s->pay_control('GET', '/_fake/state'), $before, 'nothing was made at the gateway';
is $s->psql("SELECT count(*) FROM payment_customers WHERE user_id = $carol->{id}"), '0', 'nor here';
$s->pay_mode('lost once /v1/customers');
is $s->post('/api/subscriptions/', token => $carol->{access}, json => { plan => $premium->{id} })->{status},
    502, 'the gateway makes the customer but its answer is lost: 502';
is $s->pay_control('GET', '/_fake/state')->{customers}, $before->{customers} + 1, 'the customer exists there';
checkout($carol, $premium);
is $s->pay_control('GET', '/_fake/state')->{customers}, $before->{customers} + 1,
    'asked again: the same customer, not a second';
my @keys = $s->pay_requests(qr{^POST /v1/customers key=marquee-customer-$carol->{id}$});
is scalar @keys, 3, 'the three calls carried the same key';

$s->pay_mode('lost once /v1/checkout/sessions');
$before = $s->pay_control('GET', '/_fake/state');
is $s->post('/api/subscriptions/', token => $dave->{access}, json => { plan => $premium->{id} })->{status},
    502, 'the session made, its answer lost: 502';
is status_of($dave), 'none', 'dave has no subscription';
is $s->pay_control('GET', '/_fake/state')->{sessions}, $before->{sessions} + 1, 'one session there';
my $cs = checkout($dave, $premium);
is $s->pay_control('GET', '/_fake/state')->{sessions}, $before->{sessions} + 1, 'asked again: still one';
my @dave = $s->pay_requests(qr{^POST /v1/checkout/sessions});
is $dave[-1], $dave[-2], 'the same Idempotency-Key both times';
like $cs, qr/^cs_/, 'and the session the gateway made first';

$s->pay_mode('slow 3 once /v1/checkout/sessions');
$before = $s->pay_control('GET', '/_fake/state');
$r = $s->post('/api/subscriptions/', token => $erin->{access}, json => { plan => $premium->{id} });
is $r->{status}, 504, 'the gateway slower than [payments] timeout: 504';
wait_until { $s->pay_control('GET', '/_fake/state')->{sessions} > $before->{sessions} }
    what => 'the slow gateway to finish the session';
checkout($erin, $premium);
is $s->pay_control('GET', '/_fake/state')->{sessions}, $before->{sessions} + 1,
    'asked again: the session it made late, not a second';
$s->pay_mode();

# ---- lost webhooks: `marquee payments sync` ----
my $fsub = $s->pay_control('POST', '/_fake/checkout/' . checkout($frank, $gold) . '/complete');
is status_of($frank), 'none', 'frank paid, and no webhook came';
my ($rc, $out) = $s->marquee('payments', 'sync');
is $rc, 0, 'marquee payments sync' or diag $out;
like $out, qr/^\d+ synced, 0 failed$/m, 'says what it did';
is status_of($frank), 'active', 'it found the subscription through the open checkout';
$s->pay_control('POST', "/_fake/subscriptions/$fsub->{id}/fail");
$s->marquee('payments', 'sync');
is status_of($frank), 'past_due', 'and the failed renewal';
$s->pay_mode('500');
($rc, $out) = $s->marquee('payments', 'sync');
isnt $rc, 0, 'with the gateway down, sync fails';
like $out, qr/failed/, 'and says so';
is status_of($frank), 'past_due', 'changing nothing';
$s->pay_mode();

# ---- bob's lifecycle, delivered in order ----
for my $step (qw(renew fail recover)) {
    $s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/$step");
    deliver();
}
is $s->put('/api/subscriptions/', token => $bob->{access}, json => { plan => $gold->{id} })->{status}, 200,
    'bob changes plan';
is $s->delete('/api/subscriptions/', token => $bob->{access})->{status}, 200, 'and cancels';
$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/renew");
$s->pay_control('POST', '/_fake/checkout/' . $cs . '/complete');    # dave pays
deliver();
is status_of($bob), 'canceled', 'bob\'s subscription ended';
is status_of($dave), 'active', 'dave\'s began';

my $SNAPSHOT = q{SELECT string_agg(concat_ws(' ', s.gateway_id, s.user_id, s.plan_id, s.status,
                   s.current_period_end, s.cancel_at_period_end, s.canceled_at IS NOT NULL,
                   s.past_due_since IS NOT NULL), E'\n' ORDER BY s.gateway_id) FROM subscriptions s};
my $INVOICES = q{SELECT string_agg(concat_ws(' ', gateway_id, status, amount_due, amount_paid, currency,
                   subscription_id IS NOT NULL), E'\n' ORDER BY gateway_id) FROM invoices};
my ($in_order, $in_order_invoices) = ($s->psql($SNAPSHOT), $s->psql($INVOICES));
like $in_order, qr/ canceled .* active /s, 'the state in order: ' . scalar(split /\n/, $in_order)
    . ' subscriptions';

# ---- the same, from 1,000 shuffled and duplicated deliveries ----
$s->stop_payments_work;
$s->psql('DELETE FROM payment_events; DELETE FROM invoices; DELETE FROM subscriptions');
my @all = @{ $s->pay_events };
my @bodies = map { $JSON->encode($_) } @all;
my @deliveries = shuffle map { $bodies[ $_ % @bodies ] } 0 .. 999;
cmp_ok scalar(@all), '>=', 30, scalar(@all) . ' events, each delivered about ' . int(1000 / @all) . ' times';
$s->start_payments_work;    # processing while they arrive
my @bad = $s->in_parallel(map { my $i = $_; sub {
    scalar grep { $s->pay_webhook($_)->{status} != 200 } @deliveries[ $i * 250 .. $i * 250 + 249 ] } } 0 .. 3);
is_deeply \@bad, [0, 0, 0, 0], '1,000 deliveries, each 200';
is $s->psql('SELECT count(*) FROM payment_events'), scalar(@all), 'each event recorded once';
is $s->psql('SELECT sum(deliveries) FROM payment_events'), 1000, 'every delivery counted';
processed_all();
is $s->psql($SNAPSHOT), $in_order, 'the subscriptions are as after in-order delivery';
is $s->psql($INVOICES), $in_order_invoices, 'and the invoices';
is status_of($bob), 'canceled', 'bob: canceled';
is status_of($frank), 'past_due', 'frank: past_due';

$s->finish;
done_testing;

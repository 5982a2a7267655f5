# Refunds through the real stack and the fake gateway: an administrator
# refunds part of a payment, then the rest; more than is left is 400; a
# call whose answer was lost, made again, is the same refund (the same
# Idempotency-Key: one refund at the gateway); a refund made at the
# gateway itself reaches us by its signed charge.refunded webhook; the
# webhook of our own refund arriving before or after our call's answer
# counts it once; only administrators refund.
use strict;
use warnings;
use Test::More;
use Marquee::Stack;

my $s = Marquee::Stack->start(payments => 1);
my $admin = $s->admin;
my ($alice, $bob) = map { $s->user($_) } qw(alice bob);
my $premium = $s->pay_plan($admin, name => 'Premium', price => 499, features => ['premium_media']);

sub deliver {
    my $d = $s->pay_deliver;
    is $d->{failed}, 0, "the webhook took $d->{delivered} deliveries";
    wait_until { $s->psql('SELECT count(*) FROM payment_events WHERE processed_at IS NULL') eq '0' }
        what => 'the payments job to process them';
}
sub payments { $s->get('/api/payments/', token => $_[0]{access})->{json}{results} }
sub payment { my ($user, $id) = @_; (grep { $_->{id} == $id } @{ payments($user) })[0] }
sub refund {
    my ($id, %body) = @_;
    return $s->post("/api/admin/payments/$id/refund/", token => $admin->{access}, json => \%body);
}
sub charge_of { $s->psql("SELECT charge_id FROM invoices WHERE id = $_[0]") }

# alice subscribes and renews: two payments of 499.
my $r = $s->post('/api/subscriptions/', token => $alice->{access}, json => { plan => $premium->{id} });
my $sub = $s->pay_control('POST', "/_fake/checkout/$r->{json}{checkout_id}/complete");
$s->pay_control('POST', "/_fake/subscriptions/$sub->{id}/renew");
deliver();
my %by = map { $_->{billing_reason} => $_ } @{ payments($alice) };
my ($first, $second) = @by{qw(subscription_create subscription_cycle)};
is_deeply [ map { [ @$_{qw(status amount_paid amount_refunded)} ] } $first, $second ],
    [ ['paid', 499, 0], ['paid', 499, 0] ], 'two payments of 499, nothing refunded';
like charge_of($first->{id}), qr/^ch_/, 'each with its charge at the gateway';

# ---- who may ----
is $s->post("/api/admin/payments/$first->{id}/refund/", token => $alice->{access}, json => {})->{status},
    403, 'a user may not refund';
is $s->post("/api/admin/payments/$first->{id}/refund/", json => {})->{status}, 401, 'nor anybody';
is refund(999999)->{status}, 404, 'no such payment: 404';

# ---- part, then the rest ----
$r = refund($first->{id}, amount => 100);
is $r->{status}, 201, 'refunding 100 of the first' or diag $r->{content};
is_deeply [ @{ $r->{json} }{qw(amount currency status)} ], [100, 'EUR', 'succeeded'], 'a refund of 100 EUR';
is $r->{json}{payment}{amount_refunded}, 100, 'the payment shows it at once';
is $r->{json}{payment}{status}, 'partially_refunded', 'partially refunded';
my @keys = map { /key=(\S+)/ } $s->pay_requests(qr{^POST /v1/refunds});
is_deeply \@keys, ["marquee-refund-$r->{json}{id}"], 'the Idempotency-Key is our row\'s';
deliver();    # its webhook after our answer: counted once
$first = payment($alice, $first->{id});
is $first->{amount_refunded}, 100, 'its webhook after the answer counts it once';
like $s->get('/api/payments/', token => $alice->{access})->{content}, qr/"amount_refunded":100[,}]/,
    'an integer of minor units';

is refund($first->{id}, amount => 400)->{status}, 400, 'more than is left (399): 400';
is refund($first->{id}, amount => 0)->{status}, 400, 'nothing: 400';
is refund($first->{id}, amount => 1.5)->{status}, 400, 'a fraction: 400';
is refund($first->{id}, amount => '10')->{status}, 400, 'a string: 400';
$r = refund($first->{id});
is $r->{status}, 201, 'the rest';
is $r->{json}{amount}, 399, 'is 399';
is $r->{json}{payment}{status}, 'refunded', 'refunded';
is $r->{json}{payment}{amount_refunded}, 499, 'all of it';
$r = refund($first->{id});
is $r->{status}, 400, 'nothing left: 400';
like $r->{json}{detail}, qr/refunded in full/, 'saying so';
is $s->pay_control('GET', '/_fake/state')->{refunds}, 2, 'two refunds at the gateway';

# ---- a refund made at the gateway itself: its webhook ----
my $ch = charge_of($second->{id});
$s->pay_control('POST', "/_fake/charges/$ch/refund", { amount => 200 });
deliver();
$second = payment($alice, $second->{id});
is_deeply [ @$second{qw(status amount_refunded)} ], ['partially_refunded', 200],
    'a refund made at the gateway reaches us by its webhook';
is refund($second->{id}, amount => 300)->{status}, 400, 'so only 299 are left';

# ---- the answer lost: the same request again is the same refund ----
$s->pay_mode('lost once /v1/refunds');
$r = refund($second->{id}, amount => 150);
is $r->{status}, 502, 'the gateway refunded, but its answer was lost: 502';
is $s->psql("SELECT status FROM refunds WHERE invoice_id = $second->{id} ORDER BY id DESC LIMIT 1"),
    'requested', 'our row waits for an answer';
is refund($second->{id}, amount => 10)->{status}, 409, 'another amount meanwhile: 409';
deliver();    # its webhook before our call's answer
$second = payment($alice, $second->{id});
is $second->{amount_refunded}, 350, 'the webhook came first: 350 refunded';
$r = refund($second->{id}, amount => 150);
is $r->{status}, 201, 'asking again' or diag $r->{content};
is $r->{json}{payment}{amount_refunded}, 350, 'is the same refund: still 350';
@keys = map { /key=(\S+)/ } $s->pay_requests(qr{^POST /v1/refunds});
is $keys[-1], $keys[-2], 'sent with the same Idempotency-Key';
is $s->pay_control('GET', '/_fake/state')->{refunds}, 4, 'one refund at the gateway for both calls';
deliver();
is payment($alice, $second->{id})->{amount_refunded}, 350, 'and its webhook again changes nothing';

# ---- left unanswered: `marquee payments sync` sends it again ----
$s->pay_mode('500');
is refund($second->{id}, amount => 49)->{status}, 502, 'the gateway down: 502';
$s->pay_mode();
$s->psql("UPDATE refunds SET created_at = now() - interval '2 minutes' WHERE status = 'requested'");
my ($rc, $out) = $s->marquee('payments', 'sync');
is $rc, 0, 'payments sync' or diag $out;
is $s->psql("SELECT status FROM refunds ORDER BY id DESC LIMIT 1"), 'succeeded',
    'sends the refund left unanswered, with its key';
is payment($alice, $second->{id})->{amount_refunded}, 399, 'and it counts';

# ---- what cannot be refunded ----
$r = $s->post('/api/subscriptions/', token => $bob->{access}, json => { plan => $premium->{id} });
my $bsub = $s->pay_control('POST', "/_fake/checkout/$r->{json}{checkout_id}/complete");
$s->pay_control('POST', "/_fake/subscriptions/$bsub->{id}/fail");
deliver();
my ($open) = grep { $_->{billing_reason} eq 'subscription_cycle' } @{ payments($bob) };
is $open->{status}, 'open', 'bob\'s renewal failed: open';
$r = refund($open->{id});
is $r->{status}, 409, 'an invoice not paid cannot be refunded';
is $r->{headers}{'content-type'}, 'application/problem+json', 'problem+json';
is $s->post("/api/admin/payments/$open->{id}/refund/", token => $admin->{access},
            json => { amount => 1, why => 'x' })->{status}, 400, 'unknown fields: 400';

is $s->psql('SELECT count(*) FROM invoices WHERE amount_refunded > amount_paid'), '0',
    'never more refunded than paid';

$s->finish;
done_testing;
